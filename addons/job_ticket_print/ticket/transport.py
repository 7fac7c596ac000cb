"""The one door to the printers: ESC/POS over TCP, CUPS over ``lp``, a folder.

Every function either returns after the printer (or queue, or disk) took the
whole ticket, or raises :class:`PrinterUnreachable` when nothing was sent, or
:class:`PrinterError` when something may have been sent.
"""

import os
import re
import shutil
import subprocess
import tempfile

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Network

from .errors import PrinterError, PrinterUnreachable

LP_JOB_ID = re.compile(r"request id is (\S+)")


def send_escpos(host, port, data, timeout=10):
    """Send ``data`` (ESC/POS bytes) to a network printer (raw TCP, port 9100).

    :return: ``None``
    :raises PrinterUnreachable: no connection
    :raises PrinterError: the connection broke while sending
    """
    printer = Network(host=host, port=port, timeout=timeout)
    try:
        printer.open()
    except (DeviceNotFoundError, OSError) as exc:
        raise PrinterUnreachable(f"{host}:{port} does not answer: {exc}") from exc
    try:
        printer._raw(data)
    except OSError as exc:
        raise PrinterError(f"{host}:{port} broke off while printing: {exc}") from exc
    finally:
        device = printer.device
        if device:
            device.close()


def _run(command, timeout, data=None):
    """:return: the completed process, or None when it could not run in time."""
    try:
        return subprocess.run(
            command,
            input=data,
            capture_output=True,
            text=data is None,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def print_ready_pdf(pdf, timeout=30):
    """:return: ``pdf`` rewritten by poppler's ``pdftocairo`` when it is installed.

    reportlab embeds TrueType subsets as simple fonts whose characters outside
    Latin-1 lose their Unicode mapping when CUPS turns the PDF into PostScript
    (they still print, but the text of a PDF queue's output is unreadable).
    Cairo embeds CID fonts with a ToUnicode map that survives the filters.
    """
    if not shutil.which("pdftocairo"):
        return pdf
    result = _run(["pdftocairo", "-pdf", "-", "-"], timeout, data=pdf)
    return result.stdout if result and result.returncode == 0 and result.stdout else pdf


def send_cups(queue, pdf, title, server=None, options=(), timeout=30):
    """Submit ``pdf`` to the CUPS queue with ``lp``.

    :return: the CUPS job id (``queue-123``)
    :raises PrinterUnreachable: CUPS refused the job (down, unknown or stopped queue)
    """
    command = ["lp", "-d", queue, "-t", title]
    if server:
        command += ["-h", server]
    for option in options:
        command += ["-o", option]
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(print_ready_pdf(pdf, timeout))
        tmp.flush()
        result = _run([*command, tmp.name], timeout)
    if result is None:
        raise PrinterUnreachable(f"lp did not run or answer within {timeout}s")
    if result.returncode:
        raise PrinterUnreachable(
            f"CUPS refused the job: {(result.stderr or result.stdout).strip()}"
        )
    match = LP_JOB_ID.search(result.stdout)
    return match.group(1) if match else ""


def cups_job_completed(job_id, server=None, timeout=10):
    """:return: True when CUPS lists ``job_id`` as completed, False when it lists it
    as not completed, None when it cannot tell."""
    base = ["lpstat"] + (["-h", server] if server else [])
    done = _run([*base, "-W", "completed", "-o"], timeout)
    if not done or done.returncode:
        return None
    return any(line.split()[:1] == [job_id] for line in done.stdout.splitlines())


def write_folder(folder, basename, files):
    """Write ``files`` (``{suffix: bytes}``) as ``folder/basename<suffix>``.

    Written to a temporary name and renamed, so a reader never sees half a file.

    :return: the paths written
    :raises PrinterUnreachable: the folder cannot be created or written
    """
    try:
        os.makedirs(folder, exist_ok=True)
        paths = []
        for suffix, data in files.items():
            path = os.path.join(folder, basename + suffix)
            with tempfile.NamedTemporaryFile(dir=folder, delete=False) as tmp:
                tmp.write(data)
            os.chmod(tmp.name, 0o644)
            os.replace(tmp.name, path)
            paths.append(path)
        return paths
    except OSError as exc:
        raise PrinterUnreachable(f"cannot write to {folder}: {exc}") from exc
