"""`make run` helpers of the job ticket demo (stdlib + the addon's pure helpers).

- the demo folder printer writes into ``var/job_tickets/`` (PDF + .escpos files
  a new user can open);
- a real CUPS queue ``o2c_tickets`` (cups-pdf) writes into ``var/job_tickets/cups/``
  and is configured as a second printer;
- outgoing mail of the demo goes to a local aiosmtpd that stores every message
  in the Maildir ``var/mail/`` (``new/`` holds one file per e-mail).
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TICKETS_DIR = REPO / "var/job_tickets"
CUPS_DIR = TICKETS_DIR / "cups"
MAIL_DIR = REPO / "var/mail"
CUPS_QUEUE = "o2c_tickets"
SMTP_PORT = 8025
CUPS_QUEUE_PY = REPO / "addons/job_ticket_print/tests/cups_queue.py"

SHELL_SCRIPT = """
folder = env.ref("job_ticket_print.printer_demo_folder", raise_if_not_found=False)
if folder:
    folder.folder_path = {tickets!r}
Printer = env["production.printer"].with_context(active_test=False)
if {cups_ok!r} and not Printer.search([("cups_queue", "=", {queue!r})]):
    Printer.create({{"name": "CUPS queue {queue}", "kind": "cups",
                    "cups_queue": {queue!r}, "sequence": 20}})
env.cr.commit()
"""


def _cups_queue_module():
    spec = importlib.util.spec_from_file_location("o2c_cups_queue", CUPS_QUEUE_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup_printers(db, addons_path, say=print):
    """Point the demo printers at var/ and create the CUPS queue (needs root)."""
    if not CUPS_QUEUE_PY.exists():
        return
    TICKETS_DIR.mkdir(parents=True, exist_ok=True)
    cups_ok = True
    try:
        _cups_queue_module().ensure_cups_queue(CUPS_QUEUE, str(CUPS_DIR))
    except (OSError, subprocess.CalledProcessError, RuntimeError) as exc:
        cups_ok = False
        say(f"CUPS queue {CUPS_QUEUE} not set up ({exc}); the folder printer works")
    script = SHELL_SCRIPT.format(
        tickets=str(TICKETS_DIR), cups_ok=cups_ok, queue=CUPS_QUEUE
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "shell",
            "-c",
            str(REPO / "odoo.conf"),
            "--addons-path",
            addons_path,
            "-d",
            db,
            "--no-http",
            "--log-level",
            "warn",
        ],
        input=script,
        text=True,
        check=True,
        cwd=REPO,
        capture_output=True,
    )
    say(f"Job tickets: {TICKETS_DIR} (folder printer, default)")
    if cups_ok:
        say(f"             {CUPS_DIR} (CUPS queue {CUPS_QUEUE})")


def start_mail_capture(say=print):
    """A local SMTP server keeping the demo's outgoing e-mail in var/mail/.

    :return: ``(process, odoo arguments)``
    """
    MAIL_DIR.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{SMTP_PORT}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(MAIL_DIR),
        ],
        cwd=REPO,
    )
    say(f"Outgoing e-mail is captured in {MAIL_DIR}/new/ (SMTP 127.0.0.1:{SMTP_PORT})")
    return process, ["--smtp", "127.0.0.1", "--smtp-port", str(SMTP_PORT)]
