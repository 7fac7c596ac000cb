import base64
import hashlib
import json
import logging
from collections import namedtuple
from contextlib import contextmanager

from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import create_index, file_open, file_path

from odoo.addons.queue_job.exception import RetryableJobError

from ..parsers.common import ACTION_DELETE, ACTION_NEW, ACTION_UPDATE
from ..parsers.header import read_header

_logger = logging.getLogger(__name__)

STATES = [
    ("received", "Received"),
    ("done", "Order created"),
    ("needs_review", "Needs review"),
    ("cancelled", "Cancelled"),
]

# how long a person's *Process again* waits for another transaction that holds
# an intake of the same order (a PostgreSQL lock_timeout); a context key
# ``ecom_intake_wait_for_locks`` sets another
PERSON_LOCK_WAIT = "15s"

# headers worth keeping next to the payload; the signature proves what was signed
KEPT_HEADERS = (
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "content-type",
    "content-length",
    "user-agent",
    "x-forwarded-for",
)


def document_key(parsed_header, body):
    """The sender's idempotency key of one document.

    cXML carries its own (``payloadID``). Otherwise a new order is known by its
    order id, and an update or deletion by order id, action and content, so that
    a resent change is recognised and a later, different change is not.
    """
    if parsed_header["idempotency_key"]:
        return "payload:" + parsed_header["idempotency_key"]
    if parsed_header["action"] == ACTION_NEW:
        return "order:" + parsed_header["external_id"]
    digest = hashlib.sha256(body).hexdigest()[:16]
    return "order:%s:%s:%s" % (
        parsed_header["external_id"],
        parsed_header["action"],
        digest,
    )


# a delivery's claim: the environment on the transaction holding it, the id of
# the intake already stored for this delivery id or document key (or None),
# whether the shop's drain job is waiting to run, and the new intake's reference
# when it could be drawn in the same round trip (else None)
DeliveryClaim = namedtuple("DeliveryClaim", "env other_id drain_waiting reference")


def _transaction_unused(cr):
    """:return: whether ``cr``'s transaction has not run a query yet (a test
    cursor, which wraps another, never says so)."""
    connection = getattr(cr, "_cnx", None)
    return (
        connection is not None
        and connection.info.transaction_status == TRANSACTION_STATUS_IDLE
    )


class EcomOrderIntake(models.Model):
    """One order document as the shop delivered it, and what became of it."""

    _name = "ecom.order.intake"
    _description = "Web shop order intake"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        # the status endpoint looks an intake up by its reference
        "Reference",
        required=True,
        readonly=True,
        copy=False,
        default="/",
        index=True,
    )
    shop_id = fields.Many2one(
        "ecom.shop", required=True, readonly=True, index=True, ondelete="restrict"
    )
    # the door stores intakes: precomputed (in the INSERT, no UPDATE after it),
    # and editable (readonly=False) only so that Odoo keeps a value the door
    # gives instead of computing it again (it discards given values of
    # readonly precomputed fields)
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        index=True,
        precompute=True,
        readonly=False,
    )
    state = fields.Selection(
        STATES, default="received", required=True, tracking=True, index=True
    )
    webhook_id = fields.Char("Delivery ID", readonly=True, copy=False)
    document_key = fields.Char("Idempotency key", readonly=True, copy=False)
    received_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    processed_at = fields.Datetime(readonly=True)
    raw_payload = fields.Binary("Raw document", attachment=False, readonly=True)
    raw_payload_text = fields.Text("Document", compute="_compute_raw_payload_text")
    raw_headers = fields.Text("Headers", readonly=True)
    payload_size = fields.Integer("Size (bytes)", readonly=True)
    payload_sha256 = fields.Char("SHA-256", readonly=True)
    doc_format = fields.Selection(
        [("native", "Native"), ("ubl", "UBL 2.1"), ("cxml", "cXML")],
        string="Format",
        readonly=True,
    )
    action = fields.Selection(
        [
            (ACTION_NEW, "New order"),
            (ACTION_UPDATE, "Change"),
            (ACTION_DELETE, "Cancellation"),
        ],
        default=ACTION_NEW,
        readonly=True,
    )
    external_order_id = fields.Char("Shop order", readonly=True, index=True)
    customer_reference = fields.Char("Customer PO", readonly=True)
    customer_name = fields.Char("Customer (as sent)", readonly=True)
    currency_code = fields.Char("Currency (as sent)", readonly=True)
    amount_total_sent = fields.Float("Total (as sent)", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        help="Matched customer. In review, choose one: it is remembered for this shop.",
    )
    sale_order_id = fields.Many2one("sale.order", readonly=True, copy=False, index=True)
    original_intake_id = fields.Many2one(
        "ecom.order.intake",
        string="Changes intake",
        readonly=True,
        help="For a change or cancellation: the intake whose sale order it changes "
        "or cancels (the last one of this shop order that made a sale order), or, "
        "when none had been made, the new-order intake it replaced. Changes sent "
        "in between that were still in review are superseded (cancelled), not "
        "linked.",
    )
    line_ids = fields.One2many("ecom.order.intake.line", "intake_id", string="Lines")
    problem_ids = fields.One2many(
        "ecom.order.intake.problem", "intake_id", string="Problems", readonly=True
    )
    problem_count = fields.Integer(
        compute="_compute_problem_count", store=True, precompute=True, readonly=False
    )
    problem_summary = fields.Text(
        compute="_compute_problem_count", store=True, precompute=True, readonly=False
    )
    attempt_count = fields.Integer("Attempts", readonly=True)
    review_rate = fields.Float(
        "Review rate (%)",
        readonly=True,
        aggregator="avg",
        help="100 for an intake that ever needed review, else 0: its average is the "
        "share of orders that needed a person.",
    )
    job_uuid = fields.Char("Job", readonly=True, copy=False)
    job_state = fields.Char(compute="_compute_job_state")
    payment_reference = fields.Char(readonly=True)
    payment_method = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "webhook_unique",
            "UNIQUE(shop_id, webhook_id)",
            "This delivery was already received.",
        ),
        (
            "document_unique",
            "UNIQUE(shop_id, document_key)",
            "This order document was already received.",
        ),
    ]

    def init(self):
        # the drains' work queue: a shop's received intakes, oldest first (few,
        # among all the intakes ever received)
        create_index(
            self.env.cr,
            "ecom_order_intake_received_index",
            self._table,
            ["shop_id", "id"],
            where="state = 'received'",
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self._next_reference()
        return super().create(vals_list)

    def write(self, vals):
        _check_reviewer_write(self, vals, REVIEWER_FIELDS)
        return super().write(vals)

    @api.model
    def _reference_sequence(self):
        """:return: the addon's intake sequence (found through its cached XML id:
        every delivery takes a number), or an empty recordset"""
        return (
            self.env["ir.sequence"]
            .sudo()
            .browse(
                self.env["ir.model.data"]._xmlid_to_res_id(
                    "ecom_order_intake.seq_order_intake", raise_if_not_found=False
                )
            )
        )

    @api.model
    def _next_reference(self):
        """:return: the next intake reference, from the addon's sequence, else
        from any sequence with the intake's code."""
        sequence = self._reference_sequence()
        if sequence:
            return sequence._next()
        return self.env["ir.sequence"].sudo().next_by_code("ecom.order.intake")

    @api.depends("raw_payload")
    def _compute_raw_payload_text(self):
        for intake in self:
            raw = intake._raw_bytes()
            intake.raw_payload_text = raw and _decode_payload(raw)

    @api.depends("shop_id.company_id")
    def _compute_company_id(self):
        for intake in self:
            intake.company_id = intake.shop_id.company_id

    @api.depends("problem_ids.message")
    def _compute_problem_count(self):
        for intake in self:
            intake.problem_count = len(intake.problem_ids)
            intake.problem_summary = "\n".join(intake.problem_ids.mapped("message"))

    def _raw_bytes(self):
        """:return: the document exactly as the shop sent it."""
        self.ensure_one()
        raw = self.with_context(bin_size=False).raw_payload
        return base64.b64decode(raw) if raw else b""

    def _compute_job_state(self):
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search([("uuid", "in", self.mapped("job_uuid"))])
        )
        state_by_uuid = {
            job.uuid: dict(job._fields["state"].selection).get(job.state)
            for job in jobs
        }
        for intake in self:
            intake.job_state = state_by_uuid.get(intake.job_uuid, False)

    # ------------------------------------------------------------------
    # Receiving
    # ------------------------------------------------------------------

    @api.model
    def _receive(
        self,
        shop,
        webhook_id,
        headers,
        body,
        parsed_header,
        own_transaction=False,
        company_id=None,
    ):
        """Store one delivery, once, and queue its processing after commit.

        :param parsed_header: dict with ``format``, ``action``, ``external_id``,
            ``idempotency_key`` (what identifies the document; see
            :func:`..parsers.read_header`)
        :param own_transaction: store it in a short transaction of its own,
            committed at once (the HTTP endpoint, where deliveries race, when
            its request's transaction is not READ COMMITTED: see
            :meth:`_request_transaction_unused`)
        :param company_id: the shop's company when the caller knows it (the
            endpoint's cached :meth:`~.shop.EcomShop._intake_door`: no read)
        :return: ``(status, created)``: the intake's :meth:`_status_payload`, and
            False when this was a repeated delivery of a stored document
        """
        key = document_key(parsed_header, body)
        company_id = company_id or shop.company_id.id
        vals = {
            "shop_id": shop.id,
            "company_id": company_id,
            "webhook_id": webhook_id,
            "document_key": key,
            "raw_payload": base64.b64encode(body),
            "raw_headers": json.dumps(
                {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS},
                indent=1,
                sort_keys=True,
            ),
            "payload_size": len(body),
            "payload_sha256": hashlib.sha256(body).hexdigest(),
            "doc_format": parsed_header["format"],
            "action": parsed_header["action"],
            "external_order_id": parsed_header["external_id"],
            # a new intake has no problems (given: nothing to compute)
            "problem_count": 0,
            "problem_summary": False,
        }
        with self._delivery_claim(shop, webhook_id, key, own_transaction) as claim:
            # holding the claim, and seeing every committed delivery: either the
            # other delivery of this document is here, or none can be
            # the shop's company: its sequence, and no user lookup for it
            Intake = self.with_env(claim.env).with_company(company_id)
            if claim.other_id:
                return Intake.browse(claim.other_id)._status_payload(), False
            if claim.reference:
                vals["name"] = claim.reference
            # the shop waits for this: no creation message or followers here
            intake = Intake.with_context(
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                mail_notrack=True,
                tracking_disable=True,
            ).create(vals)
            # one drain job per shop processes the intakes (no job per delivery)
            intake.shop_id._enqueue_intake_drain(waiting=claim.drain_waiting)
            return intake._status_payload(), True

    @api.model
    @contextmanager
    def _delivery_claim(self, shop, webhook_id, key, own_transaction=True):
        """Claim a delivery (shop + delivery id, shop + document key) for the rest
        of the transaction: with ``own_transaction``, a short one of its own,
        committed on exit.

        Concurrent deliveries of one document wait here for each other instead of
        racing to a unique-key violation (no error in the log, nothing to undo).
        The transaction is READ COMMITTED so that, once the claim is ours, a
        delivery the other one committed meanwhile is visible.

        :yield: a :class:`DeliveryClaim`
        """
        registry = self.env.registry
        if not own_transaction or registry.in_test_mode():
            # in the caller's transaction: the HTTP request's, not used yet
            # (see _request_transaction_unused), or one where nothing races
            # (tests share one; demo data)
            self.flush_model(["shop_id", "webhook_id", "document_key"])
            yield self._claim(self.env, shop, webhook_id, key)
            return
        with registry.cursor() as cr:
            yield self._claim(self.env(cr=cr), shop, webhook_id, key)

    @api.model
    def _request_transaction_unused(self):
        """:return: whether the caller's transaction has run no query yet (the
        HTTP request's cursor at the start of the route): the delivery can
        then be claimed and stored in it, made READ COMMITTED (see
        :meth:`_delivery_claim`), without a second connection and commit;
        else it is stored in a short transaction of its own
        """
        return not self.env.registry.in_test_mode() and _transaction_unused(self.env.cr)

    @api.model
    def _claim(self, env, shop, webhook_id, key):
        """Take a delivery's advisory locks, then look for its intake and the
        shop's waiting drain job, and draw the new intake's reference: one round
        trip (statements of one call run in order, and each SELECT of a READ
        COMMITTED transaction sees what was committed before it started).

        The reference comes from the intake sequence's PostgreSQL sequence, with
        the sequence's current prefix, suffix and padding, when it is a standard
        one without date ranges (Odoo's default: gaps allowed, so a duplicate
        delivery may use a number up); otherwise the intake draws it on create.

        :return: a :class:`DeliveryClaim` on ``env``
        """
        # exclusive, in a fixed order (sorted), so two deliveries never wait
        # for each other
        claims = sorted(
            {f"ecom_intake:{shop.id}:id:{webhook_id}", f"ecom_intake:{shop.id}:{key}"}
        )
        # and, shared, the shop's drain lock: a drain that is ending waits for
        # this delivery to commit before it looks for intakes it has not seen
        # (so whether a drain job waits may be asked before the intake is stored)
        drain_waiting_sql, drain_waiting_params = shop._drain_waiting_query()
        sequence_id = self._reference_sequence().id or 0
        statements = [
            "SELECT pg_advisory_xact_lock_shared(hashtextextended(%s, 0)), "
            + ", ".join(
                ["pg_advisory_xact_lock(hashtextextended(%s, 0))"] * len(claims)
            ),
            "SELECT (SELECT id FROM ecom_order_intake WHERE shop_id = %s"
            " AND (webhook_id = %s OR document_key = %s) ORDER BY id LIMIT 1), "
            + drain_waiting_sql
            + ", seq.prefix, seq.suffix, seq.padding,"
            " CASE WHEN seq.implementation = 'standard'"
            # a text, resolved only when used (no_gap sequences have none)
            " AND seq.use_date_range IS NOT TRUE THEN nextval(%s::text) END"
            " FROM (SELECT 1) AS one LEFT JOIN ir_sequence seq ON seq.id = %s",
        ]
        cr = env.cr
        if _transaction_unused(cr):
            # a transaction that has not started: make it see what others commit
            statements.insert(0, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        cr.execute(
            "; ".join(statements),
            [
                shop._drain_lock_key(),
                *claims,
                shop.id,
                webhook_id,
                key,
                *drain_waiting_params,
                # Odoo's name of a standard sequence's PostgreSQL sequence
                "ir_sequence_%03d" % sequence_id,
                sequence_id,
            ],
        )
        other_id, drain_waiting, prefix, suffix, padding, number = cr.fetchone()
        reference = None
        if number is not None:
            # formatted by Odoo (prefix and suffix interpolated as of now)
            reference = (
                env["ir.sequence"]
                .new({"prefix": prefix, "suffix": suffix, "padding": padding})
                .get_next_char(number)
            )
        return DeliveryClaim(env, other_id, drain_waiting, reference)

    def _enqueue_processing(self):
        for intake in self:
            # the job works as OdooBot, not as the anonymous caller of the webhook
            # a new intake cannot have a job yet: no identity key to look up
            identity_key = (
                f"ecom.order.intake,{intake.id}:{intake.attempt_count}"
                if intake.attempt_count or intake.job_uuid
                else None
            )
            job = (
                intake.with_user(SUPERUSER_ID)
                .with_delay(
                    description=self.env._("Process web shop order %s", intake.name),
                    identity_key=identity_key,
                )
                ._process_job()
            )
            intake.job_uuid = job.uuid

    @api.model
    def _demo_receive_files(self, shop_id, filenames):
        """Demo data: receive the addon's sample orders as if the shop sent them."""
        shop = self.env["ecom.shop"].browse(shop_id)
        for filename in filenames:
            path = file_path(f"ecom_order_intake/demo/orders/{filename}")
            with file_open(path, "rb") as sample:
                body = sample.read()
            self.with_context(queue_job__no_delay=True)._receive(
                shop, f"demo-{filename}", {}, body, read_header(body)
            )

    def _status_payload(self):
        """:return: the JSON the shop sees for this intake."""
        self.ensure_one()
        return {
            "intake": self.name,
            "state": self.state,
            "order_id": self.external_order_id,
            "sale_order": self.sale_order_id.name or None,
            "problems": self.problem_ids.mapped("message")
            if self.state == "needs_review"
            else [],
        }

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_reprocess(self):
        """Remember what the reviewer chose, then try again now."""
        for intake in self:
            if intake.state not in ("needs_review", "received"):
                raise UserError(
                    self.env._(
                        "%(intake)s is %(state)s: only intakes in review can be "
                        "processed again.",
                        intake=intake.name,
                        state=dict(STATES)[intake.state],
                    )
                )
            intake._remember_review_choices()
            try:
                # processing makes orders and payments a reviewer may not
                # create by hand; an intake of the same order another
                # transaction holds is waited for (a job would retry later)
                intake.sudo().with_context(
                    ecom_intake_wait_for_locks=self.env.context.get(
                        "ecom_intake_wait_for_locks", PERSON_LOCK_WAIT
                    )
                )._process()
            except RetryableJobError as wait:
                # still held after the wait
                raise UserError(
                    self.env._(
                        "%(intake)s cannot be processed right now: %(why)s Try "
                        "again in a moment.",
                        intake=intake.name,
                        why=str(wait),
                    )
                ) from wait
        return True

    def action_cancel(self):
        for intake in self:
            if intake.state == "done":
                raise UserError(
                    self.env._(
                        "%(intake)s already made %(order)s: cancel the sale order "
                        "instead.",
                        intake=intake.name,
                        order=intake.sale_order_id.name,
                    )
                )
        # what a reviewer may not write: the button is the way
        self.sudo().write({"state": "cancelled"})
        self.activity_ids.action_feedback(feedback=self.env._("Intake cancelled."))
        return True

    def action_open_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }


# What a reviewer (customer service) may change on an intake in review: the
# customer and, on the lines, the products. The rest is what the shop sent and
# what processing wrote; processing runs as the superuser, so a document edited
# by hand would make orders and card payments its user may not make.
REVIEWER_FIELDS = frozenset({"partner_id", "line_ids"})
REVIEWER_LINE_FIELDS = frozenset({"product_id", "product_set_by_reviewer"})


def _check_reviewer_write(records, vals, allowed):
    """Refuse a write of an intake or its lines by a user who is not an intake
    manager, unless it changes only ``allowed`` fields (or mail's followers,
    messages and activities) of intakes in review."""
    env = records.env
    if env.su or env.user.has_group("ecom_order_intake.group_intake_manager"):
        return
    forbidden = sorted(
        name
        for name in vals
        if name not in allowed and not name.startswith(("message_", "activity_"))
    )
    intakes = records if records._name == "ecom.order.intake" else records.intake_id
    if forbidden or (
        set(vals) & allowed
        and intakes.filtered(lambda intake: intake.state != "needs_review")
    ):
        raise AccessError(
            env._(
                "Only an intake manager may change %(fields)s, and only the "
                "customer and the products of an intake in review can be "
                "chosen by a reviewer.",
                fields=", ".join(forbidden) or env._("an intake not in review"),
            )
        )


def _decode_payload(raw):
    for encoding in ("utf-8", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")
