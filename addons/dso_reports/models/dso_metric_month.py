"""Monthly metric table, rebuilt from the company snapshots (never move lines)."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .. import metrics
from . import snapshot_sql

PHASES = [("before", "Before go-live"), ("after", "After go-live")]
COUNTBACK_MONTHS = 12


class DsoMetricMonth(models.Model):
    """One month of a company's collection metrics, as management reads them."""

    _name = "dso.metric.month"
    _description = "Monthly receivable metrics"
    _order = "company_id, month desc"
    _rec_name = "month"

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(required=True, readonly=True, help="First day of the month.")
    last_day = fields.Date(readonly=True, help="Date of the month's last snapshot.")
    days = fields.Integer(readonly=True)
    phase = fields.Selection(PHASES, readonly=True)
    receivable_begin = fields.Monetary(readonly=True, aggregator=None)
    receivable = fields.Monetary("Receivables", readonly=True, aggregator="avg")
    current_amount = fields.Monetary("Not due", readonly=True, aggregator="avg")
    overdue = fields.Monetary(readonly=True, aggregator="avg")
    credit_sales = fields.Monetary(readonly=True)
    collected = fields.Monetary(readonly=True)
    dso = fields.Float("DSO", readonly=True, aggregator="avg", digits=(16, 1))
    dso_average = fields.Float(
        "DSO (average receivables)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    dso_countback = fields.Float(
        "DSO (countback)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    best_dso = fields.Float(
        "Best possible DSO", readonly=True, aggregator="avg", digits=(16, 1)
    )
    days_delinquent = fields.Float(
        "Average days delinquent", readonly=True, aggregator="avg", digits=(16, 1)
    )
    days_late = fields.Float(
        "Days paid after due (weighted)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
    )
    days_to_pay = fields.Float(
        "Average days to pay", readonly=True, aggregator="avg", digits=(16, 1)
    )
    cei = fields.Float("CEI %", readonly=True, aggregator="avg", digits=(16, 1))

    _sql_constraints = [
        ("month_unique", "UNIQUE(company_id, month)", "One row per company and month.")
    ]

    @api.model
    def _month_facts(self, company):
        """:return: per month, the snapshot facts the metrics need, oldest first."""
        self.env.cr.execute(
            """
            WITH rows AS (
                SELECT date_trunc('month', date)::date AS month, date, receivable,
                       current_amount, overdue, credit_sales_day, paid_amount,
                       paid_days, late_days,
                       ROW_NUMBER() OVER (PARTITION BY date_trunc('month', date)
                                          ORDER BY date DESC) AS newest
                  FROM dso_snapshot
                 WHERE company_id = %s AND dimension = 'company'
            )
            SELECT month, MAX(date),
                   SUM(receivable) FILTER (WHERE newest = 1),
                   SUM(current_amount) FILTER (WHERE newest = 1),
                   SUM(overdue) FILTER (WHERE newest = 1),
                   SUM(credit_sales_day), SUM(paid_amount), SUM(paid_days),
                   SUM(late_days)
              FROM rows GROUP BY month ORDER BY month
            """,
            [company.id],
        )
        return self.env.cr.fetchall()

    @api.model
    def _opening_balance(self, company):
        """:return: the receivables at the end of the day before the first
        snapshot: the first month's opening balance, read "as of" from the books
        (the snapshots do not go further back)."""
        first_day = (
            self.env["dso.snapshot"]
            .search(
                [("company_id", "=", company.id), ("dimension", "=", "company")],
                order="date",
                limit=1,
            )
            .date
        )
        if not first_day:
            return 0.0
        params = self.env["dso.snapshot"]._sql_params(
            company, first_day - timedelta(days=1)
        )
        self.env.cr.execute(snapshot_sql.RECEIVABLE_AT, params)
        return self.env.cr.fetchone()[0]

    @api.model
    def _month_values(self, company, facts, opening=0.0):
        """Turn the monthly facts into metric rows with the pure metric functions.

        :param opening: receivables before the first month's first snapshot
        :return: row values; a metric that is undefined (nothing paid, nothing
            to collect) is ``None``
        """
        rows, history, previous_end = [], [], opening
        baseline = company.dso_baseline_date
        for (
            month,
            last_day,
            ar_end,
            current,
            overdue,
            sales,
            paid,
            pdays,
            ldays,
        ) in facts:
            days = (last_day - month).days + 1
            ar_begin = previous_end
            history.insert(0, (sales, days))
            dso = metrics.dso_simple(ar_end, sales, days)
            best = metrics.best_possible_dso(current, sales, days)
            rows.append(
                {
                    "company_id": company.id,
                    "month": month,
                    "last_day": last_day,
                    "days": days,
                    "phase": baseline and ("after" if month >= baseline else "before"),
                    "receivable_begin": ar_begin,
                    "receivable": ar_end,
                    "current_amount": current,
                    "overdue": overdue,
                    "credit_sales": sales,
                    "collected": ar_begin + sales - ar_end,
                    "dso": dso,
                    "dso_average": metrics.dso_average(ar_begin, ar_end, sales, days),
                    "dso_countback": metrics.dso_countback(
                        ar_end, history[:COUNTBACK_MONTHS]
                    ),
                    "best_dso": best,
                    "days_delinquent": metrics.average_days_delinquent(dso, best),
                    "days_late": paid and ldays / paid or None,
                    "days_to_pay": paid and pdays / paid or None,
                    "cei": metrics.collection_effectiveness_index(
                        ar_begin, sales, ar_end, current
                    ),
                }
            )
            previous_end = ar_end
        return rows

    @api.model
    def _rebuild(self, companies):
        """Replace the monthly rows of these companies (a few dozen rows each)."""
        self = self.sudo()
        for company in companies.sudo():
            self.search([("company_id", "=", company.id)]).unlink()
            facts = self._month_facts(company)
            if facts:
                self._create_rows(
                    self._month_values(company, facts, self._opening_balance(company))
                )
            baseline = company.dso_baseline_date
            self.env.cr.execute(
                """
                UPDATE dso_snapshot
                   SET phase = CASE WHEN %(baseline)s::date IS NULL THEN NULL
                                    WHEN date >= %(baseline)s::date THEN 'after'
                                    ELSE 'before' END
                 WHERE company_id = %(company)s
                   AND phase IS DISTINCT FROM
                       CASE WHEN %(baseline)s::date IS NULL THEN NULL
                            WHEN date >= %(baseline)s::date THEN 'after'
                            ELSE 'before' END
                """,
                {"baseline": baseline or None, "company": company.id},
            )
        self.env["dso.snapshot"].invalidate_model(["phase"])

    @api.model
    def _create_rows(self, rows):
        """Create the rows, keeping undefined metrics NULL in the table.

        The ORM stores an empty Float as 0.0; a month without payments would then
        average in as "paid in 0 days". NULL is what SQL's AVG (read_group's
        ``:avg``, the before/after comparison) leaves out.
        """
        undefined = [{key for key, val in row.items() if val is None} for row in rows]
        records = self.create(
            [
                {key: value for key, value in row.items() if value is not None}
                for row in rows
            ]
        )
        self.flush_model()
        for record, keys in zip(records, undefined, strict=True):
            if keys:
                assignments = SQL(", ").join(
                    SQL("%s = NULL", SQL.identifier(key)) for key in sorted(keys)
                )
                self.env.cr.execute(
                    SQL(
                        "UPDATE dso_metric_month SET %s WHERE id = %s",
                        assignments,
                        record.id,
                    )
                )
        records.invalidate_recordset()
        return records

    def action_open_invoices(self):
        """Drill-down: the invoices open at the end of this month."""
        self.ensure_one()
        snapshot = self.env["dso.snapshot"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("dimension", "=", "company"),
                ("date", "=", self.last_day),
            ],
            limit=1,
        )
        return snapshot.action_open_invoices()
