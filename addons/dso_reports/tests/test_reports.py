"""Exports and the digest: real XLSX, a real PDF with the charts, one e-mail."""

import io
import re
import subprocess
import zipfile
from datetime import date
from email import message_from_bytes, policy

from PIL import Image

from odoo.tests import HttpCase, tagged
from odoo.tools import float_round

from .common import DsoCase, ReceivablesMixin


@tagged("post_install", "-at_install")
class TestReports(DsoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.name = "Test customer overdue"
        invoice = cls.make_invoice(1200, "2024-05-02", "2024-06-01")
        cls.pay(invoice, 1200, "2024-06-20")
        cls.make_invoice(800, "2024-06-05", "2024-07-05")
        cls.company.dso_baseline_date = date(2024, 6, 1)
        cls.Snapshot._snapshot_days(date(2024, 5, 1), date(2024, 6, 30), cls.company)

    def test_xlsx_has_every_metric_table(self):
        content = self.env["dso.report"]._xlsx(self.company)
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            workbook = book.read("xl/workbook.xml").decode()
            strings = book.read("xl/sharedStrings.xml").decode()
            sheets = [
                name for name in book.namelist() if name.startswith("xl/worksheets/")
            ]
        for name in (
            "Monthly metrics",
            "Aging",
            "Top overdue customers",
            "Before - after",
        ):
            self.assertIn(f'name="{name}"', workbook)
        self.assertEqual(len(sheets), 4)
        for header in ("DSO (countback)", "CEI %", "Best possible DSO", "Receivables"):
            self.assertIn(header, strings)

    def test_report_html_has_the_charts(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "dso_reports.action_report_dso_management", self.company.ids
            )[0]
            .decode()
        )
        self.assertEqual(html.count("data:image/svg+xml;base64,"), 3)
        self.assertIn("Top overdue customers", html)

    def test_weekly_digest_goes_to_the_managers_with_the_chart(self):
        manager = self.env.ref("o2c_base.user_manager")
        self.assertIn(self.env.ref("dso_reports.group_dso_manager"), manager.groups_id)
        mail = self.env["dso.report"]._send_digest(self.company)
        self.assertIn(manager.partner_id, mail.recipient_ids)
        self.assertIn("DSO", mail.body_html)
        # the chart is a real PNG, of the size of the drawing at 144 dpi
        chart = mail.attachment_ids
        self.assertEqual((chart.name, chart.mimetype), ("dso-trend.png", "image/png"))
        self.assertTrue(chart.raw.startswith(b"\x89PNG\r\n\x1a\n"))
        with Image.open(io.BytesIO(chart.raw)) as image:
            image.verify()  # decodes the whole file: a truncated PNG raises
        with Image.open(io.BytesIO(chart.raw)) as image:
            self.assertEqual((image.format, image.size), ("PNG", (1040, 440)))
            # not a blank canvas: the lines, axes and labels use many colours
            self.assertGreater(len(image.convert("RGB").getcolors(1 << 16)), 20)

    def test_digest_shows_the_chart_inline(self):
        """The e-mail as Odoo sends it: the body's cid: image is a related part."""
        mail = self.env["dso.report"]._send_digest(self.company)
        self.assertIn('src="cid:dso-trend.png"', mail.body_html)
        outgoing = mail._prepare_outgoing_list()[0]
        message = self.env["ir.mail_server"].build_email(
            email_from=outgoing["email_from"],
            email_to=outgoing["email_to"],
            subject=outgoing["subject"],
            body=outgoing["body"],
            body_alternative=outgoing["body_alternative"],
            attachments=outgoing["attachments"],
            subtype="html",
            subtype_alternative="plain",
        )
        # a parser's view of the sent bytes, not of the object we built
        parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
        html = parsed.get_body(preferencelist=("html",))
        related = [
            part
            for part in parsed.walk()
            if part.get_content_type() == "multipart/related"
        ]
        self.assertEqual(len(related), 1)
        self.assertIn(html, related[0].get_payload())
        (image,) = [
            part for part in parsed.walk() if part.get_content_type() == "image/png"
        ]
        self.assertIn(image, related[0].get_payload())
        self.assertEqual(image["Content-ID"], "<dso-trend.png>")
        self.assertEqual(image.get_content_disposition(), "inline")
        self.assertEqual(image.get_content(), mail.attachment_ids.raw)
        # nothing else left as a plain attachment
        self.assertEqual(list(parsed.iter_attachments()), [])

    def test_dashboard_and_views_load(self):
        action = self.env.ref("dso_reports.action_dso_dashboard")
        view = self.env.ref("dso_reports.dso_dashboard_view")
        self.assertIn(
            f'name="{self.env.ref("dso_reports.action_dso_metric_month").id}"',
            view.arch,
        )
        self.assertEqual(action.res_model, "board.board")
        for model in ("dso.snapshot", "dso.metric.month", "dso.aging"):
            for view_type in ("list", "graph"):
                self.env[model].get_views([(False, view_type)])
        aging = self.env["dso.aging"].search(
            [("company_id", "=", self.company.id), ("date", "=", date(2024, 6, 30))]
        )
        self.assertEqual(len(aging), 5)


def days(value):
    """A day count or percentage as the report prints it: one decimal, half up."""
    return f"{float_round(value, precision_digits=1):,.1f}"


@tagged("post_install", "-at_install")
class TestReportPdf(ReceivablesMixin, HttpCase):
    """The PDF as wkhtmltopdf prints it, read back with poppler's pdftotext.

    HttpCase, because wkhtmltopdf fetches the report's assets from the running
    test server (Odoo's own report rendering tests do the same). A company of its
    own keeps the demo history out of the figures, which are computed by hand:

    - invoice A 3,000 on 2024-04-10, due 2024-05-10; 1,000 paid on 2024-05-20;
    - invoice B 2,000 on 2024-05-15, due 2024-06-14; go-live 2024-05-01.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        main = cls.env.company
        company = cls.env["res.company"].create(
            {
                "name": "PDF Printing Co",
                "country_id": main.country_id.id,
                "currency_id": main.currency_id.id,
            }
        )
        Chart = cls.env["account.chart.template"]
        Chart.try_loading(
            Chart._guess_chart_template(company.country_id),
            company=company,
            install_demo=False,
        )
        cls.env.user.company_ids |= company
        cls.env = cls.env(
            context=dict(
                cls.env.context, allowed_company_ids=company.ids, tracking_disable=True
            )
        )
        cls.company = company.with_env(cls.env)
        cls.company.write(
            {
                "dso_period_days": 90,
                "dso_aging_buckets": "30,60,90",
                "dso_baseline_date": date(2024, 5, 1),
            }
        )
        cls.customer = cls.make_customer("Harbour Stationers")
        invoice_a = cls.make_invoice(3000, "2024-04-10", "2024-05-10")
        cls.pay(invoice_a, 1000, "2024-05-20")
        cls.make_invoice(2000, "2024-05-15", "2024-06-14")
        cls.env["dso.snapshot"]._snapshot_days(
            date(2024, 4, 1), date(2024, 5, 31), cls.company
        )

    def _pdf(self):
        content, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "dso_reports.action_report_dso_management", self.company.ids
            )
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(content.startswith(b"%PDF-"))
        return content

    def _row(self, text, first_cell):
        """:return: the cells of the table line that starts with ``first_cell``
        (pdftotext -layout keeps a table row on one line, cells 2+ spaces apart)."""
        for line in text.splitlines():
            cells = re.split(r"\s{2,}", line.strip())
            if cells[0] == first_cell:
                return cells
        self.fail(f"no table row starts with {first_cell!r} in:\n{text}")

    def test_undefined_month_metrics_stay_out_of_the_averages(self):
        # April: nothing paid (no days to pay) and nothing to collect (CEI 0 / 0)
        self.env.cr.execute(
            "SELECT days_to_pay, cei FROM dso_metric_month"
            " WHERE company_id = %s AND month = '2024-04-01'",
            [self.company.id],
        )
        self.assertEqual(self.env.cr.fetchone(), (None, None))
        rows = {
            row[0]: row[1:]
            for row in self.env["dso.report"]._before_after(self.company)
        }
        # before go-live there is no month with a payment: no average, no change;
        # after it, May's 40 days
        self.assertEqual(rows["Average days to pay"], [None, 40.0, None])

    def test_pdf_report_prints_the_figures_and_the_charts(self):
        content = self._pdf()
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=content,
            capture_output=True,
            check=True,
        ).stdout.decode()
        self.assertIn("Receivables – PDF Printing Co", text)

        # April: A is open and not yet due. 30 days of snapshots, the first ones:
        # the opening balance comes from the books (nothing before April), so
        # nothing was collected. DSO = 3,000 / 3,000 sold x 30 days; countback:
        # April's sales cover it
        april = self._row(text, "Apr 2024")
        self.assertEqual(
            april[1:7],
            ["Before go-live", "3,000.00", "3,000.00", "0.00", "3,000.00", "0.00"],
        )
        self.assertEqual(april[7], "30.0")
        # May (31 days): 2,000 of A overdue (21 days: bucket 1-30) + B not due
        may = self._row(text, "May 2024")
        dso = 4000 / 2000 * 31  # 62
        best = 2000 / 2000 * 31  # 31
        average = (3000 + 4000) / 2 / 2000 * 31  # 54.25
        countback = 31 + 2000 / 3000 * 30  # May's 2,000, then 2/3 of April: 51
        cei = (3000 + 2000 - 4000) / (3000 + 2000 - 2000) * 100  # 33.33
        expected = [
            "After go-live",
            "4,000.00",  # receivables
            "2,000.00",  # not due
            "2,000.00",  # overdue
            "2,000.00",  # credit sales
            "1,000.00",  # collected: 3,000 + 2,000 - 4,000
            dso,
            average,
            countback,
            best,
            dso - best,  # average days delinquent
            10,  # paid 2024-05-20, due 2024-05-10
            40,  # invoiced 2024-04-10, paid 2024-05-20
            cei,
        ]
        self.assertEqual(
            may[1:],
            [value if isinstance(value, str) else days(value) for value in expected],
        )
        # aging at month end: not due, 1-30, 31-60, 61-90, > 90
        self.assertEqual(
            self._row(text, "04/30/2024")[1:],
            ["3,000.00", "0.00", "0.00", "0.00", "0.00"],
        )
        self.assertEqual(
            self._row(text, "05/31/2024")[1:],
            ["2,000.00", "2,000.00", "0.00", "0.00", "0.00"],
        )
        # the customer on the latest day: DSO over the 90-day period
        self.assertEqual(
            self._row(text, "Harbour Stationers")[1:],
            ["4,000.00", "2,000.00", "2,000.00", "0.00", "0.00", "0.00", "72.0"],
        )
        # before/after go-live, average daily DSO (90-day period): 90 every day
        # of April with receivables; in May 90 for 19 days, then 4,000 / 5,000
        # x 90 = 72 for 12 days
        after = (19 * 90 + 12 * 72) / 31
        self.assertEqual(
            self._row(text, "DSO")[1:],
            ["90.0", days(after), days((after - 90) / 90 * 100)],
        )

        # the three server-side charts: their titles are text of the SVG drawings
        for title in (
            "DSO trend (days)",
            "Aging at month end",
            "Collection effectiveness index (%)",
        ):
            self.assertIn(title, text)
