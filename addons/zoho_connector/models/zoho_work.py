"""The one boundary every Zoho job goes through (in the spirit of OCA
connector's ``work_on``): it owns the client, the sync run and the translation of
Zoho's answers into what queue_job understands.

=========================  =================================================
Zoho said / we hit         the job
=========================  =================================================
429, 5xx, timeout          ``RetryableJobError(seconds=Retry-After or backoff)``
token endpoint limit       ``RetryableJobError(seconds=Zoho's reset time)``
daily credit budget spent  ``RetryableJobError(seconds=until tomorrow)``
credentials / scopes       backend marked "Needs re-authorisation", job failed
record rejected            error logged on the run, job failed
retries exhausted          job failed with a plain message, activity for the
                           Zoho manager on the backend
=========================  =================================================

The run is written in transactions of its own, so it shows progress while the
job runs and is never left "Running" after the job ended, whatever happened.
"""

import logging
from contextlib import contextmanager
from datetime import datetime, time, timedelta

from psycopg2 import OperationalError

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from odoo.addons.queue_job.exception import RetryableJobError

from ..components import errors
from .independent_cursor import independent_env
from .zoho_sync_run import COUNTERS

_logger = logging.getLogger(__name__)

INLINE_RETRIES = 3  # quick retries inside one job before asking queue_job
RETRY_BACKOFF = (30, 60, 120, 300, 600, 1800)  # seconds, by attempt, no Retry-After
JOB_MAX_RETRIES = 12


class ZohoWork:
    """What a job body gets from :meth:`ZohoBackend._zoho_work`."""

    def __init__(self, backend, run, client):
        self.backend = backend
        self.run = run
        self.client = client
        self.counts = dict.fromkeys(COUNTERS, 0)

    def progress(self, note=None):
        """Commit the run's counters now, so people see a long run move."""
        self.run._progress(
            self.counts,
            note=note,
            credits_used=self.client.credits_used,
            requests_made=self.client.calls,
        )

    def lock(self, name, key):
        """Take a lock held until the job's transaction ends, or retry later.

        The same work on the same thing never runs twice at once (and never waits
        for the other: a waiting worker is a worker lost).
        """
        cr = self.backend.env.cr
        cr.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s), %s)", [name, key])
        if not cr.fetchone()[0]:
            raise errors.ZohoRetryLater(
                f"{name} {key} is being handled by another job", retry_after_seconds=5
            )

    def reject(self, module, zoho_id, message, field=None):
        """Log a record Zoho (or the mapping) refused, and count it failed."""
        self.counts["failed"] += 1
        self.run._log_error(module, zoho_id, message, field)


class ZohoBackend(models.Model):
    _inherit = "zoho.backend"

    @contextmanager
    def _zoho_work(self, kind, full=False, inline_retries=INLINE_RETRIES):
        """Run a Zoho job body: ``with backend._zoho_work("push_invoice") as work:``.

        :param kind: the sync run kind (``zoho.sync.run.kind``)
        :yield: a :class:`ZohoWork` (``work.client``, ``work.run``, ``work.counts``)
        :raises RetryableJobError: Zoho busy, rate-limited or budget spent
        :raises UserError: credentials broken, record rejected, retries exhausted
        """
        self.ensure_one()
        run = self.env["zoho.sync.run"]._start(self, kind, full=full)
        work = None
        try:
            client = self._zoho_client(max_inline_retries=inline_retries)
            work = ZohoWork(self, run, client)
            yield work
            # write what the job changed now: a conflict with another
            # transaction is this run's outcome, not a surprise at commit
            self.env.flush_all()
        except errors.ZohoBackendBroken as exc:
            self._mark_broken(exc)
            run._fail(self._counts(work), exc, **self._usage(work))
            raise UserError(self._explain(exc)) from exc
        except (errors.ZohoRetryLater, errors.ZohoBudgetExceeded) as exc:
            self._zoho_retry_or_give_up(run, work, exc)
        except errors.ZohoRecordRejected as exc:
            run._log_error(
                exc.details.get("module") if isinstance(exc.details, dict) else None,
                None,
                str(exc),
                exc.field,
            )
            run._fail(self._counts(work), exc, **self._usage(work))
            raise UserError(self.env._("Zoho refused the record: %s", exc)) from exc
        except BaseException as exc:
            if (
                isinstance(exc, OperationalError)
                and exc.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY
            ):
                # another transaction changed the rows this job writes (a user
                # posting an invoice to a customer a pull updates): not a
                # failure, queue_job runs the job again in a moment
                run._finish(
                    self._counts(work),
                    state="retrying",
                    message=self.env._(
                        "Another transaction changed the same records at the "
                        "same time: tried again in a moment."
                    ),
                    **self._usage(work),
                )
            else:
                run._fail(self._counts(work), exc, **self._usage(work))
            raise
        else:
            run._finish(work.counts, **self._usage(work))

    @staticmethod
    def _counts(work):
        return work.counts if work else dict.fromkeys(COUNTERS, 0)

    @staticmethod
    def _usage(work):
        if not work:
            return {}
        return {
            "credits_used": work.client.credits_used,
            "requests_made": work.client.calls,
        }

    # -- retry or give up ---------------------------------------------------------

    def _zoho_job_attempt(self):
        """:return: ``(attempt, max_retries)`` of the running job, or None."""
        uuid = self.env.context.get("job_uuid")
        if not uuid:
            return None
        job = self.env["queue.job"].sudo().search([("uuid", "=", uuid)], limit=1)
        if not job:
            return None
        return job.retry + 1, job.max_retries

    def _zoho_retry_delay(self, exc, attempt):
        if isinstance(exc, errors.ZohoBudgetExceeded):
            tomorrow = datetime.combine(
                fields.Date.today() + timedelta(days=1), time(0, 5)
            )
            return int((tomorrow - datetime.now()).total_seconds())
        if exc.retry_after_seconds:
            return int(exc.retry_after_seconds) + 1
        return RETRY_BACKOFF[min(attempt, len(RETRY_BACKOFF)) - 1]

    def _zoho_retry_or_give_up(self, run, work, exc):
        job = self._zoho_job_attempt()
        attempt, max_retries = job or (1, 0)
        delay = self._zoho_retry_delay(exc, attempt)
        if job and max_retries and attempt >= max_retries:
            message = self.env._(
                "Zoho stayed unavailable after %(count)s attempts (last answer: "
                "%(error)s). Nothing was lost: requeue the job once Zoho answers "
                "again, or check the organisation's API limits.",
                count=attempt,
                error=exc,
            )
            run._finish(
                self._counts(work), state="failed", message=message, **self._usage(work)
            )
            self._zoho_warn_manager(run, message)
            raise UserError(message) from exc
        run._finish(
            self._counts(work),
            state="retrying",
            message=self.env._(
                "%(error)s: tried again in %(delay)ss", error=exc, delay=delay
            ),
            **self._usage(work),
        )
        raise RetryableJobError(str(exc), seconds=delay) from exc

    def _zoho_warn_manager(self, run, message):
        """An activity on the backend for the Zoho manager (own transaction)."""
        group = self.env.ref("zoho_connector.group_zoho_manager")
        users = group.sudo().users.filtered(lambda user: user.active and user.id != 1)
        user = users.sorted("id")[:1] or self.env.ref("base.user_admin")
        labels = dict(run._fields["kind"].selection)
        with independent_env(self.env) as env:
            env["zoho.backend"].browse(self.id).sudo().activity_schedule(
                "mail.mail_activity_data_warning",
                summary=env._("Zoho job failed: %s", labels.get(run.kind)),
                note=message,
                user_id=user.id,
            )

    def _mark_broken(self, error):
        """Flag the backend in a transaction of its own: the job's is rolled back."""
        with independent_env(self.env) as env:
            return super(ZohoBackend, self.with_env(env))._mark_broken(error)
