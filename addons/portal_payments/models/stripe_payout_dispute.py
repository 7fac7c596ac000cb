"""Disputes in Stripe payouts: funds held while a card dispute is decided.

Stripe withdraws a disputed amount (``adjustment`` of category ``dispute``,
source: the dispute) when a card dispute opens, before it is decided, and gives
it back if the dispute is won (category ``dispute_reversal``). The payout
import books each such line by what the dispute has become:

- lost, or an ACH dispute (which cannot be contested): the money is gone, the
  customer payment is reversed (if no webhook did it yet) and the line meets the
  statement line of the disputed charge, like an ACH return;
- otherwise (open, under review, won): the payment stands and the line goes to
  the provider's *disputed funds* account, where a reinstatement meets it. At
  each import, the disputes still waiting there are looked up again: one lost
  since has its payment reversed and its funds moved to the charge.
"""

import logging

from odoo import _, api, fields, models

from .. import const

_logger = logging.getLogger(__name__)


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    def _portal_payments_dispute_line(self, client, txn, vals):
        """Complete the statement line ``vals`` of a dispute balance
        transaction (a withdrawal or a reinstatement).

        :param client: the ``stripe.StripeClient`` of this provider
        :param txn: the balance transaction, of a category of
            ``const.BT_DISPUTE_CATEGORIES``
        :param dict vals: the line's values, updated in place
        :return: the balance transaction id of the disputed charge when the
            line takes the charge back (lost or ACH dispute) and must meet the
            charge's statement line, else None (disputed funds account)
        """
        dispute = client.v1.disputes.retrieve(txn.source)
        charge = client.v1.charges.retrieve(dispute.charge)
        tx = self._portal_payments_charge_tx(charge)
        ref = tx.reference or charge.id
        vals.update(
            stripe_dispute_id=dispute.id,
            partner_id=tx.partner_id.commercial_partner_id.id or False,
        )
        withdrawal = txn.reporting_category == const.BT_DISPUTE_CATEGORY
        if withdrawal and tx._portal_payments_dispute_takes_money(dispute.status):
            label = _("Dispute %s", dispute.id)
            if tx:  # reversed here when no webhook did it yet
                tx._portal_payments_handle_return(
                    charge.failure_message or txn.description or label
                )
            vals.update(
                payment_ref=f"{label} {ref}",
                counterpart_account_id=tx.payment_id.outstanding_account_id.id,
            )
            return charge.balance_transaction
        if withdrawal:
            label = _(
                "Disputed funds withdrawn: dispute %(dispute)s (%(status)s) on %(ref)s",
                dispute=dispute.id,
                status=dispute.status,
                ref=ref,
            )
        else:
            label = _(
                "Disputed funds reinstated: dispute %(dispute)s (%(status)s) "
                "on %(ref)s",
                dispute=dispute.id,
                status=dispute.status,
                ref=ref,
            )
        vals.update(
            payment_ref=label,
            counterpart_account_id=self.stripe_dispute_account_id.id,
        )
        return None

    def _portal_payments_disputed_funds(self, dispute_id=None):
        """Open items of the disputed funds account from this provider's
        statement lines: of one dispute, or of all disputes.

        :param str dispute_id: a Stripe dispute id, or None for every dispute
        :return: ``account.move.line`` records, not reconciled
        """
        domain = [
            ("account_id", "=", self.stripe_dispute_account_id.id),
            ("reconciled", "=", False),
            ("parent_state", "=", "posted"),
            ("statement_line_id.journal_id", "=", self.journal_id.id),
        ]
        if dispute_id:
            domain.append(("statement_line_id.stripe_dispute_id", "=", dispute_id))
        else:
            domain.append(("statement_line_id.stripe_dispute_id", "!=", False))
        return self.env["account.move.line"].search(domain)

    def _portal_payments_reconcile_disputed_funds(self, dispute_ids):
        """Reconcile, per dispute, its withdrawal and reinstatement on the
        disputed funds account (a won dispute nets to zero there)."""
        for dispute_id in dispute_ids:
            self._portal_payments_reconcile_lines(
                self._portal_payments_disputed_funds(dispute_id)
            )

    def _portal_payments_settle_lost_disputes(self, client):
        """Disputes whose funds wait on the disputed funds account and that
        Stripe has since decided against us: reverse the payment if no webhook
        did it yet, and move the funds to the disputed charge's statement line,
        so the disputed funds account keeps only undecided disputes.

        :return: the transfer entries created
        """
        moves = self.env["account.move"]
        if not self.stripe_dispute_account_id:
            return moves
        open_items = self._portal_payments_disputed_funds()
        for dispute_id in set(open_items.statement_line_id.mapped("stripe_dispute_id")):
            dispute = client.v1.disputes.retrieve(dispute_id)
            if dispute.status != const.DISPUTE_LOST:
                continue
            charge = client.v1.charges.retrieve(dispute.charge)
            tx = self._portal_payments_charge_tx(charge)
            if tx:  # reversed here when no webhook did it yet
                tx._portal_payments_handle_return(
                    _("Stripe dispute %s lost", dispute_id)
                )
            items = open_items.filtered(
                lambda aml, d=dispute_id: aml.statement_line_id.stripe_dispute_id == d
            )
            charge_line = self._portal_payments_charge_statement_line(
                charge.balance_transaction
            )
            # the charge's counterpart, open again since the payment is reversed
            target = charge_line.move_id.line_ids.filtered(
                lambda aml: (
                    aml.account_id.reconcile
                    and not aml.reconciled
                    and aml.account_id != self.stripe_dispute_account_id
                )
            )[:1]
            amount = sum(items.mapped("balance"))
            if not target or self.company_id.currency_id.is_zero(amount):
                _logger.warning(
                    "lost Stripe dispute %s: no open charge line to move its "
                    "disputed funds to",
                    dispute_id,
                )
                continue
            label = _(
                "Lost Stripe dispute %(dispute)s on %(ref)s",
                dispute=dispute_id,
                ref=tx.reference or charge.id,
            )
            partner = tx.partner_id.commercial_partner_id.id or False
            move = self.env["account.move"].create(
                {
                    "move_type": "entry",
                    "journal_id": self.journal_id.id,
                    "date": fields.Date.context_today(self),
                    "ref": label,
                    "line_ids": [
                        fields.Command.create(
                            {
                                "name": label,
                                "account_id": target.account_id.id,
                                "partner_id": partner,
                                "balance": amount,
                            }
                        ),
                        fields.Command.create(
                            {
                                "name": label,
                                "account_id": self.stripe_dispute_account_id.id,
                                "partner_id": partner,
                                "balance": -amount,
                            }
                        ),
                    ],
                }
            )
            move.action_post()
            self._portal_payments_reconcile_lines(
                items
                + move.line_ids.filtered(
                    lambda aml: aml.account_id == self.stripe_dispute_account_id
                )
            )
            self._portal_payments_reconcile_lines(
                target
                + move.line_ids.filtered(
                    lambda aml, a=target.account_id: aml.account_id == a
                )
            )
            moves |= move
        return moves

    @api.model
    def _portal_payments_reconcile_lines(self, lines):
        """Reconcile open lines of one reconcilable account when they offset
        each other at least in part (a debit and a credit)."""
        lines = lines.filtered(lambda aml: not aml.reconciled)
        if (
            lines.account_id.reconcile
            and len(lines.account_id) == 1
            and any(aml.balance > 0 for aml in lines)
            and any(aml.balance < 0 for aml in lines)
        ):
            lines.reconcile()
