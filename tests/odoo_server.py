"""Start a real Odoo server for tests and benchmarks that talk HTTP to it.

Used by ``tests/conftest.py`` and ``bench/``; needs Odoo 18 importable by python3
and a database with our addons installed.
"""

import contextlib
import importlib.util
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import xmlrpc.client

import requests

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
from o2c_common import filestore_dir, odoo_addons_path  # noqa: E402

SIGNATURE_PY = REPO / "addons/ecom_order_intake/utils/webhook_signature.py"


def load_by_path(name, path):
    """:return: the module at ``path`` (a pure file of an addon, which as a package
    needs a running Odoo), loaded under ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_webhook_signature():
    """The addon's signing module, loaded by path (the addon needs a running Odoo)."""
    return load_by_path("o2c_webhook_signature", SIGNATURE_PY)


def psql(database, command):
    """Run SQL ``command`` on ``database`` with psql (stops at the first error).

    :return: the rows it prints, as lists of strings
    """
    out = subprocess.run(
        [
            "psql",
            "--quiet",
            "--no-psqlrc",
            "--set=ON_ERROR_STOP=1",
            "--no-align",
            "--tuples-only",
            "--field-separator=|",
            "--dbname",
            database,
            "--command",
            command,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.split("|") for line in out.splitlines()]


@contextlib.contextmanager
def served_copy(source, database, **server_options):
    """Copy database ``source`` to ``database``, serve it, drop it afterwards.

    :yield: the started :class:`OdooServer`
    """
    subprocess.run(["dropdb", "--if-exists", "--force", database], check=True)
    subprocess.run(["createdb", "-T", source, database], check=True)
    # the attachments (asset bundles that wkhtmltopdf fetches, PDFs) live in the
    # filestore, which createdb does not copy
    copy_store = filestore_dir(database)
    shutil.rmtree(copy_store, ignore_errors=True)
    if filestore_dir(source).is_dir():
        shutil.copytree(filestore_dir(source), copy_store)
    server = OdooServer(database, **server_options)
    # the copy's web.base.url is the test run's (http://localhost:<its port>): links
    # the server prints or mails (ticket QR codes, pay links) must name this server,
    # fixed before it starts, as in production. Setting it later over RPC races with
    # Odoo's parameter cache, which a job holding an older snapshot can refill.
    psql(
        database,
        "UPDATE ir_config_parameter SET value = CASE key"
        f" WHEN 'web.base.url' THEN '{server.url}' ELSE 'True' END"
        " WHERE key IN ('web.base.url', 'web.base.url.freeze');"
        " INSERT INTO ir_config_parameter (key, value)"
        " SELECT 'web.base.url.freeze', 'True' WHERE NOT EXISTS"
        " (SELECT 1 FROM ir_config_parameter WHERE key = 'web.base.url.freeze');",
    )
    server.log_start = server.log_path.stat().st_size if server.log_path.exists() else 0
    try:
        yield server.start()
    finally:
        server.stop()
        subprocess.run(["dropdb", "--if-exists", "--force", database], check=False)
        shutil.rmtree(copy_store, ignore_errors=True)


def free_port():
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooServer:
    """One ``odoo`` process serving ``database`` on a free loopback port."""

    def __init__(
        self,
        database,
        addons_path=None,
        log_path=None,
        extra_args=(),
        server_wide_modules="base,web,queue_job",
    ):
        self.database = database
        self.addons_path = (
            addons_path or os.environ.get("O2C_ADDONS_PATH") or odoo_addons_path()
        )
        self.server_wide_modules = server_wide_modules
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or REPO / "var/test-logs" / f"server-{database}.log"
        self.extra_args = list(extra_args)
        self.process = None

    def start(self, timeout=120):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        env = dict(os.environ, ODOO_QUEUE_JOB_PORT=str(self.port))
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "odoo",
                "--config",
                str(REPO / "odoo.conf"),
                "--addons-path",
                self.addons_path,
                "--database",
                self.database,
                "--db-filter",
                f"^{self.database}$",
                "--http-interface",
                "127.0.0.1",
                "--http-port",
                str(self.port),
                "--workers",
                "0",
                "--max-cron-threads",
                "0",
                "--load",
                self.server_wide_modules,
                "--log-level",
                "info",
                *self.extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited early; see {self.log_path}")
            try:
                if requests.get(f"{self.url}/web/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(
            f"Odoo did not answer within {timeout}s; see {self.log_path}"
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def rpc(self, login="admin", password="admin"):
        return OdooRpc(self.url, self.database, login, password)


class OdooRpc:
    """Just enough XML-RPC to set up and inspect records."""

    def __init__(self, url, database, login, password):
        self.database = database
        self.password = password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(database, login, password, {})
        if not self.uid:
            raise RuntimeError(f"cannot log in as {login} on {database}")
        self.models = xmlrpc.client.ServerProxy(
            f"{url}/xmlrpc/2/object", allow_none=True
        )

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.database, self.uid, self.password, model, method, list(args), kwargs
        )
