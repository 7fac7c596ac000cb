"""Daily receivable snapshots: what management trends are read from."""

import logging
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from ..metrics import parse_buckets
from . import snapshot_sql

_logger = logging.getLogger(__name__)

# pg_advisory_xact_lock(class, company): one snapshot writer per company at a time
ADVISORY_LOCK_CLASS = 72_051

DIMENSIONS = [
    ("company", "Company"),
    ("partner", "Customer"),
    ("salesperson", "Salesperson"),
    ("segment", "Segment"),
]
SEGMENTS = [("monthly", "Monthly account"), ("card", "Pay by card")]


class SnapshotBusy(RetryableJobError):
    """Another transaction is writing this company's snapshots: retry later.

    A RetryableJobError, so a queued run simply tries again.
    """


class DsoSnapshot(models.Model):
    """Receivables of one day, for a company, customer, salesperson or segment.

    Rows are written in SQL by :meth:`_snapshot_days` (unique on date, company,
    dimension and key) and never edited by people.
    """

    _name = "dso.snapshot"
    _description = "Receivables snapshot"
    _order = "date desc, company_id, dimension, receivable desc"
    _rec_name = "date"

    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    dimension = fields.Selection(DIMENSIONS, required=True, readonly=True)
    key = fields.Char(required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True, index=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    segment = fields.Selection(SEGMENTS, readonly=True)
    receivable = fields.Monetary("Receivables", readonly=True)
    current_amount = fields.Monetary("Not due", readonly=True)
    overdue = fields.Monetary(readonly=True)
    bucket_0 = fields.Monetary("Not due (aging)", readonly=True)
    bucket_1 = fields.Monetary("Overdue 1st bucket", readonly=True)
    bucket_2 = fields.Monetary("Overdue 2nd bucket", readonly=True)
    bucket_3 = fields.Monetary("Overdue 3rd bucket", readonly=True)
    bucket_4 = fields.Monetary("Overdue beyond", readonly=True)
    credit_sales_period = fields.Monetary("Credit sales (period)", readonly=True)
    credit_sales_day = fields.Monetary("Credit sales (day)", readonly=True)
    paid_amount = fields.Monetary("Paid (day)", readonly=True)
    paid_days = fields.Float("Amount × days to pay", readonly=True)
    late_days = fields.Float("Amount × days late", readonly=True)
    period_days = fields.Integer(readonly=True)
    dso = fields.Float("DSO", readonly=True, aggregator="avg", digits=(16, 1))
    best_dso = fields.Float(
        "Best possible DSO", readonly=True, aggregator="avg", digits=(16, 1)
    )
    days_delinquent = fields.Float(
        "Average days delinquent", readonly=True, aggregator="avg", digits=(16, 1)
    )
    is_latest = fields.Boolean(
        "Latest", readonly=True, index=True, help="The company's newest snapshot day."
    )
    phase = fields.Selection(
        [("before", "Before go-live"), ("after", "After go-live")],
        readonly=True,
        help="Against the company's go-live (baseline) date.",
    )

    _sql_constraints = [
        (
            "snapshot_unique",
            "UNIQUE(date, company_id, dimension, key)",
            "One snapshot per day, company, dimension and key.",
        ),
    ]

    def init(self):
        # the open-receivable scan reads only lines not yet fully reconciled
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS dso_aml_open_date_idx
                ON account_move_line (date)
             WHERE parent_state = 'posted' AND reconciled IS NOT TRUE
            """
        )
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS dso_aml_posted_date_idx
                ON account_move_line (account_id, date)
             WHERE parent_state = 'posted'
            """
        )
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS dso_partial_max_date_idx
                ON account_partial_reconcile (max_date)
            """
        )

    # -- computing ------------------------------------------------------------

    @api.model
    def _sql_params(self, company, day):
        bounds = parse_buckets(company.dso_aging_buckets)
        return {
            "day": day,
            "company_ids": [company.id],
            "period": company.dso_period_days,
            "b1": bounds[0],
            "b2": bounds[1],
            "b3": bounds[2],
            "uid": self.env.uid,
        }

    @api.model
    def _snapshot_days(self, date_from, date_to=None, companies=None):
        """Compute the snapshots of each day in the range, for each company.

        Idempotent: a day computed again replaces its rows (upsert on the unique
        key, rows that no longer apply are removed). One writer per company at a
        time (transaction-level advisory lock); the lock is tried, not waited
        for, because a waiting REPEATABLE READ transaction could not see what
        the other one commits.

        :return: number of days computed
        :raises SnapshotBusy: another run holds a company's lock
        """
        companies = companies or self.env["res.company"].search([])
        date_to = date_to or date_from
        self.flush_model()
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        days = 0
        for company in companies:
            self.env.cr.execute(
                "SELECT pg_try_advisory_xact_lock(%s, %s)",
                [ADVISORY_LOCK_CLASS, company.id],
            )
            if not self.env.cr.fetchone()[0]:
                raise SnapshotBusy(
                    f"Snapshots of {company.name} are being computed", seconds=30
                )
            day = date_from
            while day <= date_to:
                self.env.cr.execute(
                    snapshot_sql.SNAPSHOT_UPSERT, self._sql_params(company, day)
                )
                day += timedelta(days=1)
                days += 1
            self.env.cr.execute(
                """
                UPDATE dso_snapshot s SET is_latest = (s.date = newest.date)
                  FROM (SELECT MAX(date) AS date FROM dso_snapshot
                         WHERE company_id = %(company)s) newest
                 WHERE s.company_id = %(company)s
                   AND s.is_latest IS DISTINCT FROM (s.date = newest.date)
                """,
                {"company": company.id},
            )
        self.invalidate_model()
        self.env["dso.metric.month"]._rebuild(companies)
        return days

    @api.model
    def _cron_snapshot(self):
        """Daily: snapshot yesterday (final) and today (so far)."""
        today = fields.Date.context_today(self)
        try:
            self._snapshot_days(today - timedelta(days=1), today)
        except SnapshotBusy:
            _logger.info("Snapshots busy: queued to run after the current run")
            self.with_delay(
                description="Receivable snapshots (after a busy cron)"
            )._snapshot_days(today - timedelta(days=1), today)

    # -- drill-down -------------------------------------------------------------

    def _open_move_ids(self, min_days=None):
        """:return: ids of the invoices and entries open behind this row."""
        self.ensure_one()
        params = self._sql_params(self.company_id, self.date)
        params.update(
            partner_id=self.partner_id.id if self.dimension == "partner" else None,
            user_id=int(self.key) if self.dimension == "salesperson" else None,
            segment=self.segment if self.dimension == "segment" else None,
            min_days=min_days,
        )
        self.env.cr.execute(snapshot_sql.OPEN_MOVES, params)
        return [row[0] for row in self.env.cr.fetchall()]

    def action_open_invoices(self):
        """Drill-down: the invoices open at the snapshot's date."""
        return self._moves_action(self._open_move_ids())

    def action_open_overdue_invoices(self):
        """Drill-down: the invoices overdue at the snapshot's date."""
        return self._moves_action(self._open_move_ids(min_days=1))

    def _moves_action(self, move_ids):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        title = self.env._("Open on %s", fields.Date.to_string(self.date))
        action.update(
            name=title,
            display_name=title,
            domain=[("id", "in", move_ids)],
            context={"create": False, "default_move_type": "out_invoice"},
        )
        return action
