"""Credit control: limit, overdue rule and manual hold, tracked on the customer."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_hold = fields.Boolean(
        "On credit hold",
        readonly=True,
        copy=False,
        tracking=True,
        help="Set and lifted by the credit-hold rules (see the reason), or by a "
        "manager's manual hold.",
    )
    credit_hold_reason = fields.Char(
        "Credit hold reason", readonly=True, copy=False, tracking=True
    )
    credit_hold_manual = fields.Boolean(
        "Manual credit hold",
        copy=False,
        tracking=True,
        groups="dso_reports.group_dso_manager",
    )
    credit_hold_manual_reason = fields.Char(
        "Manual hold reason",
        copy=False,
        tracking=True,
        groups="dso_reports.group_dso_manager",
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + [
            "credit_hold",
            "credit_hold_reason",
            "credit_hold_manual",
            "credit_hold_manual_reason",
        ]

    @api.constrains("credit_hold_manual", "credit_hold_manual_reason")
    def _check_manual_hold_reason(self):
        for partner in self.sudo():
            if partner.credit_hold_manual and not partner.credit_hold_manual_reason:
                raise ValidationError(
                    self.env._("Say why %s is put on hold.", partner.display_name)
                )

    def write(self, vals):
        result = super().write(vals)
        if {"credit_hold_manual", "credit_hold_manual_reason", "credit_limit"} & set(
            vals
        ):
            self.commercial_partner_id._credit_hold_refresh()
        return result

    def _credit_hold_reasons(self, extra_amount=0.0, company=None, facts=None):
        """The rules that hold this customer, in plain words (empty: no hold).

        :param extra_amount: a new order's amount in company currency, counted
            against the credit limit
        :param facts: :meth:`_dso_open_facts` of several customers, read once
        """
        self.ensure_one()
        company = company or self.env.company
        partner = self.commercial_partner_id.with_company(company)
        currency = company.currency_id
        reasons = []
        manual = partner.sudo()
        if manual.credit_hold_manual:
            reasons.append(
                self.env._(
                    "put on hold by a manager: %s", manual.credit_hold_manual_reason
                )
            )
        limit = partner.credit_limit
        max_days = company.credit_hold_overdue_days
        if not limit and not max_days:
            return reasons  # no rule reads the receivables: spare their aggregate
        if facts is None:
            facts = partner._dso_open_facts(company)
        open_amount, _overdue, oldest = facts.get(partner.id, (0.0, 0.0, 0))
        if limit and currency.compare_amounts(open_amount + extra_amount, limit) > 0:
            balance = self.env._(
                "the open balance of %s", format_amount(self.env, open_amount, currency)
            )
            if extra_amount:
                balance = self.env._(
                    "%(balance)s plus this order of %(order)s",
                    balance=balance,
                    order=format_amount(self.env, extra_amount, currency),
                )
            reasons.append(
                self.env._(
                    "%(balance)s is over the credit limit of %(limit)s",
                    balance=balance,
                    limit=format_amount(self.env, limit, currency),
                )
            )
        if max_days and oldest and oldest > max_days:
            reasons.append(
                self.env._(
                    "an invoice is %(days)s days overdue (the limit is %(max)s days)",
                    days=oldest,
                    max=max_days,
                )
            )
        return reasons

    def _credit_hold_refresh(self):
        """Set or lift the hold of these customers by the rules; tracked.

        :return: the customers whose hold changed
        """
        changed = self.browse()
        customers = self.commercial_partner_id
        facts = customers._dso_open_facts()
        for partner in customers:
            reasons = partner._credit_hold_reasons(facts=facts)
            reason = "; ".join(reasons) or False
            if partner.credit_hold == bool(reasons) and (
                partner.credit_hold_reason == reason
            ):
                continue
            lifted = partner.credit_hold and not reasons
            partner.sudo().write(
                {"credit_hold": bool(reasons), "credit_hold_reason": reason}
            )
            # who and why, in the customer's history (the author is the user
            # or the job that changed it)
            partner.message_post(
                body=self.env._("Credit hold lifted: no hold rule applies any more.")
                if lifted
                else self.env._("On credit hold: %s.", reason),
                subtype_xmlid="mail.mt_note",
            )
            changed |= partner
        if changed:
            changed._zoho_enqueue_receivables()
        return changed

    @api.model
    def _cron_credit_hold(self):
        """Daily: invoices become overdue without anything being posted."""
        candidates = self.search(
            [
                ("is_company", "=", True),
                "|",
                ("credit_hold", "=", True),
                ("credit_limit", ">", 0),
            ]
        )
        self.env.cr.execute(
            """
            SELECT DISTINCT p.commercial_partner_id
              FROM account_move_line l
              JOIN account_account a ON a.id = l.account_id
              JOIN res_partner p ON p.id = l.partner_id
             WHERE a.account_type = 'asset_receivable' AND l.parent_state = 'posted'
               AND l.reconciled IS NOT TRUE AND l.date_maturity < CURRENT_DATE
            """
        )
        overdue = self.browse([row[0] for row in self.env.cr.fetchall()])
        for company in self.env["res.company"].search([]):
            (candidates | overdue).with_company(company)._credit_hold_refresh()

    def action_credit_hold_refresh(self):
        self._credit_hold_refresh()
        return True
