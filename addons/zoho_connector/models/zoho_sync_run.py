import logging
import secrets
import traceback

from odoo import api, fields, models

from odoo.addons.queue_job.job import CANCELLED, DONE, FAILED, STARTED, Job

from .independent_cursor import independent_env

_logger = logging.getLogger(__name__)

COUNTERS = ("read", "created", "updated", "skipped", "failed")

# First key of the advisory lock a running job holds on its run (the second key is
# the run's ``lock_key``). Any fixed positive int4: it only keeps these locks apart
# from the two-key advisory locks of other code.
RUN_LOCK_NAMESPACE = 7_215_604


class ZohoSyncRun(models.Model):
    """One run of a sync, visible while it runs."""

    _name = "zoho.sync.run"
    _description = "Zoho sync run"
    _order = "id desc"

    backend_id = fields.Many2one(
        "zoho.backend", required=True, ondelete="cascade", index=True
    )
    kind = fields.Selection(
        [
            ("pull", "Pull accounts and contacts"),
            ("pull_ids", "Pull notified records"),
            ("push_receivables", "Push receivable facts"),
            ("push_invoice", "Push invoice"),
            ("overdue_tasks", "Overdue task"),
            ("watch", "Renew notifications"),
        ],
        required=True,
    )
    full = fields.Boolean("Full sync")
    state = fields.Selection(
        [
            ("running", "Running"),
            ("done", "Done"),
            ("retrying", "Zoho busy: retried later"),
            ("failed", "Failed"),
        ],
        default="running",
        required=True,
    )
    started_at = fields.Datetime(default=fields.Datetime.now)
    ended_at = fields.Datetime()
    read_count = fields.Integer("Read")
    created_count = fields.Integer("Created")
    updated_count = fields.Integer("Updated")
    skipped_count = fields.Integer("Skipped")
    failed_count = fields.Integer("Failed")
    credits_used = fields.Integer("API credits")
    requests_made = fields.Integer("API calls")
    progress_note = fields.Char()
    error_ids = fields.One2many("zoho.sync.error", "run_id")
    message = fields.Text()
    job_uuid = fields.Char("Job", readonly=True, copy=False, index=True)
    # held as a transaction-level advisory lock by the job that runs this run: a
    # "Running" run whose lock nobody holds was left by a process that died
    lock_key = fields.Integer(readonly=True, copy=False)

    @api.depends("backend_id", "kind", "started_at")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"].selection)
        for run in self:
            run.display_name = f"{labels.get(run.kind)} {run.started_at or ''}"

    # Progress is written in its own committed transaction so people see a
    # long run move; the run's own changes commit with the job.

    @api.model
    def _start(self, backend, kind, full=False):
        """Create the run of a job starting now, committed at once.

        The job's own transaction takes the run's lock *before* the run exists, so
        whoever sees the run "Running" either sees the lock held or the job gone.
        Runs of the same kind that a dead process left "Running" are closed first.
        """
        lock_key = secrets.randbits(31)
        self.env.cr.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [RUN_LOCK_NAMESPACE, lock_key]
        )
        with independent_env(self.env) as env:
            Run = env["zoho.sync.run"]
            Run.search(
                [
                    ("backend_id", "=", backend.id),
                    ("kind", "=", kind),
                    ("state", "=", "running"),
                ]
            )._close_interrupted()
            run = Run.create(
                {
                    "backend_id": backend.id,
                    "kind": kind,
                    "full": full,
                    "job_uuid": self.env.context.get("job_uuid"),
                    "lock_key": lock_key,
                }
            )
            run_id = run.id
        return self.browse(run_id)

    def _progress(self, counts, note=None, **extra):
        self.ensure_one()
        values = {f"{name}_count": counts.get(name, 0) for name in COUNTERS}
        values.update(extra)
        if note:
            values["progress_note"] = note
        with independent_env(self.env) as env:
            self.with_env(env).write(values)
        self.invalidate_recordset()

    def _finish(self, counts, state="done", message=None, **extra):
        self._progress(
            counts,
            state=state,
            ended_at=fields.Datetime.now(),
            message=message,
            **extra,
        )

    def _log_error(self, zoho_module, zoho_id, message, field=None):
        with independent_env(self.env) as env:
            env["zoho.sync.error"].create(
                {
                    "run_id": self.id,
                    "zoho_module": zoho_module,
                    "zoho_id": zoho_id,
                    "field": field,
                    "message": message,
                }
            )

    # -- runs whose process died (killed worker, out of memory, restart) -----------

    @api.model
    def _cron_close_interrupted(self):
        """Close every run left "Running" by a process that is gone."""
        self.search([("state", "=", "running")])._close_interrupted()

    def _held_lock_keys(self):
        """:return: the ``lock_key`` of these runs that a transaction holds now.

        Read from ``pg_locks`` rather than by trying the lock: a lock held by this
        very session (an inline job under tests) counts as held too.
        """
        keys = [run.lock_key for run in self if run.lock_key]
        if not keys:
            return set()
        self.env.cr.execute(
            """
            SELECT objid::bigint
              FROM pg_locks
             WHERE locktype = 'advisory'
               AND granted
               AND objsubid = 2
               AND database = (SELECT oid FROM pg_database
                                WHERE datname = current_database())
               AND classid = %s::oid
               AND objid = ANY(%s::oid[])
            """,
            [RUN_LOCK_NAMESPACE, keys],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _close_interrupted(self):
        """Close the runs of these that no living transaction runs any more.

        A run whose lock is held is really running and is left alone. Otherwise the
        process that ran it died without a word (SIGKILL, out of memory, the time
        limit, a restart): the run is closed as failed, saying so. Its job, if
        queue_job still shows that very attempt as started (queue_job cannot tell
        a dead worker from a slow one), is put back in the queue, counted as an
        attempt, or failed once its attempts are spent. A Zoho job may run again:
        every write is an upsert.

        :return: the runs closed
        """
        running = self.filtered(lambda run: run.state == "running")
        held = running._held_lock_keys()
        dead = running.filtered(lambda run: run.lock_key not in held)
        alive_jobs = set((running - dead).mapped("job_uuid"))
        closed = self.browse()
        for run in dead:
            # one closer per run, even with the cron and a starting job at once
            self.env.cr.execute(
                "UPDATE zoho_sync_run SET state = 'failed' "
                "WHERE id = %s AND state = 'running' RETURNING id",
                [run.id],
            )
            if not self.env.cr.fetchone():
                continue
            message = run._requeue_dead_job(alive_jobs)
            _logger.warning("Zoho sync run %s interrupted: %s", run.id, message)
            run.invalidate_recordset(["state"])
            run.write(
                {
                    "state": "failed",
                    "ended_at": fields.Datetime.now(),
                    "message": message,
                }
            )
            closed |= run
        return closed

    def _requeue_dead_job(self, alive_jobs):
        """Put back the job attempt that died with this run, if it is still
        "started"; :return: what happened, for the person reading the run."""
        self.ensure_one()
        stopped = self.env._(
            "The worker stopped while the job ran (killed, out of memory, over its "
            "time limit or restarted): the run did not finish."
        )
        if not self.job_uuid:
            return stopped
        self.env.cr.execute(
            "SELECT state, date_started FROM queue_job WHERE uuid = %s FOR UPDATE",
            [self.job_uuid],
        )
        row = self.env.cr.fetchone()
        if not row:
            return self.env._("%s Its job no longer exists.", stopped)
        state, date_started = row
        # a later attempt of the same job (started after this run) is not ours;
        # queue_job keeps microseconds, the run's start is in whole seconds
        same_attempt = (
            date_started and date_started.replace(microsecond=0) <= self.started_at
        )
        if state != STARTED or not same_attempt or self.job_uuid in alive_jobs:
            if state in (DONE, FAILED, CANCELLED):
                return self.env._(
                    "%(stopped)s Its job has ended since (%(state)s).",
                    stopped=stopped,
                    state=state,
                )
            return self.env._(
                "%(stopped)s The job was requeued since (now: %(state)s).",
                stopped=stopped,
                state=state,
            )
        job = Job.load(self.sudo().env, self.job_uuid)
        job.retry += 1  # the attempt that died counts
        if job.max_retries and job.retry >= job.max_retries:
            message = self.env._(
                "%(stopped)s Its job failed: it was interrupted on its last "
                "attempt (%(count)s). Requeue it from the job once the cause is "
                "fixed.",
                stopped=stopped,
                count=job.retry,
            )
            job.set_failed(exc_name="WorkerStopped", exc_message=message)
        else:
            message = self.env._("%s The job was requeued and runs again.", stopped)
            job.set_pending(result=message, reset_retry=False)
        job.store()
        return message

    def _fail(self, counts, exc, **extra):
        _logger.warning("Zoho sync run %s failed: %s", self.id, exc)
        self._finish(
            counts,
            state="failed",
            message="".join(traceback.format_exception_only(exc)),
            **extra,
        )


class ZohoSyncError(models.Model):
    """A record a run could not handle, with a way to try it again."""

    _name = "zoho.sync.error"
    _description = "Zoho sync error"
    _order = "id desc"

    run_id = fields.Many2one("zoho.sync.run", required=True, ondelete="cascade")
    backend_id = fields.Many2one(related="run_id.backend_id", store=True)
    zoho_module = fields.Char()
    zoho_id = fields.Char("Zoho ID")
    field = fields.Char()
    message = fields.Text()
    retried = fields.Boolean(readonly=True)

    def action_retry(self):
        for error in self.filtered(lambda err: err.zoho_id and not err.retried):
            error.backend_id.with_delay(
                description=f"Zoho: pull {error.zoho_module} {error.zoho_id} again"
            )._zoho_pull_ids(error.zoho_module, [error.zoho_id])
            error.retried = True
        return True
