"""Zoho → Odoo: Accounts become customers, Contacts their contacts."""

import logging
from datetime import UTC, timedelta

import psycopg2
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from odoo.addons.o2c_base.models.res_partner import email_lookup_key

from ..components.client import parse_datetime
from ..components.errors import ZohoRecordRejected
from ..components.mapping import (
    SHIPPING_FIELDS,
    MappingError,
    convert,
)
from .zoho_work import JOB_MAX_RETRIES

_logger = logging.getLogger(__name__)

ACCOUNTS = "Accounts"
CONTACTS = "Contacts"


class ZohoBackend(models.Model):
    _inherit = "zoho.backend"

    # -- scheduling -------------------------------------------------------------

    @api.model
    def _cron_pull(self):
        """Hourly safety net, within each backend's business hours."""
        now = fields.Datetime.context_timestamp(self, fields.Datetime.now())
        for backend in self.search([("state", "=", "connected")]):
            if backend.sync_weekdays_only and now.weekday() >= 5:
                continue
            if not backend.sync_hour_from <= now.hour < backend.sync_hour_to:
                continue
            backend._enqueue_pull(full=False)

    def _enqueue_pull(self, full=False):
        """Queue a pull. A full pull and an incremental one have their own identity
        key, so asking for a full pull while an incremental one waits queues the
        full pull too; the pulls of one organisation never run side by side.

        :return: ``(job, queued)``: ``queued`` is False when the same kind of pull
            was already waiting
        """
        self.ensure_one()
        key = f"zoho-pull-{self.id}-{'full' if full else 'incremental'}"
        waiting = (
            self.env["queue.job"]
            .sudo()
            .search_count(
                [
                    ("identity_key", "=", key),
                    ("state", "in", ("wait_dependencies", "pending", "enqueued")),
                ],
                limit=1,
            )
        )
        job = self.with_delay(
            description=self.env._(
                "Zoho: %(kind)s pull of accounts and contacts from %(name)s",
                kind=self.env._("full") if full else self.env._("incremental"),
                name=self.name,
            ),
            identity_key=key,
            max_retries=JOB_MAX_RETRIES,
        )._zoho_pull(full=full)
        return job, not waiting

    # -- pull -------------------------------------------------------------------

    def _zoho_pull(self, full=False):
        """Job: pull Accounts then Contacts, full or since the last pull."""
        self.ensure_one()
        with self._zoho_work("pull", full=full, inline_retries=5) as work:
            work.lock("zoho_pull", self.id)
            work.lock("zoho_bindings", self.id)
            for module in (ACCOUNTS, CONTACTS):
                self._zoho_pull_module(work, module, full)
        return f"{work.counts}"

    def _zoho_pull_module(self, work, module, full):
        Cursor = self.env["zoho.sync.cursor"]
        client, run, counts = work.client, work.run, work.counts
        since = None if full else Cursor._get(self, module)
        if since:
            since -= timedelta(minutes=self.sync_overlap_minutes)
        mappings = self._mappings(module)
        zoho_fields = _zoho_fields(module, mappings)
        newest = Cursor._get(self, module)
        lookups = {}
        for page in client.iter_records(module, zoho_fields, modified_since=since):
            counts["read"] += len(page)
            for record in page:
                modified = _naive_utc(parse_datetime(record.get("Modified_Time")))
                if modified and (not newest or modified > newest):
                    newest = modified
            if module == ACCOUNTS:
                page = self._import_new_accounts(page, mappings, run, counts, lookups)
            for record in page:
                outcome = self._import_record(module, record, mappings, run, lookups)
                counts[outcome] += 1
            work.progress(note=f"{module}: {counts['read']} read")
        self._zoho_pull_deleted(client, module, since, run, counts)
        if newest:
            Cursor._set(self, module, newest)

    def _zoho_pull_ids(self, module, zoho_ids):
        """Job: fetch the given records now (notifications, retries, decisions)."""
        self.ensure_one()
        with self._zoho_work("pull_ids") as work:
            work.lock("zoho_bindings", self.id)
            mappings = self._mappings(module)
            zoho_fields = _zoho_fields(module, mappings)
            for record in work.client.get_records(module, zoho_ids, zoho_fields):
                work.counts["read"] += 1
                outcome = self._import_record(module, record, mappings, work.run)
                work.counts[outcome] += 1
        return f"{work.counts}"

    def _mappings(self, module, owner="zoho"):
        """:return: the active mappings of ``module`` whose values ``owner`` owns."""
        return self.field_mapping_ids.filtered(
            lambda mapping: (
                mapping.active
                and mapping.zoho_module == module
                and mapping.owner == owner
            )
        )

    # -- one record ----------------------------------------------------------

    def _import_record(self, module, record, mappings, run, lookups=None):
        """:return: "created", "updated", "skipped" or "failed"."""
        zoho_id = str(record["id"])
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                if module == ACCOUNTS:
                    return self._import_account(zoho_id, record, mappings, run, lookups)
                return self._import_contact(zoho_id, record, mappings, run, lookups)
        except (MappingError, ZohoRecordRejected) as exc:
            run._log_error(module, zoho_id, str(exc), getattr(exc, "field", None))
            return "failed"

    def _partner_values(self, record, mappings, run=None, module=None, lookups=None):
        """:return: the Odoo values of the mapped fields Zoho sent.

        A value that cannot be mapped is left out and logged on the run with its
        field; the rest of the record is still imported.
        """
        values = {}
        for mapping in mappings:
            if mapping.zoho_field not in record:
                continue
            try:
                values[mapping.odoo_field_id.name] = convert(
                    record[mapping.zoho_field],
                    mapping.transform,
                    lambda transform, text, mapping=mapping: self._cached_lookup(
                        transform, text, mapping, lookups
                    ),
                )
            except MappingError as exc:
                if run is None:
                    raise MappingError(f"{mapping.zoho_field}: {exc}") from exc
                # the same unknown owner or country on a thousand accounts is one
                # thing to fix: logged once per run, with the first record
                seen = ("logged", mapping.zoho_field, str(exc))
                if lookups is not None:
                    if seen in lookups:
                        continue
                    lookups[seen] = True
                run._log_error(
                    module, str(record["id"]), str(exc), field=mapping.zoho_field
                )
        return values

    def _cached_lookup(self, transform, text, mapping, lookups):
        """:meth:`_lookup`, remembered for the run (the same owners, countries and
        terms come back on every page)."""
        if lookups is None:
            return self._lookup(transform, text, mapping)
        key = (transform, text, mapping.id if mapping else None)
        if key not in lookups:
            lookups[key] = self._lookup(transform, text, mapping)
        return lookups[key]

    def _lookup(self, transform, text, mapping):
        if transform == "payment_term":
            mapped = mapping.picklist_ids.filtered(lambda pick: pick.zoho_value == text)
            if mapped:
                return mapped[0].payment_term_id.id
            term = self.env["account.payment.term"].search([("name", "=ilike", text)])
            return term[:1].id or None
        if transform == "selection":
            mapped = mapping.picklist_ids.filtered(lambda pick: pick.zoho_value == text)
            field = mapping.odoo_field_id
            allowed = {
                key
                for key, _label in self.env["res.partner"]
                ._fields[field.name]
                ._description_selection(self.env)
            }
            value = mapped[0].odoo_value if mapped else text
            return value if value in allowed else None
        if transform == "owner":
            user = self.env["res.users"].search(
                ["|", ("login", "=ilike", text), ("email", "=ilike", text)], limit=1
            )
            return user.id or None
        if transform == "country":
            country = self.env["res.country"].search(
                ["|", ("code", "=ilike", text), ("name", "=ilike", text)], limit=1
            )
            return country.id or None
        if transform == "state":
            state = self.env["res.country.state"].search(
                ["|", ("code", "=ilike", text), ("name", "=ilike", text)], limit=1
            )
            return state.id or None
        return None

    def _binding(self, module, zoho_id):
        return (
            self.env["zoho.partner.binding"]
            .with_context(active_test=False)
            .search(
                [
                    ("backend_id", "=", self.id),
                    ("zoho_module", "=", module),
                    ("zoho_id", "=", zoho_id),
                ],
                limit=1,
            )
        )

    def _import_account(self, zoho_id, record, mappings, run, lookups=None):
        values = self._partner_values(record, mappings, run, ACCOUNTS, lookups)
        modified = _naive_utc(parse_datetime(record.get("Modified_Time")))
        binding = self._binding(ACCOUNTS, zoho_id)
        if binding and binding.zoho_modified_at and modified:
            if modified <= binding.zoho_modified_at and not binding.deleted_in_zoho:
                return "skipped"  # re-read through the overlap window, unchanged
        if binding:
            outcome = self._update_partner(binding.partner_id, values)
            binding.write(
                {
                    "zoho_modified_at": modified,
                    "synced_at": fields.Datetime.now(),
                    "active": True,
                    "deleted_in_zoho": False,
                }
            )
            self._sync_shipping(binding.partner_id, record, lookups)
            return outcome
        partner = self.env["res.partner"].search(
            [("zoho_account_id", "=", zoho_id)], limit=1
        )
        if not partner:
            if self._propose_existing(zoho_id, record, values):
                return "skipped"
            partner = self.env["res.partner"].create(
                {
                    **values,
                    "is_company": True,
                    "company_id": False,
                    "zoho_account_id": zoho_id,
                }
            )
            partner.message_post(
                body=self.env._("Created from Zoho CRM account %s.", zoho_id)
            )
            outcome = "created"
        else:
            outcome = self._update_partner(partner, values)
        self.env["zoho.partner.binding"].create(
            {
                "backend_id": self.id,
                "partner_id": partner.id,
                "zoho_module": ACCOUNTS,
                "zoho_id": zoho_id,
                "zoho_modified_at": modified,
                "synced_at": fields.Datetime.now(),
            }
        )
        self._sync_shipping(partner, record, lookups)
        return outcome

    def _import_new_accounts(self, page, mappings, run, counts, lookups):
        """Create the page's new accounts at once: one query for what is known,
        one for look-alikes, one create of partners, one of bindings; no
        per-record savepoint and no message per partner (the run says how many).

        :return: the records left for the one-by-one path (bound or known
            already, look-alikes, or the whole page if the batch failed)
        """
        ids = [str(record["id"]) for record in page]
        Binding = self.env["zoho.partner.binding"].with_context(active_test=False)
        Partner = self.env["res.partner"]
        handled_elsewhere = (
            set(
                Binding.search(
                    [
                        ("backend_id", "=", self.id),
                        ("zoho_module", "=", ACCOUNTS),
                        ("zoho_id", "in", ids),
                    ]
                ).mapped("zoho_id")
            )
            | set(
                Partner.search([("zoho_account_id", "in", ids)]).mapped(
                    "zoho_account_id"
                )
            )
            | set(
                self.env["zoho.dedupe.proposal"]
                .search([("backend_id", "=", self.id), ("zoho_id", "in", ids)])
                .mapped("zoho_id")
            )
        )
        fresh = [rec for rec in page if str(rec["id"]) not in handled_elsewhere]
        if not fresh:
            return page
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                values = [
                    self._partner_values(rec, mappings, run, ACCOUNTS, lookups)
                    for rec in fresh
                ]
                alike = self._look_alikes(values)
                new = [
                    (rec, vals)
                    for rec, vals in zip(fresh, values, strict=True)
                    if not alike(vals)
                ]
                if not new:
                    return page
                partners = Partner.with_context(
                    mail_create_nolog=True,
                    mail_create_nosubscribe=True,
                    tracking_disable=True,
                ).create(
                    [
                        {
                            **vals,
                            "is_company": True,
                            "company_id": False,
                            "zoho_account_id": str(rec["id"]),
                        }
                        for rec, vals in new
                    ]
                )
                now = fields.Datetime.now()
                Binding.create(
                    [
                        {
                            "backend_id": self.id,
                            "partner_id": partner.id,
                            "zoho_module": ACCOUNTS,
                            "zoho_id": str(rec["id"]),
                            "zoho_modified_at": _naive_utc(
                                parse_datetime(rec.get("Modified_Time"))
                            ),
                            "synced_at": now,
                        }
                        for partner, (rec, _vals) in zip(partners, new, strict=True)
                    ]
                )
                deliveries = [
                    {**shipping, "parent_id": partner.id, "type": "delivery"}
                    for partner, (rec, _vals) in zip(partners, new, strict=True)
                    if (shipping := self._shipping_values(rec, lookups))
                ]
                if deliveries:
                    Partner.with_context(tracking_disable=True).create(deliveries)
        except (UserError, ValidationError, ValueError, psycopg2.Error) as exc:
            _logger.info("Zoho page of %s accounts: one by one (%s)", len(page), exc)
            return page
        counts["created"] += len(new)
        created = {str(rec["id"]) for rec, _vals in new}
        return [rec for rec in page if str(rec["id"]) not in created]

    def _look_alikes(self, values_list):
        """:return: ``alike(values) -> bool``: True when an unbound customer has the
        same VAT, e-mail (as mail normalizes it: case and a display name do not
        matter) or exact name (one query for the whole list, each an index
        lookup)."""
        vats = {vals["vat"] for vals in values_list if vals.get("vat")}
        emails = {
            email_lookup_key(vals["email"]) for vals in values_list if vals.get("email")
        }
        names = {vals["name"] for vals in values_list if vals.get("name")}
        if not (vats or emails or names):
            return lambda values: False
        self.env["res.partner"].flush_model(
            ["vat", "email_normalized", "name", "parent_id", "active"]
        )
        self.env.cr.execute(
            "SELECT partner.vat, partner.email_normalized, partner.name"
            " FROM res_partner partner"
            " WHERE partner.active AND partner.parent_id IS NULL"
            " AND (partner.vat = ANY(%s) OR partner.email_normalized = ANY(%s)"
            " OR partner.name = ANY(%s))"
            " AND NOT EXISTS (SELECT 1 FROM zoho_partner_binding binding"
            " WHERE binding.partner_id = partner.id)",
            [list(vats), list(emails), list(names)],
        )
        rows = self.env.cr.fetchall()
        seen_vats = {vat for vat, _email, _name in rows if vat}
        seen_emails = {email for _vat, email, _name in rows if email}
        seen_names = {name for _vat, _email, name in rows if name}
        return lambda values: bool(
            (values.get("vat") and values["vat"] in seen_vats)
            or (
                values.get("email") and email_lookup_key(values["email"]) in seen_emails
            )
            or (values.get("name") and values["name"] in seen_names)
        )

    def _propose_existing(self, zoho_id, record, values):
        """Propose binding to look-alike customers; :return: True if proposed."""
        Proposal = self.env["zoho.dedupe.proposal"]
        decided = Proposal.search(
            [("backend_id", "=", self.id), ("zoho_id", "=", zoho_id)]
        )
        if decided.filtered(lambda prop: prop.state == "new"):
            return False
        if decided.filtered(lambda prop: prop.state == "pending"):
            return True
        Partner = self.env["res.partner"]
        candidates = {}
        for label, domain in (
            ("VAT", values.get("vat") and [("vat", "=", values["vat"])]),
            (
                "e-mail",
                values.get("email")
                and [("email_normalized", "=", email_lookup_key(values["email"]))],
            ),
            ("name", values.get("name") and [("name", "=", values["name"])]),
        ):
            if not domain:
                continue
            for partner in Partner.search(
                [*domain, ("parent_id", "=", False), ("zoho_binding_ids", "=", False)]
            ):
                candidates.setdefault(partner, []).append(label)
        for partner, reasons in candidates.items():
            Proposal.create(
                {
                    "backend_id": self.id,
                    "zoho_id": zoho_id,
                    "zoho_name": values.get("name"),
                    "partner_id": partner.id,
                    "reason": self.env._("same %s", ", ".join(reasons)),
                }
            )
        return bool(candidates)

    def _update_partner(self, partner, values):
        """Write what changed and say so in the partner's chatter."""
        changes = {
            name: value
            for name, value in values.items()
            if _comparable(partner[name]) != _comparable(value)
        }
        if not changes:
            return "skipped"
        before = {name: partner[name] for name in changes}
        partner.write(changes)
        lines = Markup("").join(
            Markup("<li>%s: %s → %s</li>")
            % (
                partner._fields[name].string,
                _shown(before[name]),
                _shown(partner[name]),
            )
            for name in changes
        )
        partner.message_post(
            body=Markup("%s<ul>%s</ul>") % (self.env._("Updated from Zoho CRM:"), lines)
        )
        return "updated"

    def _sync_shipping(self, partner, record, lookups=None):
        values = self._shipping_values(record, lookups)
        if not values:
            return
        delivery = partner.child_ids.filtered(lambda child: child.type == "delivery")[
            :1
        ]
        if delivery:
            self._update_partner(delivery, values)
        else:
            self.env["res.partner"].create(
                {**values, "parent_id": partner.id, "type": "delivery"}
            )

    def _shipping_values(self, record, lookups=None):
        """:return: the delivery address values of an Account, or None."""
        address = {odoo: record.get(zoho) for zoho, odoo in SHIPPING_FIELDS.items()}
        if not address.get("street") and not address.get("city"):
            return None
        return {
            "street": address["street"] or False,
            "city": address["city"] or False,
            "zip": address["zip"] or False,
            "country_id": address["country_id"]
            and self._cached_lookup("country", address["country_id"], None, lookups)
            or False,
            "state_id": address["state_id"]
            and self._cached_lookup("state", address["state_id"], None, lookups)
            or False,
        }

    def _import_contact(self, zoho_id, record, mappings, run, lookups=None):
        values = self._partner_values(record, mappings, run, CONTACTS, lookups)
        if record.get("First_Name") and values.get("name"):
            values["name"] = f"{record['First_Name']} {values['name']}"
        account = record.get("Account_Name") or {}
        account_id = str(account.get("id")) if isinstance(account, dict) else None
        parent = account_id and self._binding(ACCOUNTS, account_id).partner_id
        binding = self._binding(CONTACTS, zoho_id)
        if binding:
            if parent:
                values["parent_id"] = parent.id
            outcome = self._update_partner(binding.partner_id, values)
            binding.write({"synced_at": fields.Datetime.now(), "active": True})
            return outcome
        if not parent:
            run._log_error(
                CONTACTS,
                zoho_id,
                self.env._("Its account %s is not synced (yet).", account_id or "-"),
            )
            return "skipped"
        partner = self.env["res.partner"].create(
            {**values, "parent_id": parent.id, "type": "contact"}
        )
        self.env["zoho.partner.binding"].create(
            {
                "backend_id": self.id,
                "partner_id": partner.id,
                "zoho_module": CONTACTS,
                "zoho_id": zoho_id,
                "synced_at": fields.Datetime.now(),
            }
        )
        return "created"

    # -- deletions ------------------------------------------------------------

    def _zoho_pull_deleted(self, client, module, since, run, counts):
        deleted_records = (
            deleted
            for page in client.iter_deleted(module, since=since)
            for deleted in page
        )
        for deleted in deleted_records:
            binding = self._binding(module, str(deleted["id"]))
            if not binding or binding.deleted_in_zoho:
                continue
            partner = binding.partner_id
            invoiced = self.env["account.move"].search_count(
                [
                    ("commercial_partner_id", "=", partner.commercial_partner_id.id),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                ],
                limit=1,
            )
            binding.write({"active": False, "deleted_in_zoho": True})
            if invoiced:
                partner.message_post(
                    body=self.env._(
                        "Deleted in Zoho CRM. Kept here because it has invoices; "
                        "the link to Zoho is archived."
                    )
                )
            else:
                partner.message_post(body=self.env._("Deleted in Zoho CRM: archived."))
                partner.active = False
            counts["updated"] += 1


def _zoho_fields(module, mappings):
    """The fields a pull asks for: the mapped ones and what the code itself reads."""
    fixed = (
        set(SHIPPING_FIELDS) if module == ACCOUNTS else {"Account_Name", "First_Name"}
    )
    return sorted({"Modified_Time", *mappings.mapped("zoho_field")} | fixed)


def _naive_utc(moment):
    return moment and moment.astimezone(UTC).replace(tzinfo=None)


def _comparable(value):
    if hasattr(value, "_name"):
        return value.id or False
    return value or False


def _shown(value):
    if hasattr(value, "_name"):
        return value.display_name or "-"
    return value if value not in (False, None, "") else "-"
