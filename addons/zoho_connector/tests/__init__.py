from . import (
    test_client,
    test_zoho_backend,
    test_zoho_jobs,
    test_zoho_pull,
    test_zoho_push,
    test_zoho_sync_run,
)
