import logging
import traceback

from odoo import api, fields, models

from .independent_cursor import independent_env

_logger = logging.getLogger(__name__)

COUNTERS = ("read", "created", "updated", "skipped", "failed")


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

    @api.depends("backend_id", "kind", "started_at")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"].selection)
        for run in self:
            run.display_name = f"{labels.get(run.kind)} {run.started_at or ''}"

    # Progress is written in its own committed transaction so people see a
    # long run move; the run's own changes commit with the job.

    @api.model
    def _start(self, backend, kind, full=False):
        with independent_env(self.env) as env:
            run = env["zoho.sync.run"].create(
                {"backend_id": backend.id, "kind": kind, "full": full}
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
