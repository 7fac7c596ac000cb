import subprocess
import tempfile

from odoo.tests import BaseCase, tagged

from ..ticket.content import Ticket, TicketLine
from ..ticket.escpos_render import fold_to_code_page, render_escpos
from ..ticket.pdf_render import render_pdf
from .fake_printer import read_ticket

TICKET = Ticket(
    order_ref="S00042",
    shop_ref="WEB-100045",
    customer="Bäckerei Müller & Söhne",
    delivery_date="12/24/2026",
    delivery_address=("Johnssons byggvaror", "Rådhusgatan 5", "", "11000 Stockholm"),
    lines=(
        TicketLine("O2C-PAPER-A4", "Copy paper A4, 80 g/m²", "10", "Units"),
        TicketLine("O2C-TONER-BK", "Toner, black", "2", "Units", note="Żółć label"),
    ),
    barcode="S00042",
    qr_url="http://odoo.example/job_ticket/o/S00042",
    notes="Gift wrap",
    internal_note="Rush: customer waits",
)
FIELDS = (
    "S00042",
    "WEB-100045",
    "Bäckerei Müller & Söhne",
    "12/24/2026",
    "O2C-PAPER-A4",
    "Copy paper A4, 80 g/m²",
    "10 Units",
    "O2C-TONER-BK",
    "Żółć label",
    "Gift wrap",
    "Rådhusgatan 5",
    "11000 Stockholm",
    "Rush: customer waits",
)


@tagged("post_install", "-at_install")
class TestTicketRendering(BaseCase):
    def test_escpos_ticket_has_every_field_bold_headings_barcode_qr_and_cut(self):
        read = read_ticket(render_escpos(TICKET))
        for text in FIELDS:
            self.assertIn(text, read.text)
        self.assertIn("JOB TICKET", read.bold)
        self.assertIn("Deliver to", read.bold)
        self.assertEqual(read.barcodes, [(73, "{BS00042")])  # 73: CODE128
        self.assertEqual(read.qr_codes, ["http://odoo.example/job_ticket/o/S00042"])
        self.assertEqual(read.cuts, 1)

    def test_auto_code_page_switches_for_polish_and_swedish(self):
        read = read_ticket(render_escpos(TICKET, code_page="auto"))
        self.assertIn("Żółć", read.text)
        self.assertIn("Rådhusgatan", read.text)
        self.assertIn("CP852", read.code_pages)

    def test_fixed_code_page_prints_base_letters_for_what_it_lacks(self):
        read = read_ticket(render_escpos(TICKET, code_page="CP858"))
        self.assertEqual(read.code_pages, ["CP858"])
        self.assertIn("Zólc label", read.text)  # CP858 has ó but not Ż, ł, ć
        self.assertIn("Rådhusgatan 5", read.text)
        self.assertEqual(fold_to_code_page("Łódź", "ascii"), "Lodz")

    def test_pdf_ticket_has_every_field_on_each_paper(self):
        for paper in ("a4", "letter", "label_100x150", "label_62x100"):
            pdf = render_pdf(TICKET, paper)
            self.assertTrue(pdf.startswith(b"%PDF"))
            with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
                tmp.write(pdf)
                tmp.flush()
                text = subprocess.run(
                    ["pdftotext", tmp.name, "-"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            for expected in FIELDS:
                self.assertIn(expected, text, paper)
