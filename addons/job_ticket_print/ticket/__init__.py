"""The job ticket without Odoo: one content model, two renderings, one door out.

Nothing in this package imports ``odoo``; it is tested with plain unit tests.
"""
