from odoo import fields, models

from ..utils import aging

RECEIVABLE = "asset_receivable"


class ResPartner(models.Model):
    _inherit = "res.partner"

    portal_autopay_state = fields.Selection(
        selection=[
            ("off", "Off"),
            ("enrolled", "Enrolled"),
            ("suspended", "Suspended"),
        ],
        string="Autopay",
        default="off",
        company_dependent=False,
        tracking=True,
        help="Suspended: a card dispute arrived for this customer; an accountant "
        "re-enables autopay after reviewing it.",
    )

    portal_reminders_paused = fields.Boolean(
        string="Pause payment reminders",
        tracking=True,
        help="No payment reminder e-mails go to this customer while ticked.",
    )

    def _commercial_fields(self):
        return super()._commercial_fields() + [
            "portal_autopay_state",
            "portal_reminders_paused",
        ]

    # --- account page data (read in sudo, always for one commercial partner) ---

    def _portal_account_moves(self, domain=None):
        """Posted customer documents of this commercial partner (sudo)."""
        self.ensure_one()
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", self.id),
                    ("state", "=", "posted"),
                    ("move_type", "in", ("out_invoice", "out_refund", "out_receipt")),
                ]
                + (domain or []),
                order="invoice_date_due asc, id asc",
            )
        )

    def _portal_account_summary(self, today=None):
        """Everything the account page shows for this commercial partner.

        :param date today: reference day of the aging (default: today)
        :return: dict with ``aging`` (see :func:`utils.aging.aging`),
            ``open_invoices``, ``credit_notes``, ``payments`` and ``currency``
        """
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        moves = self._portal_account_moves()
        open_lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("partner_id.commercial_partner_id", "=", self.id),
                    ("parent_state", "=", "posted"),
                    ("account_id.account_type", "=", RECEIVABLE),
                    ("reconciled", "=", False),
                    ("amount_residual", "!=", 0),
                ]
            )
        )
        buckets = aging.aging(
            (
                (line.date_maturity or line.date, line.amount_residual)
                for line in open_lines
            ),
            today,
        )
        invoices = moves.filtered(lambda m: m.move_type != "out_refund")
        open_invoices = invoices.filtered(
            lambda m: m.portal_payment_status != aging.STATUS_PAID
        )
        payments = (
            self.env["account.payment"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.id),
                    ("partner_type", "=", "customer"),
                    ("state", "in", ("in_process", "paid")),
                ],
                order="date desc, id desc",
            )
        )
        return {
            "aging": buckets,
            "open_invoices": open_invoices,
            "credit_notes": moves.filtered(lambda m: m.move_type == "out_refund"),
            "payments": payments,
            "currency": self.env.company.currency_id,
        }

    def _portal_statement(self, date_from, date_to):
        """Statement of account between two dates (both included).

        :return: dict with ``opening``, ``lines`` (date, ref, label, debit,
            credit, balance) and ``closing``
        """
        self.ensure_one()
        base = [
            ("partner_id.commercial_partner_id", "=", self.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", RECEIVABLE),
        ]
        Line = self.env["account.move.line"].sudo()
        opening = sum(Line.search(base + [("date", "<", date_from)]).mapped("balance"))
        movements = Line.search(
            base + [("date", ">=", date_from), ("date", "<=", date_to)],
            order="date asc, id asc",
        )
        lines, closing = aging.statement_lines(
            opening,
            (
                {
                    "date": line.date,
                    "ref": line.move_id.name,
                    "label": line.move_id.ref or line.name or "",
                    "debit": line.debit,
                    "credit": line.credit,
                }
                for line in movements
            ),
        )
        return {"opening": opening, "lines": lines, "closing": closing}
