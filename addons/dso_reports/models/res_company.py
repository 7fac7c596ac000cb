from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..metrics import parse_buckets


class ResCompany(models.Model):
    _inherit = "res.company"

    dso_period_days = fields.Integer(
        "DSO period (days)",
        default=90,
        help="Daily DSO compares the receivables with the credit sales of this many "
        "days up to the day.",
    )
    dso_aging_buckets = fields.Char(
        "Aging buckets",
        default="30,60,90",
        help="Three rising day counts: overdue amounts are split into 1-30, 31-60, "
        "61-90 and more than 90 days with the default.",
    )
    dso_baseline_date = fields.Date(
        "Go-live date",
        help="Reports compare the metrics before and after this date.",
    )
    dso_digest = fields.Boolean(
        "Weekly receivables digest",
        help="Every week, e-mail the receivables digest to the Receivables "
        "managers group.",
    )
    credit_hold_overdue_days = fields.Integer(
        "Hold when overdue more than (days)",
        default=0,
        help="A customer with an invoice overdue by more than this many days goes "
        "on credit hold. 0 (the default) disables the rule.",
    )
    credit_hold_card_passes = fields.Boolean(
        "Card-paid orders pass a credit hold",
        default=True,
        help="Web-shop orders paid by card are accepted from customers on hold: "
        "they add no receivable.",
    )

    @api.constrains("dso_aging_buckets", "dso_period_days")
    def _check_dso_settings(self):
        for company in self:
            try:
                parse_buckets(company.dso_aging_buckets)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc
            if company.dso_period_days <= 0:
                raise ValidationError(self.env._("The DSO period must be positive."))

    def write(self, vals):
        result = super().write(vals)
        if "dso_baseline_date" in vals:
            self.env["dso.metric.month"]._rebuild(self)
        return result
