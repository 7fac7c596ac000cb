"""Exports and the digest: real XLSX, a real PDF with the charts, one e-mail."""

import io
import subprocess
import zipfile
from datetime import date
from email import message_from_bytes, policy

from PIL import Image

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
