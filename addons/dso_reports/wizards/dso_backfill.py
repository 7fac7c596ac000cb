from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DsoBackfill(models.TransientModel):
    """Compute the daily snapshots of a date range (history, or after a fix)."""

    _name = "dso.backfill"
    _description = "Compute receivable snapshots for a date range"

    date_from = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self) - relativedelta(months=12),
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    company_ids = fields.Many2many(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.constrains("date_from", "date_to")
    def _check_range(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(self.env._("The range ends before it starts."))

    def action_backfill(self):
        """Queue one job per month of the range (channel ``root.dso``)."""
        self.ensure_one()
        Snapshot = self.env["dso.snapshot"]
        start = self.date_from
        jobs = 0
        while start <= self.date_to:
            end = min(start + relativedelta(day=31), self.date_to)
            Snapshot.with_delay(
                description=self.env._(
                    "Receivable snapshots %(start)s – %(end)s", start=start, end=end
                ),
                identity_key=f"dso-backfill-{start}-{end}-{self.company_ids.ids}",
            )._snapshot_days(start, end, self.company_ids)
            start = end + timedelta(days=1)
            jobs += 1
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%s snapshot jobs queued; the dashboard fills as they finish.",
                    jobs,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
