import threading
import uuid
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..parsers.header import read_header
from .intake_common import IntakeCase, native_order


@tagged("post_install", "-at_install")
class TestIntakeDrain(IntakeCase):
    """One job per shop processes the received intakes; the cron is the net."""

    def store(self, order_id):
        body = native_order(order_id, [("O2C-PAPER-A4", 1, 6.5)])
        status, created = self.Intake._receive(
            self.shop, f"msg-{order_id}", {}, body, read_header(body)
        )
        self.assertTrue(created)
        return self.Intake.search([("name", "=", status["intake"])])

    def drain_jobs(self):
        return self.env["queue.job"].search(
            [("identity_key", "=", self.shop._drain_identity_key())]
        )

    def test_deliveries_share_one_waiting_drain_job(self):
        first, second = self.store("WEB-D1"), self.store("WEB-D2")
        job = self.drain_jobs()
        self.assertEqual(len(job), 1)
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.channel, "root.ecom_intake")
        self.assertEqual((first | second).mapped("state"), ["received"] * 2)

        self.shop._drain_intakes_job()
        self.assertEqual((first | second).mapped("state"), ["done"] * 2)
        self.assertEqual(len(first.sale_order_id | second.sale_order_id), 2)
        # drained twice (a second job, the cron): nothing more is made
        self.shop._drain_intakes_job()
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("ecom_intake_id", "in", (first | second).ids)]
            ),
            2,
        )

    def test_references_follow_the_intake_sequence(self):
        """The door draws the number with its claim; the sequence's settings
        (prefix, padding, implementation) still decide the reference."""
        sequence = self.env.ref("ecom_order_intake.seq_order_intake")
        sequence.write({"prefix": "WEB/%(year)s/", "padding": 6})
        year = fields.Date.today().year
        first = self.store("WEB-R1")
        self.assertRegex(first.name, rf"^WEB/{year}/\d{{6}}$")
        # a standard sequence's number comes with the claim (one round trip)
        claim = self.Intake._claim(self.env, self.shop, "msg-R", "order:R")
        self.assertRegex(claim.reference, rf"^WEB/{year}/\d{{6}}$")
        self.assertGreater(claim.reference, first.name)
        # a gapless sequence has no PostgreSQL sequence: the intake draws it
        sequence.implementation = "no_gap"
        claim = self.Intake._claim(self.env, self.shop, "msg-R", "order:R")
        self.assertIsNone(claim.reference)
        second, third = self.store("WEB-R2"), self.store("WEB-R3")
        number = int(second.name.rsplit("/", 1)[1])
        self.assertEqual(third.name, f"WEB/{year}/{number + 1:06d}")
        # a repeated delivery is answered with the stored intake's reference
        body = native_order("WEB-R3", [("O2C-PAPER-A4", 1, 6.5)])
        status, created = self.Intake._receive(
            self.shop, "msg-WEB-R3", {}, body, read_header(body)
        )
        self.assertFalse(created)
        self.assertEqual(status["intake"], third.name)
        self.assertEqual(
            len({first.name, second.name, third.name}), 3, "references are unique"
        )

    def test_a_batch_takes_the_oldest_intakes(self):
        intakes = self.store("WEB-D3") | self.store("WEB-D4") | self.store("WEB-D5")
        processed, failed = self.shop._drain_intakes(limit=2)
        self.assertEqual(processed, intakes.sorted("id")[:2])
        self.assertFalse(failed)
        self.assertEqual(intakes.sorted("id")[2].state, "received")

    def test_cron_queues_a_drain_for_forgotten_intakes(self):
        intake = self.store("WEB-D6")
        self.drain_jobs().unlink()  # the job got lost
        with trap_jobs() as trap:
            # just received: its job may be on its way
            self.assertNotIn(self.shop, self.env["ecom.shop"]._cron_drain_intakes())
            intake.received_at = fields.Datetime.now() - timedelta(minutes=5)
            self.assertIn(self.shop, self.env["ecom.shop"]._cron_drain_intakes())
            self.assertIn(
                self.shop, trap.enqueued_jobs[-1].recordset, trap.enqueued_jobs
            )
            trap.perform_enqueued_jobs()
        self.assertEqual(intake.state, "done", intake.problem_summary)


@tagged("post_install", "-at_install")
class TestDrainsSideBySide(TransactionCase):
    """Two drain jobs of a shop at once, on committed data: each has its own
    cursor, as two workers of the job runner have."""

    def test_a_drain_that_lost_the_race_runs_again_quietly(self):
        # environments are made here: making one takes the registry lock, which
        # the test runner holds while post-install tests run
        cursors = [self.registry.cursor() for _index in range(3)]
        setup, late, early = (self.env(cr=cr) for cr in cursors)
        shop = setup["ecom.shop"].create({"name": "Race shop", "code": "race-shop"})
        # an unknown customer: the order goes to review (no sale order to undo)
        body = native_order(
            "WEB-RACE-1", [("O2C-PAPER-A4", 1, 6.5)], {"AccountRef": "C-RACE"}
        )
        status, _created = setup["ecom.order.intake"]._receive(
            shop, "msg-race-1", {}, body, read_header(body)
        )
        setup.cr.commit()
        try:
            # the late job's snapshot begins (queue_job loads the job) ...
            late.cr.execute("SELECT 1")
            # ... then the other drain processes the intake and commits
            early["ecom.shop"].browse(shop.id)._drain_intakes_job()
            early.cr.commit()
            with (
                self.assertNoLogs("odoo.sql_db", "ERROR"),
                self.assertRaises(RetryableJobError) as lost,
            ):
                late["ecom.shop"].browse(shop.id)._drain_intakes_job()
            self.assertEqual(lost.exception.seconds, 1)
            self.assertTrue(lost.exception.ignore_retry)
            late.cr.rollback()
            late.invalidate_all()
            # what queue_job runs next: the same job, with a fresh snapshot
            late["ecom.shop"].browse(shop.id)._drain_intakes_job()
            intake = late["ecom.order.intake"].search([("name", "=", status["intake"])])
            self.assertEqual(intake.state, "needs_review")
            self.assertEqual(intake.attempt_count, 1)
            late.cr.rollback()
        finally:
            setup["ecom.order.intake"].search([("shop_id", "=", shop.id)]).unlink()
            setup["queue.job"].search(
                [("identity_key", "=", shop._drain_identity_key())]
            ).unlink()
            shop.unlink()
            setup.cr.commit()
            for cr in cursors:
                cr.close()


@tagged("post_install", "-at_install")
class TestSupersedeSideBySide(TransactionCase):
    """A change that supersedes an earlier change of the order while a person
    processes that one again (*Process again*: its transaction holds the
    earlier change's row), on committed data, each transaction with its own
    cursor."""

    ORDER = "WEB-LOCK-1"

    def setUp(self):
        super().setUp()
        # environments are made here: making one takes the registry lock, which
        # the test runner holds while post-install tests run
        self.cursors = [self.registry.cursor() for _index in range(4)]
        for cr in self.cursors:
            self.addCleanup(cr.close)
        self.setup_env, self.holder, self.drain, self.job = (
            self.env(cr=cr) for cr in self.cursors
        )
        for waiting in (self.drain, self.job):
            # what waits for the holder's lock fails the test, not hangs it
            waiting.cr.execute("SET lock_timeout = '5s'")
            waiting.cr.commit()
        env = self.setup_env
        # every job queued from here on (drains, intake jobs, the orders' ticket
        # prints) is removed with the test's data: the database is copied for the
        # tests against a real server, whose job runner would run them
        env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM queue_job")
        self.jobs_before = env.cr.fetchone()[0]
        self.shop = env["ecom.shop"].create(
            {"name": "Lock shop", "code": "lock-shop", "price_tolerance_percent": 1.0}
        )
        env.cr.commit()
        self.addCleanup(self.clean_up)
        # the order (made), a change in review (a product the shop's code does
        # not name), then a change not processed yet
        self.original = self.store(native_order(self.ORDER, [("O2C-PAPER-A4", 1, 6.5)]))
        self.original._process_job()
        self.first_order = self.original.sale_order_id
        self.change = self.store(
            native_order(self.ORDER, [("PAPER-A4-SHOP", 2, 6.5)], action="update")
        )
        self.change._process_job()
        self.later = self.store(
            native_order(self.ORDER, [("O2C-PAPER-A4", 3, 6.5)], action="update")
        )
        env.cr.commit()
        self.assertEqual(self.first_order.state, "sale")
        self.assertEqual(self.change.state, "needs_review")
        self.assertEqual(self.later.state, "received")

    def store(self, body):
        Intake = self.setup_env["ecom.order.intake"]
        status, _created = Intake._receive(
            self.shop, f"msg-{uuid.uuid4().hex}", {}, body, read_header(body)
        )
        return Intake.search([("name", "=", status["intake"])])

    def clean_up(self):
        for cr in self.cursors[1:]:
            cr.rollback()
        env = self.setup_env
        env.cr.rollback()
        env.invalidate_all()
        intakes = env["ecom.order.intake"].search([("shop_id", "=", self.shop.id)])
        orders = env["sale.order"].search([("ecom_shop_id", "=", self.shop.id)])
        env["queue.job"].search([("id", ">", self.jobs_before)]).unlink()
        intakes.unlink()
        orders._action_cancel()
        orders.unlink()
        self.shop.unlink()
        env.cr.commit()

    def in_env(self, env, records):
        return records.with_env(env)

    def assert_waits(self):
        """While the holder holds the change in review, the drain processing
        the later change leaves it to its own job, which waits (retries)."""
        with (
            self.assertNoLogs("odoo.sql_db", "ERROR"),
            self.assertNoLogs("odoo.addons.ecom_order_intake", "ERROR"),
        ):
            processed, failed = (
                self.drain["ecom.shop"].browse(self.shop.id)._drain_intakes()
            )
        self.assertFalse(processed)
        self.assertEqual(failed, self.in_env(self.drain, self.later))
        # nothing superseded, nothing made
        self.assertEqual(self.in_env(self.drain, self.change).state, "needs_review")
        self.assertEqual(self.in_env(self.drain, self.later).state, "received")
        self.assertTrue(self.in_env(self.drain, self.later).job_uuid)
        self.assertEqual(
            self.drain["sale.order"].search([("ecom_shop_id", "=", self.shop.id)]),
            self.in_env(self.drain, self.first_order),
        )
        self.drain.cr.commit()
        # the later change's own job: retried, not failed
        with (
            self.assertNoLogs("odoo.sql_db", "ERROR"),
            self.assertRaises(RetryableJobError) as waits,
        ):
            self.in_env(self.job, self.later)._process_job()
        self.assertTrue(waits.exception.ignore_retry)
        self.assertIn(self.change.name, str(waits.exception))
        self.job.cr.rollback()
        self.job.invalidate_all()

    def test_a_change_waits_for_a_change_processed_again_then_follows_it(self):
        # a person processes the change in review again (product chosen): their
        # transaction holds its row and makes its order, not committed yet
        change = self.in_env(self.holder, self.change)
        change.line_ids.product_id = self.holder.ref("o2c_base.product_paper_a4")
        change.action_reprocess()
        self.assertEqual(change.state, "done", change.problem_summary)
        self.assert_waits()
        # a job whose snapshot began before the person's commit: its lock on
        # the change fails, a prompt retry
        self.job.cr.execute("SELECT 1")
        self.holder.cr.commit()
        with (
            self.assertNoLogs("odoo.sql_db", "ERROR"),
            self.assertRaises(RetryableJobError) as lost,
        ):
            self.in_env(self.job, self.later)._process_job()
        self.assertEqual(lost.exception.seconds, 1)
        self.job.cr.rollback()
        self.job.invalidate_all()
        # with a fresh snapshot: the change made an order, the later change
        # replaces that order (the change is not superseded)
        later = self.in_env(self.job, self.later)
        later._process_job()
        self.assertEqual(later.state, "done", later.problem_summary)
        change = self.in_env(self.job, self.change)
        self.assertEqual(change.state, "done")
        self.assertEqual(later.original_intake_id, change)
        self.assertEqual(change.sale_order_id.state, "cancel")
        self.assertEqual(self.in_env(self.job, self.first_order).state, "cancel")
        self.assert_only_the_later_change_confirmed(later)
        self.job.cr.commit()

    def assert_only_the_later_change_confirmed(self, later):
        """The shop's last word stands: the later change's order (3 units) is
        the shop's only confirmed order."""
        confirmed = self.job["sale.order"].search(
            [("ecom_shop_id", "=", self.shop.id), ("state", "=", "sale")]
        )
        self.assertEqual(confirmed, later.sale_order_id)
        self.assertEqual(confirmed.order_line.product_uom_qty, 3.0)

    def test_a_change_waits_for_a_held_change_then_supersedes_it(self):
        # a person's transaction holds the change in review, then lets go
        # (e.g. its processing failed)
        self.holder.cr.execute(
            "SELECT id FROM ecom_order_intake WHERE id = %s FOR UPDATE",
            [self.change.id],
        )
        self.assert_waits()
        self.holder.cr.rollback()
        later = self.in_env(self.job, self.later)
        later._process_job()
        self.assertEqual(later.state, "done", later.problem_summary)
        change = self.in_env(self.job, self.change)
        self.assertEqual(change.state, "cancelled")
        self.assertFalse(change.activity_ids)
        self.assertEqual(later.original_intake_id, self.in_env(self.job, self.original))
        self.assertEqual(self.in_env(self.job, self.first_order).state, "cancel")
        self.assert_only_the_later_change_confirmed(later)
        self.job.cr.commit()

    def hold_change(self):
        """The holder's transaction takes the change in review's row."""
        self.holder.cr.execute(
            "SELECT id FROM ecom_order_intake WHERE id = %s FOR UPDATE",
            [self.change.id],
        )

    def test_process_again_waits_for_a_held_change_then_supersedes_it(self):
        # a person processes the later change again while another transaction
        # holds the change in review, and lets go of it a moment later
        self.hold_change()
        released = threading.Event()

        def release():
            self.holder.cr.rollback()
            released.set()

        timer = threading.Timer(0.5, release)
        timer.start()
        self.addCleanup(timer.cancel)
        later = self.in_env(self.job, self.later)
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            later.action_reprocess()
        # it waited for the lock instead of asking the person to try again
        self.assertTrue(released.is_set())
        self.assertEqual(later.state, "done", later.problem_summary)
        self.assertEqual(self.in_env(self.job, self.change).state, "cancelled")
        self.assert_only_the_later_change_confirmed(later)
        # the person's lock_timeout is theirs again (5 s, set by this test)
        self.job.cr.execute("SHOW lock_timeout")
        self.assertEqual(self.job.cr.fetchone()[0], "5s")
        self.job.cr.commit()

    def test_process_again_says_to_try_later_when_still_held(self):
        self.hold_change()
        later = self.in_env(self.job, self.later).with_context(
            ecom_intake_wait_for_locks="200ms"
        )
        with (
            self.assertNoLogs("odoo.sql_db", "ERROR"),
            self.assertRaisesRegex(UserError, "Try again in a moment"),
        ):
            later.action_reprocess()
        self.job.cr.rollback()
        self.job.invalidate_all()
        self.assertEqual(self.in_env(self.job, self.change).state, "needs_review")
        self.assertEqual(self.in_env(self.job, self.later).state, "received")
