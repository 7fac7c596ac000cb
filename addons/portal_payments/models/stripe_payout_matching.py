"""The bank line of a Stripe payout meets the payout in transit.

A payout imported from Stripe leaves its net amount on the *payouts in
transit* account. Days later the bank statement brings the same money: a
partner-less line of the payout's net amount whose label reads "STRIPE ..."
and, with most banks, the payout id. Odoo Community has no engine to apply
reconciliation models (the bank reconciliation widget is Enterprise), so this
addon applies this one rule itself, from a button on the Stripe provider and
a scheduled action:

- the label holds a payout id and the amount is that payout's net: match;
- else the label holds "STRIPE" and exactly one payout in transit has that net
  amount: match;
- anything else (no payout, several with that amount, another amount) is left
  to the accountant.
"""

from odoo import api, fields, models

#: what banks print for a Stripe payout (Stripe's default payout descriptor)
STRIPE_LABEL = "STRIPE"


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    @api.model
    def _cron_portal_payments_match_payouts(self):
        """Match every unmatched bank line (outside the Stripe journals).

        :return: the statement lines matched
        """
        providers = self.env["payment.provider"].search(
            [("code", "=", "stripe"), ("stripe_payout_account_id", "!=", False)]
        )
        if not providers:
            return self.browse()
        return self.search(
            [
                ("is_reconciled", "=", False),
                ("amount", ">", 0),
                ("journal_id.type", "=", "bank"),
                ("journal_id", "not in", providers.journal_id.ids),
            ]
        )._portal_payments_match_payouts(providers)

    def _portal_payments_match_payouts(self, providers):
        """Reconcile these bank lines (unmatched, incoming, of a bank journal
        other than the Stripe ones) with the transit line of their payout.

        :param providers: the Stripe providers that import payouts
        :return: the statement lines matched
        """
        if not self:
            return self.browse()
        in_transit = self.env["account.move.line"].search(
            [
                ("account_id", "in", providers.stripe_payout_account_id.ids),
                ("reconciled", "=", False),
                ("parent_state", "=", "posted"),
                ("balance", ">", 0),
                ("statement_line_id.statement_id.stripe_payout_id", "!=", False),
            ]
        )
        matched = self.browse()
        for st_line in self:
            label = " ".join(
                filter(None, (st_line.payment_ref, st_line.ref, st_line.narration))
            ).upper()
            same_amount = in_transit.filtered(
                lambda aml, st=st_line: (
                    aml.company_id == st.company_id
                    and st.currency_id.compare_amounts(
                        aml.amount_currency
                        if aml.currency_id == st.currency_id
                        else aml.balance,
                        st.amount,
                    )
                    == 0
                )
            )
            by_id = same_amount.filtered(
                lambda aml, text=label: (
                    aml.statement_line_id.statement_id.stripe_payout_id.upper() in text
                )
            )
            found = by_id or (same_amount if STRIPE_LABEL in label else by_id)
            if len(found) != 1:
                continue
            st_line._portal_payments_reconcile_payout(found)
            in_transit -= found
            matched |= st_line
        return matched

    def _portal_payments_reconcile_payout(self, transit_line):
        """Book this bank line against ``transit_line`` and reconcile them.

        Replaces the suspense counterpart like stock's *undo reconciliation*
        rebuilds a statement line's entry.
        """
        self.ensure_one()
        account = transit_line.account_id
        self.with_context(force_delete=True, skip_readonly_check=True).write(
            {
                "line_ids": [fields.Command.clear()]
                + [
                    fields.Command.create(vals)
                    for vals in self._prepare_move_line_default_vals(
                        counterpart_account_id=account.id
                    )
                ]
            }
        )
        counterpart = self.move_id.line_ids.filtered(
            lambda ln: ln.account_id == account
        )
        (counterpart + transit_line).reconcile()


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    def action_stripe_match_payouts(self):
        """Button: match the bank lines of Stripe payouts with the payouts.

        Runs as superuser like the scheduled action: Odoo Community lets no
        user group rewrite bank statement lines (its reconciliation widget is
        Enterprise); the provider form is for administrators already.
        """
        lines = self.env["account.bank.statement.line"].sudo()
        matched = lines._cron_portal_payments_match_payouts()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if matched else "warning",
                "message": self.env._(
                    "%(count)s bank lines matched with Stripe payouts.",
                    count=len(matched),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
