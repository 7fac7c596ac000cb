"""What a job ticket says, independent of how it is printed."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TicketLine:
    sku: str
    description: str
    quantity: str
    unit: str
    note: str = ""


@dataclass(frozen=True)
class Ticket:
    """The content of one job ticket.

    ``barcode`` is what the ticket's barcode encodes (the order number, which a
    hand scanner types on the scan page); ``qr_url`` opens the order's
    production page.
    """

    order_ref: str
    shop_ref: str
    customer: str
    delivery_date: str
    delivery_address: tuple
    lines: tuple
    barcode: str
    qr_url: str
    notes: str = ""
    internal_note: str = ""
    title: str = "JOB TICKET"
    reprint: str = ""

    def text_blocks(self):
        """:return: ``[(heading, [text lines])]`` in print order, for both renderings.

        Keeping the order and wording here makes the ESC/POS and PDF tickets say
        the same thing.
        """
        header = [f"Order: {self.order_ref}"]
        if self.shop_ref:
            header.append(f"Shop ref: {self.shop_ref}")
        header.append(f"Customer: {self.customer}")
        header.append(f"Delivery date: {self.delivery_date or '-'}")
        blocks = [(self.title, header)]
        if self.reprint:
            blocks.append(("REPRINT", [self.reprint]))
        items = []
        for line in self.lines:
            items.append(f"{line.quantity} {line.unit}  {line.sku or '-'}")
            if line.description:
                items.append(f"   {line.description}")
            if line.note:
                items.append(f"   Note: {line.note}")
        blocks.append(("Lines", items))
        if self.notes:
            blocks.append(("Options / notes", self.notes.splitlines()))
        blocks.append(("Deliver to", [part for part in self.delivery_address if part]))
        if self.internal_note:
            blocks.append(("Internal note", self.internal_note.splitlines()))
        return blocks


def test_page_ticket(printer_name, qr_url):
    """:return: the ticket printed by *Print test page*: every script we care about."""
    return Ticket(
        order_ref="TEST",
        shop_ref="",
        customer="Bäckerei Müller & Söhne",
        delivery_date="-",
        delivery_address=("Rådhusgatan 5", "Żółć 1", "Stockholm"),
        lines=(TicketLine("TEST-1", "Test line", "1", "Units"),),
        barcode="TEST",
        qr_url=qr_url,
        notes=f"Test page of printer {printer_name}",
        title="TEST PAGE",
    )
