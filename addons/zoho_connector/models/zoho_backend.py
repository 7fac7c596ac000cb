import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..components import errors
from ..components.client import ZohoClient
from ..components.datacenters import ACCOUNTS_URLS, DATACENTER_SELECTION
from ..components.errors import ZohoError
from ..components.mapping import DEFAULT_MAPPINGS, DEFAULT_PAYMENT_TERMS
from .independent_cursor import independent_env
from .zoho_credit import CreditMeter
from .zoho_token_store import BackendTokenStore

_logger = logging.getLogger(__name__)

MANAGER = "zoho_connector.group_zoho_manager"


class ZohoBackend(models.Model):
    """One Zoho CRM organisation and how we talk to it."""

    _name = "zoho.backend"
    _description = "Zoho CRM organisation"
    _inherit = ["mail.thread", "mail.activity.mixin"]

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [
            ("draft", "Not connected"),
            ("connected", "Connected"),
            ("needs_reauth", "Needs re-authorisation"),
        ],
        default="draft",
        required=True,
        tracking=True,
    )
    last_error = fields.Text(readonly=True)
    data_center = fields.Selection(
        DATACENTER_SELECTION,
        default="US",
        required=True,
        help="Where the Zoho organisation lives; it decides the accounts server.",
    )
    accounts_url = fields.Char(
        compute="_compute_accounts_url",
        store=True,
        readonly=False,
        groups=MANAGER,
        help="Zoho accounts server for OAuth. Set from the data centre; change it only "
        "to point at a test server.",
    )
    api_domain = fields.Char(
        compute="_compute_api_domain",
        groups=MANAGER,
        help="Given by Zoho with every access token; never typed in.",
    )
    client_id = fields.Char(groups=MANAGER)
    client_secret = fields.Char(groups=MANAGER)
    grant_code = fields.Char(
        groups=MANAGER,
        help="Self-client grant code from the Zoho API console (scopes "
        "ZohoCRM.modules.ALL, ZohoCRM.settings.ALL, ZohoCRM.notifications.ALL, "
        "ZohoCRM.org.READ). Used once to obtain the refresh token.",
    )
    refresh_token = fields.Char(groups=MANAGER, copy=False)
    has_refresh_token = fields.Boolean(compute="_compute_has_refresh_token")

    # pull schedule ("hourly on business days in the seed's hours")
    sync_hour_from = fields.Integer("Sync from hour", default=7)
    sync_hour_to = fields.Integer("Sync until hour", default=19)
    sync_weekdays_only = fields.Boolean("Business days only", default=True)
    request_timeout = fields.Integer(
        "Answer timeout (s)",
        default=30,
        help="How long to wait for Zoho's answer before the job is retried later.",
    )
    daily_credit_budget = fields.Integer(
        default=5000, help="API credits the connector may use per day (0 = no limit)."
    )
    credits_used_today = fields.Integer(compute="_compute_credits_used_today")
    accounts_synced_until = fields.Datetime(
        compute="_compute_synced_until",
        help="Zoho's Modified_Time of the newest account pulled.",
    )
    contacts_synced_until = fields.Datetime(compute="_compute_synced_until")
    sync_overlap_minutes = fields.Integer(
        default=5, help="Incremental pulls look back this far, for clock skew."
    )

    # push
    invoice_target = fields.Selection(
        [
            ("auto", "Invoices module if the org has it, else a note"),
            ("invoices", "Invoices module"),
            ("custom", "Custom module"),
            ("note", "Note on the account"),
        ],
        default="auto",
        required=True,
    )
    invoice_custom_module = fields.Char(
        help="API name of the custom module receiving invoices, e.g. Odoo_Invoices"
    )
    overdue_task_days = fields.Char(
        default="15,30,60",
        help="Create a Zoho task for the account owner when an invoice is overdue by "
        "this many days (comma-separated levels).",
    )

    # notifications (watch)
    channel_id = fields.Char(readonly=True, copy=False)
    channel_token = fields.Char(groups=MANAGER, readonly=True, copy=False)
    channel_expires_at = fields.Datetime(readonly=True, copy=False)
    notify_base_url = fields.Char(
        help="Public URL of this Odoo for Zoho's notifications (default: web.base.url)."
    )

    binding_ids = fields.One2many("zoho.partner.binding", "backend_id")
    binding_count = fields.Integer(compute="_compute_binding_count")
    field_mapping_ids = fields.One2many("zoho.field.mapping", "backend_id")
    sync_run_ids = fields.One2many("zoho.sync.run", "backend_id")

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        backends._create_default_mappings()
        return backends

    def _create_default_mappings(self):
        """The seed's mappings: monthly billing, credit limit, terms, owner..."""
        fields_by_name = {
            field.name: field
            for field in self.env["ir.model.fields"].search(
                [("model", "=", "res.partner")]
            )
        }
        picklist = [
            Command.create({"zoho_value": value, "payment_term_id": term.id})
            for value, xmlid in DEFAULT_PAYMENT_TERMS.items()
            if (term := self.env.ref(xmlid, raise_if_not_found=False))
        ]
        for backend in self:
            self.env["zoho.field.mapping"].create(
                [
                    {
                        "backend_id": backend.id,
                        "sequence": index,
                        "zoho_module": module,
                        "zoho_field": zoho_field,
                        "odoo_field_id": fields_by_name[odoo_field].id,
                        "transform": transform,
                        "owner": owner,
                        "picklist_ids": picklist if transform == "payment_term" else [],
                    }
                    for index, (
                        module,
                        zoho_field,
                        odoo_field,
                        transform,
                        owner,
                    ) in enumerate(DEFAULT_MAPPINGS)
                ]
            )

    def action_load_fields(self):
        """Read Zoho's field list so people pick fields instead of typing them."""
        self.ensure_one()
        client = self._zoho_client()
        Field = self.env["zoho.field"]
        try:
            for module in ("Accounts", "Contacts"):
                known = {
                    field.api_name: field
                    for field in Field.search(
                        [("backend_id", "=", self.id), ("zoho_module", "=", module)]
                    )
                }
                for description in client.get_fields(module):
                    values = {
                        "label": description.get("field_label"),
                        "data_type": description.get("data_type"),
                        "custom_field": bool(description.get("custom_field")),
                    }
                    api_name = description["api_name"]
                    if api_name in known:
                        known[api_name].write(values)
                    else:
                        Field.create(
                            {
                                **values,
                                "backend_id": self.id,
                                "zoho_module": module,
                                "api_name": api_name,
                            }
                        )
        except ZohoError as exc:
            raise UserError(self._explain(exc)) from exc
        for mapping in self.field_mapping_ids.filtered(lambda m: not m.zoho_field_id):
            mapping.zoho_field_id = Field.search(
                [
                    ("backend_id", "=", self.id),
                    ("zoho_module", "=", mapping.zoho_module),
                    ("api_name", "=", mapping.zoho_field),
                ],
                limit=1,
            )
        return True

    def _compute_credits_used_today(self):
        used = self.env["zoho.credit.usage"]._used_today(self.ids)
        for backend in self:
            backend.credits_used_today = used.get(backend.id, 0)

    def _compute_synced_until(self):
        Cursor = self.env["zoho.sync.cursor"]
        for backend in self:
            backend.accounts_synced_until = Cursor._get(backend, "Accounts")
            backend.contacts_synced_until = Cursor._get(backend, "Contacts")

    @api.depends("data_center")
    def _compute_accounts_url(self):
        for backend in self:
            backend.accounts_url = ACCOUNTS_URLS[backend.data_center]

    def _compute_api_domain(self):
        tokens = (
            self.env["zoho.backend.token"]
            .sudo()
            .search([("backend_id", "in", self.ids)])
        )
        domains = {token.backend_id.id: token.api_domain for token in tokens}
        for backend in self:
            backend.api_domain = domains.get(backend.id)

    def _compute_has_refresh_token(self):
        for backend in self:
            backend.has_refresh_token = bool(backend.sudo().refresh_token)

    def _compute_binding_count(self):
        counts = dict(
            self.env["zoho.partner.binding"]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
            )
        )
        for backend in self:
            backend.binding_count = counts.get(backend, 0)

    # -- the one door to Zoho ---------------------------------------------------

    def _zoho_client(self, max_inline_retries=0):
        """:return: a :class:`ZohoClient` for this backend: token store in the DB,
        credits booked on the backend's daily budget."""
        self.ensure_one()
        backend = self.sudo()
        if not backend.refresh_token:
            raise UserError(
                self.env._("Zoho backend %s has no refresh token yet.", self.name)
            )
        return ZohoClient(
            backend.accounts_url,
            backend.client_id,
            backend.client_secret,
            backend.refresh_token,
            BackendTokenStore(backend),
            max_inline_retries=max_inline_retries,
            timeout=(5, self.request_timeout or 30),
            credit_meter=CreditMeter(backend),
        )

    def _mark_broken(self, error):
        self.sudo().write({"state": "needs_reauth", "last_error": str(error)})
        self.message_post(
            body=self.env._("Zoho refused the connection: %s. Re-authorise.", error)
        )

    # -- buttons ---------------------------------------------------------------

    def action_exchange_grant_code(self):
        self.ensure_one()
        backend = self.sudo()
        if not backend.grant_code:
            raise UserError(self.env._("Paste the self-client grant code first."))
        try:
            tokens = ZohoClient.exchange_grant_code(
                backend.accounts_url,
                backend.client_id,
                backend.client_secret,
                backend.grant_code,
            )
        except ZohoError as exc:
            raise UserError(
                self.env._("Zoho did not accept the grant code: %s", exc)
            ) from exc
        backend.write(
            {
                "refresh_token": tokens["refresh_token"],
                "grant_code": False,
                "state": "connected",
                "last_error": False,
            }
        )
        store = BackendTokenStore(backend)
        with independent_env(self.env) as env:
            store.save(
                env.cr,
                tokens["access_token"],
                tokens["api_domain"],
                tokens["expires_at"],
            )
        self.invalidate_recordset(["api_domain"])
        return True

    def action_test_connection(self):
        """Say in words what works and what does not."""
        self.ensure_one()
        try:
            client = self._zoho_client()
            org = client.org()
            modules = client.modules()
        except ZohoError as exc:
            message = self._explain(exc)
            self.sudo().last_error = message
            return self._notify(message, "danger")
        except UserError as exc:
            return self._notify(str(exc), "danger")
        if self.state != "connected" or self.last_error:
            self.sudo().write({"state": "connected", "last_error": False})
        name = (org or {}).get("company_name") or self.env._("your organisation")
        has_invoices = "Invoices" in {module.get("api_name") for module in modules}
        return self._notify(
            self.env._(
                "Connected to %(org)s at %(domain)s. Invoices module: %(inv)s.",
                org=name,
                domain=client.token_store.get()[1],
                inv=self.env._("yes") if has_invoices else self.env._("no"),
            ),
            "success",
        )

    def _explain(self, exc):
        if isinstance(exc, errors.ZohoBackendBroken):
            return self.env._(
                "Zoho refused our credentials or scopes (%s): generate a new grant "
                "code with the required scopes.",
                exc,
            )
        if isinstance(exc, errors.ZohoRetryLater):
            return self.env._("Zoho is busy or unreachable (%s); try again later.", exc)
        return self.env._("Zoho answered: %s", exc)

    def _notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": kind, "sticky": kind != "success"},
        }

    def action_sync_now(self):
        queued = [backend._enqueue_pull(full=False)[1] for backend in self]
        if all(queued):
            return self._notify(self.env._("Sync queued."), "info")
        return self._notify(
            self.env._("A sync was already waiting to run: it will pick this up."),
            "info",
        )

    def action_full_sync(self):
        queued = [backend._enqueue_pull(full=True)[1] for backend in self]
        if all(queued):
            return self._notify(
                self.env._(
                    "Full sync queued. It runs after any pull already running or "
                    "waiting, never at the same time."
                ),
                "info",
            )
        return self._notify(
            self.env._("A full sync was already waiting to run."), "info"
        )

    def action_view_bindings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "zoho_connector.action_zoho_binding"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        return action
