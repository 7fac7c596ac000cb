"""The fields the ORM reads together when one of a record's fields is read."""


def prefetched_field_names(model):
    """:return: the names of the stored fields of ``model`` (a recordset) that
    its environment reads in one query when any of them is read: given to
    ``search_fetch``/``fetch``, a search or an explicit read also fills what
    later reads of those records would otherwise query again."""
    return [
        name
        for name, field in model._fields.items()
        if field.store and field.prefetch is True and field.is_accessible(model.env)
    ]
