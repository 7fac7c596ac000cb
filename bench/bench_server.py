"""The Odoo servers the benchmarks measure: on the benchmark database, logging
warnings and up to ``var/<log_name>``."""

from odoo_server import REPO, OdooServer


def start_bench_server(database, addons_path, log_name, job_runner=False):
    """:param job_runner: load queue_job server-wide, so its job runner runs the
        jobs the benchmark queues (off: the jobs wait)
    :return: the started :class:`OdooServer`"""
    return OdooServer(
        database,
        addons_path=addons_path,
        log_path=REPO / "var" / log_name,
        server_wide_modules="base,web,queue_job" if job_runner else "base,web",
        extra_args=["--log-level", "warn"],
    ).start()
