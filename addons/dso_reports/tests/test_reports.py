"""Exports and the digest: real XLSX, a real PDF with the charts, one e-mail."""

import io
import subprocess
import zipfile
from datetime import date

from odoo.tests import HttpCase, tagged

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
        self.assertEqual(mail.attachment_ids.mimetype, "image/svg+xml")
        self.assertIn(b"<svg", mail.attachment_ids.raw)
        self.assertIn("DSO", mail.body_html)

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


@tagged("post_install", "-at_install")
class TestReportPdf(ReceivablesMixin, HttpCase):
    """wkhtmltopdf fetches the report's assets from the running test server."""

    def test_pdf_report_is_a_real_pdf(self):
        customer = self.make_customer("PDF customer")
        self.make_invoice(500, "2024-03-01", "2024-03-31", partner=customer)
        day = date(2024, 4, 15)
        self.env["dso.snapshot"]._snapshot_days(day, day, self.env.company)
        content, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "dso_reports.action_report_dso_management", self.env.company.ids
            )
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=content,
            capture_output=True,
            check=True,
        ).stdout.decode()
        # the server-side charts are in the PDF (their titles are SVG text)
        self.assertIn("DSO trend (days)", text)
        self.assertIn("Aging at month end", text)
        self.assertIn("Collection effectiveness index", text)
