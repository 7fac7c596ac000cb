#!/usr/bin/env python3
"""Run every test of this repo: what `make test` (and CI) runs.

1. check Odoo 18 and PostgreSQL, install requirements, make sure Chromium is there;
2. on a throw-away database ``o2c_test_<pid>``: install the dependencies of our
   addons (no tests, so Odoo's own suites never run), then install our addons
   with ``--test-enable --test-tags /<addon>,...`` (their at_install and
   post_install tests, HttpCase/browser tests included);
3. run pytest on the repo-level ``tests/`` against that database;
4. drop the databases it created, and print ONE closing line
   ``N passed, N failed`` (skipped tests, error log lines and harness failures
   count as failed). Exit status 1 when anything failed.

The log and junit parsers are checked first against embedded samples
(``--self-test`` runs only that check).
Full Odoo log: var/test-logs/odoo.log; pytest junit: var/test-logs/pytest.xml.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import o2c_common as common  # noqa: E402

REPO = common.REPO
LOG_DIR = REPO / "var" / "test-logs"
ODOO_LOG = LOG_DIR / "odoo.log"
JUNIT_XML = LOG_DIR / "pytest.xml"
SUMMARY = LOG_DIR / "summary.txt"
TESTS_DIR = REPO / "tests"


def say(msg=""):
    print(f"[o2c-test] {msg}" if msg else "", flush=True)


# --------------------------------------------------------------------------
# Odoo log parsing
# --------------------------------------------------------------------------

# Odoo's log format (odoo/netsvc.py):
#   "%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s"
RECORD_RE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+) (?P<pid>\d+) "
    r"(?P<level>[A-Z_?]+) (?P<db>\S+) (?P<logger>[^\s:]+): ?(?P<msg>.*?)\s*$"
)
# odoo/service/server.py, end of a --stop-after-init run with tests enabled:
#   log("%s when loading database %r", report, db) with
#   str(report) = "%d failed, %d error(s) of %d tests" (odoo/tests/result.py)
RESULT_RE = re.compile(
    r"^(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests"
    r" when loading database"
)
# OdooTestResult.addSkip: log(INFO, 'skipped %s : %s', description, reason)
# OdooTestResult.startTest: log(INFO, 'Starting %s ...', description)
START_RE = re.compile(r"^Starting (?P<test>\S+) \.\.\.$")
SKIP_RE = re.compile(r"^skipped (?P<test>.+?) : (?P<reason>.*)$")
# OdooTestResult.logError: log(ERROR, "%s: %s\n%s", "FAIL"|"ERROR", description, tb)
TEST_ERROR_RE = re.compile(r"^(FAIL|ERROR): ")
# odoo/modules/loading.py repeats the test outcome at ERROR level; already counted
TEST_SUMMARY_RE = re.compile(
    r"^(Module \S+: \d+ failures, \d+ errors of \d+ tests"
    r"|At least one test failed when loading the modules\.)$"
)
ERROR_LEVELS = ("ERROR", "CRITICAL")


@dataclass
class Record:
    level: str
    logger: str
    msg: str
    lines: list = field(default_factory=list)

    @property
    def first_line(self):
        return f"{self.level} {self.logger}: {self.msg}"

    def exception_lines(self, limit=8):
        """The exception part of a traceback in the record (its last lines)."""
        for i, line in enumerate(self.lines):
            if line.startswith("Traceback (most recent call last)"):
                for j in range(i + 1, len(self.lines)):
                    if self.lines[j] and not self.lines[j][0].isspace():
                        return [x for x in self.lines[j:] if x.strip()][:limit]
        return []


def iter_records(lines):
    """Group raw log lines into records (tracebacks stay with their record)."""
    current = None
    for raw in lines:
        line = raw.rstrip("\n")
        m = RECORD_RE.match(line)
        if m:
            if current:
                yield current
            current = Record(m["level"], m["logger"], m["msg"], [line])
        elif current:
            current.lines.append(line)
        # text before the first record (e.g. a Python crash banner) is kept in
        # the raw log; a crash without records is caught by the exit code check
    if current:
        yield current


@dataclass
class OdooResult:
    tests_run: int = 0
    failures: int = 0
    errors: int = 0
    skipped: list = field(default_factory=list)  # first lines of skip records
    test_errors: list = field(default_factory=list)  # FAIL:/ERROR: records
    error_lines: list = field(default_factory=list)  # other ERROR/CRITICAL records
    error_details: list = field(default_factory=list)  # their exception lines
    critical: bool = False
    result_lines: int = 0
    # ERROR records logged while a test ran (e.g. a tour's browser console):
    # (test, first line, details); they count unless that test failed anyway
    _during_test: list = field(default_factory=list)
    _current_test: str = None
    _failed_tests: set = field(default_factory=set)

    def add(self, record):
        msg = record.msg
        if record.logger == "odoo.tests.result":
            m = RESULT_RE.match(msg)
            if m:
                self.result_lines += 1
                self.failures += int(m["failed"])
                self.errors += int(m["errors"])
                self.tests_run += int(m["run"])
                return
        if record.level == "INFO":
            m = SKIP_RE.match(msg)
            if m:
                self.skipped.append(f"{record.logger}: {msg}")
            m = START_RE.match(msg)
            if m:
                self._current_test = m["test"]
            elif msg.startswith("Starting post tests"):
                self._current_test = None
            return
        if record.level not in ERROR_LEVELS:
            return
        if TEST_ERROR_RE.match(msg):
            self.test_errors.append(record.first_line)
            if self._current_test and self._current_test in msg:
                self._failed_tests.add(self._current_test)
        elif record.logger == "odoo.modules.loading" and TEST_SUMMARY_RE.match(msg):
            pass
        else:
            details = [f"    {x}" for x in record.exception_lines()]
            self.critical |= record.level == "CRITICAL"
            if self._current_test and record.level == "ERROR":
                self._during_test.append(
                    (self._current_test, record.first_line, details)
                )
            else:
                self.error_lines.append(record.first_line)
                self.error_details.extend(details)

    def finish(self):
        for test, line, details in self._during_test:
            if test not in self._failed_tests:
                self.error_lines.append(line)
                self.error_details.extend(details)
        self._during_test = []
        return self


def parse_odoo_log(text):
    result = OdooResult()
    for record in iter_records(text.splitlines()):
        result.add(record)
    return result.finish()


def score_odoo(result, returncode, expect_result_line=True):
    """(passed, failed, reasons) for one Odoo run."""
    reasons = []
    failed = result.failures + result.errors + len(result.skipped)
    if result.failures or result.errors:
        reasons.append(
            f"{result.failures} failed, {result.errors} error(s) in Odoo tests"
        )
    if result.skipped:
        reasons.append(
            f"{len(result.skipped)} Odoo test(s) skipped (counted as failed)"
        )
    harness = 0
    if result.error_lines:
        harness = 1
        reasons.append(
            f"{len(result.error_lines)} ERROR/CRITICAL line(s) in the Odoo log"
        )
    if expect_result_line and not result.result_lines:
        harness = 1
        reasons.append(
            "no final `odoo.tests.result` line: Odoo did not finish its test run"
        )
    if returncode not in (0, None) and not (failed or harness):
        harness = 1
        reasons.append(f"odoo exited with status {returncode}")
    passed = max(
        0, result.tests_run - result.failures - result.errors - len(result.skipped)
    )
    return passed, failed + harness, reasons


# --------------------------------------------------------------------------
# pytest junit parsing
# --------------------------------------------------------------------------


@dataclass
class JunitResult:
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    problems: list = field(default_factory=list)


def parse_junit(xml_text):
    root = ET.fromstring(xml_text)
    result = JunitResult()
    for case in root.iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        kinds = {child.tag for child in case}
        if "failure" in kinds:
            result.failed += 1
            result.problems.append(f"FAILED {name}")
        elif "error" in kinds:
            result.errors += 1
            result.problems.append(f"ERROR {name}")
        elif "skipped" in kinds:
            result.skipped += 1
            result.problems.append(f"SKIPPED {name}")
        else:
            result.passed += 1
        # pytest reports a failing teardown as an extra <error> on a passed case
        if "failure" in kinds and "error" in kinds:
            result.errors += 1
    return result


def score_pytest(result, returncode):
    reasons = []
    failed = result.failed + result.errors + result.skipped
    if result.failed or result.errors:
        reasons.append(f"{result.failed} failed, {result.errors} error(s) in pytest")
    if result.skipped:
        reasons.append(f"{result.skipped} pytest test(s) skipped (counted as failed)")
    # 0: ok, 1: tests failed, 5: no tests collected; anything else is a crash
    if returncode not in (0, 1, 5) or (returncode == 1 and not failed):
        failed += 1
        reasons.append(f"pytest exited with status {returncode}")
    return result.passed, failed, reasons


# --------------------------------------------------------------------------
# self-test of the parsers
# --------------------------------------------------------------------------

_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_ABBREV = {
    "$T": "odoo.addons.o2c_base.tests.test_partner",
    "$U": "odoo.addons.o2c_base.tests.test_ui",
    "$R": "odoo.tests.result",
    "$L": "odoo.modules.loading",
    "$S": "odoo.service.server",
    "$D": "when loading database 'o2c_test_1'",
}


def _odoo_log(text):
    """Expand the compact samples ("LEVEL logger: message") into Odoo log lines."""
    for key, value in _ABBREV.items():
        text = text.replace(key, value)
    lines = []
    for line in text.splitlines():
        level = line.split(" ", 1)[0]
        if level in _LEVELS:
            rest = line[len(level) + 1 :]
            line = f"2025-01-01 10:00:00,123 4242 {level} o2c_test_1 {rest}"
        lines.append(line)
    return "\n".join(lines) + "\n"


SAMPLE_PASS = _odoo_log("""\
INFO $L: loading 60 modules...
INFO $T: Starting TestPartner.test_a ...
INFO $T: Starting TestPartner.test_b ...
INFO $T: Starting TestPartner.test_c ...
INFO $S: Starting post tests
WARNING odoo.addons.base.models.ir_actions_report: You need Wkhtmltopdf
INFO $L: Modules loaded.
INFO odoo.tests.stats: o2c_base: 5 tests 0.12s 40 queries
INFO $R: 0 failed, 0 error(s) of 3 tests $D
INFO $S: Initiating shutdown
""")
SAMPLE_FAIL = _odoo_log("""\
INFO $T: Starting TestPartner.test_a ...
INFO $T: ======================================================================
ERROR $T: FAIL: TestPartner.test_a
Traceback (most recent call last):
  File "/work/main/addons/o2c_base/tests/test_partner.py", line 9, in test_a
    self.assertEqual(1, 2)
AssertionError: 1 != 2

INFO $T: Starting TestPartner.test_b ...
INFO $T: Starting TestPartner.test_c ...
ERROR $L: Module o2c_base: 1 failures, 0 errors of 3 tests
ERROR $L: At least one test failed when loading the modules.
INFO $S: Starting post tests
ERROR $R: 1 failed, 0 error(s) of 3 tests $D
""")
SAMPLE_TOUR = _odoo_log("""\
INFO $U: Starting TestUi.test_tour ...
ERROR $U.TestUi.test_tour.browser: FAILED: [8/9] Tour o2c_tour → Step Done
ERROR $U: FAIL: TestUi.test_tour
Traceback (most recent call last):
AssertionError: The test code "odoo.startTour('o2c_tour')" failed

INFO $U: Starting TestUi.test_quiet ...
ERROR $U.TestUi.test_quiet.browser: Uncaught TypeError: x is undefined
INFO $R: 1 failed, 0 error(s) of 2 tests $D
""")
SAMPLE_SKIP = _odoo_log("""\
INFO $U: Starting TestUi.test_tour ...
INFO $U: skipped TestUi.test_tour : Chrome Browser not found
INFO $T: Starting TestPartner.test_a ...
INFO $R: 0 failed, 0 error(s) of 2 tests $D
""")
SAMPLE_NO_RESULT = _odoo_log("""\
INFO $L: loading 60 modules...
INFO $L: loading o2c_base/views/res_partner_views.xml
ERROR odoo.modules.registry: Failed to load registry
CRITICAL $S: Failed to initialize database `o2c_test_1`.
Traceback (most recent call last):
  File "/opt/odoo18/odoo/service/server.py", line 1305, in preload_registries
ParseError: while parsing res_partner_views.xml:3
""")
SAMPLE_JUNIT = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1"
 skipped="1" tests="5" time="1.0">
<testcase classname="tests.test_api" name="test_ok" time="0.1"/>
<testcase classname="tests.test_api" name="test_ok2" time="0.1"/>
<testcase classname="tests.test_api" name="test_bad" time="0.1">
<failure message="assert 1 == 2">AssertionError</failure></testcase>
<testcase classname="tests.test_api" name="test_boom" time="0.1">
<error message="fixture failed">RuntimeError</error></testcase>
<testcase classname="tests.test_api" name="test_later" time="0.0">
<skipped type="pytest.skip" message="no server">skip</skipped></testcase>
</testsuite></testsuites>
"""


def self_test():
    """Check the parsers on embedded samples; returns the number of checks."""
    checks = 0

    def check(label, got, want):
        nonlocal checks
        checks += 1
        if got != want:
            raise AssertionError(f"self-test {label}: got {got!r}, want {want!r}")

    r = parse_odoo_log(SAMPLE_PASS)
    check("pass log", score_odoo(r, 0)[:2], (3, 0))
    check("pass log skips", r.skipped, [])

    # Odoo ends each record with its perf info, usually an empty string: " "
    for label, text in (
        ("fail log", SAMPLE_FAIL),
        ("fail log+perf", SAMPLE_FAIL.replace("\n", " \n")),
    ):
        r = parse_odoo_log(text)
        check(f"{label} counts", (r.tests_run, r.failures, r.errors), (3, 1, 0))
        check(label, score_odoo(r, 1)[:2], (2, 1))
        check(f"{label}: test failure records are not stray errors", r.error_lines, [])
        check(f"{label}: FAIL records", len(r.test_errors), 1)

    r = parse_odoo_log(SAMPLE_SKIP)
    check("skip log", score_odoo(r, 0)[:2], (1, 1))
    check("skip log skips", len(r.skipped), 1)

    r = parse_odoo_log(SAMPLE_NO_RESULT)
    check("no-result log", score_odoo(r, 255)[:2], (0, 1))
    check("no-result log error lines", len(r.error_lines), 2)
    check(
        "no-result log exception",
        r.error_details,
        ["    ParseError: while parsing res_partner_views.xml:3"],
    )
    check("no-result log critical", r.critical, True)
    check("no-result log, even with exit 0", score_odoo(r, 0)[:2], (0, 1))
    # the same log without any error line still fails for lack of a result line
    r = parse_odoo_log(SAMPLE_PASS.replace("odoo.tests.result", "odoo.other"))
    check("missing result line", score_odoo(r, 0)[:2], (0, 1))
    # a non-zero exit alone is a failure
    check("exit status", score_odoo(parse_odoo_log(SAMPLE_PASS), 1)[:2], (3, 1))

    # a browser error counts once when its test failed, and on its own when not
    r = parse_odoo_log(SAMPLE_TOUR)
    check(
        "tour log error lines",
        r.error_lines,
        [
            "ERROR odoo.addons.o2c_base.tests.test_ui.TestUi.test_quiet.browser: "
            "Uncaught TypeError: x is undefined"
        ],
    )
    check("tour log", score_odoo(r, 1)[:2], (1, 2))

    j = parse_junit(SAMPLE_JUNIT)
    check("junit counts", (j.passed, j.failed, j.errors, j.skipped), (2, 1, 1, 1))
    check("junit score", score_pytest(j, 1)[:2], (2, 3))
    check("junit no tests", score_pytest(JunitResult(), 5)[:2], (0, 0))
    check("pytest crash", score_pytest(JunitResult(), 3)[:2], (0, 1))
    return checks


# --------------------------------------------------------------------------
# running things
# --------------------------------------------------------------------------


class Harness:
    def __init__(self, args):
        self.args = args
        self.passed = 0
        self.failed = 0
        self.reasons = []
        self.dbname = f"o2c_test_{os.getpid()}"
        self.db_prefix = f"{self.dbname}_"
        self.created_db = False
        self.proc = None

    def fail(self, reason, count=1):
        self.failed += count
        self.reasons.append(reason)
        say(f"FAILURE: {reason}")

    # -- environment -------------------------------------------------------

    def pip_install(self):
        if os.environ.get("O2C_SKIP_PIP") == "1":
            say("O2C_SKIP_PIP=1: not installing requirements")
            return True
        pip = [sys.executable, "-m", "pip", "install", "-q"]
        steps = [
            [*pip, "-r", str(REPO / "requirements.txt")],
            # OCA addon wheels: see the comment in requirements-nodeps.txt
            [*pip, "--no-deps", "-r", str(REPO / "requirements-nodeps.txt")],
        ]
        for cmd in steps:
            say("$ " + " ".join(cmd[2:]))
            proc = common.run_quiet(cmd, cwd=REPO)
            if proc.returncode:
                sys.stdout.write(proc.stdout + proc.stderr)
                self.fail(f"`{' '.join(cmd[2:])}` failed (status {proc.returncode})")
                return False
        return True

    def ensure_debian_packages(self):
        """Chromium (tours), wkhtmltopdf (real PDFs), CUPS + cups-pdf, pdftotext."""
        problem = common.install_debian_packages(say=say)
        if problem:
            self.fail(problem)
            return False
        return True

    def check_websocket(self):
        try:
            import websocket  # noqa: F401, PLC0415
        except ImportError:
            self.fail(
                "websocket-client is not installed: "
                "Odoo's browser tests would be skipped"
            )
            return False
        return True

    # -- odoo --------------------------------------------------------------

    def run_odoo(self, args, title, logf):
        """Run Odoo, tee its log into logf, stream a summary; return (rc, text)."""
        cmd = common.odoo_command(*args)
        say(f"{title}")
        say("$ " + " ".join(["python3", "-m", "odoo", *cmd[3:]]))
        logf.write(f"\n#### o2c_test: {title}\n#### {' '.join(cmd)}\n")
        logf.flush()
        chunks = []
        started = time.monotonic()
        self.proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=common.odoo_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            bufsize=1,
            start_new_session=True,  # its own process group: see stop_child()
        )
        progress = Progress()
        try:
            for line in self.proc.stdout:
                logf.write(line)
                chunks.append(line)
                progress.feed(line)
            rc = self.proc.wait()
        finally:
            self.stop_odoo()
        logf.flush()
        say(
            f"{title}: odoo exited with status {rc} "
            f"after {time.monotonic() - started:.0f}s"
        )
        return rc, "".join(chunks)

    def stop_odoo(self):
        self.stop_child()

    def stop_child(self):
        """Stop the current child (Odoo or pytest) and whatever it started.

        Children run in their own process group, so that an Odoo server that a
        pytest fixture failed to stop, or a stray Chromium, cannot outlive the
        run (and keep the test database busy).
        """
        proc, self.proc = self.proc, None
        if not proc:
            return
        pgid = proc.pid
        for sig, grace in (
            (signal.SIGINT, 30),
            (signal.SIGTERM, 10),
            (signal.SIGKILL, 5),
        ):
            if not _group_alive(pgid) and proc.poll() is not None:
                break
            if proc.poll() is not None and sig == signal.SIGINT:
                sig = signal.SIGTERM  # the leader is gone: left-overs get SIGTERM
                say(f"stopping processes left over by pid {pgid}")
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                if proc.poll() is not None and not _group_alive(pgid):
                    break
                time.sleep(0.2)
        if proc.poll() is None:
            proc.wait()

    def odoo_runs(self, addons, addons_path):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        ours = ",".join(addons)  # addons: {name: manifest}
        deps = common.external_depends(addons) or ["base"]
        port = common.free_port()
        base = [
            "-d",
            self.dbname,
            "--addons-path",
            addons_path,
            "--db-filter",
            f"^{re.escape(self.dbname)}$",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(port),
            "--workers",
            "0",
            "--max-cron-threads",
            "0",
            "--stop-after-init",
        ]
        with open(ODOO_LOG, "w", encoding="utf-8") as logf:
            self.created_db = True  # Odoo creates it; drop it whatever happens next
            rc, text = self.run_odoo(
                [*base, "-i", ",".join(deps)],
                f"step 1/2: install dependencies ({', '.join(deps)}) "
                "with demo data, no tests",
                logf,
            )
            res = parse_odoo_log(text)
            if rc or res.error_lines:
                for line in res.error_lines[:10] + res.error_details[:20]:
                    say(f"  {line}")
                self.fail(
                    f"installing the dependencies of our addons failed (status {rc}, "
                    f"{len(res.error_lines)} ERROR/CRITICAL line(s)); "
                    f"see {rel(ODOO_LOG)}"
                )
                return False
            if self.args.only == "pytest":
                title = f"step 2/2: install {ours} (no tests: --only pytest)"
                test_args = []
            else:
                tags = self.args.tags or ",".join(f"/{name}" for name in addons)
                title = f"step 2/2: install {ours} and run their tests ({tags})"
                test_args = ["--test-enable", "--test-tags", tags]
            rc, text = self.run_odoo([*base, "-i", ours, *test_args], title, logf)
        res = parse_odoo_log(text)
        passed, failed, reasons = score_odoo(
            res, rc, expect_result_line=bool(test_args)
        )
        for line in res.test_errors[:20]:
            say(f"  {line}")
        for line in res.skipped[:20]:
            say(f"  SKIPPED (counts as failed) {line}")
        for line in res.error_lines[:20]:
            say(f"  {line}")
        for line in res.error_details[:40]:
            say(f"  {line}")
        if not test_args:
            if not failed:
                say(f"Odoo: {ours} installed (tests not run: --only pytest)")
        else:
            say(
                f"Odoo: {res.tests_run} tests run, {res.failures} failed, "
                f"{res.errors} error(s), "
                f"{len(res.skipped)} skipped -> {passed} passed, {failed} failed"
                f"   (full log: {rel(ODOO_LOG)})"
            )
        self.passed += passed
        self.failed += failed
        self.reasons.extend(reasons)
        # pytest needs our addons installed: Odoo got to the end of its run
        installed = not res.critical and (res.result_lines if test_args else not failed)
        if not installed:
            self.reasons.append(
                f"installing {ours} failed: pytest not run (see {rel(ODOO_LOG)})"
            )
            say(
                f"FAILURE: installing {ours} failed, so pytest is not run "
                f"(see {rel(ODOO_LOG)})"
            )
        return bool(installed)

    # -- pytest ------------------------------------------------------------

    def run_pytest(self, addons_path):
        if not TESTS_DIR.is_dir() or not any(
            p.name.startswith("test_") or p.name.endswith("_test.py")
            for p in TESTS_DIR.rglob("*.py")
        ):
            say("pytest: no test files under tests/, nothing to run")
            return
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        JUNIT_XML.unlink(missing_ok=True)
        env = dict(
            os.environ,
            O2C_TEST_DB=self.dbname,
            O2C_TEST_DB_PREFIX=self.db_prefix,
            O2C_ADDONS_PATH=addons_path,
            O2C_ODOO_CONF=str(common.CONF),
            PYTHONUNBUFFERED="1",
        )
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "tests/",
            "-p",
            "no:cacheprovider",
            f"--junitxml={JUNIT_XML}",
            "-o",
            "junit_family=xunit2",
        ]
        say("pytest: $ " + " ".join(["python3", *cmd[1:]]))
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, start_new_session=True)
        try:
            rc = self.proc.wait()
        finally:
            self.stop_child()  # also ends Odoo servers a fixture left running
        if JUNIT_XML.is_file():
            try:
                junit = parse_junit(JUNIT_XML.read_text(encoding="utf-8"))
            except ET.ParseError as exc:
                self.fail(f"cannot parse {rel(JUNIT_XML)}: {exc}")
                return
        else:
            junit = JunitResult()
        passed, failed, reasons = score_pytest(junit, rc)
        for line in junit.problems[:20]:
            say(f"  {line}")
        say(f"pytest: {passed} passed, {failed} failed (exit status {rc})")
        self.passed += passed
        self.failed += failed
        self.reasons.extend(reasons)

    # -- cleanup -----------------------------------------------------------

    def cleanup(self):
        self.stop_odoo()
        if self.args.keep_db:
            say(f"--keep-db: keeping database {self.dbname} (and {self.db_prefix}*)")
            return
        try:
            names = common.list_databases(like=self.db_prefix.replace("_", r"\_") + "%")
            if self.created_db or common.database_exists(self.dbname):
                names.insert(0, self.dbname)
            for name in names:
                common.drop_database(name)
                say(f"dropped database {name}")
        except Exception as exc:  # noqa: BLE001 - report, but never hide the test result
            self.fail(f"could not drop the test databases: {exc}")

    # -- main --------------------------------------------------------------

    def run(self):
        say(f"self-test of the log parsers: {self_test()} checks ok")
        problem = common.check_odoo() or common.check_postgres()
        if problem:
            say("ERROR: " + problem.replace("\n", "\n[o2c-test] "))
            self.failed += 1
            return 2
        if not self.pip_install():
            return 1
        if not self.ensure_debian_packages():
            return 1
        if self.args.only != "pytest" and not self.check_websocket():
            return 1
        try:
            addons = common.discover_addons()
        except ValueError as exc:
            self.fail(str(exc))
            return 1
        if not addons:
            self.fail(
                f"no addon (folder with __manifest__.py) found in {common.addons_dir()}"
            )
            return 1
        addons_path = common.odoo_addons_path()
        say(f"addons: {', '.join(addons)}")
        say(f"addons path: {addons_path}")
        try:
            if self.odoo_runs(addons, addons_path) and self.args.only != "odoo":
                self.run_pytest(addons_path)
        finally:
            self.cleanup()
        return 0


class Progress:
    """Turns Odoo's log into a short progress stream on stdout."""

    def __init__(self):
        self.modules = set()
        self.last_print = time.monotonic()
        self.in_error = False

    def emit(self, text):
        print(f"  {text}", flush=True)
        self.last_print = time.monotonic()

    def feed(self, line):
        m = RECORD_RE.match(line.rstrip("\n"))
        if not m:
            return
        level, logger, msg = m["level"], m["logger"], m["msg"]
        if level in ERROR_LEVELS:
            self.emit(f"{level} {logger}: {msg[:300]}")
        elif logger == "odoo.modules.loading" and msg.startswith(
            ("loading ", "Loading module ")
        ):
            if msg.endswith("modules..."):
                self.emit(msg)
                return
            if msg.startswith("loading "):  # "loading <module>/<data file>"
                name = msg[len("loading ") :].split("/", 1)[0]
            else:  # "Loading module <module> (n/m)"
                name = msg.split(" ")[2]
            if name not in self.modules:
                self.modules.add(name)
                self.emit(f"loading module {name}")
        elif msg.startswith("Starting ") and msg.endswith(" ..."):
            self.emit(f"test {msg[len('Starting ') : -4]}")
        elif SKIP_RE.match(msg) and level == "INFO":
            self.emit(f"SKIPPED {msg[len('skipped ') :]}")
        elif logger == "odoo.tests.result" or msg.startswith("Starting post tests"):
            self.emit(msg)
        elif time.monotonic() - self.last_print > 30:
            self.emit(f"... {msg[:120]}")


def _group_alive(pgid):
    """Is any live (non-zombie) process left in process group pgid?"""
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():  # not Linux: ask the kernel, zombies included
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    for entry in proc_dir.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def rel(path):
    try:
        return str(Path(path).relative_to(REPO))
    except ValueError:
        return str(path)


def closing_line(passed, failed):
    line = f"{passed} passed, {failed} failed"
    try:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        SUMMARY.write_text(line + "\n", encoding="utf-8")
    except OSError:
        pass
    print(line, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="only check the log/junit parsers on embedded samples",
    )
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help="do not drop the test database(s) at the end",
    )
    parser.add_argument(
        "--only",
        choices=("odoo", "pytest"),
        help="run only the Odoo tests, or only pytest (addons installed untested)",
    )
    parser.add_argument(
        "--tags",
        help="Odoo --test-tags spec instead of /<addon>,... "
        "(e.g. /ecom_order_intake:TestParsers)",
    )
    args = parser.parse_args(argv)

    if args.self_test:
        try:
            n = self_test()
        except AssertionError as exc:
            print(exc, flush=True)
            closing_line(0, 1)
            return 1
        closing_line(n, 0)
        return 0

    harness = Harness(args)
    status = 0

    def on_sigterm(*_):
        raise KeyboardInterrupt

    # a SIGTERM (CI time-out, kill) cleans up like Ctrl-C does
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        status = harness.run()
    except KeyboardInterrupt:
        harness.stop_odoo()
        harness.fail("interrupted")
        status = 130
    except AssertionError as exc:  # self-test failure
        harness.fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - always end with the closing line
        import traceback  # noqa: PLC0415

        traceback.print_exc()
        harness.fail(f"harness crashed: {exc!r}")
    if harness.reasons:
        say("failures:")
        for reason in harness.reasons:
            say(f"  - {reason}")
    closing_line(harness.passed, harness.failed)
    if status:
        return status
    return 1 if harness.failed else 0


if __name__ == "__main__":
    sys.exit(main())
