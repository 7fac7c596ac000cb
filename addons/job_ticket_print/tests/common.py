"""Helpers for the tests of job tickets, and for addons built on them.

``JobTicketCase`` gives a fake ESC/POS printer (a TCP listener on loopback)
wired as the company's default printer, confirmed orders, and runs jobs the way
queue_job's runner does (``run_jobs``). ``ensure_cups_queue`` makes a real CUPS
queue (cups-pdf) writing PDFs into a folder.
"""

import os
import shutil
import subprocess
import tempfile
import time

from odoo import Command
from odoo.tests import TransactionCase

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from .cups_queue import ensure_cups_queue, remove_cups_queue
from .fake_printer import FakeEscposPrinter, read_ticket

__all__ = [
    "FakeEscposPrinter",
    "JobTicketCase",
    "ensure_cups_queue",
    "read_ticket",
    "remove_cups_queue",
]


def _is_complete(path):
    """cups-pdf writes its PDF in place: a file that does not end with the
    ``%%EOF`` marker yet is still being written (seen empty on a busy machine)."""
    with open(path, "rb") as file:
        file.seek(0, os.SEEK_END)
        file.seek(max(0, file.tell() - 1024))
        return not path.endswith(".pdf") or b"%%EOF" in file.read()


def wait_for_files(folder, suffix, count=1, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = sorted(
            os.path.join(folder, name)
            for name in os.listdir(folder)
            if name.endswith(suffix)
        )
        if len(found) >= count and all(_is_complete(path) for path in found):
            return found
        time.sleep(0.2)
    raise AssertionError(f"no complete {suffix} file in {folder} after {timeout}s")


def pdf_text(path):
    return subprocess.run(
        ["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
    ).stdout


class JobTicketCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the print job writes its state in its own transactions (registry
        # cursors): in test mode they share the test transaction
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.fake_printer = FakeEscposPrinter().start()
        cls.addClassCleanup(cls.fake_printer.stop)
        cls.company = cls.env.company
        cls.env["production.printer"].search([]).write({"is_default": False})
        cls.printer = cls.env["production.printer"].create(
            {
                "name": "Fake ESC/POS",
                "kind": "escpos",
                "host": "127.0.0.1",
                "port": cls.fake_printer.port,
                "timeout": 2,
                "is_default": True,
            }
        )
        cls.customer = cls.env.ref("o2c_base.customer_johnssons")
        cls.product = cls.env["product.product"].search(
            [("default_code", "=", "O2C-PAPER-A4")], limit=1
        )
        cls.production_user = cls.env.ref("o2c_base.user_production")
        cls.received = cls.env.ref("job_ticket_print.stage_received")
        cls.in_production = cls.env.ref("job_ticket_print.stage_in_production")
        cls.done = cls.env.ref("job_ticket_print.stage_done")

    def setUp(self):
        super().setUp()
        if not self.fake_printer.online:
            self.fake_printer.start()
        self.fake_printer.tickets.clear()

    def make_order(self, partner=None, **values):
        return self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 3}
                    )
                ],
                **values,
            }
        )

    def confirm(self, orders):
        """Confirm ``orders``; :return: the queue jobs enqueued (not run)."""
        with trap_jobs() as trap:
            orders.action_confirm()
        return trap.enqueued_jobs

    @staticmethod
    def run_job(job):
        """Run one trapped job like the runner; :return: its result, or the
        RetryableJobError it raised."""
        try:
            return job.perform()
        except RetryableJobError as exc:
            return exc

    def tickets(self, count, timeout=10):
        return [
            read_ticket(data) for data in self.fake_printer.wait_for(count, timeout)
        ]

    @classmethod
    def tmp_dir(cls):
        path = tempfile.mkdtemp(prefix="job_ticket_")
        cls.addClassCleanup(shutil.rmtree, path, True)
        return path
