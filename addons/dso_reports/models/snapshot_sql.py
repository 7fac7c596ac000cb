"""Set-based SQL for receivables "as of" a date and the daily snapshot.

"As of" a day means: what the books said at the end of that day. A receivable
line counts when it is dated on or before the day; a reconciliation counts from
its ``max_date`` (the later of the two matched lines' dates, i.e. the payment's
date for a payment), so a payment recorded today for an old invoice changes
today's figures and not the past, and a back-dated payment changes the past from
its own date on. Open amounts are ``balance`` minus the partial reconciliations
known at the day, never today's residual amounts.

A line that is fully reconciled today and has no reconciliation after the day
is closed at the day too, so only lines not yet fully reconciled and lines with a
reconciliation after the day are read (exact, and what keeps a day of a large
ledger fast: both sets come from small indexes).
"""

# dimensions of receivable line ``l`` (move ``m``, partner ``p``, its company ``cp``)
DIMENSIONS = """           l.company_id,
           p.commercial_partner_id AS partner_id,
           COALESCE(m.invoice_user_id, 0) AS user_id,
           CASE WHEN cp.monthly_billing_eligible THEN 'monthly' ELSE 'card' END
               AS segment,
"""

# posted receivable lines ``l`` of the companies, with what DIMENSIONS needs
RECEIVABLE_LINES = """      FROM account_move_line l
      JOIN account_account a ON a.id = l.account_id
      JOIN account_move m ON m.id = l.move_id
      LEFT JOIN res_partner p ON p.id = l.partner_id
      LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
     WHERE a.account_type = 'asset_receivable'
       AND l.parent_state = 'posted'
       AND l.company_id = ANY(%(company_ids)s)
"""

# days overdue and open amount at %(day)s of receivable line ``l``
_DAYS_AND_OPEN_AMOUNT = """\
           %(day)s::date - COALESCE(l.date_maturity, l.date) AS days_overdue,
           l.balance
             - COALESCE((SELECT SUM(pr.amount) FROM account_partial_reconcile pr
                          WHERE pr.debit_move_id = l.id
                            AND pr.max_date <= %(day)s::date), 0)
             + COALESCE((SELECT SUM(pr.amount) FROM account_partial_reconcile pr
                          WHERE pr.credit_move_id = l.id
                            AND pr.max_date <= %(day)s::date), 0) AS open_amount"""

# lines dated on or before the day, without cash sales
_DATED_NO_CASH_SALES = """\
       AND l.date <= %(day)s::date
       AND NOT (m.move_type IN ('out_invoice', 'out_refund')
                AND COALESCE(l.date_maturity, l.date) <= l.date)"""

# Receivable lines with their open amount at %(day)s, their dimensions; without
# "cash sales" (an invoice due on its own date is a sale paid on the spot,
# e.g. a card order: neither a credit sale nor a receivable we wait for).
OPEN_LINES = f"""
    SELECT l.id AS line_id,
           l.move_id,
{DIMENSIONS}
{_DAYS_AND_OPEN_AMOUNT}
{RECEIVABLE_LINES}
{_DATED_NO_CASH_SALES}
       AND l.id IN (
            SELECT id FROM account_move_line
             WHERE reconciled IS NOT TRUE AND parent_state = 'posted'
               AND date <= %(day)s::date
            UNION ALL
            SELECT debit_move_id FROM account_partial_reconcile
             WHERE max_date > %(day)s::date
            UNION ALL
            SELECT credit_move_id FROM account_partial_reconcile
             WHERE max_date > %(day)s::date)
"""

# Credit sales (invoices minus credit notes, taxes included) dated in the
# trailing period that ends at the day, and those dated on the day itself.
CREDIT_SALES = f"""
    SELECT
{DIMENSIONS}
           l.balance AS sales_period,
           CASE WHEN l.date = %(day)s::date THEN l.balance ELSE 0 END AS sales_day
{RECEIVABLE_LINES}
       AND m.move_type IN ('out_invoice', 'out_refund')
       AND COALESCE(l.date_maturity, l.date) > l.date
       AND l.date > %(day)s::date - %(period)s
       AND l.date <= %(day)s::date
"""

# Payments of credit sales matched on the day: amount, days from invoice to
# payment and days after due, for average days to pay and days late.
PAYMENTS = f"""
    SELECT
{DIMENSIONS}
           pr.amount AS paid,
           pr.amount * (pr.max_date - l.date) AS paid_days,
           pr.amount * GREATEST(pr.max_date - COALESCE(l.date_maturity, l.date), 0)
               AS late_days
      FROM account_partial_reconcile pr
      JOIN account_move_line l ON l.id = pr.debit_move_id
      JOIN account_account a ON a.id = l.account_id
      JOIN account_move m ON m.id = l.move_id
      JOIN account_move_line c ON c.id = pr.credit_move_id
      JOIN account_move cm ON cm.id = c.move_id
      LEFT JOIN res_partner p ON p.id = l.partner_id
      LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
     WHERE pr.max_date = %(day)s::date
       AND a.account_type = 'asset_receivable'
       AND l.company_id = ANY(%(company_ids)s)
       AND m.move_type = 'out_invoice'
       AND COALESCE(l.date_maturity, l.date) > l.date
       AND (cm.origin_payment_id IS NOT NULL OR cm.statement_line_id IS NOT NULL)
"""

_BUCKET = """
    SUM(CASE WHEN {cond} THEN open_amount ELSE 0 END)"""

# one row per (company | customer | salesperson | segment) in one pass
SNAPSHOT_UPSERT = f"""
WITH open_lines AS ({OPEN_LINES}),
facts AS (
    SELECT company_id, partner_id, user_id, segment,
           open_amount, days_overdue,
           0.0 AS sales_period, 0.0 AS sales_day,
           0.0 AS paid, 0.0 AS paid_days, 0.0 AS late_days
      FROM open_lines
     WHERE open_amount <> 0
    UNION ALL
    SELECT company_id, partner_id, user_id, segment, 0.0, 0,
           sales_period, sales_day, 0.0, 0.0, 0.0
      FROM ({CREDIT_SALES}) s
    UNION ALL
    SELECT company_id, partner_id, user_id, segment, 0.0, 0,
           0.0, 0.0, paid, paid_days, late_days
      FROM ({PAYMENTS}) pay
),
grouped AS (
    SELECT company_id,
           CASE GROUPING(partner_id, user_id, segment)
                WHEN 7 THEN 'company' WHEN 3 THEN 'partner'
                WHEN 5 THEN 'salesperson' ELSE 'segment' END AS dimension,
           partner_id, user_id, segment,
           SUM(open_amount) AS receivable,
           {_BUCKET.format(cond="days_overdue <= 0")} AS bucket_0,
           {_BUCKET.format(cond="days_overdue BETWEEN 1 AND %(b1)s")} AS bucket_1,
           {_BUCKET.format(cond="days_overdue BETWEEN %(b1)s + 1 AND %(b2)s")}
               AS bucket_2,
           {_BUCKET.format(cond="days_overdue BETWEEN %(b2)s + 1 AND %(b3)s")}
               AS bucket_3,
           {_BUCKET.format(cond="days_overdue > %(b3)s")} AS bucket_4,
           SUM(sales_period) AS sales_period,
           SUM(sales_day) AS sales_day,
           SUM(paid) AS paid, SUM(paid_days) AS paid_days,
           SUM(late_days) AS late_days
      FROM facts
     GROUP BY GROUPING SETS ((company_id), (company_id, partner_id),
                             (company_id, user_id), (company_id, segment))
),
upserted AS (
    INSERT INTO dso_snapshot (
        date, company_id, dimension, key, partner_id, user_id, segment,
        receivable, current_amount, overdue,
        bucket_0, bucket_1, bucket_2, bucket_3, bucket_4,
        credit_sales_period, credit_sales_day, paid_amount, paid_days, late_days,
        period_days, dso, best_dso, days_delinquent,
        create_uid, create_date, write_uid, write_date)
    SELECT %(day)s::date, company_id, dimension,
           CASE dimension WHEN 'company' THEN ''
                          WHEN 'partner' THEN COALESCE(partner_id, 0)::text
                          WHEN 'salesperson' THEN user_id::text
                          ELSE segment END,
           CASE WHEN dimension = 'partner' THEN partner_id END,
           CASE WHEN dimension = 'salesperson' AND user_id <> 0 THEN user_id END,
           CASE WHEN dimension = 'segment' THEN segment END,
           receivable, bucket_0, receivable - bucket_0,
           bucket_0, bucket_1, bucket_2, bucket_3, bucket_4,
           sales_period, sales_day, paid, paid_days, late_days,
           %(period)s,
           receivable / NULLIF(sales_period, 0) * %(period)s,
           bucket_0 / NULLIF(sales_period, 0) * %(period)s,
           (receivable - bucket_0) / NULLIF(sales_period, 0) * %(period)s,
           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
      FROM grouped
     WHERE dimension = 'company'
        OR receivable <> 0 OR sales_period <> 0 OR paid <> 0
    ON CONFLICT (date, company_id, dimension, key) DO UPDATE SET
        receivable = EXCLUDED.receivable,
        current_amount = EXCLUDED.current_amount,
        overdue = EXCLUDED.overdue,
        bucket_0 = EXCLUDED.bucket_0, bucket_1 = EXCLUDED.bucket_1,
        bucket_2 = EXCLUDED.bucket_2, bucket_3 = EXCLUDED.bucket_3,
        bucket_4 = EXCLUDED.bucket_4,
        credit_sales_period = EXCLUDED.credit_sales_period,
        credit_sales_day = EXCLUDED.credit_sales_day,
        paid_amount = EXCLUDED.paid_amount,
        paid_days = EXCLUDED.paid_days,
        late_days = EXCLUDED.late_days,
        period_days = EXCLUDED.period_days,
        dso = EXCLUDED.dso,
        best_dso = EXCLUDED.best_dso,
        days_delinquent = EXCLUDED.days_delinquent,
        write_uid = EXCLUDED.write_uid,
        write_date = EXCLUDED.write_date
    RETURNING id
)
DELETE FROM dso_snapshot
 WHERE date = %(day)s::date
   AND company_id = ANY(%(company_ids)s)
   AND id NOT IN (SELECT id FROM upserted)
"""

# a company's receivables at the end of %(day)s: the opening balance of the next day
RECEIVABLE_AT = f"""
SELECT COALESCE(SUM(open_amount), 0) FROM ({OPEN_LINES}) o
"""

# the invoices behind a figure: open receivable lines at the day, per dimension
OPEN_MOVES = f"""
SELECT DISTINCT move_id FROM ({OPEN_LINES}) o
 WHERE open_amount <> 0
   AND (%(partner_id)s IS NULL OR partner_id = %(partner_id)s)
   AND (%(user_id)s IS NULL OR user_id = %(user_id)s)
   AND (%(segment)s IS NULL OR segment = %(segment)s)
   AND (%(min_days)s IS NULL OR days_overdue >= %(min_days)s)
"""

# customers' open and overdue amounts at the day and their oldest overdue days,
# cash sales included (for credit control an unpaid cash sale is owed like any
# invoice). The same lines as OPEN_LINES (not fully reconciled, or reconciled
# after the day), read through the customers' contacts (%(customer_ids)s, then
# an index on the lines' partner; archived contacts too: their invoices count):
# the credit check of every web order costs the customer's lines, not the
# company's open ledger. No join to the moves or the accounts: it runs for every
# web order, and planning those joins cost more than running the query.
PARTNER_OPEN = f"""
SELECT partner_id,
       SUM(open_amount),
       SUM(CASE WHEN days_overdue > 0 THEN open_amount ELSE 0 END),
       MAX(CASE WHEN days_overdue > 0 AND open_amount > 0 THEN days_overdue END)
  FROM (
    SELECT p.commercial_partner_id AS partner_id,
{_DAYS_AND_OPEN_AMOUNT}
      FROM res_partner p
      JOIN account_move_line l ON l.partner_id = p.id
     WHERE p.commercial_partner_id = ANY(%(customer_ids)s)
       AND l.account_id IN (SELECT id FROM account_account
                             WHERE account_type = 'asset_receivable')
       AND l.parent_state = 'posted'
       AND l.company_id = ANY(%(company_ids)s)
       AND l.date <= %(day)s::date
       AND (l.reconciled IS NOT TRUE
            OR EXISTS (SELECT 1 FROM account_partial_reconcile pr
                        WHERE pr.debit_move_id = l.id AND pr.max_date > %(day)s::date)
            OR EXISTS (SELECT 1 FROM account_partial_reconcile pr
                        WHERE pr.credit_move_id = l.id
                          AND pr.max_date > %(day)s::date))
    -- a fence: the open amounts (two subqueries each) of these customers'
    -- lines only, never of every line the planner reads before the partner
    -- filter (the ledger-wide open lines, when the statistics are stale)
    OFFSET 0) o
 WHERE open_amount <> 0
 GROUP BY partner_id
"""
