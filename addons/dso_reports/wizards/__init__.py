from . import dso_backfill
