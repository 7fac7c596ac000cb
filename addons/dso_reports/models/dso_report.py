"""Management report: metric tables, charts, XLSX export, PDF and weekly digest."""

import base64
import datetime

from odoo import api, fields, models
from odoo.tools import format_date, formatLang

from .. import metrics
from ..render import charts, xlsx

MONTH_COLUMNS = [
    ("month", "Month"),
    ("phase", "Phase"),
    ("receivable", "Receivables"),
    ("current_amount", "Not due"),
    ("overdue", "Overdue"),
    ("credit_sales", "Credit sales"),
    ("collected", "Collected"),
    ("dso", "DSO"),
    ("dso_average", "DSO (average receivables)"),
    ("dso_countback", "DSO (countback)"),
    ("best_dso", "Best possible DSO"),
    ("days_delinquent", "Average days delinquent"),
    ("days_late", "Days paid after due (weighted)"),
    ("days_to_pay", "Average days to pay"),
    ("cei", "CEI %"),
]
COMPARED = ["dso", "best_dso", "days_delinquent", "days_to_pay", "cei"]
COMPARISON_HEADERS = ["Metric", "Before go-live", "After go-live", "Change %"]
# Columns of days and percentages: shown with the one decimal the metric fields
# store (digits=(16, 1)); every other number is an amount (two decimals).
AMOUNT_COLUMNS = [
    "receivable",
    "current_amount",
    "overdue",
    "credit_sales",
    "collected",
]
METRIC_HEADERS = {
    label
    for name, label in MONTH_COLUMNS
    if name not in ["month", "phase", *AMOUNT_COLUMNS]
} | set(COMPARISON_HEADERS[1:])
METRIC_DIGITS = 1
# File name of the digest's chart, also its Content-ID: the mail template shows
# it with <img src="cid:dso-trend.png">.
DIGEST_CHART = "dso-trend.png"


class DsoReport(models.AbstractModel):
    """The tables every export shows, built from snapshots and monthly rows."""

    _name = "dso.report"
    _description = "Receivables management report"

    @api.model
    def _tables(self, company, months=24):
        """:return: ``{name: (headers, rows)}`` of the metric tables."""
        month_rows = self.env["dso.metric.month"].search(
            [("company_id", "=", company.id)], limit=months, order="month desc"
        )[::-1]
        phase_names = dict(self.env["dso.metric.month"]._fields["phase"].selection)
        monthly = [
            [
                phase_names.get(row.phase, "")
                if name == "phase"
                else (row[name] if name == "month" else _number(row[name]))
                for name, _label in MONTH_COLUMNS
            ]
            for row in month_rows
        ]
        labels = metrics.bucket_labels(metrics.parse_buckets(company.dso_aging_buckets))
        Snapshot = self.env["dso.snapshot"]
        aging = [
            [snap.date] + [snap[f"bucket_{index}"] for index in range(5)]
            for snap in Snapshot.search(
                [
                    ("company_id", "=", company.id),
                    ("dimension", "=", "company"),
                    ("date", "in", [row.last_day for row in month_rows]),
                ],
                order="date",
            )
        ]
        latest = Snapshot.search(
            [("company_id", "=", company.id), ("dimension", "=", "company")],
            limit=1,
            order="date desc",
        )
        top = Snapshot.search(
            [
                ("company_id", "=", company.id),
                ("dimension", "=", "partner"),
                ("date", "=", latest.date),
                ("overdue", ">", 0),
            ],
            order="overdue desc",
            limit=20,
        )
        top_rows = [
            [snap.partner_id.display_name or "-", snap.receivable, snap.overdue]
            + [snap[f"bucket_{index}"] for index in range(1, 5)]
            + [_number(snap.dso)]
            for snap in top
        ]
        comparison = self._before_after(company)
        return {
            "Monthly metrics": ([label for _name, label in MONTH_COLUMNS], monthly),
            "Aging": (["Date"] + labels, aging),
            "Top overdue customers": (
                ["Customer", "Receivables", "Overdue"] + labels[1:] + ["DSO"],
                top_rows,
            ),
            "Before - after": (COMPARISON_HEADERS, comparison),
        }

    @api.model
    def _display_tables(self, tables):
        """The tables as people read them (PDF, digest): every cell as text in
        the user's language, amounts with two decimals, days and percentages
        with one, a month as "Apr 2024", an undefined figure as an empty cell.
        The XLSX keeps the numbers.

        :param tables: ``{name: (headers, rows)}`` as ``_tables`` returns
        :return: the same shape, cells as strings
        """
        return {
            name: (
                headers,
                [
                    [
                        self._display_cell(h, cell)
                        for h, cell in zip(headers, row, strict=True)
                    ]
                    for row in rows
                ],
            )
            for name, (headers, rows) in tables.items()
        }

    @api.model
    def _display_cell(self, header, value):
        if value is None or value is False:
            return ""
        if isinstance(value, datetime.date):
            month = header == dict(MONTH_COLUMNS)["month"]
            return format_date(self.env, value, date_format="MMM y" if month else False)
        if isinstance(value, int | float):
            digits = METRIC_DIGITS if header in METRIC_HEADERS else 2
            return formatLang(self.env, value, digits=digits)
        return value

    @api.model
    def _before_after(self, company):
        """Average daily metrics before and after the go-live date."""
        if not company.dso_baseline_date:
            return []
        Snapshot = self.env["dso.snapshot"]
        fields_ = Snapshot._fields
        groups = {
            phase: values
            for phase, *values in Snapshot._read_group(
                [("company_id", "=", company.id), ("dimension", "=", "company")],
                ["phase"],
                [f"{name}:avg" for name in ("dso", "best_dso", "days_delinquent")],
            )
        }
        months = {
            phase: values
            for phase, *values in self.env["dso.metric.month"]._read_group(
                [("company_id", "=", company.id)],
                ["phase"],
                ["days_to_pay:avg", "cei:avg"],
            )
        }
        before = groups.get("before", [None] * 3) + months.get("before", [None] * 2)
        after = groups.get("after", [None] * 3) + months.get("after", [None] * 2)
        month_fields = self.env["dso.metric.month"]._fields
        rows = []
        for index, name in enumerate(COMPARED):
            label = (fields_.get(name) or month_fields[name]).string
            old, new = before[index], after[index]
            change = (new - old) / old * 100 if old and new is not None else None
            rows.append([label, _number(old), _number(new), _number(change)])
        return rows

    @api.model
    def _charts(self, company, months=24):
        """:return: ``{name: reportlab Drawing}``: DSO trend, aging and CEI charts.

        ``render.charts.to_svg`` / ``to_png`` turn a drawing into bytes.
        """
        tables = self._tables(company, months)
        headers, monthly = tables["Monthly metrics"]
        labels = [row[0].strftime("%Y-%m") for row in monthly]
        column = {name: index for index, (name, _l) in enumerate(MONTH_COLUMNS)}
        aging_headers, aging = tables["Aging"]
        return {
            "dso_trend": charts.line_chart(
                "DSO trend (days)",
                labels,
                [
                    (headers[column[name]], [row[column[name]] for row in monthly])
                    for name in ("dso", "best_dso", "dso_countback")
                ],
            ),
            "aging": charts.stacked_bar_chart(
                "Aging at month end",
                [row[0].strftime("%Y-%m") for row in aging],
                [
                    (aging_headers[index], [row[index] for row in aging])
                    for index in range(1, 6)
                ],
            ),
            "cei": charts.line_chart(
                "Collection effectiveness index (%)",
                labels,
                [("CEI %", [row[column["cei"]] for row in monthly])],
            ),
        }

    # -- exports ---------------------------------------------------------------

    @api.model
    def _xlsx(self, company):
        tables = self._tables(company)
        return xlsx.workbook(
            [(name, headers, rows) for name, (headers, rows) in tables.items()]
        )

    @api.model
    def action_export_xlsx(self):
        """Download every metric table of the current company as one workbook."""
        company = self.env.company
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"receivables-{fields.Date.context_today(self)}.xlsx",
                "raw": self._xlsx(company),
                "mimetype": "application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet",
                "res_model": "res.company",
                "res_id": company.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    @api.model
    def action_print_pdf(self):
        return self.env.ref("dso_reports.action_report_dso_management").report_action(
            self.env.company
        )

    # -- weekly digest -----------------------------------------------------------

    @api.model
    def _digest_recipients(self, company):
        group = self.env.ref("dso_reports.group_dso_manager")
        return group.users.filtered(
            lambda user: (
                user.active
                and not user.share
                and company in user.company_ids
                and user.partner_id.email
            )
        ).partner_id

    @api.model
    def _send_digest(self, company):
        """E-mail the digest with the DSO chart as a PNG; :return: the mail.

        The body shows the chart inline (``cid:``, see ``ir.mail_server``), and
        the PNG is the mail's attachment too.
        """
        recipients = self._digest_recipients(company)
        if not recipients:
            return self.env["mail.mail"]
        chart = self._charts(company, months=13)["dso_trend"]
        attachment = self.env["ir.attachment"].create(
            {
                "name": DIGEST_CHART,
                "raw": charts.to_png(chart),
                "mimetype": "image/png",
                "res_model": "res.company",
                "res_id": company.id,
            }
        )
        template = self.env.ref("dso_reports.mail_template_dso_digest")
        tables = self._display_tables(self._tables(company, months=3))
        mail_id = template.with_context(
            dso_months=tables["Monthly metrics"][1][::-1],
            dso_top=tables["Top overdue customers"][1][:10],
            dso_comparison=tables["Before - after"][1],
            dso_chart=DIGEST_CHART,
        ).send_mail(
            company.id,
            email_values={
                "recipient_ids": [(6, 0, recipients.ids)],
                "attachment_ids": [(4, attachment.id)],
            },
        )
        return self.env["mail.mail"].browse(mail_id)

    @api.model
    def _cron_send_digest(self):
        for company in self.env["res.company"].search([("dso_digest", "=", True)]):
            self._send_digest(company)


class ReportDsoManagement(models.AbstractModel):
    _name = "report.dso_reports.report_dso_management"
    _description = "Receivables management PDF"

    @api.model
    def _get_report_values(self, docids, data=None):
        companies = self.env["res.company"].browse(docids)
        Report = self.env["dso.report"]
        pages = []
        for company in companies:
            pages.append(
                {
                    "company": company,
                    "tables": Report._display_tables(Report._tables(company)),
                    "charts": {
                        name: base64.b64encode(charts.to_svg(drawing)).decode()
                        for name, drawing in Report._charts(company).items()
                    },
                    "printed": format_date(self.env, fields.Date.context_today(self)),
                }
            )
        return {"doc_ids": docids, "docs": companies, "pages": pages}


def _number(value):
    if value is None or value is False:
        return None
    return round(float(value), 2)
