from collections import namedtuple

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from ..parsers.common import FORMAT_CXML, FORMAT_NATIVE, FORMAT_UBL
from ..utils.webhook_signature import DEFAULT_TOLERANCE_SECONDS

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024

# what the order endpoint knows of a shop (plain values: it is cached)
IntakeDoor = namedtuple(
    "IntakeDoor",
    "shop_id code company_id max_body_bytes timestamp_tolerance_seconds secrets",
)


class EcomShop(models.Model):
    _name = "ecom.shop"
    _description = "Web shop sending orders"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Identifies the shop in the order URL: /ecom/intake/<code>/orders",
    )
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    secret_ids = fields.One2many(
        "ecom.shop.secret",
        "shop_id",
        string="Signing secrets",
        groups="ecom_order_intake.group_intake_manager",
    )
    active_secret_count = fields.Integer(compute="_compute_active_secret_count")
    accept_native = fields.Boolean("Native XML", default=True)
    accept_ubl = fields.Boolean("UBL 2.1 / PEPPOL", default=True)
    accept_cxml = fields.Boolean("cXML", default=True)
    price_tolerance_percent = fields.Float(
        "Price tolerance (%)",
        default=1.0,
        help="A line whose shop price differs more than this from the customer's "
        "pricelist price is held for review.",
    )
    auto_confirm = fields.Boolean(
        "Confirm orders",
        default=True,
        help="Confirm the sale order as soon as the intake is accepted; otherwise "
        "leave it as a quotation.",
    )
    max_body_bytes = fields.Integer(
        "Maximum order size (bytes)", default=DEFAULT_MAX_BODY_BYTES
    )
    timestamp_tolerance_seconds = fields.Integer(
        "Clock tolerance (seconds)", default=DEFAULT_TOLERANCE_SECONDS
    )
    payment_journal_id = fields.Many2one(
        "account.journal",
        string="Card payments journal",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        help="Card payments taken by the shop are recorded in this journal.",
    )
    team_id = fields.Many2one("crm.team", string="Sales team")
    user_id = fields.Many2one("res.users", string="Salesperson")
    mapping_ids = fields.One2many("ecom.shop.mapping", "shop_id", string="Mappings")
    # stored: every order of a shop without mappings (most shops, most of the
    # time) is matched without looking them up
    mapping_count = fields.Integer(compute="_compute_mapping_count", store=True)
    intake_ids = fields.One2many("ecom.order.intake", "shop_id")
    intake_count = fields.Integer(compute="_compute_intake_stats")
    review_count = fields.Integer(compute="_compute_intake_stats")

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "Another shop already uses this code."),
        (
            "max_body_positive",
            "CHECK(max_body_bytes > 0)",
            "The maximum order size must be positive.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        self._forget_intake_doors()
        return super().create(vals_list)

    def write(self, vals):
        self._forget_intake_doors()  # shops rarely change
        return super().write(vals)

    def unlink(self):
        self._forget_intake_doors()
        return super().unlink()

    @api.constrains("code")
    def _check_code(self):
        for shop in self:
            if not shop.code.replace("-", "").replace("_", "").isalnum():
                raise ValidationError(
                    _("The shop code may only hold letters, digits, '-' and '_'.")
                )

    @api.depends("secret_ids.active")
    def _compute_active_secret_count(self):
        counts = {
            shop.id: count
            for shop, count in self.env["ecom.shop.secret"]
            .sudo()
            ._read_group([("shop_id", "in", self.ids)], ["shop_id"], ["__count"])
        }
        for shop in self:
            shop.active_secret_count = counts.get(shop.id, 0)

    @api.depends("mapping_ids")
    def _compute_mapping_count(self):
        for shop in self:
            shop.mapping_count = len(shop.mapping_ids)

    def _compute_intake_stats(self):
        groups = self.env["ecom.order.intake"]._read_group(
            [("shop_id", "in", self.ids)], ["shop_id", "state"], ["__count"]
        )
        totals, reviews = {}, {}
        for shop, state, count in groups:
            totals[shop.id] = totals.get(shop.id, 0) + count
            if state == "needs_review":
                reviews[shop.id] = count
        for shop in self:
            shop.intake_count = totals.get(shop.id, 0)
            shop.review_count = reviews.get(shop.id, 0)

    def _accepted_formats(self):
        self.ensure_one()
        return {
            fmt
            for fmt, accepted in (
                (FORMAT_NATIVE, self.accept_native),
                (FORMAT_UBL, self.accept_ubl),
                (FORMAT_CXML, self.accept_cxml),
            )
            if accepted
        }

    def _signing_secrets(self):
        """:return: the active secrets, newest first (plain strings)."""
        self.ensure_one()
        secrets = (
            self.env["ecom.shop.secret"]
            .sudo()
            .search_fetch(
                [("shop_id", "=", self.id)],
                ["secret"],
                order="create_date desc, id desc",
            )
        )
        return secrets.mapped("secret")

    @api.model
    @tools.ormcache("code")
    def _intake_door(self, code):
        """What the order endpoint needs of the active shop with this code: its
        settings and active signing secrets, without a query per delivery (cached
        per worker; a change to a shop or a secret clears the cache of every
        worker, as Odoo does for its own cached settings).

        :return: an :class:`IntakeDoor`, or None when no active shop has the code
        """
        shop = self.sudo().search_fetch(
            [("code", "=", code)],
            ["code", "company_id", "max_body_bytes", "timestamp_tolerance_seconds"],
            limit=1,
        )
        if not shop:
            return None
        return IntakeDoor(
            shop_id=shop.id,
            code=shop.code,
            company_id=shop.company_id.id,
            max_body_bytes=shop.max_body_bytes,
            timestamp_tolerance_seconds=shop.timestamp_tolerance_seconds,
            secrets=tuple(shop._signing_secrets()),
        )

    @api.model
    def _forget_intake_doors(self):
        """Clear :meth:`_intake_door`'s cache: now, and again when this
        transaction commits (another thread of this worker may cache the old
        settings in between; other workers are told after the commit)."""
        self.env.registry.clear_cache()
        self.env.cr.postcommit.add(self.env.registry.clear_cache)

    def _get_payment_journal(self):
        self.ensure_one()
        return self.payment_journal_id or self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.company_id),
                ("type", "=", "bank"),
            ],
            limit=1,
        )

    def action_view_intakes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ecom_order_intake.action_order_intake"
        )
        action["domain"] = [("shop_id", "=", self.id)]
        action["context"] = {"default_shop_id": self.id}
        return action
