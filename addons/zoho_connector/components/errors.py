"""Exceptions raised by the Zoho client.

Every answer of Zoho that is not a success is turned into one of these classes. The
``kind`` attribute tells callers (queue jobs, the backend form) what to do:

=====================  ==============================================================
kind                   meaning for the caller
=====================  ==============================================================
error                  anything else: log it, fail the job
token_invalid          access token refused; the client already refreshed and retried
                       once, so seeing it means the fresh token was refused too
retry_later            429, 5xx, timeout, connection error: retry the job later,
                       after ``retry_after_seconds`` when known
token_rate_limited     token endpoint refuses new access tokens (10 per 10 minutes per
                       refresh token): retry much later (``retry_after_seconds``)
backend_broken         scope/permission/refresh token/client problem: the backend
                       must be re-authorised by a human; stop retrying
record_rejected        Zoho rejected the data of a record (``field`` names the field)
restart_pagination     page token expired or no longer matches: restart the listing
precondition_failed    412: the record changed in Zoho meanwhile; re-read it
budget_exceeded        our own API credit budget for this run is spent
=====================  ==============================================================
"""


class ZohoError(Exception):
    kind = "error"

    def __init__(self, message, code=None, status=None, details=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.details = details if details is not None else {}

    def __str__(self):
        extra = ", ".join(
            f"{name}={value}"
            for name, value in (("code", self.code), ("status", self.status))
            if value is not None
        )
        return f"{self.message} ({extra})" if extra else str(self.message)


class ZohoTokenInvalid(ZohoError):
    """INVALID_TOKEN / AUTHENTICATION_FAILURE: refresh the access token, retry once."""

    kind = "token_invalid"


class ZohoRetryLater(ZohoError):
    """Transient: 429, 5xx, timeouts, connection errors.

    ``not_processed`` is True when Zoho certainly did not process the request (429,
    connection refused / connect timeout): retrying is then safe even for calls that
    are not idempotent, like creating records.
    """

    kind = "retry_later"

    def __init__(
        self,
        message,
        retry_after_seconds=None,
        code=None,
        status=None,
        details=None,
        not_processed=False,
    ):
        super().__init__(message, code=code, status=status, details=details)
        self.retry_after_seconds = retry_after_seconds
        self.not_processed = not_processed


class ZohoTokenRateLimited(ZohoRetryLater):
    """Token endpoint: "You have made too many requests continuously"."""

    kind = "token_rate_limited"
    DEFAULT_DELAY = 600

    def __init__(self, message, retry_after_seconds=None, **kwargs):
        kwargs.setdefault("not_processed", True)
        super().__init__(message, retry_after_seconds or self.DEFAULT_DELAY, **kwargs)


class ZohoBackendBroken(ZohoError):
    """OAUTH_SCOPE_MISMATCH, NO_PERMISSION, bad refresh token or client: re-auth."""

    kind = "backend_broken"


class ZohoRecordRejected(ZohoError):
    """INVALID_DATA, MANDATORY_NOT_FOUND, DUPLICATE_DATA... on a record."""

    kind = "record_rejected"

    @property
    def field(self):
        details = self.details if isinstance(self.details, dict) else {}
        return details.get("api_name")


class ZohoRestartPagination(ZohoError):
    """EXPIRED_VALUE / TOKEN_BOUND_DATA_MISMATCH on a page token."""

    kind = "restart_pagination"


class ZohoPreconditionFailed(ZohoError):
    """412 (e.g. ALREADY_MODIFIED with If-Unmodified-Since): re-read, then retry."""

    kind = "precondition_failed"


class ZohoBudgetExceeded(ZohoError):
    """Our own credit budget for this run would be exceeded by the next call."""

    kind = "budget_exceeded"
