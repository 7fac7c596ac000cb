"""A stand-in ESC/POS network printer, and a reader of what it received.

No Odoo import: used by the addon's tests, the repository's pytest tests and
``bench/job_ticket.py``.

``FakeEscposPrinter`` listens on 127.0.0.1 (a free port, or the one it had, so
``stop()`` then ``start()`` is a printer going offline and coming back); every
connection is one ticket: its raw bytes and arrival time are recorded.
``read_ticket(data)`` decodes the bytes: text (code pages switched with
``ESC t n`` as the printer would), bold text, barcodes, QR codes and cuts.
"""

import contextlib
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


# ESC/GS commands that take one parameter byte and change nothing we check
ESC_ONE_BYTE = {ord("!"), ord("a"), ord("-"), ord("M"), ord("d"), ord("G")}
GS_ONE_BYTE = {ord("h"), ord("w"), ord("H"), ord("f"), ord("!"), ord("B")}


class _Reader:
    def __init__(self, data, profile):
        self.data = data
        self.pages = {
            int(num): name
            for name, num in get_profile(profile).get_code_pages().items()
        }
        self.result = ReadTicket()
        self.text, self.bold_text = [], []
        self.bold = False
        self.charmap = None

    def emit(self, char):
        self.text.append(char)
        if self.bold:
            self.bold_text.append(char)

    def esc(self, i):
        data, cmd = self.data, self.data[i + 1]
        if cmd == ord("t"):
            name = self.pages[data[i + 2]]
            self.result.code_pages.append(name)
            self.charmap = Encoder._get_codepage_char_list(name)
        elif cmd == ord("E"):
            self.bold = bool(data[i + 2])
            if not self.bold and self.bold_text:
                self.result.bold.append("".join(self.bold_text).strip())
                self.bold_text = []
        elif cmd == ord("@"):
            return i + 2
        elif cmd not in ESC_ONE_BYTE:
            raise ValueError(f"unknown ESC {cmd:#x} at {i}")
        return i + 3

    def gs(self, i):
        data, cmd = self.data, self.data[i + 1]
        if cmd == ord("k"):  # barcode, function B: GS k m n d1..dn
            symbology, length = data[i + 2], data[i + 3]
            self.result.barcodes.append(
                (symbology, data[i + 4 : i + 4 + length].decode("ascii"))
            )
            return i + 4 + length
        if cmd == ord("("):  # GS ( k pL pH cn fn ...: QR code when cn fn = "1P0"
            length = data[i + 3] + 256 * data[i + 4]
            body = data[i + 5 : i + 5 + length]
            if data[i + 2] == ord("k") and body[:3] == b"1P0":
                self.result.qr_codes.append(body[3:].decode("utf-8"))
            return i + 5 + length
        if cmd == ord("V"):
            self.result.cuts += 1
            return i + (3 if data[i + 2] in (0, 1, 48, 49) else 4)
        if cmd in GS_ONE_BYTE:
            return i + 3
        raise ValueError(f"unknown GS {cmd:#x} at {i}")

    def parse(self):
        i = 0
        while i < len(self.data):
            byte = self.data[i]
            if byte == 0x1B:
                i = self.esc(i)
                continue
            if byte == 0x1D:
                i = self.gs(i)
                continue
            if byte == 0x0A or 0x20 <= byte < 0x80:
                self.emit(chr(byte))
            elif byte >= 0x80:
                self.emit(self.charmap[byte - 128] if self.charmap else "\ufffd")
            i += 1
        if self.bold_text:
            self.result.bold.append("".join(self.bold_text).strip())
        self.result.text = "".join(self.text)
        return self.result


def read_ticket(data, profile="default"):
    """:return: a :class:`ReadTicket` of ESC/POS ``data`` for printer ``profile``."""
    return _Reader(data, profile).parse()


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
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
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
