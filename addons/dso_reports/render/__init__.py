"""Charts and spreadsheets of the metric tables, without the ORM."""
