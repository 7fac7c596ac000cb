"""Render a ticket as a PDF with reportlab (same content as the ESC/POS ticket).

Text is set in DejaVu Sans, a Unicode TrueType font (Debian ``fonts-dejavu-core``):
reportlab's built-in Helvetica only covers Latin-1 and cannot print "Żółć".
"""

import io
import os

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

PAPER_SIZES = {
    "a4": A4,
    "letter": LETTER,
    "label_100x150": (100 * mm, 150 * mm),
    "label_62x100": (62 * mm, 100 * mm),
}
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/local/share/fonts",
)
FONT, FONT_BOLD = "O2CDejaVuSans", "O2CDejaVuSans-Bold"


class FontMissing(RuntimeError):
    """No Unicode TrueType font was found for the PDF ticket."""


def _register_fonts():
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, filename in (
        (FONT, "DejaVuSans.ttf"),
        (FONT_BOLD, "DejaVuSans-Bold.ttf"),
    ):
        path = next(
            (
                os.path.join(folder, filename)
                for folder in FONT_DIRS
                if os.path.isfile(os.path.join(folder, filename))
            ),
            None,
        )
        if not path:
            raise FontMissing(
                f"{filename} not found in {', '.join(FONT_DIRS)}: "
                "install the Debian package fonts-dejavu-core"
            )
        pdfmetrics.registerFont(TTFont(name, path))


def render_pdf(ticket, paper="a4"):
    """:return: the ticket as PDF bytes on ``paper`` (a key of ``PAPER_SIZES``)."""
    _register_fonts()
    width, height = PAPER_SIZES[paper]
    small = width < 120 * mm
    margin = (5 if small else 15) * mm
    size = 8 if small else 11
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"Job ticket {ticket.order_ref}")
    y = height - margin

    def new_page_if_needed(needed):
        nonlocal y
        if y - needed < margin:
            pdf.showPage()
            y = height - margin

    for index, (heading, lines) in enumerate(ticket.text_blocks()):
        heading_size = size * (1.6 if index == 0 else 1.15)
        new_page_if_needed(heading_size * 2)
        pdf.setFont(FONT_BOLD, heading_size)
        y -= heading_size * 1.3
        pdf.drawString(margin, y, heading)
        pdf.setFont(FONT, size)
        for text in lines:
            for line in simpleSplit(text, FONT, size, width - 2 * margin) or [""]:
                new_page_if_needed(size * 1.4)
                y -= size * 1.35
                pdf.drawString(margin, y, line)
        y -= size * 0.6
    # barcode and QR code side by side at the bottom of the content
    code_height = (18 if small else 25) * mm
    new_page_if_needed(code_height + 10 * mm)
    barcode = createBarcodeDrawing(
        "Code128", value=ticket.barcode, barHeight=12 * mm, humanReadable=True
    )
    renderPDF.draw(barcode, pdf, margin, y - code_height)
    qr = QrCodeWidget(ticket.qr_url)
    x0, y0, x1, y1 = qr.getBounds()
    drawing = Drawing(
        code_height,
        code_height,
        transform=[code_height / (x1 - x0), 0, 0, code_height / (y1 - y0), 0, 0],
    )
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, width - margin - code_height, y - code_height)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
