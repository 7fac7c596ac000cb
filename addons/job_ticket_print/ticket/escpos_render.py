"""Render a ticket as ESC/POS bytes with python-escpos.

Code pages: ``"auto"`` lets python-escpos switch between the code pages of the
printer's profile character by character (``ESC t n``), so "Żółć" and
"Rådhusgatan" both print on a printer that has CP852 and CP437/CP858. A fixed
code page (``"CP858"``...) is for printers whose profile is unknown: characters it
lacks are printed as their base letter ("Ż" → "Z"), never as garbage.
"""

import unicodedata

from escpos.printer import Dummy

AUTO = "auto"
# letters without a Unicode decomposition that read well as ASCII
FALLBACK_LETTERS = {
    "ł": "l",
    "Ł": "L",
    "ø": "o",
    "Ø": "O",
    "đ": "d",
    "Đ": "D",
    "ß": "ss",
}


def _encodable(text, codec):
    try:
        text.encode(codec)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def fold_to_code_page(text, codec):
    """:return: ``text`` with every character ``codec`` cannot encode replaced by
    its base letter (NFKD without combining marks), or ``?`` when it has none."""
    out = []
    for char in text:
        if _encodable(char, codec):
            out.append(char)
            continue
        base = FALLBACK_LETTERS.get(char) or "".join(
            c
            for c in unicodedata.normalize("NFKD", char)
            if not unicodedata.combining(c)
        )
        out.append(base if base and _encodable(base, codec) else "?")
    return "".join(out)


def render_escpos(ticket, profile="default", width=42, code_page=AUTO):
    """:return: the ticket as ESC/POS bytes (bold headings, barcode, QR code, cut).

    :param profile: a python-escpos printer profile name (``TM-T88III``...)
    :param width: characters per line of the paper, for the rules
    :param code_page: ``"auto"`` or a code page name of the profile
    """
    printer = Dummy(profile=profile)
    if code_page and code_page != AUTO:
        printer.charcode(code_page.upper())
        codec = code_page.lower()

        def write(text):
            printer.textln(fold_to_code_page(text, codec))
    else:

        def write(text):
            printer.textln(text)

    rule = "-" * width
    for index, (heading, lines) in enumerate(ticket.text_blocks()):
        printer.set(bold=True, double_height=index == 0, double_width=index == 0)
        write(heading)
        printer.set(bold=False, normal_textsize=True)
        for line in lines:
            write(line)
        write(rule)
    printer.set(align="center")
    # CODE128 code set B: letters and digits of the order number
    printer.barcode("{B" + ticket.barcode, "CODE128", function_type="B", pos="BELOW")
    printer.qr(ticket.qr_url, size=5, native=True)
    printer.set(align="left")
    printer.cut()
    return printer.output
