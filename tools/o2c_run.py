#!/usr/bin/env python3
"""Demo: serve database ``o2c_demo`` with all our addons and demo data.

Creates the database on first use (``-i <our addons>``, demo data loaded),
installs any of our addons it is missing, updates those whose version changed
in the code (or all of them with --update),
then serves it on http://localhost:8069 in threaded mode (workers 0) with
queue_job loaded server-wide, so its job runner thread processes jobs.
"""

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import job_ticket_demo  # noqa: E402
import o2c_common as common  # noqa: E402

REPO = common.REPO
DEFAULT_DB = "o2c_demo"


def say(msg=""):
    print(f"[o2c-run] {msg}" if msg else "", flush=True)


def odoo(args):
    """Run Odoo in the foreground (output straight to the terminal)."""
    cmd = common.odoo_command(*args)
    say("$ " + " ".join(["python3", "-m", "odoo", *cmd[3:]]))
    proc = subprocess.Popen(cmd, cwd=REPO, env=common.odoo_env())
    # pass a SIGTERM on to Odoo (Ctrl-C already reaches it: same process group)
    previous = signal.signal(
        signal.SIGTERM, lambda *_: proc.send_signal(signal.SIGTERM)
    )
    try:
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:
                continue  # Odoo got the SIGINT too and shuts down: wait for it
    finally:
        signal.signal(signal.SIGTERM, previous)


def start_fake_zoho(port=8090):
    """The demo Zoho organisation points here: a fake Zoho with demo accounts."""
    script = REPO / "addons/zoho_connector/tests/fake_zoho.py"
    if not script.exists():
        return None
    say(f"Fake Zoho CRM on http://127.0.0.1:{port}: in Sales > Zoho CRM >")
    say("Organisations, open the demo organisation and press Sync now.")
    return subprocess.Popen([sys.executable, str(script), str(port)], cwd=REPO)


def start_local_stripe(odoo_port, port=8420):
    """The demo Stripe provider points here: localstripe plus a Payment Element."""
    script = REPO / "addons/portal_payments/tests/stripe_server.py"
    if not script.exists():
        return None
    store = REPO / "var" / "localstripe.pickle"
    store.parent.mkdir(exist_ok=True)
    say(f"Local Stripe test server on http://127.0.0.1:{port}: log in as dana / dana,")
    say("open My account > My account balance and pay with card 4242 4242 4242 4242.")
    cmd = [sys.executable, str(script), "--port", str(port), "--store", str(store)]
    # signed events to Odoo's Stripe webhook (secret of the demo provider)
    cmd += ["--webhook-url", f"http://127.0.0.1:{odoo_port}/payment/stripe/webhook"]
    cmd += ["--webhook-secret", "whsec_o2c_demo_not_a_secret"]
    return subprocess.Popen(cmd, cwd=REPO)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", default=DEFAULT_DB, help=f"database name (default {DEFAULT_DB})"
    )
    parser.add_argument(
        "--port", type=int, default=8069, help="HTTP port (default 8069)"
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="update (-u) all our addons before serving",
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="drop the database first and start from scratch",
    )
    parser.add_argument(
        "--init-only",
        action="store_true",
        help="create / update the database, then exit without serving",
    )
    args = parser.parse_args(argv)

    problem = common.check_odoo() or common.check_postgres()
    if problem:
        say("ERROR: " + problem.replace("\n", "\n[o2c-run] "))
        return 2
    try:
        addons = common.discover_addons()
    except ValueError as exc:
        say(f"ERROR: {exc}")
        return 1
    if not addons:
        say(f"ERROR: no addon found in {common.addons_dir()}")
        return 1
    # a real server renders invoice PDFs with wkhtmltopdf; CUPS backs the demo
    # print queue of the job tickets
    problem = common.install_debian_packages(
        ["wkhtmltopdf", "cups", "cups-client", "printer-driver-cups-pdf"], say=say
    )
    if problem:
        say(f"ERROR: {problem}")
        return 1
    addons_path = common.odoo_addons_path()
    db = args.db
    base = ["-d", db, "--addons-path", addons_path, "--db-filter", f"^{db}$"]

    if args.reset and common.database_exists(db):
        say(f"--reset: dropping database {db}")
        common.drop_database(db)

    installed = common.installed_modules(db) if common.database_exists(db) else {}
    missing = [name for name in addons if name not in installed]
    # a newer version in the code than in the database (its fields or data
    # changed): the server would fail on what the database lacks
    outdated = [
        name
        for name, manifest in addons.items()
        if name in installed and installed[name] != manifest.get("version")
    ]
    init_args = []
    if missing:
        what = "creating" if not installed else "completing"
        say(f"{what} database {db}: installing {', '.join(missing)} with demo data")
        init_args += ["-i", ",".join(missing)]
    if args.update:
        init_args += ["-u", ",".join(addons)]
    elif outdated:
        say(f"updating {', '.join(outdated)} in {db}: a new version of the code")
        init_args += ["-u", ",".join(outdated)]
    if init_args:
        rc = odoo([*base, *init_args, "--workers", "0", "--stop-after-init"])
        if rc:
            say(
                f"ERROR: installing the addons into {db} failed (status {rc}); "
                "see the log above"
            )
            return rc
    else:
        say(f"database {db} already has {', '.join(addons)} installed")
    if "job_ticket_print" in addons:
        job_ticket_demo.setup_printers(db, addons_path, say=say)
    if args.init_only:
        return 0

    url = f"http://localhost:{args.port}"
    say("")
    say(f"Open {url} and log in as admin / admin (the demo admin user).")
    say("Send a sample web shop order from another terminal:")
    say(
        "  python3 tools/send_order.py "
        "addons/ecom_order_intake/demo/orders/native_card_paid.xml"
    )
    say("Queued jobs run in the job runner thread of this server (queue_job).")
    say("Stop with Ctrl-C.")
    say("")
    fake_zoho = start_fake_zoho()
    mail_capture, smtp_args = job_ticket_demo.start_mail_capture(say=say)
    local_stripe = start_local_stripe(args.port)
    serve = [*base, "--http-port", str(args.port), "--workers", "0", *smtp_args]
    try:
        rc = odoo(serve)
    finally:
        if fake_zoho:
            fake_zoho.terminate()
        mail_capture.terminate()
        if local_stripe:
            local_stripe.terminate()
    return 0 if rc in (0, -signal.SIGINT, -signal.SIGTERM) else rc


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
