"""HTTP client for the Zoho CRM REST API v8 (pure Python, no Odoo ORM).

* OAuth: the access token comes from a caller-provided token store (see
  ``MemoryTokenStore`` for the protocol). It is refreshed only when missing, within
  ``REFRESH_MARGIN`` seconds of expiry, or after Zoho refused it (INVALID_TOKEN /
  AUTHENTICATION_FAILURE), and then the request is retried once. Zoho allows only 10
  access tokens per 10 minutes per refresh token, hence the store's lock.
* The API domain is the ``api_domain`` of the token response (or
  ``api_domain_override``), never derived from the data center.
* Every answer is classified into the exceptions of ``errors``; 207 multi-status is
  not an error (see ``split_results``).
* Retries are left to the caller (queue_job) except the single token retry and, when
  ``max_inline_retries`` > 0, exponential backoff with full jitter on
  ``ZohoRetryLater`` (Retry-After respected).
* API credits: ``credits_used`` counts what Zoho charges per call (``credit_cost``);
  ``credit_budget`` (remaining budget for this run, None = unlimited) is checked
  before each call. Every call actually sent is counted, failed ones included
  (conservative: Zoho's meter is not exposed per call).
"""

import email.utils
import logging
import math
import random
import threading
import time
from datetime import datetime, timedelta, timezone

import requests

from .errors import (
    ZohoBackendBroken,
    ZohoBudgetExceeded,
    ZohoError,
    ZohoPreconditionFailed,
    ZohoRecordRejected,
    ZohoRestartPagination,
    ZohoRetryLater,
    ZohoTokenInvalid,
    ZohoTokenRateLimited,
)

_logger = logging.getLogger(__name__)

API_PATH = "/crm/v8"
TOKEN_PATH = "/oauth/v2/token"
REFRESH_MARGIN = 60  # seconds before expiry when a token is refreshed
MAX_FIELDS_PER_CALL = 50  # Zoho: at most 50 field API names in "fields"
MAX_PER_PAGE = 200
DISCRETE_PAGINATION_LIMIT = 2000  # records reachable with "page"; then page_token
MAX_RECORDS_PER_WRITE = 100  # insert / update / upsert
MAX_IDS_PER_CALL = 100
RECORDS_PER_WRITE_CREDIT = 10  # Zoho: insert/update/upsert = 1 credit per 10 records

TOKEN_CODES = {"INVALID_TOKEN", "AUTHENTICATION_FAILURE", "INVALID_OAUTHTOKEN"}
BROKEN_CODES = {"OAUTH_SCOPE_MISMATCH", "NO_PERMISSION", "AUTHORIZATION_FAILED"}
RESTART_CODES = {"EXPIRED_VALUE", "TOKEN_BOUND_DATA_MISMATCH"}
RECORD_CODES = {
    "INVALID_DATA",
    "MANDATORY_NOT_FOUND",
    "DUPLICATE_DATA",
    "MULTIPLE_OR_MULTI_ERRORS",
    "DEPENDENT_FIELD_MISSING",
    "DEPENDENT_MISMATCH",
    "RECORD_LOCKED",
}
# token endpoint "error" values meaning the refresh token / client is unusable
TOKEN_ENDPOINT_BROKEN = {
    "invalid_code",
    "invalid_client",
    "invalid_client_secret",
    "invalid_grant",
    "invalid_token",
    "invalid_redirect_uri",
    "unauthorized_client",
    "access_denied",
}


# --------------------------------------------------------------------------- helpers
def format_datetime(value):
    """ISO 8601 with offset, as Zoho expects (If-Modified-Since, channel_expiry).

    Naive datetimes are taken as UTC; strings are passed through unchanged.
    """
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat(timespec="seconds")


def parse_datetime(value):
    """Parse a Zoho datetime ("2024-01-15T10:00:00+05:30") into an aware datetime."""
    if not value:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def parse_retry_after(value, now=None):
    """Retry-After header (seconds or HTTP date) -> seconds, or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now if now is not None else time.time()
    return max(0.0, when.timestamp() - now)


def token_needs_refresh(token, failed_token=None, now=None, margin=REFRESH_MARGIN):
    """True when ``token`` (access_token, api_domain, expires_at) must be refreshed.

    That is: missing, expiring within ``margin`` seconds, or equal to the access
    token Zoho just refused (``failed_token``). Token stores use this under their
    lock so that concurrent workers refresh once.
    """
    if not token or not token[0]:
        return True
    if failed_token is not None and token[0] == failed_token:
        return True
    now = now if now is not None else time.time()
    return (token[2] or 0) - now < margin


def credit_cost(method, path, json=None):
    """API credits Zoho charges for one call (Zoho "API limits" credit table).

    Insert / update / upsert: 1 credit per 10 records (rounded up); everything this
    client calls otherwise costs 1 credit (a records GET is 1 credit per page of up
    to 200 records).
    """
    method = method.upper()
    if method in ("POST", "PUT", "PATCH") and isinstance(json, dict):
        data = json.get("data")
        if (
            isinstance(data, list)
            and data
            and not path.rstrip("/").endswith("/Attachments")
        ):
            return max(1, math.ceil(len(data) / RECORDS_PER_WRITE_CREDIT))
    return 1


def split_results(body):
    """Split a per-record answer (200/201/207/400 of a write) into two lists.

    ``body`` is the answer (``{"data": [...]}``) or its ``data`` list. Returns
    ``(successes, failures)``; each item is a dict with ``index`` (position in the
    request), ``code``, ``message``, ``details``, ``status``; successes also have
    ``id`` and ``action`` (insert/update), failures ``field`` (details.api_name).
    """
    items = body.get("data", []) if isinstance(body, dict) else body or []
    successes, failures = [], []
    for index, item in enumerate(items):
        details = item.get("details") or {}
        result = {
            "index": index,
            "code": item.get("code"),
            "message": item.get("message"),
            "details": details,
            "status": item.get("status"),
        }
        if item.get("status") == "success":
            result["id"] = details.get("id")
            result["action"] = item.get("action")
            successes.append(result)
        else:
            result["field"] = (
                details.get("api_name") if isinstance(details, dict) else None
            )
            failures.append(result)
    return successes, failures


def _error_from_body(body):
    """(code, message, details) of a Zoho error answer, top-level or per-record."""
    if not isinstance(body, dict):
        return None, None, {}
    if body.get("code"):
        return body.get("code"), body.get("message"), body.get("details") or {}
    data = body.get("data")
    if isinstance(data, list):
        for item in data:
            if isinstance(item, dict) and item.get("status") == "error":
                return item.get("code"), item.get("message"), item.get("details") or {}
    return None, None, {}


def _is_per_record_body(body):
    data = body.get("data") if isinstance(body, dict) else None
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(item, dict) and "status" in item for item in data)
        and not body.get("code")
    )


def classify_response(status, body, headers=None):
    """Exception for an HTTP answer of the CRM API (None when it is a success)."""
    if status < 300 or status == 304:
        return None
    code, message, details = _error_from_body(body)
    message = message or f"Zoho answered HTTP {status}"
    kwargs = {"code": code, "status": status, "details": details}
    if status == 429:
        retry_after = parse_retry_after((headers or {}).get("Retry-After"))
        return ZohoRetryLater(message, retry_after, not_processed=True, **kwargs)
    if status >= 500:
        retry_after = parse_retry_after((headers or {}).get("Retry-After"))
        return ZohoRetryLater(message, retry_after, **kwargs)
    if status == 412:
        return ZohoPreconditionFailed(message, **kwargs)
    if code in TOKEN_CODES:
        return ZohoTokenInvalid(message, **kwargs)
    if code in BROKEN_CODES:
        return ZohoBackendBroken(message, **kwargs)
    if status == 401:
        return ZohoTokenInvalid(message, **kwargs)
    if status == 403:
        return ZohoBackendBroken(message, **kwargs)
    if code in RESTART_CODES:
        return ZohoRestartPagination(message, **kwargs)
    if code in RECORD_CODES:
        return ZohoRecordRejected(message, **kwargs)
    return ZohoError(message, **kwargs)


def _json_or_empty(response):
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        return {}


def _token_endpoint_call(session, accounts_url, data, timeout):
    """POST to {accounts}/oauth/v2/token; returns the JSON or raises a ZohoError.

    Zoho answers some errors with HTTP 200 and an "error" key (invalid_code,
    invalid_client) and the rate limit with HTTP 400 "Access Denied".
    """
    url = accounts_url.rstrip("/") + TOKEN_PATH
    try:
        response = session.post(url, data=data, timeout=timeout)
    except requests.Timeout as exc:
        raise ZohoRetryLater(f"Timeout on the Zoho token endpoint: {exc}") from exc
    except requests.RequestException as exc:
        raise ZohoRetryLater(f"Cannot reach the Zoho token endpoint: {exc}") from exc
    body = _json_or_empty(response)
    body = body if isinstance(body, dict) else {}
    if response.status_code >= 500 or response.status_code == 429:
        raise ZohoRetryLater(
            f"Zoho token endpoint answered HTTP {response.status_code}",
            parse_retry_after(response.headers.get("Retry-After")),
            status=response.status_code,
        )
    error = body.get("error")
    if not error and response.status_code < 300 and body.get("access_token"):
        return body
    description = body.get("error_description") or ""
    text = f"{error} {description}".strip() or f"HTTP {response.status_code}"
    if "too many requests" in description.lower() or (
        error == "Access Denied" and "request" in description.lower()
    ):
        raise ZohoTokenRateLimited(
            f"Zoho refuses new access tokens for now: {text}",
            code=error,
            status=response.status_code,
        )
    if error and error.lower().replace(" ", "_") in TOKEN_ENDPOINT_BROKEN:
        raise ZohoBackendBroken(
            f"Zoho refused the credentials ({text}): re-authorise the backend",
            code=error,
            status=response.status_code,
        )
    raise ZohoError(
        f"Unexpected answer of the Zoho token endpoint: {text}",
        code=error,
        status=response.status_code,
        details=body,
    )


# ----------------------------------------------------------------------- token store
class MemoryTokenStore:
    """In-memory token store (tests, scripts). The Odoo store follows the protocol:

    * ``get()`` -> ``(access_token, api_domain, expires_at_epoch)`` or None;
    * ``refresh(callback, failed_token=None)``: under a lock (a row lock in Odoo),
      re-read the stored token; call ``callback()`` -> ``(access_token, api_domain,
      expires_at)`` and store its result only if ``token_needs_refresh(stored,
      failed_token)``; return the current tuple. Concurrent callers thus refresh
      once, which keeps us under Zoho's 10 tokens / 10 minutes / refresh token.
    """

    def __init__(
        self,
        access_token=None,
        api_domain=None,
        expires_at=0.0,
        margin=REFRESH_MARGIN,
        clock=time.time,
    ):
        self.lock = threading.Lock()
        self.margin = margin
        self.clock = clock
        self.refresh_count = 0
        self._token = (access_token, api_domain, expires_at) if access_token else None

    def get(self):
        with self.lock:
            return self._token

    def set(self, access_token, api_domain, expires_at):
        with self.lock:
            self._token = (access_token, api_domain, expires_at)

    def refresh(self, callback, failed_token=None):
        with self.lock:
            if token_needs_refresh(
                self._token, failed_token, self.clock(), self.margin
            ):
                self._token = tuple(callback())
                self.refresh_count += 1
            return self._token


# ---------------------------------------------------------------------------- client
class ZohoClient:
    """Zoho CRM v8 client. One instance per job/run; not meant to be shared by
    threads (share the token store instead)."""

    backoff_base = 1.0  # seconds, first inline retry waits up to this
    backoff_cap = 60.0

    def __init__(
        self,
        accounts_url,
        client_id,
        client_secret,
        refresh_token,
        token_store,
        api_domain_override=None,
        timeout=(5, 30),
        credit_budget=None,
        session=None,
        sleep=time.sleep,
        max_inline_retries=0,
        clock=time.time,
        rng=None,
        credit_meter=None,
        max_inline_wait=10.0,
    ):
        self.accounts_url = accounts_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.token_store = token_store
        self.api_domain_override = (api_domain_override or "").rstrip("/") or None
        self.timeout = timeout
        self.credit_budget = credit_budget
        self.session = session or requests.Session()
        self.sleep = sleep
        self.max_inline_retries = max_inline_retries
        self.clock = clock
        self.rng = rng or random.Random()
        self.credits_used = 0
        self.calls = 0  # API calls sent (token endpoint excluded)
        self.token_refreshes = 0  # token endpoint calls made by this client
        self.credits_remaining = None  # X-API-CREDITS-REMAINING when Zoho sends it
        # ``credit_meter(cost) -> bool`` books ``cost`` credits before each call
        # (shared budgets, e.g. per day in the database); False refuses the call
        self.credit_meter = credit_meter
        # a Retry-After longer than this is not waited for inline: the caller
        # (a queue job) retries later instead of holding a worker asleep
        self.max_inline_wait = max_inline_wait

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ OAuth
    @classmethod
    def exchange_grant_code(
        cls,
        accounts_url,
        client_id,
        client_secret,
        code,
        redirect_uri=None,
        session=None,
        timeout=(5, 30),
        clock=time.time,
    ):
        """Self-client grant code -> tokens (before any refresh token exists).

        Returns a dict with ``refresh_token``, ``access_token``, ``api_domain``,
        ``expires_in`` and ``expires_at`` (epoch). Raises ZohoBackendBroken for an
        invalid/expired code or client.
        """
        data = {
            "grant_type": "authorization_code",
            "client_id": client_id,
            "client_secret": client_secret,
            "code": code,
        }
        if redirect_uri:
            data["redirect_uri"] = redirect_uri
        own_session = session is None
        session = session or requests.Session()
        try:
            body = _token_endpoint_call(session, accounts_url, data, timeout)
        finally:
            if own_session:
                session.close()
        if not body.get("refresh_token"):
            raise ZohoBackendBroken(
                "Zoho returned no refresh token for this grant code "
                "(was it generated with access_type=offline?)",
                details=body,
            )
        expires_in = int(body.get("expires_in") or 3600)
        return {
            "refresh_token": body["refresh_token"],
            "access_token": body["access_token"],
            "api_domain": body.get("api_domain"),
            "expires_in": expires_in,
            "expires_at": clock() + expires_in,
            "scope": body.get("scope"),
        }

    def _refresh_callback(self):
        """Token refresh over HTTP; called by the token store under its lock."""
        if not self.refresh_token:
            raise ZohoBackendBroken("No Zoho refresh token: authorise the backend")
        self.token_refreshes += 1
        body = _token_endpoint_call(
            self.session,
            self.accounts_url,
            {
                "grant_type": "refresh_token",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "refresh_token": self.refresh_token,
            },
            self.timeout,
        )
        expires_in = int(body.get("expires_in") or 3600)
        return (body["access_token"], body.get("api_domain"), self.clock() + expires_in)

    def _token(self, failed_token=None):
        token = self.token_store.get()
        if failed_token is not None or token_needs_refresh(token, now=self.clock()):
            token = self.token_store.refresh(
                self._refresh_callback, failed_token=failed_token
            )
        if not token or not token[0]:
            raise ZohoTokenInvalid("The token store returned no access token")
        return token

    def _url(self, path, api_domain):
        if path.startswith(("http://", "https://")):
            return path
        domain = self.api_domain_override or (api_domain or "").rstrip("/")
        if not domain:
            raise ZohoError("No Zoho API domain (token response had no api_domain)")
        return domain + (path if path.startswith("/") else "/" + path)

    # ---------------------------------------------------------------- request
    def request(
        self,
        method,
        path,
        params=None,
        json=None,
        headers=None,
        files=None,
        credits=None,
        idempotent=None,
        per_record=False,
    ):
        """Send one API call; return the parsed JSON, or None for 204/304.

        ``path`` is relative to the API domain ("/crm/v8/Accounts") or absolute.
        ``credits`` overrides ``credit_cost``. ``idempotent`` (default: not POST)
        allows inline retries after timeouts/5xx; non-idempotent calls are retried
        inline only when Zoho certainly did not process them (429...).
        ``per_record``: a 400 whose body is a per-record result list (every record
        of a write rejected) is returned instead of raised, like a 207.
        """
        method = method.upper()
        cost = credits if credits is not None else credit_cost(method, path, json)
        if idempotent is None:
            idempotent = method != "POST"
        failed_token = None
        token_retried = False
        attempt = 0
        while True:
            try:
                return self._send(
                    method,
                    path,
                    params,
                    json,
                    headers,
                    files,
                    cost,
                    failed_token,
                    per_record,
                )
            except ZohoTokenInvalid as exc:
                failed_token = getattr(exc, "access_token", None)
                if token_retried or not failed_token:
                    raise
                token_retried = True
            except ZohoTokenRateLimited:
                raise
            except ZohoRetryLater as exc:
                if (
                    attempt >= self.max_inline_retries
                    or not (idempotent or exc.not_processed)
                    or (exc.retry_after_seconds or 0) > self.max_inline_wait
                ):
                    raise
                delay = self._backoff(attempt, exc.retry_after_seconds)
                attempt += 1
                failed_token = None  # a refresh, if any, already happened
                _logger.info(
                    "Zoho %s %s: %s; inline retry %d/%d in %.1fs",
                    method,
                    path,
                    exc,
                    attempt,
                    self.max_inline_retries,
                    delay,
                )
                self.sleep(delay)

    def _backoff(self, attempt, retry_after=None):
        ceiling = min(self.backoff_cap, self.backoff_base * (2**attempt))
        delay = self.rng.uniform(0, ceiling)  # full jitter
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay

    def _send(
        self, method, path, params, json, headers, files, cost, failed_token, per_record
    ):
        if (
            self.credit_budget is not None
            and self.credits_used + cost > self.credit_budget
        ):
            raise ZohoBudgetExceeded(
                f"Zoho credit budget exhausted: {self.credits_used} used, "
                f"{cost} needed, budget {self.credit_budget}",
                details={"used": self.credits_used, "budget": self.credit_budget},
            )
        if self.credit_meter is not None and not self.credit_meter(cost):
            raise ZohoBudgetExceeded(
                f"Zoho's daily credit budget is spent ({cost} more needed)",
                details={"needed": cost},
            )
        access_token, api_domain, _expires = self._token(failed_token)
        all_headers = {"Authorization": f"Zoho-oauthtoken {access_token}"}
        all_headers.update(headers or {})
        url = self._url(path, api_domain)
        self.credits_used += cost
        self.calls += 1
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=json,
                headers=all_headers,
                files=files,
                timeout=self.timeout,
            )
        except requests.ConnectTimeout as exc:
            raise ZohoRetryLater(
                f"Timeout connecting to Zoho: {exc}", not_processed=True
            ) from exc
        except requests.Timeout as exc:
            raise ZohoRetryLater(f"Timeout waiting for Zoho: {exc}") from exc
        except (
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            raise ZohoRetryLater(f"Cannot reach Zoho: {exc}") from exc
        except requests.RequestException as exc:
            raise ZohoError(f"Cannot call Zoho: {exc}") from exc
        remaining = response.headers.get("X-API-CREDITS-REMAINING")
        if remaining and remaining.isdigit():
            self.credits_remaining = int(remaining)
        status = response.status_code
        if status in (204, 304):
            return None
        body = _json_or_empty(response)
        if per_record and status == 400 and _is_per_record_body(body):
            return body
        error = classify_response(status, body, response.headers)
        if error is None:
            return body
        if isinstance(error, ZohoTokenInvalid):
            error.access_token = access_token
        raise error

    # ---------------------------------------------------------------- records
    def iter_records(
        self, module, fields, modified_since=None, per_page=MAX_PER_PAGE, max_restarts=3
    ):
        """Yield pages (lists of record dicts) of ``module`` by Modified_Time asc.

        * ``fields``: API names; ``id`` and ``Modified_Time`` are always fetched.
          Zoho takes at most 50 fields per call: the first 50 drive the listing,
          further batches are fetched per page with ``ids=`` (one more call per 100
          records and batch) and merged by id.
        * ``modified_since`` (datetime or ISO string) is sent as If-Modified-Since:
          records modified after it; nothing changed -> Zoho answers 304 and this
          yields nothing (one call).
        * ``page`` is used for the first 2,000 records, then ``page_token``
          (``info.next_page_token``).
        * On an expired / mismatching page token (ZohoRestartPagination) the listing
          restarts from the last Modified_Time seen (minus 1 s) up to
          ``max_restarts`` times; records already yielded are skipped (dedupe by
          id), so every record is yielded once. A record modified again during
          the run is not yielded twice: the caller's next incremental run, from
          the newest Modified_Time it saw, picks it up.
        """
        batches = self._field_batches(fields)
        seen = set()
        last_modified = None
        since = modified_since
        restarts = 0
        while True:
            try:
                for page in self._iter_pages(module, batches[0], since, per_page):
                    fresh = [rec for rec in page if rec.get("id") not in seen]
                    if not fresh:
                        continue
                    if len(batches) > 1:
                        self._merge_extra_fields(module, fresh, batches[1:])
                    for rec in fresh:
                        seen.add(rec.get("id"))
                        modified = parse_datetime(rec.get("Modified_Time"))
                        if modified and (
                            last_modified is None or modified > last_modified
                        ):
                            last_modified = modified
                    yield fresh
                return
            except ZohoRestartPagination as exc:
                restarts += 1
                if restarts > max_restarts:
                    raise
                if last_modified is not None:
                    since = last_modified - timedelta(seconds=1)
                _logger.info(
                    "Zoho %s listing: %s; restart %d from %s",
                    module,
                    exc,
                    restarts,
                    format_datetime(since) or "the beginning",
                )

    @staticmethod
    def _field_batches(fields):
        wanted = []
        for name in ["Modified_Time", *(fields or [])]:
            if name and name != "id" and name not in wanted:
                wanted.append(name)
        step = MAX_FIELDS_PER_CALL
        return [wanted[i : i + step] for i in range(0, len(wanted), step)]

    def _iter_pages(self, module, fields, since, per_page):
        per_page = max(1, min(int(per_page), MAX_PER_PAGE))
        params = {
            "fields": ",".join(fields),
            "per_page": per_page,
            "sort_by": "Modified_Time",
            "sort_order": "asc",
        }
        headers = {"If-Modified-Since": format_datetime(since)} if since else None
        page, page_token = 1, None
        while True:
            call_params = dict(params)
            if page_token:
                call_params["page_token"] = page_token
            else:
                call_params["page"] = page
            try:
                body = self.request(
                    "GET", f"{API_PATH}/{module}", params=call_params, headers=headers
                )
            except ZohoRecordRejected as exc:
                if not page_token:
                    raise
                # INVALID_DATA "The token given seems to be invalid"
                raise ZohoRestartPagination(
                    exc.message, code=exc.code, status=exc.status, details=exc.details
                ) from exc
            if not body:  # 204 no records / 304 not modified
                return
            data = body.get("data") or []
            info = body.get("info") or {}
            if data:
                yield data
            if not info.get("more_records"):
                return
            if (
                page_token is None
                and (page + 1) * per_page <= DISCRETE_PAGINATION_LIMIT
            ):
                page += 1
                continue
            page_token = info.get("next_page_token")
            if not page_token:
                raise ZohoError(
                    "Zoho announced more records but gave no next_page_token",
                    details=info,
                )

    def _merge_extra_fields(self, module, records, batches):
        by_id = {rec["id"]: rec for rec in records if rec.get("id")}
        ids = list(by_id)
        for fields in batches:
            for start in range(0, len(ids), MAX_IDS_PER_CALL):
                chunk = ids[start : start + MAX_IDS_PER_CALL]
                body = self.request(
                    "GET",
                    f"{API_PATH}/{module}",
                    params={"ids": ",".join(chunk), "fields": ",".join(fields)},
                )
                for extra in (body or {}).get("data") or []:
                    target = by_id.get(extra.get("id"))
                    if target is not None:
                        target.update(extra)

    def iter_deleted(
        self, module, since=None, deleted_type="all", per_page=MAX_PER_PAGE
    ):
        """Yield pages of deleted records ({id, display_name, deleted_time, ...})."""
        headers = {"If-Modified-Since": format_datetime(since)} if since else None
        page = 1
        while True:
            body = self.request(
                "GET",
                f"{API_PATH}/{module}/deleted",
                params={"type": deleted_type, "page": page, "per_page": per_page},
                headers=headers,
            )
            if not body:
                return
            data = body.get("data") or []
            if data:
                yield data
            if not (body.get("info") or {}).get("more_records"):
                return
            page += 1

    def get_fields(self, module):
        """Field metadata of a module (list of dicts with api_name, data_type...)."""
        body = self.request(
            "GET", f"{API_PATH}/settings/fields", params={"module": module}
        )
        return (body or {}).get("fields") or []

    def org(self):
        """Organization details (used by "Test connection")."""
        body = self.request("GET", f"{API_PATH}/org")
        orgs = (body or {}).get("org") or []
        return orgs[0] if orgs else {}

    def modules(self):
        """Modules of the org (to know e.g. whether Invoices exists)."""
        body = self.request("GET", f"{API_PATH}/settings/modules")
        return (body or {}).get("modules") or []

    # ----------------------------------------------------------------- writes
    def _write(self, path, records, extra, idempotent, method="POST"):
        results = []
        for start in range(0, len(records), MAX_RECORDS_PER_WRITE):
            chunk = list(records[start : start + MAX_RECORDS_PER_WRITE])
            payload = dict(extra, data=chunk)
            body = self.request(
                method, path, json=payload, idempotent=idempotent, per_record=True
            )
            data = (body or {}).get("data") or []
            if len(data) != len(chunk):
                raise ZohoError(
                    f"Zoho returned {len(data)} results for {len(chunk)} records",
                    details=body,
                )
            results.extend(data)
        return results

    def upsert(self, module, records, duplicate_check_fields, trigger=()):
        """Insert or update ``records`` (100 per call); per-record results, in order.

        ``trigger`` is always sent ([] = no workflow/approval/blueprint). Use
        ``split_results`` on the returned list.
        """
        extra = {
            "duplicate_check_fields": list(duplicate_check_fields or []),
            "trigger": list(trigger),
        }
        return self._write(f"{API_PATH}/{module}/upsert", records, extra, True)

    def create(self, module, records, trigger=()):  # pylint: disable=method-required-super
        """Insert ``records`` (100 per call); per-record results, in order."""
        extra = {"trigger": list(trigger)}
        return self._write(f"{API_PATH}/{module}", records, extra, False)

    @staticmethod
    def _single_result(item):
        successes, failures = split_results([item])
        if failures:
            failure = failures[0]
            raise ZohoRecordRejected(
                failure["message"] or "Zoho rejected the record",
                code=failure["code"],
                details=failure["details"],
            )
        return successes[0]

    def create_task(
        self,
        subject,
        what_id,
        se_module,
        owner_id=None,
        due_date=None,
        description=None,
        trigger=(),
        **extra_fields,
    ):
        """Create a Task linked to record ``what_id`` of module ``se_module``.

        Returns the result (``id``, ``details``...); raises ZohoRecordRejected.
        """
        task = {"Subject": subject, "What_Id": {"id": what_id}, "$se_module": se_module}
        if owner_id:
            task["Owner"] = {"id": owner_id}
        if due_date:
            task["Due_Date"] = (
                due_date if isinstance(due_date, str) else due_date.isoformat()
            )
        if description:
            task["Description"] = description
        task.update(extra_fields)
        return self._single_result(self.create("Tasks", [task], trigger=trigger)[0])

    def get_records(self, module, ids, fields):
        """The records with these ids (up to 100 per call), with ``fields``."""
        ids = [str(rid) for rid in ids]
        records = []
        for start in range(0, len(ids), MAX_IDS_PER_CALL):
            body = self.request(
                "GET",
                f"{API_PATH}/{module}",
                params={
                    "ids": ",".join(ids[start : start + MAX_IDS_PER_CALL]),
                    "fields": ",".join(fields[:MAX_FIELDS_PER_CALL]),
                },
            )
            records.extend((body or {}).get("data") or [])
        return records

    def list_attachments(self, module, record_id):
        """The attachments of a record (dicts with ``id``, ``File_Name``)."""
        body = self.request(
            "GET",
            f"{API_PATH}/{module}/{record_id}/Attachments",
            params={"fields": "id,File_Name"},
        )
        return (body or {}).get("data") or []

    def delete_attachment(self, module, record_id, attachment_id):
        """Remove one attachment of a record; :return: the result (``id``).

        Not retried inline after a timeout (Zoho may have deleted it already and
        would refuse the second call): the job lists the attachments again.
        """
        body = self.request(
            "DELETE",
            f"{API_PATH}/{module}/{record_id}/Attachments/{attachment_id}",
            idempotent=False,
            per_record=True,
        )
        data = (body or {}).get("data") or [{}]
        return self._single_result(data[0])

    def list_notes(self, module, record_id):
        """The notes of a record (dicts with ``id``, ``Note_Title``)."""
        body = self.request(
            "GET",
            f"{API_PATH}/{module}/{record_id}/Notes",
            params={"fields": "id,Note_Title,Note_Content"},
        )
        return (body or {}).get("data") or []

    def add_note(self, module, record_id, title, content):
        """Add a note to a record; :return: the new note's id."""
        body = self.request(
            "POST",
            f"{API_PATH}/{module}/{record_id}/Notes",
            json={"data": [{"Note_Title": title, "Note_Content": content}]},
            idempotent=False,
            per_record=True,
        )
        result = ((body or {}).get("data") or [{}])[0]
        if result.get("status") != "success":
            raise ZohoRecordRejected(
                result.get("message") or "note rejected",
                code=result.get("code"),
                details=result.get("details"),
            )
        return result["details"]["id"]

    def update_notes(self, notes):
        """Update notes by id (``[{"id", "Note_Title", "Note_Content"}]``), 100 per
        call (``PUT /Notes``, 1 credit per 10 notes); per-note results, in order.

        Idempotent: the same content written twice leaves the same note.
        """
        return self._write(f"{API_PATH}/Notes", notes, {}, True, method="PUT")

    def upload_attachment(
        self,
        module,
        record_id,
        filename,
        content,
        content_type="application/octet-stream",
    ):
        """Attach a file to a record; returns the result (``id`` of the attachment)."""
        body = self.request(
            "POST",
            f"{API_PATH}/{module}/{record_id}/Attachments",
            files={"file": (filename, content, content_type)},
            idempotent=False,
            per_record=True,
        )
        data = (body or {}).get("data") or [{}]
        return self._single_result(data[0])

    def enable_watch(
        self,
        channel_id,
        events,
        token,
        notify_url,
        channel_expiry=None,
        return_affected_field_values=False,
    ):
        """Subscribe a notification channel (POST /actions/watch).

        ``events`` like ["Accounts.all"]; ``channel_expiry`` at most one week ahead
        (Zoho defaults to one hour); ``token`` (<= 50 chars) comes back in each
        notification. Returns the "watch" result list.
        """
        watch = {
            "channel_id": str(channel_id),
            "events": list(events),
            "notify_url": notify_url,
            "token": token,
            "return_affected_field_values": bool(return_affected_field_values),
        }
        if channel_expiry:
            watch["channel_expiry"] = format_datetime(channel_expiry)
        body = self.request(
            "POST", f"{API_PATH}/actions/watch", json={"watch": [watch]}
        )
        results = (body or {}).get("watch") or []
        for item in results:
            if item.get("status") == "error":
                raise ZohoRecordRejected(
                    item.get("message") or "Zoho refused the notification channel",
                    code=item.get("code"),
                    details=item.get("details") or {},
                )
        return results

    split_results = staticmethod(split_results)
