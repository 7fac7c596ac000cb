"""Helpers shared by tools/o2c_test.py and tools/o2c_run.py (stdlib only).

Nothing here imports Odoo at module level: the tools first check that Odoo 18
is importable and explain how to install it when it is not.
"""

import ast
import configparser
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONF = REPO / "odoo.conf"
README_INSTALL = 'README.md, section "Installing Odoo 18"'


def addons_dir():
    """Folder holding our addons: $O2C_ADDONS_DIR or the repo's addons/."""
    return Path(os.environ.get("O2C_ADDONS_DIR") or REPO / "addons").resolve()


def read_manifest(path):
    """Return the manifest dict of an addon folder (raises on a broken one)."""
    with open(path / "__manifest__.py", encoding="utf-8") as f:
        return ast.literal_eval(f.read())


def discover_addons(folder=None):
    """Our installable addons: {name: manifest}, sorted by name.

    An addon is a sub-folder with a __manifest__.py; ones marked
    ``installable: False`` are left out. A manifest that cannot be read raises
    ValueError naming the file, so callers report it instead of skipping it.
    """
    folder = Path(folder) if folder else addons_dir()
    found = {}
    if not folder.is_dir():
        return found
    for sub in sorted(folder.iterdir()):
        if not (sub / "__manifest__.py").is_file():
            continue
        try:
            manifest = read_manifest(sub)
        except (SyntaxError, ValueError) as exc:
            raise ValueError(
                f"{sub / '__manifest__.py'}: unreadable manifest: {exc}"
            ) from exc
        if not isinstance(manifest, dict):
            raise ValueError(f"{sub / '__manifest__.py'}: manifest is not a dict")
        if manifest.get("installable", True):
            found[sub.name] = manifest
    return found


def external_depends(addons):
    """Dependencies of our addons that are not our addons, sorted."""
    deps = set()
    for manifest in addons.values():
        deps.update(manifest.get("depends", []) or [])
    return sorted(deps - set(addons))


def check_odoo():
    """Return an error message when Odoo 18 is not usable, else None."""
    try:
        import odoo.release  # noqa: PLC0415
    except ImportError as exc:
        return (
            f"Odoo is not importable by {sys.executable} ({exc}).\n"
            f"Install Odoo 18 into this Python: see {README_INSTALL}."
        )
    if odoo.release.version_info[0] != 18:
        return (
            f"Odoo {odoo.release.version} is installed, this repo needs Odoo 18.\n"
            f"See {README_INSTALL}."
        )
    try:
        import odoo.cli  # noqa: F401, PLC0415
    except Exception as exc:  # noqa: BLE001 - any import failure means broken install
        return (
            f"Odoo 18 is found but `import odoo.cli` fails: {exc!r}.\n"
            "Its Python dependencies are probably missing: "
            "`pip install -r requirements.txt`; "
            f"see {README_INSTALL}."
        )
    return None


def odoo_addons_path(extra_dir=None):
    """Comma-separated --addons-path computed at run time.

    Odoo's core addons (odoo/addons: base...), the top-level addons folder of a
    source checkout (web, sale, account...: absent in a wheel install, where
    everything is under odoo/addons), every other portion of the odoo.addons
    namespace (site-packages/odoo/addons, where OCA wheels such as queue_job
    land), then our addons folder.
    """
    import odoo  # noqa: PLC0415

    import odoo.addons  # noqa: PLC0415

    pkg_dir = Path(odoo.__file__).resolve().parent
    candidates = [pkg_dir / "addons", pkg_dir.parent / "addons"]
    candidates += [Path(p) for p in odoo.addons.__path__]
    candidates.append(Path(extra_dir) if extra_dir else addons_dir())
    result = []
    for cand in candidates:
        cand = cand.resolve()
        if cand.is_dir() and cand not in result and _has_addon(cand):
            result.append(cand)
    return ",".join(str(p) for p in result)


def _has_addon(folder):
    # Odoo rejects an --addons-path entry without at least one module in it.
    for sub in folder.iterdir():
        if (sub / "__init__.py").is_file() and (sub / "__manifest__.py").is_file():
            return True
    return False


def conf_options():
    """[options] of odoo.conf as a dict, with 'False'/'' turned into None."""
    parser = configparser.RawConfigParser()
    parser.read(CONF)
    opts = dict(parser.items("options")) if parser.has_section("options") else {}
    return {k: (None if v in ("False", "") else v) for k, v in opts.items()}


def pg_connect(dbname="postgres"):
    """psycopg2 connection with odoo.conf's db settings (socket when no host)."""
    import psycopg2  # noqa: PLC0415

    opts = conf_options()
    kwargs = {"dbname": dbname}
    for key, opt in (
        ("host", "db_host"),
        ("port", "db_port"),
        ("user", "db_user"),
        ("password", "db_password"),
    ):
        if opts.get(opt):
            kwargs[key] = opts[opt]
    return psycopg2.connect(**kwargs)


def check_postgres():
    """Return an error message when PostgreSQL cannot be reached, else None."""
    try:
        conn = pg_connect()
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT 1")
        finally:
            conn.close()
    except Exception as exc:  # noqa: BLE001
        opts = conf_options()
        return (
            f"PostgreSQL is not reachable as user {opts.get('db_user')!r} "
            f"(host {opts.get('db_host') or 'local socket'}): {exc}".rstrip()
            + "\n"
            "Start PostgreSQL and make sure that role exists and may create databases "
            "(e.g. `createuser -s root`), or adjust db_* in odoo.conf."
        )
    return None


def list_databases(like=None):
    conn = pg_connect()
    try:
        with conn.cursor() as cr:
            if like:
                cr.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY 1",
                    (like,),
                )
            else:
                cr.execute("SELECT datname FROM pg_database ORDER BY 1")
            return [row[0] for row in cr.fetchall()]
    finally:
        conn.close()


def database_exists(name):
    conn = pg_connect()
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            return bool(cr.fetchone())
    finally:
        conn.close()


def installed_modules(dbname):
    """The modules installed in dbname: ``{name: installed version}`` (empty if
    no Odoo db)."""
    conn = pg_connect(dbname)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT to_regclass('ir_module_module') IS NOT NULL")
            if not cr.fetchone()[0]:
                return {}
            cr.execute(
                "SELECT name, latest_version FROM ir_module_module"
                " WHERE state = 'installed'"
            )
            return dict(cr.fetchall())
    finally:
        conn.close()


def drop_database(name):
    """Drop a database (closing its connections) and its filestore."""
    from psycopg2 import sql  # noqa: PLC0415

    conn = pg_connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )
    finally:
        conn.close()
    shutil.rmtree(filestore_dir(name), ignore_errors=True)


def data_dir():
    opts = conf_options()
    return Path(opts.get("data_dir") or Path.home() / ".local" / "share" / "Odoo")


def filestore_dir(dbname):
    return data_dir() / "filestore" / dbname


def free_port():
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_command(*args):
    """Command line that runs Odoo 18's CLI from this Python with odoo.conf."""
    return [sys.executable, "-m", "odoo", "-c", str(CONF), *args]


def odoo_env():
    env = dict(os.environ)
    # Do not put the current directory (the repo root) first on sys.path.
    env["PYTHONSAFEPATH"] = "1"
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def run_quiet(cmd, **kwargs):
    """Run cmd capturing its output; returns CompletedProcess."""
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)


# Debian packages the tests and the demo need, with a file that proves each is
# there. Odoo renders PDF reports (invoices) with wkhtmltopdf: without it test
# mode silently falls back to HTML while a real server fails every report.
DEBIAN_PACKAGES = {
    "chromium": "/usr/bin/chromium",  # Odoo's browser (tour) tests
    "wkhtmltopdf": "/usr/bin/wkhtmltopdf",  # Odoo's PDF reports
    "cups": "/usr/sbin/cupsd",  # a real print queue for job tickets
    "cups-client": "/usr/bin/lp",  # lp / lpstat / lpadmin
    "printer-driver-cups-pdf": "/usr/lib/cups/backend/cups-pdf",  # queue -> PDF
    "poppler-utils": "/usr/bin/pdftotext",  # tests read the PDFs they produce
}


def missing_debian_packages(names=None):
    """The packages of ``names`` (default: all of DEBIAN_PACKAGES) not installed."""
    names = names or list(DEBIAN_PACKAGES)
    return [name for name in names if not Path(DEBIAN_PACKAGES[name]).exists()]


def install_debian_packages(names=None, say=print):
    """Install the missing Debian packages with apt-get; return an error or None."""
    missing = missing_debian_packages(names)
    if not missing:
        return None
    say(f"installing Debian packages with apt-get: {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", *missing],
    ):
        proc = subprocess.run(prefix + cmd, env=env, check=False)
        if proc.returncode:
            return (
                f"`{' '.join(cmd)}` failed (status {proc.returncode}); install the "
                f"Debian packages {' '.join(missing)} by hand"
            )
    return None
