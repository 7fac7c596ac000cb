"""A stand-in ESC/POS network printer, and a reader of what it received.

No Odoo import: used by the addon's tests, the repository's pytest tests and
``bench/job_ticket.py``.

``FakeEscposPrinter`` listens on 127.0.0.1 (a free port, or the one it had, so
``stop()`` then ``start()`` is a printer going offline and coming back); every
connection is one ticket: its raw bytes and arrival time are recorded.
``read_ticket(data)`` decodes the bytes: text (code pages switched with
``ESC t n`` as the printer would), bold text, barcodes, QR codes and cuts.
"""

import socket
import threading
import time
from dataclasses import dataclass, field

from escpos.capabilities import get_profile
from escpos.magicencode import Encoder


@dataclass
class ReadTicket:
    text: str = ""
    bold: list = field(default_factory=list)
    barcodes: list = field(default_factory=list)  # (symbology m, data)
    qr_codes: list = field(default_factory=list)
    cuts: int = 0
    code_pages: list = field(default_factory=list)


def read_ticket(data, profile="default"):
    """:return: a :class:`ReadTicket` of ESC/POS ``data`` for printer ``profile``."""
    pages = {
        int(num): name for name, num in get_profile(profile).get_code_pages().items()
    }
    result = ReadTicket()
    text, bold_now, bold_text = [], False, []
    charmap = None
    i = 0

    def emit(char):
        text.append(char)
        if bold_now:
            bold_text.append(char)

    while i < len(data):
        byte = data[i]
        if byte == 0x1B:  # ESC
            cmd = data[i + 1]
            if cmd == ord("t"):
                name = pages[data[i + 2]]
                result.code_pages.append(name)
                charmap = Encoder._get_codepage_char_list(name)
                i += 3
            elif cmd == ord("E"):
                bold_now = bool(data[i + 2])
                if not bold_now and bold_text:
                    result.bold.append("".join(bold_text).strip())
                    bold_text = []
                i += 3
            elif cmd in (ord("!"), ord("a"), ord("-"), ord("M"), ord("d"), ord("G")):
                i += 3
            elif cmd == ord("@"):
                i += 2
            else:
                raise ValueError(f"unknown ESC {cmd:#x} at {i}")
        elif byte == 0x1D:  # GS
            cmd = data[i + 1]
            if cmd == ord("k"):  # barcode, function B: GS k m n d1..dn
                symbology, length = data[i + 2], data[i + 3]
                result.barcodes.append(
                    (symbology, data[i + 4 : i + 4 + length].decode("ascii"))
                )
                i += 4 + length
            elif cmd == ord("("):  # GS ( k pL pH cn fn ...
                length = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5 : i + 5 + length]
                if data[i + 2] == ord("k") and body[:3] == b"1P0":
                    result.qr_codes.append(body[3:].decode("utf-8"))
                i += 5 + length
            elif cmd == ord("V"):
                result.cuts += 1
                i += 3 if data[i + 2] in (0, 1, 48, 49) else 4
            elif cmd in (ord("h"), ord("w"), ord("H"), ord("f"), ord("!"), ord("B")):
                i += 3
            else:
                raise ValueError(f"unknown GS {cmd:#x} at {i}")
        elif byte == 0x0A:
            emit("\n")
            i += 1
        elif byte < 0x20:
            i += 1
        elif byte < 0x80:
            emit(chr(byte))
            i += 1
        else:
            emit(charmap[byte - 128] if charmap else "\ufffd")
            i += 1
    if bold_text:
        result.bold.append("".join(bold_text).strip())
    result.text = "".join(text)
    return result


class FakeEscposPrinter:
    """A raw TCP (port 9100 style) printer on loopback that records tickets."""

    def __init__(self, port=0, read_delay=0.0):
        self.port = port
        self.read_delay = read_delay
        self.tickets = []  # [(arrival time.time(), bytes)]
        self._lock = threading.Lock()
        self._sock = None
        self._thread = None

    @property
    def online(self):
        return self._sock is not None

    def start(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(16)
        self.port = sock.getsockname()[1]
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Go offline: new connections are refused."""
        sock, self._sock = self._sock, None
        if sock:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass
            sock.close()
        if self._thread:
            self._thread.join(timeout=5)

    def _serve(self, sock):
        while True:
            try:
                conn, _addr = sock.accept()
            except OSError:
                return
            threading.Thread(target=self._receive, args=(conn,), daemon=True).start()

    def _receive(self, conn):
        chunks = []
        with conn:
            conn.settimeout(30)
            if self.read_delay:
                time.sleep(self.read_delay)
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        if chunks:
            with self._lock:
                self.tickets.append((time.time(), b"".join(chunks)))

    def wait_for(self, count, timeout=30):
        """:return: the first ``count`` tickets' bytes, waiting up to ``timeout`` s."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self._lock:
                if len(self.tickets) >= count:
                    return [data for _at, data in self.tickets]
            time.sleep(0.05)
        raise AssertionError(
            f"{len(self.tickets)} ticket(s) at the printer after {timeout}s, "
            f"expected {count}"
        )

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
