"""A fake Zoho (accounts + CRM API v8) over real HTTP, for tests and scripts.

    with FakeZoho() as zoho:
        zoho.add_accounts(5000)
        client = ZohoClient(zoho.accounts_url, zoho.client_id, zoho.client_secret,
                            zoho.refresh_token, MemoryTokenStore())

State is plain Python guarded by ``zoho.lock``: ``records[module][id]``,
``deleted[module]``, ``attachments[record_id]``, ``channels``, ``requests`` (list of
(method, path, params, headers)), ``tokens_issued``, ``last_write``. Modified_Time
comes from a logical clock advancing one second per change (distinct, ordered).
Switches: ``invoices_enabled``, ``token_limit`` per ``token_window`` seconds and
refresh token, ``expire_all_tokens()``, ``expire_page_tokens()``, ``fail_next()``,
``delay_next()``, ``storm()``. A value "INVALID" in a written field is rejected
with INVALID_DATA naming that field.
"""

import itertools
import json
import random
import secrets
import threading
import time
from collections import deque
from datetime import datetime, timedelta, timezone
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API = "/crm/v8"
OWNER = {"id": "5725767000000186017", "name": "Patricia Boyle"}
MODULES = ["Leads", "Accounts", "Contacts", "Deals", "Tasks", "Invoices"]
DEFAULT_DUPLICATE_FIELDS = {"Accounts": ["Account_Name"], "Contacts": ["Email"]}
UNIQUE_FIELDS = {"Accounts": ["Account_Number"]}
MANDATORY = {"Accounts": ["Account_Name"], "Tasks": ["Subject"]}
PICKLISTS = {
    "Payment_Terms__c": ["Due on Receipt", "Net 15", "Net 30", "Net 45", "Net 60"],
    "Account_Type": ["Customer", "Prospect", "Partner"],
    "Status": ["Not Started", "In Progress", "Completed"],
}
JSON_TYPES = {"boolean": "boolean", "currency": "double", "integer": "integer"}
JSON_TYPES.update(ownerlookup="jsonobject", lookup="jsonobject")
# "api_name data_type [mandatory|unique|read_only]"; custom fields end with __c
FIELD_SPECS = {
    "Accounts": """Account_Name text mandatory; Account_Number text unique;
        Owner ownerlookup; Phone phone; Website website; Account_Type picklist;
        Billing_Street text; Billing_City text; Billing_State text; Billing_Code text;
        Billing_Country text; Shipping_Street text; Shipping_City text;
        Shipping_State text; Shipping_Code text; Shipping_Country text;
        Description textarea; Monthly_Billing__c boolean; Credit_Limit__c currency;
        Payment_Terms__c picklist; Open_Balance__c currency;
        Overdue_Amount__c currency; Oldest_Overdue_Days__c integer;
        Last_Payment_Date__c date; Last_Payment_Amount__c currency;
        Credit_Hold__c boolean; Credit_Hold_Reason__c textarea;
        Created_Time datetime read_only;
        Modified_Time datetime read_only""",
    "Tasks": """Subject text mandatory; Due_Date date; Status picklist;
        Owner ownerlookup; What_Id lookup; Description textarea;
        Modified_Time datetime read_only""",
}
ERRORS = {  # code -> (HTTP status, message)
    "INVALID_TOKEN": (401, "invalid oauth token"),
    "AUTHENTICATION_FAILURE": (401, "Authentication failed"),
    "INVALID_MODULE": (400, "the module name given seems to be invalid"),
    "INVALID_URL_PATTERN": (
        404,
        "Please check if the URL trying to access is a correct one",
    ),
    "REQUIRED_PARAM_MISSING": (400, "One of the expected parameter is missing"),
    "LIMIT_EXCEEDED": (400, "limit exceeded"),
    "AMBIGUITY_DURING_PROCESSING": (400, "You cannot use both page and page_token"),
    "INVALID_DATA": (400, "invalid data"),
    "EXPIRED_VALUE": (400, "The token given has expired"),
    "TOKEN_BOUND_DATA_MISMATCH": (
        400,
        "The page_token given seems to be invalid "
        "or input param is added, altered, or deleted",
    ),
    "DISCRETE_PAGINATION_LIMIT_EXCEEDED": (
        400,
        "You can only get the first 2000 records without using page_token param",
    ),
    "MANDATORY_NOT_FOUND": (400, "required field not found"),
    "DUPLICATE_DATA": (400, "duplicate data"),
}


def _field_meta(index, spec):
    name, data_type, *flag = spec.split()
    flag = flag[0] if flag else ""
    meta = {
        "id": str(5725767000000002000 + index),
        "api_name": name,
        "field_label": name.removesuffix("__c").replace("_", " "),
        "data_type": data_type,
        "json_type": JSON_TYPES.get(data_type, "string"),
        "custom_field": name.endswith("__c"),
        "read_only": flag == "read_only",
        "system_mandatory": flag == "mandatory",
        "unique": {"casesensitive": "0"} if flag == "unique" else {},
        "length": 255 if data_type in ("text", "phone", "website") else 16,
        "visible": True,
        "pick_list_values": [
            {"display_value": v, "actual_value": v, "id": str(5725767000000003000 + i)}
            for i, v in enumerate(["-None-", *PICKLISTS.get(name, [])])
        ]
        if data_type == "picklist"
        else [],
    }
    if data_type == "currency":
        meta["currency"] = {"rounding_option": "normal", "precision": 2}
    return meta


FIELDS = {
    module: [_field_meta(i, s.strip()) for i, s in enumerate(specs.split(";"))]
    for module, specs in FIELD_SPECS.items()
}


class _Reply(Exception):
    """Raised inside handlers to answer with an HTTP status and JSON body."""

    def __init__(self, status, body=None, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _error(code, status=None, message=None, **details):
    known_status, known_message = ERRORS.get(code, (400, code.lower()))
    body = {"code": code, "details": details, "status": "error"}
    body["message"] = message or known_message
    return _Reply(status or known_status, body)


def _record_error(code, index, field, **details):
    details.update(api_name=field, json_path=f"$.data[{index}].{field}")
    return {
        "code": code,
        "details": details,
        "message": ERRORS[code][1],
        "status": "error",
    }


def _parse_dt(value):
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class FakeZoho:
    client_id = "1000.FAKECLIENTID"
    client_secret = "fakesecret"

    def __init__(
        self, invoices_enabled=True, token_ttl=3600, refresh_token=None, port=0
    ):
        self.lock = threading.RLock()
        self.records = {name: {} for name in MODULES}
        self.deleted = {name: [] for name in MODULES}
        self.attachments, self.channels, self.requests = {}, {}, []
        self.invoices_enabled, self.token_ttl = invoices_enabled, token_ttl
        self.token_limit, self.token_window = 10, 600.0
        self.tokens_issued = 0
        self.last_write = None  # module, upsert, trigger, duplicate_check_fields
        self.refresh_token = refresh_token or "1000.fakerefresh." + secrets.token_hex(8)
        self.port = port
        self.refresh_tokens = {self.refresh_token: deque()}  # -> issue times
        self.grant_codes = {"1000.fakegrant"}
        self.access_tokens = {}  # token -> expiry (epoch)
        self.page_tokens = {}  # token -> {"binding", "offset", "expired"}
        self._failures, self._delays = deque(), deque()
        # a busy org: this share of API calls answers 429 with Retry-After
        self.busy_rate, self.busy_retry_after = 0.0, 1
        self._busy_rng = random.Random(0)
        self.busy_answers = 0
        self.page_delay = 0.0  # seconds every records listing takes
        self._ids = itertools.count(5725767000000100001)
        self._clock = datetime(2024, 1, 1, tzinfo=timezone.utc)
        self._server = None

    # ----------------------------------------------------------- lifecycle
    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        handler = type("Handler", (_Handler,), {"zoho": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None
        serve = self._server.serve_forever
        thread = threading.Thread(target=serve, args=(0.05,), daemon=True)
        thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    accounts_url = api_domain = base_url

    # ---------------------------------------------------------------- state
    def _tick(self):
        self._clock += timedelta(seconds=1)
        return self._clock.isoformat(timespec="seconds")

    def now(self):
        """Current logical time (the last Modified_Time handed out)."""
        with self.lock:
            return self._clock

    def new_id(self):
        return str(next(self._ids))  # 19 digits, like Zoho

    def add_record(self, module, **values):
        with self.lock:
            rid = values.pop("id", None) or self.new_id()
            stamp = self._tick()
            rec = {"id": rid, "Owner": dict(OWNER), "Created_Time": stamp, **values}
            rec["Modified_Time"] = stamp
            self.records[module][rid] = rec
            return rid

    def add_accounts(self, n, **overrides):
        """Add ``n`` Accounts; override values may be callables of the index."""
        with self.lock:
            start = len(self.records["Accounts"])
            ids = []
            for i in range(start, start + n):
                values = {
                    "Account_Name": f"Account {i:05d}",
                    "Account_Number": f"A{i:06d}",
                    "Phone": f"+1 555 {i:07d}",
                    "Website": f"https://account{i}.example.com",
                    "Billing_Street": f"{i} Main Street",
                    "Billing_City": "Springfield",
                    "Billing_Country": "United States",
                    "Monthly_Billing__c": i % 2 == 0,
                    "Credit_Limit__c": 10000.0,
                    "Payment_Terms__c": "Net 30",
                }
                for key, value in overrides.items():
                    values[key] = value(i) if callable(value) else value
                ids.append(self.add_record("Accounts", **values))
            return ids

    def touch(self, module, rid, **changes):
        with self.lock:
            rec = self.records[module][rid]
            rec.update(changes)
            rec["Modified_Time"] = self._tick()
            return rec

    def delete(self, module, rid):
        with self.lock:
            rec = self.records[module].pop(rid)
            name = rec.get("Account_Name") or rec.get("Subject") or rid
            user = dict(OWNER)
            self.deleted[module].append(
                {"id": rid, "display_name": name, "type": "recycle"}
                | {"deleted_by": user, "created_by": user, "deleted_time": self._tick()}
            )

    # ------------------------------------------------------------- switches
    def expire_all_tokens(self):
        with self.lock:
            self.access_tokens.clear()

    def expire_page_tokens(self):
        with self.lock:
            for entry in self.page_tokens.values():
                entry["expired"] = True

    def fail_next(
        self, n=1, status=500, code=None, retry_after=None, method=None, **details
    ):
        """The next ``n`` API calls (not the token endpoint) fail like this; with
        ``method`` ("DELETE"...), the next ``n`` calls of that method."""
        default = {429: "TOO_MANY_REQUESTS", 500: "INTERNAL_ERROR", 503: "UNAVAILABLE"}
        reply = _error(code or default.get(status, "INVALID_DATA"), status, **details)
        if retry_after is not None:
            reply.headers["Retry-After"] = str(retry_after)
        with self.lock:
            self._failures.extend([(method, reply)] * n)

    def storm(self, n429):
        self.fail_next(n429, status=429)

    def busy(self, rate, retry_after=1, seed=0):
        """From now on, answer 429 (Retry-After: ``retry_after``) to a ``rate``
        share of the API calls, as Zoho does when the org's concurrency or rate
        limit is hit."""
        with self.lock:
            self.busy_rate, self.busy_retry_after = rate, retry_after
            self._busy_rng = random.Random(seed)

    def delay_next(self, seconds, n=1):
        """The next ``n`` API calls answer after ``seconds`` (timeout tests)."""
        with self.lock:
            self._delays.extend([seconds] * n)

    def api_requests(self):
        with self.lock:
            return [r for r in self.requests if r[1].startswith("/crm/")]

    def clear_requests(self):
        with self.lock:
            self.requests.clear()

    # ---------------------------------------------------------------- OAuth
    def _issue_access_token(self, refresh_token):
        now, issued = time.monotonic(), self.refresh_tokens[refresh_token]
        while issued and now - issued[0] > self.token_window:
            issued.popleft()
        if len(issued) >= self.token_limit:  # Zoho: 10 per 10 minutes
            text = "You have made too many requests continuously. Please try again"
            body = {"error": "Access Denied", "status": "failure"}
            raise _Reply(400, body | {"error_description": text + " after some time."})
        issued.append(now)
        token = "1000." + secrets.token_hex(16)
        self.access_tokens[token] = time.time() + self.token_ttl
        self.tokens_issued += 1
        scope = "ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.org.READ"
        body = {"access_token": token, "scope": scope, "api_domain": self.base_url}
        return body | {"token_type": "Bearer", "expires_in": self.token_ttl}

    def oauth_token(self, params):
        client = (params.get("client_id"), params.get("client_secret"))
        if client != (self.client_id, self.client_secret):
            raise _Reply(200, {"error": "invalid_client"})  # Zoho: HTTP 200
        grant = params.get("grant_type")
        if grant == "refresh_token" and params.get("refresh_token") in (
            self.refresh_tokens
        ):
            return self._issue_access_token(params["refresh_token"])
        if grant == "authorization_code" and params.get("code") in self.grant_codes:
            self.grant_codes.discard(params["code"])  # grant codes are single-use
            refresh = "1000.fakerefresh." + secrets.token_hex(8)
            self.refresh_tokens[refresh] = deque()
            return self._issue_access_token(refresh) | {"refresh_token": refresh}
        raise _Reply(200, {"error": "invalid_code"})

    def check_auth(self, headers, method=None):
        auth = headers.get("Authorization") or ""
        if not auth.startswith("Zoho-oauthtoken "):
            raise _error("AUTHENTICATION_FAILURE")
        if self.access_tokens.get(auth.split(" ", 1)[1], 0) < time.time():
            raise _error("INVALID_TOKEN")
        for failure in self._failures:
            if failure[0] in (None, method):
                self._failures.remove(failure)
                raise failure[1]
        if self.busy_rate and self._busy_rng.random() < self.busy_rate:
            self.busy_answers += 1
            reply = _error("TOO_MANY_REQUESTS", 429)
            reply.headers["Retry-After"] = str(self.busy_retry_after)
            raise reply

    # --------------------------------------------------------------- routing
    def dispatch(self, method, parts, params, headers, body):
        """``parts``: the path after /crm/v8/, split. Returns (status, body)."""
        route = (method, *parts)
        if route == ("GET", "org"):
            return 200, {"org": [self.org_info()]}
        if route == ("GET", "settings", "modules"):
            return 200, {"modules": [self.module_info(m) for m in self._modules()]}
        if route == ("GET", "settings", "fields"):
            module = self._module(params.get("module"))
            return 200, {"fields": FIELDS.get(module, FIELDS["Tasks"][:1])}
        if route == ("POST", "actions", "watch"):
            return self.watch(body.json())
        if route == ("PUT", "Notes"):
            return self.update_notes(body.json())
        module, rest = self._module(parts[0] if parts else None), parts[1:]
        if method == "GET" and not rest:
            return self.list_records(module, params, headers)
        if method == "GET" and rest == ["deleted"]:
            return self.list_deleted(module, params, headers)
        if method == "GET" and len(rest) == 1:
            rec = self.records[module].get(rest[0])
            return (200, {"data": [dict(rec)]}) if rec else (204, None)
        if method == "POST" and rest in ([], ["upsert"]):
            return self.write_records(module, body.json(), upsert=bool(rest))
        if method == "POST" and len(rest) == 2 and rest[1] == "Attachments":
            return self.attach(module, rest[0], body)
        if method == "GET" and len(rest) == 2 and rest[1] == "Attachments":
            stored = self.attachments.get(rest[0], [])
            rows = [{"id": a["id"], "File_Name": a["File_Name"]} for a in stored]
            return (
                (200, {"data": rows, "info": {"more_records": False}})
                if rows
                else (
                    204,
                    None,
                )
            )
        if method == "DELETE" and len(rest) == 3 and rest[1] == "Attachments":
            return self.detach(module, rest[0], rest[2])
        if len(rest) == 2 and rest[1] == "Notes":
            return self.notes(method, module, rest[0], body)
        raise _error("INVALID_URL_PATTERN")

    def _modules(self):
        return [m for m in MODULES if m != "Invoices" or self.invoices_enabled]

    def _module(self, name):
        if name not in self._modules():
            raise _error("INVALID_MODULE", resource_path_index=0)
        return name

    def org_info(self):
        org = {"id": "5725767000000000001", "company_name": "Fake Zoho Org"}
        org |= {"currency": "USD", "iso_code": "USD", "time_zone": "UTC"}
        return org | {"country_code": "US", "zgid": "700000001", "type": "production"}

    def module_info(self, name):
        info = {"api_name": name, "module_name": name, "plural_label": name}
        info |= {"singular_label": name.rstrip("s"), "api_supported": True}
        return info | {"id": str(5725767000000001000 + MODULES.index(name))}

    # ---------------------------------------------------------------- reads
    def list_records(self, module, params, headers):
        if "ids" in params:
            rows = [self.records[module].get(i) for i in params["ids"].split(",")]
            rows = [r for r in rows if r]
            return self._page(rows, params, 0, max(len(rows), 1), None)
        fields = [f for f in params.get("fields", "").split(",") if f]
        if not fields:
            raise _error("REQUIRED_PARAM_MISSING", param="fields")
        if len(fields) > 50:
            raise _error("LIMIT_EXCEEDED", message="fields limit exceeded", limit=50)
        if "page" in params and "page_token" in params:
            raise _error("AMBIGUITY_DURING_PROCESSING")
        per_page = min(int(params.get("per_page", 200)), 200)
        sort_by = params.get("sort_by", "id")
        sort_order = params.get("sort_order", "desc")
        since = headers.get("If-Modified-Since")
        binding = (module, params["fields"], per_page, sort_by, sort_order, since)
        if "page_token" in params:
            entry = self.page_tokens.get(params["page_token"])
            if entry is None:
                raise _error("INVALID_DATA", param_name="page_token")
            if entry["expired"]:
                raise _error("EXPIRED_VALUE", param_name="page_token")
            if entry["binding"] != binding:
                raise _error("TOKEN_BOUND_DATA_MISMATCH", param_name="page_token")
            offset = entry["offset"]
        else:
            page = int(params.get("page", 1))
            if page * per_page > 2000:
                raise _error("DISCRETE_PAGINATION_LIMIT_EXCEEDED", limit=2000)
            offset = (page - 1) * per_page
        rows = list(self.records[module].values())
        if since:
            rows = [r for r in rows if _parse_dt(r["Modified_Time"]) > _parse_dt(since)]
            if not rows:
                raise _Reply(304)  # Not Modified

        def key(rec):
            if sort_by in ("Modified_Time", "Created_Time"):
                return _parse_dt(rec[sort_by]), int(rec["id"])
            return int(rec["id"]), 0

        rows.sort(key=key, reverse=sort_order == "desc")
        return self._page(rows, params, offset, per_page, binding)

    def _page(self, rows, params, offset, per_page, binding):
        chunk = rows[offset : offset + per_page]
        if not chunk:
            return 204, None
        fields = {f for f in params.get("fields", "").split(",") if f} | {"id"}
        data = [{k: v for k, v in r.items() if k in fields} for r in chunk]
        more = offset + per_page < len(rows)
        info = {"per_page": per_page, "count": len(data), "more_records": more}
        info["page"] = offset // per_page + 1
        info["sort_by"] = params.get("sort_by", "id")
        info["sort_order"] = params.get("sort_order", "desc")
        info.update(next_page_token=None, previous_page_token=None)
        info["page_token_expiry"] = None
        if binding and more:
            token = secrets.token_hex(12)
            entry = {"binding": binding, "offset": offset + per_page, "expired": False}
            self.page_tokens[token] = entry
            expiry = datetime.now(timezone.utc) + timedelta(days=1)
            info["next_page_token"] = token
            info["page_token_expiry"] = expiry.isoformat(timespec="seconds")
        return 200, {"data": data, "info": info}

    def list_deleted(self, module, params, headers):
        rows, wanted = self.deleted[module], params.get("type", "all")
        rows = [r for r in rows if wanted in ("all", r["type"])]
        since = headers.get("If-Modified-Since")
        if since:
            rows = [r for r in rows if _parse_dt(r["deleted_time"]) > _parse_dt(since)]
        page, per_page = int(params.get("page", 1)), int(params.get("per_page", 200))
        offset = (page - 1) * per_page
        chunk = rows[offset : offset + per_page]
        if not chunk:
            return 204, None
        more = offset + per_page < len(rows)
        info = {"per_page": per_page, "count": len(chunk), "page": page}
        return 200, {"data": chunk, "info": info | {"more_records": more}}

    # --------------------------------------------------------------- writes
    def _find_duplicate(self, module, rec, check_fields):
        for field in check_fields:
            value = rec.get(field)
            if value in (None, ""):
                continue
            for existing in self.records[module].values():
                if existing.get(field) == value:
                    return existing, field
        return None, None

    def _validate(self, module, index, rec, inserting):
        metas = {f["api_name"]: f for f in FIELDS.get(module, [])}
        for field, value in rec.items():
            if value == "INVALID":
                data_type = metas.get(field, {}).get("data_type", "text")
                return _record_error(
                    "INVALID_DATA", index, field, expected_data_type=data_type
                )
        for field in MANDATORY.get(module, []) if inserting else []:
            if rec.get(field) in (None, ""):
                return _record_error("MANDATORY_NOT_FOUND", index, field)
        return None

    def _success(self, rec, action, duplicate_field=None):
        user = {"id": OWNER["id"], "name": OWNER["name"]}
        details = {"id": rec["id"], "Modified_Time": rec["Modified_Time"]}
        details |= {"Modified_By": user, "Created_Time": rec["Created_Time"]}
        message = "record added" if action == "insert" else "record updated"
        result = {"code": "SUCCESS", "action": action, "message": message}
        result |= {"details": details | {"Created_By": user}, "status": "success"}
        return result | {"duplicate_field": duplicate_field}

    def _write_one(self, module, index, rec, upsert, check_fields):
        existing, dup_field = None, None
        if rec.get("id"):
            existing = self.records[module].get(str(rec["id"]))
        elif upsert:
            existing, dup_field = self._find_duplicate(module, rec, check_fields)
        else:
            unique = UNIQUE_FIELDS.get(module, [])
            dup, dup_field = self._find_duplicate(module, rec, unique)
            if dup:
                duplicate = {"id": dup["id"]}
                return _record_error(
                    "DUPLICATE_DATA", index, dup_field, duplicate_record=duplicate
                )
        error = self._validate(module, index, rec, existing is None)
        if error:
            return error
        values = {k: v for k, v in rec.items() if k != "id"}
        if existing is not None:
            self.touch(module, existing["id"], **values)
            return self._success(existing, "update", dup_field)
        return self._success(
            self.records[module][self.add_record(module, **values)], "insert"
        )

    def write_records(self, module, payload, upsert):
        data = payload.get("data")
        if not isinstance(data, list) or not data:
            raise _error("INVALID_DATA", json_path="$.data")
        if len(data) > 100:
            raise _error("LIMIT_EXCEEDED", message="more than 100 records", limit=100)
        asked = payload.get("duplicate_check_fields")
        default = DEFAULT_DUPLICATE_FIELDS.get(module, [])
        check = asked or default + UNIQUE_FIELDS.get(module, [])
        self.last_write = {"module": module, "upsert": upsert}
        self.last_write |= {"trigger": payload.get("trigger")}
        self.last_write |= {"duplicate_check_fields": asked}
        results = [
            self._write_one(module, i, rec, upsert, check) for i, rec in enumerate(data)
        ]
        errors = sum(r["status"] == "error" for r in results)
        if errors:
            return (400 if errors == len(results) else 207), {"data": results}
        return (200 if upsert else 201), {"data": results}

    def notes(self, method, module, rid, body):
        if rid not in self.records[module]:
            raise _error("INVALID_DATA", message="the related id seems invalid", id=rid)
        notes = self.records.setdefault("Notes", {})
        if method == "GET":
            rows = [dict(n) for n in notes.values() if n["Parent_Id"]["id"] == rid]
            return (
                (200, {"data": rows, "info": {"more_records": False}})
                if rows
                else (
                    204,
                    None,
                )
            )
        results = []
        for note in body.json().get("data") or []:
            parent = {"id": rid, "module": {"api_name": module}}
            nid = self.add_record("Notes", **note, Parent_Id=parent)
            details = {
                "id": nid,
                "Modified_Time": self.records["Notes"][nid]["Modified_Time"],
            }
            results.append({"code": "SUCCESS", "status": "success", "details": details})
        return 201, {"data": results}

    def update_notes(self, payload):
        """``PUT /Notes``: notes updated by id, 100 at most, per-note results."""
        data = payload.get("data")
        if not isinstance(data, list) or not data:
            raise _error("INVALID_DATA", json_path="$.data")
        if len(data) > 100:
            raise _error("LIMIT_EXCEEDED", message="more than 100 records", limit=100)
        notes, results = self.records.setdefault("Notes", {}), []
        for index, note in enumerate(data):
            nid = str(note.get("id") or "")
            if nid not in notes:
                results.append(_record_error("INVALID_DATA", index, "id"))
                continue
            values = {k: v for k, v in note.items() if k != "id"}
            stamp = self.touch("Notes", nid, **values)["Modified_Time"]
            details = {"id": nid, "Modified_Time": stamp}
            result = {"code": "SUCCESS", "status": "success", "details": details}
            results.append(result | {"message": "record updated"})
        errors = sum(r["status"] == "error" for r in results)
        if errors:
            return (400 if errors == len(results) else 207), {"data": results}
        return 200, {"data": results}

    def attach(self, module, rid, body):
        if rid not in self.records[module]:
            raise _error("INVALID_DATA", message="the related id seems invalid", id=rid)
        part = body.file_part("file")
        if part is None:
            raise _error("MANDATORY_NOT_FOUND", api_name="file")
        stamp, att_id = self._tick(), self.new_id()
        stored = {"id": att_id, "File_Name": part[0], "content": part[1]}
        self.attachments.setdefault(rid, []).append(stored)
        details = {"id": att_id, "Modified_Time": stamp, "Created_Time": stamp}
        result = {"code": "SUCCESS", "status": "success", "details": details}
        return 200, {"data": [result | {"message": "attachment uploaded successfully"}]}

    def detach(self, module, rid, att_id):
        if rid not in self.records[module]:
            raise _error("INVALID_DATA", message="the related id seems invalid", id=rid)
        stored = self.attachments.get(rid, [])
        if not any(a["id"] == att_id for a in stored):
            raise _error(
                "INVALID_DATA", message="the id given seems invalid", id=att_id
            )
        self.attachments[rid] = [a for a in stored if a["id"] != att_id]
        self._tick()
        result = {"code": "SUCCESS", "status": "success", "details": {"id": att_id}}
        return 200, {"data": [result | {"message": "record deleted"}]}

    def watch(self, payload):
        results = []
        for item in payload.get("watch") or []:
            keys = ("channel_id", "events", "notify_url")
            missing = [k for k in keys if not item.get(k)]
            if missing or len(item.get("token") or "") > 50:
                code = "MANDATORY_NOT_FOUND" if missing else "INVALID_DATA"
                details = {"api_name": (missing or ["token"])[0]}
                results.append({"code": code, "status": "error", "details": details})
                continue
            channel = str(item["channel_id"])
            self.channels[channel] = dict(item)
            expiry = item.get("channel_expiry") or (
                self._clock + timedelta(hours=1)
            ).isoformat(timespec="seconds")
            events = []
            for event in item["events"]:
                name = event.split(".")[0]
                uri = f"{self.base_url}{API}/{name}"
                events.append(
                    {"channel_expiry": expiry, "resource_uri": uri}
                    | {"resource_name": name, "channel_id": channel}
                )
            message = "Successfully subscribed for actions-watch of the given module"
            result = {"code": "SUCCESS", "status": "success", "message": message}
            results.append(result | {"details": {"events": events}})
        return 200, {"watch": results}


class _Body:
    def __init__(self, raw, content_type):
        self.raw, self.content_type = raw, content_type or ""

    def json(self):
        try:
            return json.loads(self.raw or b"{}")
        except ValueError:
            raise _error("INVALID_DATA", message="body is not JSON") from None

    def form(self):
        if "application/x-www-form-urlencoded" not in self.content_type:
            return {}
        return {k: v[-1] for k, v in parse_qs(self.raw.decode()).items()}

    def file_part(self, name):
        if "multipart/form-data" not in self.content_type:
            return None
        head = f"Content-Type: {self.content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + self.raw)
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") == name:
                return part.get_filename(), part.get_payload(decode=True)
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls on keep-alive
    wbufsize = 64 * 1024  # headers + body in one write, flushed per request
    zoho = None  # set by FakeZoho.start

    def log_message(self, *args):
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_DELETE(self):
        self._handle("DELETE")

    def _handle(self, method):
        zoho, url = self.zoho, urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = _Body(raw, self.headers.get("Content-Type"))
        headers = dict(self.headers.items())
        is_api = url.path.startswith(API + "/")
        with zoho.lock:
            zoho.requests.append((method, url.path, params, headers))
            delay = zoho._delays.popleft() if zoho._delays and is_api else 0
            if is_api and method == "GET" and url.path.count("/") == 3:
                delay += zoho.page_delay  # /crm/v8/<Module>: a records listing
        time.sleep(delay)
        extra = {}
        try:
            with zoho.lock:
                if url.path == "/oauth/v2/token" and method == "POST":
                    status, payload = 200, zoho.oauth_token(params | body.form())
                elif is_api:
                    zoho.check_auth(headers, method)
                    parts = [p for p in url.path[len(API) + 1 :].split("/") if p]
                    status, payload = zoho.dispatch(
                        method, parts, params, headers, body
                    )
                else:
                    raise _error("INVALID_URL_PATTERN")
        except _Reply as reply:
            status, payload, extra = reply.status, reply.body, reply.headers
        raw = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        for key, value in extra.items():
            self.send_header(key, value)
        if raw:
            self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def serve_demo(port=8090):
    """`make run`'s Zoho: demo accounts and contacts on 127.0.0.1:<port>."""
    zoho = FakeZoho(refresh_token=DEMO_REFRESH_TOKEN, port=port).start()
    names = [
        "Harbor Freight Printing",
        "Cascade Office Co",
        "Summit Legal LLP",
        "Pine Street Dental",
        "Evergreen Schools",
        "Rainier Logistics",
        "Columbia Architects",
        "Willamette Bakery",
        "Acme Office Services",
    ]
    ids = zoho.add_accounts(
        len(names),
        Account_Name=lambda i: names[i],
        Account_Number=lambda i: f"Z-{2000 + i}",
        Billing_City="Portland",
        Email__c=lambda i: f"billing@{names[i].split()[0].lower()}.example",
    )
    for index, account_id in enumerate(ids[:4]):
        zoho.add_record(
            "Contacts",
            First_Name=["Ana", "Ben", "Chloe", "Dev"][index],
            Last_Name="Buyer",
            Email=f"buyer{index}@{names[index].split()[0].lower()}.example",
            Account_Name={"id": account_id, "name": names[index]},
        )
    return zoho


DEMO_REFRESH_TOKEN = "1000.demo-refresh-token"

if __name__ == "__main__":
    import sys

    demo = serve_demo(int(sys.argv[1]) if len(sys.argv) > 1 else 8090)
    sys.stdout.write(f"fake Zoho on {demo.base_url} ({DEMO_REFRESH_TOKEN})\n")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        demo.stop()
