from odoo import fields, models, tools


class DsoAging(models.Model):
    """Aging buckets of the company snapshots, one row per bucket (for stacking)."""

    _name = "dso.aging"
    _description = "Receivables aging (from snapshots)"
    _auto = False
    _order = "date desc, bucket"

    snapshot_id = fields.Many2one("dso.snapshot", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(readonly=True)
    month_end = fields.Boolean(readonly=True, help="Last snapshot of its month.")
    bucket = fields.Char(readonly=True)
    amount = fields.Monetary(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS
            SELECT s.id * 5 + b.n AS id, s.id AS snapshot_id, s.company_id, s.date,
                   s.date = MAX(s.date) OVER (
                       PARTITION BY s.company_id, date_trunc('month', s.date)
                   ) AS month_end,
                   CASE b.n
                     WHEN 0 THEN '0 Not due'
                     WHEN 1 THEN '1 Overdue 1-' ||
                          split_part(c.dso_aging_buckets, ',', 1)
                     WHEN 2 THEN '2 Overdue ' ||
                          (split_part(c.dso_aging_buckets, ',', 1)::int + 1) || '-' ||
                          split_part(c.dso_aging_buckets, ',', 2)
                     WHEN 3 THEN '3 Overdue ' ||
                          (split_part(c.dso_aging_buckets, ',', 2)::int + 1) || '-' ||
                          split_part(c.dso_aging_buckets, ',', 3)
                     ELSE '4 Overdue > ' || split_part(c.dso_aging_buckets, ',', 3)
                   END AS bucket,
                   CASE b.n WHEN 0 THEN s.bucket_0 WHEN 1 THEN s.bucket_1
                            WHEN 2 THEN s.bucket_2 WHEN 3 THEN s.bucket_3
                            ELSE s.bucket_4 END AS amount
              FROM dso_snapshot s
              JOIN res_company c ON c.id = s.company_id
             CROSS JOIN generate_series(0, 4) AS b(n)
             WHERE s.dimension = 'company'
            """
        )

    def action_open_invoices(self):
        self.ensure_one()
        return self.snapshot_id.action_open_invoices()
