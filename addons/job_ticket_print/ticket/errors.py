"""Printer errors, classified for the print job boundary."""


class PrinterError(Exception):
    """The ticket may or may not have reached the printer."""


class PrinterUnreachable(PrinterError):
    """Nothing was sent: the printer did not answer (retry later)."""
