"""Runs left "Running" by a process that died (killed worker, out of memory,
restart) are closed; a run whose job really runs is never touched."""

from contextlib import closing
from datetime import timedelta

from odoo import fields
from odoo.sql_db import db_connect
from odoo.tests import tagged

from odoo.addons.queue_job.job import Job

from ..models.zoho_sync_run import RUN_LOCK_NAMESPACE
from .common import ZohoCase


@tagged("post_install", "-at_install")
class TestInterruptedRuns(ZohoCase):
    def started_job(self, max_retries=5, retry=0, started_ago=60):
        """A pull job queue_job shows as started ``started_ago`` seconds ago."""
        job = self.backend.with_delay(max_retries=max_retries)._zoho_pull()
        job.db_record().write(
            {
                "state": "started",
                "retry": retry,
                "date_started": fields.Datetime.now() - timedelta(seconds=started_ago),
            }
        )
        return job.db_record()

    def running_run(self, job=None, lock_key=4242, started_ago=30):
        return self.env["zoho.sync.run"].create(
            {
                "backend_id": self.backend.id,
                "kind": "pull",
                "job_uuid": job.uuid if job else False,
                "lock_key": lock_key,
                "started_at": fields.Datetime.now() - timedelta(seconds=started_ago),
            }
        )

    def close_interrupted(self):
        self.env.flush_all()
        self.env["zoho.sync.run"]._cron_close_interrupted()
        self.env.invalidate_all()

    def test_a_run_whose_job_holds_its_lock_is_left_running(self):
        job = self.started_job()
        run = self.running_run(job, started_ago=0)
        # as queue_job stores it: a moment before the run, within its second
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE queue_job SET date_started = %s::timestamp + interval '0.6 s'"
            " WHERE id = %s",
            [run.started_at, job.id],
        )
        # the worker running the job: another connection holding the run's lock
        with closing(db_connect(self.env.cr.dbname).cursor()) as worker_cr:
            worker_cr.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [RUN_LOCK_NAMESPACE, run.lock_key],
            )
            self.close_interrupted()
            self.assertEqual(run.state, "running")
            self.assertEqual(job.state, "started")
            worker_cr.rollback()  # the worker dies: its transaction ends
        self.close_interrupted()
        self.assertEqual(run.state, "failed")
        self.assertTrue(run.ended_at)
        self.assertIn("worker stopped while the job ran", run.message)
        self.assertIn("requeued and runs again", run.message)
        # queue_job leaves a dead attempt "started" forever: it is queued again,
        # and the attempt counts
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.retry, 1)

    def test_a_dead_run_on_the_last_attempt_fails_its_job(self):
        job = self.started_job(max_retries=3, retry=2)
        run = self.running_run(job)
        self.close_interrupted()
        self.assertEqual(run.state, "failed")
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.retry, 3)
        self.assertIn("last attempt", job.exc_message)
        self.assertEqual(run.message, job.exc_message)

    def test_a_dead_run_leaves_a_job_already_requeued_or_started_again(self):
        requeued = self.started_job()
        requeued.requeue()
        run_requeued = self.running_run(requeued, lock_key=1)
        # a later attempt of the job started after the dead run began
        again = self.started_job(started_ago=5)
        run_again = self.running_run(again, lock_key=2, started_ago=30)
        self.close_interrupted()
        self.assertEqual(requeued.state, "pending")
        self.assertEqual(again.state, "started")
        self.assertEqual(again.retry, 0)
        for run in run_requeued | run_again:
            self.assertEqual(run.state, "failed")
            self.assertIn("The job was requeued since", run.message)

    def test_a_dead_run_without_a_job_or_whose_job_is_gone_is_closed(self):
        job = self.started_job()
        inline = self.running_run(lock_key=3)
        orphan = self.running_run(job, lock_key=4)
        job.unlink()
        self.close_interrupted()
        self.assertEqual(inline.state, "failed")
        self.assertIn("worker stopped", inline.message)
        self.assertEqual(orphan.state, "failed")
        self.assertIn("no longer exists", orphan.message)

    def test_a_dead_run_whose_job_has_ended_says_so(self):
        job = self.started_job()
        run = self.running_run(job)
        job.button_done()
        self.close_interrupted()
        self.assertEqual(run.state, "failed")
        self.assertIn("Its job has ended since (done)", run.message)
        self.assertEqual(job.state, "done")

    def test_finished_runs_are_not_touched(self):
        run = self.running_run(lock_key=5)
        run.write({"state": "done", "message": "all good"})
        self.close_interrupted()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.message, "all good")

    def test_the_next_run_of_the_same_kind_closes_a_dead_one(self):
        self.zoho.add_accounts(2)
        dead_job = self.started_job()
        dead = self.running_run(dead_job)
        other_kind = self.running_run(lock_key=6)
        other_kind.kind = "push_receivables"
        self.env.flush_all()
        job = self.backend.with_delay()._zoho_pull(full=True)
        Job.load(self.env, job.uuid).perform()  # as the worker does, job_uuid set
        self.env.invalidate_all()
        self.assertEqual(dead.state, "failed")
        self.assertEqual(dead_job.state, "pending")
        self.assertEqual(other_kind.state, "running")  # left to the cron
        (new,) = self.env["zoho.sync.run"].search([("job_uuid", "=", job.uuid)])
        self.assertEqual(new.state, "done", new.message)
        self.assertEqual(new.read_count, 2)
        # this transaction (the job's) still holds the finished run's lock
        self.assertEqual(new._held_lock_keys(), {new.lock_key})
