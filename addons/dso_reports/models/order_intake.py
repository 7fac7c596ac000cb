"""Web-shop orders of customers on credit hold wait in the review queue."""

from odoo import fields, models

from odoo.addons.ecom_order_intake.parsers.common import PAYMENT_CARD


class EcomOrderIntakeProblem(models.Model):
    _inherit = "ecom.order.intake.problem"

    code = fields.Selection(
        selection_add=[("credit_hold", "Credit hold")],
        ondelete={"credit_hold": "cascade"},
    )


class EcomOrderIntake(models.Model):
    _inherit = "ecom.order.intake"

    def _collect_order_problems(self, parsed, result):
        collected = super()._collect_order_problems(parsed, result)
        if result.partner:
            self._check_credit_hold(parsed, result)
        return collected

    def _check_credit_hold(self, parsed, result):
        """Add a ``credit_hold`` problem when a hold rule stops this order."""
        company = self.company_id
        paid_by_card = parsed.payment and parsed.payment.method == PAYMENT_CARD
        if paid_by_card and company.credit_hold_card_passes:
            return
        amount = self._credit_hold_order_amount(parsed, result)
        reasons = result.partner._credit_hold_reasons(
            extra_amount=amount, company=company
        )
        if reasons:
            result.add(
                "credit_hold",
                self.env._(
                    "%(customer)s is on credit hold: %(reasons)s. Ask the customer "
                    "to pay or a manager to release the hold, then process the "
                    "order again.",
                    customer=result.partner.display_name,
                    reasons="; ".join(reasons),
                ),
            )

    def _credit_hold_order_amount(self, parsed, result):
        """:return: the order's total in company currency: the total the shop
        sent (taxes included), else its lines at the prices the order will
        have (the shop's, or ours where it sent none), untaxed."""
        company = self.company_id
        if parsed.total_amount is not None:
            amount = float(parsed.total_amount)
        else:
            amount = sum(
                float(matched.parsed.quantity) * (matched.price_unit or 0.0)
                for matched in result.lines
            )
        currency = result.currency or company.currency_id
        # no date: Odoo takes today's rate only when the currencies differ (the
        # user's "today" costs a read of the user and its partner)
        return currency._convert(amount, company.currency_id, company)
