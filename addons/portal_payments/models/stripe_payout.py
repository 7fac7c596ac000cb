"""Stripe payouts become bank statements of the Stripe journal.

The Stripe journal is a clearing account: customer payments land there, each
payout empties it. A payout's balance transactions (charges, refunds, their
fees, the payout itself) are imported with the official ``stripe`` SDK as the
lines of one statement, so the statement nets to zero: charges and refunds
reconcile with their customer payments, fees go to the fee expense account and
the payout line to the transfer account the bank line is matched with.

A card dispute takes the funds when it opens, before it is decided: until it
is lost they wait on the disputed funds account (the payment stands), and a won
dispute's reinstatement meets them there.
"""

import logging

import stripe

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.payment.utils import to_major_currency_units
from odoo.addons.queue_job.exception import RetryableJobError

from .. import const

_logger = logging.getLogger(__name__)

#: states of a customer payment the bank took back (see payment_transaction.py)
REVERSED = ("canceled", "rejected")


class AccountBankStatement(models.Model):
    _inherit = "account.bank.statement"

    stripe_payout_id = fields.Char(string="Stripe payout", readonly=True, copy=False)

    _sql_constraints = [
        (
            "stripe_payout_unique",
            "UNIQUE(journal_id, stripe_payout_id)",
            "This Stripe payout is already imported.",
        )
    ]


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    stripe_balance_transaction_id = fields.Char(
        string="Stripe balance transaction", readonly=True, copy=False
    )
    stripe_dispute_id = fields.Char(
        string="Stripe dispute",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The dispute whose funds this line withdraws or reinstates.",
    )


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    stripe_fee_account_id = fields.Many2one(
        "account.account",
        string="Stripe fees account",
        help="Expense account of the fees Stripe keeps from each payout.",
    )
    stripe_payout_account_id = fields.Many2one(
        "account.account",
        string="Stripe payouts in transit",
        help="Transfer account of payouts on their way to the bank; the bank "
        "statement line of the payout reconciles with it.",
    )
    stripe_dispute_account_id = fields.Many2one(
        "account.account",
        string="Stripe disputed funds",
        help="Current asset (reconcilable) holding what Stripe withdrew for a "
        "card dispute not decided yet: the payment stands meanwhile. A won "
        "dispute's reinstatement reconciles with it; a lost dispute's funds "
        "move to the disputed charge when the payment is reversed.",
    )

    def _portal_payments_stripe_client(self):
        """The official SDK's client for this provider's keys and API base URL."""
        self.ensure_one()
        base = self._stripe_api_url("")
        base = base[: -len("/v1/")] if base.endswith("/v1/") else base.rstrip("/")
        return stripe.StripeClient(
            self.sudo().stripe_secret_key, base_addresses={"api": base}
        )

    def action_stripe_import_payouts(self):
        """Button: import the paid payouts not imported yet."""
        try:
            statements = self._portal_payments_import_payouts()
        except RetryableJobError as exc:
            raise UserError(_("Stripe cannot be reached now: %s", exc)) from exc
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_bank_statement_tree"
        )
        action["domain"] = [("id", "in", statements.ids)]
        return action

    @api.model
    def _cron_stripe_import_payouts(self):
        for provider in self.search(
            [("code", "=", "stripe"), ("state", "!=", "disabled")]
        ):
            if provider._portal_payments_payout_accounts_set():
                provider.with_delay(
                    description=f"Stripe payouts of {provider.name}",
                    identity_key=f"portal-payments-payouts-{provider.id}",
                )._portal_payments_import_payouts()

    def _portal_payments_import_payouts(self):
        """Import every paid payout of Stripe not imported yet.

        :return: the statements created
        """
        self.ensure_one()
        if not self._portal_payments_payout_accounts_set():
            raise UserError(
                _("Set the Stripe fees and payouts in transit accounts first.")
            )
        client = self._portal_payments_stripe_client()
        try:
            return self._portal_payments_import_payouts_with(client)
        except stripe.APIConnectionError as exc:
            raise RetryableJobError(str(exc), seconds=300) from exc
        except stripe.RateLimitError as exc:
            raise RetryableJobError(str(exc), seconds=60) from exc

    def _portal_payments_payout_accounts_set(self):
        """The disputed funds account is not required: without it (a database
        upgraded from before it existed) an undecided dispute's line stays in
        suspense for the accountant, and the payouts are still imported."""
        return bool(self.stripe_fee_account_id and self.stripe_payout_account_id)

    def _portal_payments_import_payouts_with(self, client):
        Statement = self.env["account.bank.statement"]
        known = set(
            Statement.search([("journal_id", "=", self.journal_id.id)]).mapped(
                "stripe_payout_id"
            )
        )
        statements = Statement
        payouts = client.v1.payouts.list(params={"limit": 100}).auto_paging_iter()
        for payout in payouts:
            if payout.status != "paid" or payout.id in known:
                continue
            statements |= self._portal_payments_import_payout(client, payout)
        self._portal_payments_settle_lost_disputes(client)
        return statements

    def _portal_payments_import_payout(self, client, payout):
        """One payout → one statement of the Stripe journal, lines reconciled.

        Per balance transaction:

        - a charge (``charge``, ``payment``) or a refund (``refund``,
          ``payment_refund``) meets its customer payment or refund payment on
          their outstanding account;
        - an ACH return (``payment_failure_refund``) or a dispute that takes
          the money for good (an ``adjustment`` of category ``dispute`` whose
          dispute is lost, or any ACH dispute) takes a settled charge back:
          its customer payment is reversed if no webhook did it yet, and the
          line meets the statement line of the original charge, so both
          leave the outstanding account;
        - a card dispute not lost (open, under review, won) only holds the
          funds: the payment stands and the line goes to the disputed funds
          account; a won dispute's reinstatement (category
          ``dispute_reversal``) goes there too and reconciles with it;
        - its fee goes to the fees account, the payout itself to the payouts in
          transit account; anything else stays in suspense for the accountant.

        :return: the statement
        """
        txns = list(
            client.v1.balance_transactions.list(
                params={"payout": payout.id, "limit": 100}
            ).auto_paging_iter()
        )
        currency = self.journal_id.currency_id or self.company_id.currency_id
        lines, to_match, to_pair, disputes = [], [], [], set()
        for txn in sorted(txns, key=lambda t: (t.type == "payout", t.created, t.id)):
            # Stripe's minor units: cents, but yen are whole (ISO 4217, as Odoo's
            # own Stripe code converts them)
            amount = currency.round(to_major_currency_units(txn.amount, currency))
            vals = {"amount": amount, "stripe_balance_transaction_id": txn.id}
            if txn.type == "payout":
                vals.update(
                    payment_ref=_("Stripe payout %s", payout.id),
                    counterpart_account_id=self.stripe_payout_account_id.id,
                )
            elif txn.type in const.BT_CHARGE_TYPES + const.BT_REFUND_TYPES:
                if txn.type in const.BT_CHARGE_TYPES:
                    charge = client.v1.charges.retrieve(txn.source)
                    tx = self._portal_payments_charge_tx(charge)
                else:
                    tx = self._portal_payments_tx(txn.source)  # the refund's id
                payment = tx.payment_id
                vals.update(
                    payment_ref=tx.reference or txn.description or txn.source,
                    partner_id=tx.partner_id.commercial_partner_id.id or False,
                    counterpart_account_id=payment.outstanding_account_id.id,
                )
                if payment.state not in REVERSED:
                    to_match.append((len(lines), payment))
            elif txn.reporting_category in const.BT_DISPUTE_CATEGORIES:
                charge_bt = self._portal_payments_dispute_line(client, txn, vals)
                if charge_bt:  # lost: taken back like a return
                    to_pair.append((len(lines), charge_bt))
                else:
                    disputes.add(vals["stripe_dispute_id"])
            elif txn.type in const.BT_RETURN_TYPES:
                charge_id, label = txn.source, _("ACH return")
                charge = client.v1.charges.retrieve(charge_id)
                tx = self._portal_payments_charge_tx(charge)
                if tx:  # reversed here when no webhook did it yet
                    tx._portal_payments_handle_return(
                        charge.failure_message or txn.description or label
                    )
                vals.update(
                    payment_ref=f"{label} {tx.reference or charge_id}",
                    partner_id=tx.partner_id.commercial_partner_id.id or False,
                    counterpart_account_id=tx.payment_id.outstanding_account_id.id,
                )
                to_pair.append((len(lines), charge.balance_transaction))
            else:
                vals["payment_ref"] = txn.description or f"{txn.type} {txn.source}"
            lines.append(vals)
            if txn.fee:
                lines.append(
                    {
                        "payment_ref": _("Stripe fees %s", txn.source),
                        "amount": -currency.round(
                            to_major_currency_units(txn.fee, currency)
                        ),
                        "counterpart_account_id": self.stripe_fee_account_id.id,
                        "stripe_balance_transaction_id": f"{txn.id}:fee",
                    }
                )
        for line in lines:
            line["journal_id"] = self.journal_id.id
            line["date"] = fields.Date.context_today(self)
            if not line.get("counterpart_account_id"):
                line.pop("counterpart_account_id", None)  # suspense: to review
        last = self.env["account.bank.statement"].search(
            [("journal_id", "=", self.journal_id.id)], limit=1
        )
        statement = self.env["account.bank.statement"].create(
            {
                "name": _("Stripe payout %s", payout.id),
                "journal_id": self.journal_id.id,
                "stripe_payout_id": payout.id,
                "balance_start": last.balance_end_real if last else 0.0,
                "balance_end_real": last.balance_end_real if last else 0.0,
                "line_ids": [fields.Command.create(vals) for vals in lines],
            }
        )
        st_lines = statement.line_ids.sorted("id")
        for index, payment in to_match:
            # a return later in this payout may have reversed it meanwhile
            if payment.move_id and payment.state not in REVERSED:
                self._portal_payments_reconcile(
                    st_lines[index], payment.move_id, payment.outstanding_account_id
                )
        for index, charge_bt in to_pair:
            self._portal_payments_pair_with_charge(st_lines[index], charge_bt)
        # a reinstatement meets its withdrawal (of this payout or an earlier one)
        self._portal_payments_reconcile_disputed_funds(disputes)
        _logger.info(
            "Stripe payout %s imported: %s lines", payout.id, len(statement.line_ids)
        )
        return statement

    def _portal_payments_charge_statement_line(self, charge_bt):
        """:return: the statement line of this journal that imported a charge,
        found by the charge's balance transaction id (empty when not imported)"""
        return self.env["account.bank.statement.line"].search(
            [
                ("journal_id", "=", self.journal_id.id),
                ("stripe_balance_transaction_id", "=", charge_bt),
            ],
            limit=1,
        )

    def _portal_payments_pair_with_charge(self, st_line, charge_bt):
        """Reconcile a line taking a charge back with the charge's statement
        line."""
        charge_line = self._portal_payments_charge_statement_line(charge_bt)
        account = st_line.move_id.line_ids.account_id.filtered("reconcile")
        if charge_line and account:
            self._portal_payments_reconcile(st_line, charge_line.move_id, account)

    def _portal_payments_tx(self, reference):
        return (
            self.env["payment.transaction"]
            .sudo()
            .search(
                [("provider_id", "=", self.id), ("provider_reference", "=", reference)],
                limit=1,
            )
        )

    def _portal_payments_charge_tx(self, charge):
        """The transaction of a Stripe charge object (see
        ``payment.transaction._portal_payments_from_charge``)."""
        return self.env["payment.transaction"]._portal_payments_from_charge(
            self, {"payment_intent": charge.payment_intent, "id": charge.id}
        )

    @api.model
    def _portal_payments_reconcile(self, st_line, move, account):
        """Reconcile a statement line's counterpart with ``move`` on ``account``."""
        (
            st_line.move_id.line_ids.filtered(
                lambda ln: ln.account_id == account and not ln.reconciled
            )
            + move.line_ids.filtered(
                lambda ln: ln.account_id == account and not ln.reconciled
            )
        ).reconcile()
