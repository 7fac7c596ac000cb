"""Odoo → Zoho: receivable facts on the Account, final invoices, always upserts."""

import base64
import logging

from odoo import api, fields, models

from ..components.errors import ZohoBackendBroken, ZohoRecordRejected
from ..components.mapping import RECEIVABLE_FIELDS

_logger = logging.getLogger(__name__)


class ZohoPartnerBinding(models.Model):
    _inherit = "zoho.partner.binding"

    def _zoho_push_receivables(self):
        """Job: write the customer's money facts on its Zoho Account."""
        self.ensure_one()
        backend = self.backend_id
        facts = self.partner_id._zoho_receivable_facts()
        record = {"id": self.zoho_id}
        record.update({zoho: facts[key] for zoho, key in RECEIVABLE_FIELDS.items()})
        client = backend._zoho_client(credit_budget=backend._remaining_credits())
        try:
            results = client.upsert("Accounts", [record], duplicate_check_fields=[])
        except ZohoBackendBroken as exc:
            backend._mark_broken(exc)
            return str(exc)
        finally:
            backend._add_credits(client.credits_used)
        _raise_first_failure(results)
        self.receivables_pushed_at = fields.Datetime.now()
        return facts

    @api.model
    def _cron_push_receivables(self):
        """Daily: overdue days change without any posting."""
        for binding in self.search(
            [("zoho_module", "=", "Accounts"), ("backend_id.state", "=", "connected")]
        ):
            binding.with_delay(
                identity_key=f"zoho-receivables-{binding.id}"
            )._zoho_push_receivables()


class AccountMove(models.Model):
    _inherit = "account.move"

    zoho_record_id = fields.Char("Zoho record", readonly=True, copy=False)
    zoho_module = fields.Char(readonly=True, copy=False)

    def _zoho_reference(self):
        """The unique key of this invoice in Zoho: never two records for one."""
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return f"odoo-{uuid[:8]}-{self.id}"

    def _zoho_push_invoice(self, backend_id):
        """Job: upsert this posted invoice into Zoho, with its PDF attached."""
        self.ensure_one()
        backend = self.env["zoho.backend"].browse(backend_id)
        binding = self.env["zoho.partner.binding"].search(
            [
                ("backend_id", "=", backend.id),
                ("partner_id", "=", self.commercial_partner_id.id),
                ("zoho_module", "=", "Accounts"),
            ],
            limit=1,
        )
        if not binding or self.state != "posted":
            return "nothing to push"
        client = backend._zoho_client(credit_budget=backend._remaining_credits())
        try:
            module = self._zoho_invoice_module(backend, client)
            if module == "Notes":
                record_id = self._zoho_push_invoice_note(client, binding)
            else:
                record_id = self._zoho_upsert_invoice(client, module, binding)
                self._zoho_attach_pdf(client, module, record_id)
        except ZohoBackendBroken as exc:
            backend._mark_broken(exc)
            return str(exc)
        finally:
            backend._add_credits(client.credits_used)
        self.write({"zoho_record_id": record_id, "zoho_module": module})
        return f"{module} {record_id}"

    def _zoho_invoice_module(self, backend, client):
        if backend.invoice_target == "invoices":
            return "Invoices"
        if backend.invoice_target == "custom":
            return backend.invoice_custom_module
        if backend.invoice_target == "note":
            return "Notes"
        names = {module.get("api_name") for module in client.modules()}
        return "Invoices" if "Invoices" in names else "Notes"

    def _zoho_invoice_record(self, binding):
        record = {
            "Subject": self.name,
            "Odoo_Reference__c": self._zoho_reference(),
            "Account_Name": {"id": binding.zoho_id},
            "Invoice_Date": self.invoice_date and self.invoice_date.isoformat(),
            "Due_Date": self.invoice_date_due and self.invoice_date_due.isoformat(),
            "Status": "Paid"
            if self.payment_state in ("paid", "in_payment")
            else "Created",
            "Sub_Total": self.amount_untaxed,
            "Tax": self.amount_tax,
            "Grand_Total": self.amount_total,
            "Balance__c": self.amount_residual,
            "Currency": self.currency_id.name,
        }
        if self.invoice_origin:
            record["Purchase_Order"] = self.ref or self.invoice_origin
        return record

    def _zoho_upsert_invoice(self, client, module, binding):
        results = client.upsert(
            module,
            [self._zoho_invoice_record(binding)],
            duplicate_check_fields=["Odoo_Reference__c"],
        )
        success = _raise_first_failure(results)
        return str(success["details"]["id"])

    def _zoho_attach_pdf(self, client, module, record_id):
        filename = f"{self.name.replace('/', '_')}.pdf"
        existing = client.list_attachments(module, record_id)
        if any(item.get("File_Name") == filename for item in existing):
            return  # a retried job: the far side has it already
        pdf = self._zoho_invoice_pdf()
        client.upload_attachment(module, record_id, filename, pdf)

    def _zoho_invoice_pdf(self):
        if self.invoice_pdf_report_id:
            return base64.b64decode(self.invoice_pdf_report_id.datas)
        content, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "account.account_invoices", self.ids
        )
        return content

    def _zoho_push_invoice_note(self, client, binding):
        title = self.env._("Invoice %s", self.name)
        notes = client.list_notes("Accounts", binding.zoho_id)
        for note in notes:
            if note.get("Note_Title") == title:
                return str(note["id"])
        record = self._zoho_invoice_record(binding)
        content = self.env._(
            "%(name)s dated %(date)s, due %(due)s: %(total)s %(cur)s "
            "(reference %(ref)s)",
            name=self.name,
            date=record["Invoice_Date"],
            due=record["Due_Date"],
            total=self.amount_total,
            cur=self.currency_id.name,
            ref=record["Odoo_Reference__c"],
        )
        return str(client.add_note("Accounts", binding.zoho_id, title, content))


def _raise_first_failure(results):
    """:return: the first success of a per-record result list.

    :raises ZohoRecordRejected: for a record Zoho refused (logged on the job)
    """
    for result in results:
        if result.get("status") != "success":
            raise ZohoRecordRejected(
                result.get("message") or "record rejected",
                code=result.get("code"),
                details=result.get("details"),
            )
    return results[0] if results else {}
