"""Processing received intakes: one queue job per shop drains them.

The door (the HTTP endpoint) only stores an intake and makes sure the shop's
drain job is queued: with an identity key, a delivery that finds the job still
pending adds nothing but one lookup. Nothing can fall between a delivery and a
drain that has already read its intakes: a delivery holds a shared advisory lock
on the shop until it commits, and a drain, before it ends, takes that lock
exclusively until it commits (every delivery in flight has committed; later
ones wait and then find no drain waiting, so they queue one), looks for received
intakes it has not seen and queues a follow-up drain when there are. A cron
drains whatever is still received after a crash.
"""

import logging
from datetime import timedelta

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from ..utils.row_locks import lock_rows

_logger = logging.getLogger(__name__)

# intakes processed by one drain job (one transaction); more: a follow-up job
DRAIN_BATCH = 50


class EcomShop(models.Model):
    _inherit = "ecom.shop"

    def _drain_lock_key(self):
        self.ensure_one()
        return f"ecom_intake_drain:{self.id}"

    def _drain_identity_key(self):
        self.ensure_one()
        return f"ecom.shop,{self.id}:drain"

    def _drain_waiting_query(self):
        """:return: ``(sql, params)`` of an SQL expression: is this shop's drain
        job waiting to run? Every delivery asks (queue_job's partial index on
        waiting identity keys answers it)."""
        self.ensure_one()
        return (
            "EXISTS(SELECT 1 FROM queue_job WHERE identity_key = %s"
            " AND state IN ('pending', 'enqueued', 'wait_dependencies'))",
            [self._drain_identity_key()],
        )

    def _enqueue_intake_drain(self, waiting=None):
        """Queue the drain job of these shops, unless one is already waiting.

        :param waiting: for one shop, whether its drain job is waiting, when the
            caller has just asked (:meth:`_drain_waiting_query`)
        """
        if waiting is not None:
            self.ensure_one()
        for shop in self:
            if waiting is None:
                sql, params = shop._drain_waiting_query()
                self.env.cr.execute("SELECT " + sql, params)
                shop_waiting = self.env.cr.fetchone()[0]
            else:
                shop_waiting = waiting
            if shop_waiting:
                continue
            shop.with_user(SUPERUSER_ID).with_delay(
                description=self.env._("Process web shop orders of %s", shop.name),
                identity_key=shop._drain_identity_key(),
            )._drain_intakes_job()

    def _drain_intakes_job(self):
        """queue_job entry point: process the shop's received intakes, oldest
        first, each once; safe to run twice or side by side."""
        self.ensure_one()
        processed, failed = self._drain_intakes()
        if self._received_intakes_remain(processed | failed):
            self._enqueue_intake_drain()
        return self.env._(
            "%(count)s intakes processed, %(failed)s failed (own job each)",
            count=len(processed),
            failed=len(failed),
        )

    def _drain_intakes(self, limit=DRAIN_BATCH):
        """Process up to ``limit`` received intakes of this shop in this
        transaction, skipping those another job holds.

        An intake whose processing raises an unexpected error (not a problem for
        review: those are handled by processing) is rolled back and gets a job of
        its own, with its retries and its error visible on the intake; so does
        one that must wait for an intake of the same order another transaction
        holds (its job retries until that one is released).

        :return: ``(processed, failed)`` intakes
        """
        self.ensure_one()
        self.env["ecom.order.intake"].flush_model(["shop_id", "state"])
        rows = lock_rows(
            self.env.cr,
            "SELECT id FROM ecom_order_intake"
            " WHERE shop_id = %s AND state = 'received'"
            " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            [self.id, limit],
            what="the received intakes of this shop",
        )
        intakes = self.env["ecom.order.intake"].browse(row[0] for row in rows)
        processed = failed = intakes.browse()
        for intake in intakes:
            try:
                with self.env.cr.savepoint():
                    intake._process(locked=True)  # FOR UPDATE above
            except RetryableJobError as wait:
                # another transaction holds an intake of the same order: the
                # intake's own job waits for it
                _logger.info("Intake %s: %s", intake.name, wait)
                failed |= intake
                continue
            except Exception:
                _logger.exception("Intake %s: processing failed", intake.name)
                failed |= intake
                continue
            processed |= intake
        failed.invalidate_recordset()
        failed._enqueue_processing()
        return processed, failed

    def _received_intakes_remain(self, taken):
        """:return: whether intakes of this shop other than ``taken`` (this
        job's) are still received, as seen once every delivery in flight has
        committed."""
        self.ensure_one()
        if self.env.registry.in_test_mode() or self.env.context.get(
            "queue_job__no_delay"
        ):
            # one shared transaction (tests), or drained inline where it was
            # received (demo data; no job waits): what is not committed yet
            # is only visible here
            return bool(
                self.env["ecom.order.intake"].search_count(
                    [
                        ("shop_id", "=", self.id),
                        ("state", "=", "received"),
                        ("id", "not in", taken.ids),
                    ],
                    limit=1,
                )
            )
        # exclusive, in this transaction (the same session's own shared lock,
        # taken when a delivery is drained inline, does not conflict): wait
        # for the deliveries in flight to commit; later ones wait for this job
        # to commit, then find no waiting drain and queue one
        self.env.cr.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [self._drain_lock_key()],
        )
        # a snapshot taken now, in a transaction of its own: every delivery
        # committed so far; the rows this job or another drain holds are
        # skipped (done when that job commits, or retried with it)
        with self.env.registry.cursor() as cr:
            try:
                cr.execute(
                    "SELECT id FROM ecom_order_intake"
                    " WHERE shop_id = %s AND state = 'received' AND id != ALL(%s)"
                    # in the order of the received intakes' index: read from it
                    " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                    [self.id, taken.ids],
                    log_exceptions=False,
                )
            except SerializationFailure:
                # another drain committed one between this snapshot and its
                # lock: there may be more; a follow-up drain finds out
                return True
            return bool(cr.fetchone())

    @api.model
    def _cron_drain_intakes(self):
        """Safety net: queue a drain for every shop with a received intake no
        job is processing (a lost job, a crash, a failed job given up on)."""
        self.env["ecom.order.intake"].flush_model(["shop_id", "state", "received_at"])
        self.env.cr.execute(
            "SELECT DISTINCT shop_id FROM ecom_order_intake"
            " WHERE state = 'received' AND received_at < %s",
            [fields.Datetime.now() - timedelta(minutes=2)],
        )
        shops = self.browse(row[0] for row in self.env.cr.fetchall())
        shops._enqueue_intake_drain()
        return shops
