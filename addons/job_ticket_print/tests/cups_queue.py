"""A real CUPS queue that writes PDFs into a folder (Debian's cups-pdf).

No Odoo import: used by the addon's tests and by ``tools/job_ticket_demo.py``
(``make run``). Needs root (``lpadmin``, ``/etc/cups``), as on the test hosts.
"""

import os
import subprocess
import time

CUPS_PDF_PPD = "lsb/usr/cups-pdf/CUPS-PDF_noopt.ppd"


def cupsd_running():
    status = subprocess.run(["lpstat", "-r"], capture_output=True, text=True)
    return status.stdout.startswith("scheduler is running")


def ensure_cupsd(timeout=20):
    """Start the CUPS scheduler when it is not running."""
    if cupsd_running():
        return
    subprocess.run(["cupsd"], check=True)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cupsd_running():
            return
        time.sleep(0.2)
    raise RuntimeError("cupsd did not start")


def ensure_cups_queue(queue, out_dir):
    """Create (or re-point) the cups-pdf queue ``queue`` writing into ``out_dir``.

    cups-pdf reads ``/etc/cups/cups-pdf-<queue>.conf`` for the device URI
    ``cups-pdf:/<queue>``; its ``Out`` is the folder (the default is ``~/PDF``).
    """
    ensure_cupsd()
    os.makedirs(out_dir, exist_ok=True)
    os.chmod(out_dir, 0o777)
    with open(f"/etc/cups/cups-pdf-{queue}.conf", "w", encoding="utf-8") as conf:
        conf.write(f"Out {out_dir}\nAnonDirName {out_dir}\nLabel 0\n")
    subprocess.run(
        [
            "lpadmin",
            "-p",
            queue,
            "-E",
            "-v",
            f"cups-pdf:/{queue}",
            "-m",
            CUPS_PDF_PPD,
            # poppler's cairo renderer keeps the text of the PDF readable
            "-o",
            "pdftops-renderer-default=pdftocairo",
        ],
        check=True,
        capture_output=True,
    )


def remove_cups_queue(queue):
    subprocess.run(["lpadmin", "-x", queue], check=False, capture_output=True)
    conf = f"/etc/cups/cups-pdf-{queue}.conf"
    if os.path.exists(conf):
        os.unlink(conf)
