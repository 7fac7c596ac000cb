"""Turning a stored intake into a sale order, once, or into a review task."""

import logging
from dataclasses import dataclass, field

from psycopg2.errors import LockNotAvailable

from odoo import Command, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, format_date

from odoo.addons.queue_job.exception import RetryableJobError

from ..parsers import parse_order
from ..parsers.common import (
    ACTION_DELETE,
    ACTION_NEW,
    ACTION_UPDATE,
    PAYMENT_CARD,
    OrderParseError,
)
from ..utils.prefetch import prefetched_field_names
from ..utils.row_locks import lock_rows

_logger = logging.getLogger(__name__)


class ReviewNeeded(Exception):
    """Raised inside the attempt's savepoint so nothing of it is kept."""

    def __init__(self, problems):
        super().__init__(problems)
        self.problems = problems

    @classmethod
    def of_order(cls, code, message):
        """:return: the exception for one problem of the whole order (no line)."""
        return cls([(code, message, None)])


@dataclass
class Attempt:
    """What one processing attempt stores on the intake: kept here and written
    once, with the attempt's outcome (done or review), instead of one write per
    step of the attempt."""

    values: dict = field(default_factory=dict)
    # the document's lines as ``ecom.order.intake.line`` values, in document
    # order; None: the document could not be read (the lines stay as they are)
    lines: list | None = None

    def intake_values(self, intake, outcome):
        """:return: the values to write on ``intake``: this attempt's, then
        ``outcome``'s."""
        values = {**self.values, **outcome}
        if self.lines is not None:
            # a first attempt has no lines to replace
            values["line_ids"] = (
                [Command.clear()] if intake._stored_lines() else []
            ) + [Command.create(line) for line in self.lines]
        return values


class EcomOrderIntake(models.Model):
    _inherit = "ecom.order.intake"

    def _process_job(self):
        """queue_job entry point: process one intake; safe to run twice."""
        self.ensure_one()
        if not lock_rows(
            self.env.cr,
            "SELECT id FROM ecom_order_intake WHERE id = %s FOR UPDATE SKIP LOCKED",
            [self.id],
            what="this intake",
        ):
            raise RetryableJobError(
                "Intake is being processed by someone else",
                seconds=10,
                ignore_retry=True,
            )
        self.invalidate_recordset()
        if self.state != "received":
            return self.env._("Nothing to do: intake is %s.", self.state)
        self._process()
        return self.env._(
            "Intake %(intake)s: %(state)s", intake=self.name, state=self.state
        )

    def _process(self, locked=False):
        """One attempt; leaves the intake done, cancelled or in review.

        :param locked: the caller holds the intake's row lock (a drain job)
        """
        self.ensure_one()
        if not locked:
            self.env.cr.execute(
                "SELECT id FROM ecom_order_intake WHERE id = %s FOR UPDATE", [self.id]
            )
        self.invalidate_recordset()
        # what the ORM would prefetch, and the document, in one query (a binary
        # field is not prefetched with the others: a second query every order)
        self.fetch(prefetched_field_names(self) + ["raw_payload"])
        if self.state in ("done", "cancelled"):
            return
        attempt = Attempt({"attempt_count": self.attempt_count + 1})
        try:
            parsed = parse_order(self._raw_bytes())
        except OrderParseError as exc:
            return self._send_to_review([("parse", str(exc), None)], attempt)
        if parsed.format not in self.shop_id._accepted_formats():
            return self._send_to_review(
                [
                    (
                        "format",
                        self.env._(
                            "This shop is not set up to send %s orders.", parsed.format
                        ),
                        None,
                    )
                ],
                attempt,
            )
        self._read_document(parsed, attempt)
        try:
            if parsed.action == ACTION_NEW:
                self._apply_new(parsed, attempt)
            elif parsed.action == ACTION_UPDATE:
                self._apply_update(parsed, attempt)
            elif parsed.action == ACTION_DELETE:
                self._apply_delete(parsed, attempt)
        except ReviewNeeded as review:
            return self._send_to_review(review.problems, attempt)
        except (UserError, ValidationError) as exc:
            # Odoo refused the order (e.g. a missing account): a person must look
            return self._send_to_review([("error", str(exc), None)], attempt)
        if self.problem_count:
            self.problem_ids.unlink()
        if self.review_rate:
            # only an intake that was in review has review activities to close
            self.activity_ids.action_feedback(feedback=self.env._("Processed."))

    # -- reading ------------------------------------------------------------

    def _stored_lines(self):
        """:return: the lines an earlier attempt stored. Only attempts store
        lines: before the first one there are none to read (one query less for
        every new order)."""
        self.ensure_one()
        if not self.attempt_count:
            return self.env["ecom.order.intake.line"]
        return self.line_ids

    def _read_document(self, parsed, attempt):
        """Keep what the document says, for people to read and correct (stored
        with the attempt's outcome)."""
        reviewed = {
            line.line_ref: line.product_id
            for line in self._stored_lines()
            if line.product_set_by_reviewer
        }
        attempt.values.update(
            {
                "external_order_id": parsed.external_id,
                "customer_reference": parsed.customer_reference,
                "customer_name": parsed.customer.name,
                "currency_code": parsed.currency,
                "amount_total_sent": float(parsed.total_amount or 0.0),
                "payment_reference": parsed.payment and parsed.payment.reference,
                "payment_method": parsed.payment and parsed.payment.method,
            }
        )
        attempt.lines = [
            {
                "sequence": index,
                "line_ref": line.line_ref,
                "sku": line.sku,
                "gtin": line.gtin,
                "description": line.description,
                "quantity": float(line.quantity),
                "uom_code": line.uom_code,
                "unit_price": float(line.unit_price or 0.0),
                "product_id": reviewed.get(
                    line.line_ref, self.env["product.product"]
                ).id,
                "product_set_by_reviewer": line.line_ref in reviewed,
            }
            for index, line in enumerate(parsed.lines)
        ]

    def _match_or_review(self, parsed, attempt):
        result = self._match(parsed)
        if not parsed.lines:
            result.add("parse", self.env._("The order has no lines."))
        # one matched line per document line, in document order
        for line, matched in zip(attempt.lines, result.lines, strict=True):
            line["product_id"] = matched.product.id if matched.product else False
            line["problem"] = matched.problem or False
        if not self.partner_id and result.partner:
            attempt.values["partner_id"] = result.partner.id
        if result.problems:
            raise ReviewNeeded(
                [(p.code, p.message, p.line_ref) for p in result.problems]
            )
        return result

    # -- actions ----------------------------------------------------------------

    # What matching found is kept on the intake for the reviewer, whatever the
    # outcome; only the making of orders and payments runs in a savepoint, so a
    # failed attempt leaves no half-made order.

    def _apply_new(self, parsed, attempt):
        result = self._match_or_review(parsed, attempt)
        with self.env.cr.savepoint():
            order = self._create_sale_order(parsed, result)
            self._record_card_payment(parsed, order)
            # in the savepoint: an intake Odoo refuses to write takes its order
            # back with it (review, not a second order on "Process again")
            self._write_outcome(
                attempt,
                {
                    "sale_order_id": order.id,
                    "state": "done",
                    "partner_id": result.partner.id,
                },
            )

    def _apply_update(self, parsed, attempt):
        original = self._find_original(parsed)
        if original.action == ACTION_DELETE and original.state == "done":
            # not revived silently: the shop's cancellation was its word
            raise ReviewNeeded.of_order(
                "change",
                self.env._(
                    "The shop cancelled this order with %(intake)s on "
                    "%(date)s; a change arrived afterwards: re-create the "
                    "order by hand or ask the shop.",
                    intake=original.name,
                    date=format_date(
                        self.env,
                        fields.Datetime.context_timestamp(self, original.received_at),
                    ),
                ),
            )
        old_order = original.sale_order_id
        if not old_order:
            # a new order still to be made, superseded by this change (now or
            # on its earlier attempt): the change makes it
            self._apply_new(parsed, attempt)
            return
        if old_order.state == "cancel":
            # cancelled in Odoo, not by the shop (see above): a person decided
            # it; not revived by a change
            raise ReviewNeeded.of_order(
                "change",
                self.env._(
                    "%(order)s was cancelled in Odoo; the shop sent a change "
                    "of it afterwards: re-create the order by hand or ask "
                    "the shop.",
                    order=old_order.name,
                ),
            )
        self._check_changeable(old_order)
        result = self._match_or_review(parsed, attempt)
        with self.env.cr.savepoint():
            new_order = self._create_sale_order(parsed, result)
            old_order._action_cancel()
            old_order.message_post(
                body=self.env._(
                    "Cancelled: the shop changed the order; see %s.", new_order.name
                )
            )
            self._record_card_payment(parsed, new_order, replaced=old_order)
            self._write_outcome(
                attempt,
                {
                    "sale_order_id": new_order.id,
                    "state": "done",
                    "partner_id": result.partner.id,
                },
            )

    def _apply_delete(self, parsed, attempt):
        original = self._find_original(parsed)
        # no order: a new order still to be made, cancelled with the intake;
        # an order already cancelled (the shop cancels it again): nothing to do
        order = original.sale_order_id
        if order and order.state != "cancel":
            self._check_changeable(order)
            with self.env.cr.savepoint():
                order._action_cancel()
                order.message_post(
                    body=self.env._("Cancelled by the shop (%s).", self.name)
                )
        self._write_outcome(
            attempt,
            {
                "state": "done",
                "sale_order_id": original.sale_order_id.id,
                "partner_id": original.partner_id.id,
            },
        )

    def _write_outcome(self, attempt, vals):
        """Write a successful attempt and its outcome. The first, automatic
        attempt is the intake's normal course and is not tracked in its chatter
        (processed at and the sale order say what happened); leaving review is."""
        self.with_context(mail_notrack=self.state == "received").write(
            attempt.intake_values(self, {**vals, "processed_at": fields.Datetime.now()})
        )

    def _find_original(self, parsed):
        """:return: the intake this change or cancellation applies to (kept as
        its ``original_intake_id``): the last one of the order that made a
        sale order, or, when none did yet, the order's new-order intake,
        cancelled (this change or cancellation takes its place).

        On the way back to it, the changes and cancellations of the order that
        made no order (in review or received) are superseded by this newer
        one: cancelled, and their order is the one this one changes. Later ones
        (this one is processed again after they arrived) are passed over, not
        superseded: they apply after this one.

        The intakes to supersede are locked first, then read again: one that
        another transaction made an order of meanwhile (its *Process again*,
        another drain) is not superseded; this one applies after it.

        :raises ReviewNeeded: the order itself was never received
        :raises RetryableJobError: another transaction holds an intake to
            supersede (it may be making its order): this one waits for it
        """
        locked = self.browse()
        while True:
            original, superseded = self._walk_to_original(parsed)
            to_lock = superseded - locked
            if not to_lock:
                break
            self._lock_to_supersede(to_lock)
            locked |= to_lock
            # what the lock's holder committed, when this transaction sees it
            # (READ COMMITTED); under REPEATABLE READ a change committed after
            # the snapshot already failed the lock (a retry, fresh snapshot)
            locked.invalidate_recordset()
        self._supersede(superseded)
        if not original:
            raise ReviewNeeded.of_order(
                "change",
                self.env._(
                    "The shop sent a %(action)s for order %(order)s, which we "
                    "never received. Ask the shop to send the order itself.",
                    action=dict(self._fields["action"].selection)[
                        parsed.action
                    ].lower(),
                    order=parsed.external_id,
                ),
            )
        self.original_intake_id = original
        return original

    def _walk_to_original(self, parsed):
        """Read, without locking, what :meth:`_find_original` finds.

        :return: ``(original, superseded)``: the intake this one applies to
            (possibly none), and the intakes it supersedes (in review or
            received)
        """
        others = [
            ("shop_id", "=", self.shop_id.id),
            ("external_order_id", "=", parsed.external_id),
            ("id", "!=", self.id),
            ("state", "!=", "cancelled"),
        ]
        original = self.search(others, order="id desc", limit=1)
        earlier = self.original_intake_id
        if not original and earlier.state == "cancelled" and not earlier.sale_order_id:
            # this change superseded it on an earlier attempt, before the
            # attempt went to review: processed again, it is still the original
            original = earlier
        skipped = self.browse()
        while (
            original
            and original.action != ACTION_NEW
            and original.state != "done"
            and not original.sale_order_id
        ):
            # a change or cancellation that changed nothing (yet): step back to
            # the intake before it, else to the one it was to change
            skipped |= original
            original = self.search(
                [*others, ("id", "not in", skipped.ids)], order="id desc", limit=1
            ) or (original.original_intake_id - skipped - self)
        superseded = (skipped | original).filtered(
            lambda intake: (
                intake.state in ("needs_review", "received")
                # a later change or cancellation (this one is processed again)
                # applies after this one: not superseded by it
                and (intake.action == ACTION_NEW or intake.id < self.id)
            )
        )
        return original, superseded

    def _lock_to_supersede(self, intakes):
        """Take the row locks of ``intakes`` (by id: two transactions take them
        in the same order), before superseding them.

        :raises RetryableJobError: another transaction holds one of them (a
            *Process again*, a drain processing it), or committed a change to
            one since this transaction's snapshot began
        """
        wait = self.env.context.get("ecom_intake_wait_for_locks")
        if wait:
            self._wait_to_supersede(intakes, wait)
            return
        rows = lock_rows(
            self.env.cr,
            "SELECT id FROM ecom_order_intake WHERE id = ANY(%s)"
            " ORDER BY id FOR UPDATE SKIP LOCKED",
            [intakes.ids],
            what="an intake of the same order",
        )
        held = intakes - intakes.browse(row[0] for row in rows)
        if held:
            raise self._held_elsewhere(held)

    def _wait_to_supersede(self, intakes, wait):
        """A person's *Process again*: wait for the other transaction that holds
        one of ``intakes`` (a drain takes well under a second per intake), up to
        ``wait`` (a PostgreSQL ``lock_timeout``, e.g. "15s").

        Should the other transaction commit a change to one of them, the lock
        fails with a serialization error, which Odoo answers by running the
        person's request again, from a fresh snapshot (``service.model.retrying``).

        :raises RetryableJobError: still held after the wait
        """
        cr = self.env.cr
        cr.execute("SHOW lock_timeout")
        lock_timeout = cr.fetchone()[0]
        try:
            cr.execute(
                "SELECT set_config('lock_timeout', %s, true);"
                " SELECT id FROM ecom_order_intake WHERE id = ANY(%s)"
                " ORDER BY id FOR UPDATE;"
                " SELECT set_config('lock_timeout', %s, true)",
                [wait, intakes.ids, lock_timeout],
                log_exceptions=False,
            )
        except LockNotAvailable as exc:
            raise self._held_elsewhere(intakes) from exc

    def _held_elsewhere(self, held):
        """:return: the error that makes this intake wait for ``held``."""
        return RetryableJobError(
            self.env._(
                "%(held)s, of the same order, is being processed by someone "
                "else; %(intake)s waits for it.",
                held=", ".join(held.mapped("name")),
                intake=self.name,
            ),
            seconds=10,
            ignore_retry=True,
        )

    def _supersede(self, intakes):
        """Cancel ``intakes``, waiting for their processing or a review: this
        change or cancellation of the same order replaces them."""
        if not intakes:
            return
        intakes.write({"state": "cancelled"})
        if self.action == ACTION_DELETE:
            message = self.env._("Cancelled by the shop (%s).", self.name)
        else:
            message = self.env._("Superseded by the change %s.", self.name)
        for intake in intakes:
            intake.message_post(body=message)
        intakes.activity_ids.action_feedback(feedback=message)

    def _check_changeable(self, order):
        invoiced = order.invoice_ids.filtered(lambda move: move.state != "cancel")
        if invoiced:
            raise ReviewNeeded.of_order(
                "change",
                self.env._(
                    "The shop changed or cancelled %(order)s, but it is "
                    "already "
                    "invoiced (%(invoices)s). Handle the change by hand.",
                    order=order.name,
                    invoices=", ".join(invoiced.mapped("name")),
                ),
            )

    def _prepare_sale_order_vals(self, parsed, result):
        partner = result.partner
        delivery = result.delivery_partner
        if delivery is None or not delivery.id:
            # not found yet, or to be created
            delivery = self._delivery_partner(parsed, partner)
        return {
            "partner_id": partner.id,
            "partner_shipping_id": delivery.id,
            "pricelist_id": result.pricelist.id if result.pricelist else False,
            "company_id": self.company_id.id,
            "origin": f"{self.shop_id.name} {parsed.external_id}",
            "client_order_ref": parsed.customer_reference or parsed.external_id,
            "ecom_intake_id": self.id,
            "ecom_shop_id": self.shop_id.id,
            "team_id": self.shop_id.team_id.id or False,
            "user_id": partner.user_id.id or self.shop_id.user_id.id or False,
            "note": parsed.note or False,
            "order_line": [
                Command.create(
                    {
                        "product_id": matched.product.id,
                        "product_uom_qty": float(matched.parsed.quantity),
                        "product_uom": matched.uom.id,
                        "price_unit": matched.price_unit,
                        # the price the shop charged is net: with Odoo's
                        # "Discounts" setting, a percentage rule would take
                        # its discount off it a second time
                        "discount": 0.0,
                        **(
                            {"name": matched.parsed.description}
                            if matched.parsed.description
                            else {}
                        ),
                    }
                )
                for matched in result.lines
            ],
        }

    def _create_sale_order(self, parsed, result):
        # the salesperson follows the order without an "assigned to you" mail
        # per web order (they see them in their pipeline)
        order = (
            self.env["sale.order"]
            .with_company(self.company_id)
            .with_context(mail_auto_subscribe_no_notify=True)
            .create(self._prepare_sale_order_vals(parsed, result))
        )
        # the shop's agreed price wins over a pricelist recompute on confirmation
        for line, matched in zip(order.order_line, result.lines, strict=True):
            if float_compare(line.price_unit, matched.price_unit, precision_digits=6):
                line.price_unit = matched.price_unit
        if self.shop_id.auto_confirm:
            order.action_confirm()
        return order

    def _delivery_partner(self, parsed, partner, create=True):
        """Reuse the customer's delivery contact with this address, or create one.

        :param create: False: instead of creating the contact, return it unsaved
            (a new record), with what it takes from the customer when created
            (its commercial fields: VAT, fiscal position...), e.g. to find the
            order's fiscal position before the order is made
        """
        address = parsed.delivery
        if not address or address.is_empty():
            return partner
        country = self.env["res.country"].search(
            [("code", "=", (address.country_code or "").upper())], limit=1
        )
        state = (
            country
            and address.state_code
            and self.env["res.country.state"].search(
                [("country_id", "=", country.id), ("code", "=", address.state_code)],
                limit=1,
            )
        )
        values = {
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id or False,
            "state_id": state.id if state else False,
        }
        for candidate in partner | partner.child_ids:
            if all(
                (candidate[key].id if key.endswith("_id") else candidate[key]) == value
                for key, value in values.items()
            ):
                return candidate
        Partner = self.env["res.partner"]
        values.update(
            {
                "parent_id": partner.id,
                "type": "delivery",
                "name": address.name or False,
                "email": address.email or False,
                "phone": address.phone or False,
            }
        )
        if not create:
            # the intake company's values of the company-dependent fields
            Partner = Partner.with_company(self.company_id)
            commercial = partner.with_company(self.company_id).commercial_partner_id
            return Partner.new(
                {
                    **commercial._update_fields_values(Partner._commercial_fields()),
                    **values,
                }
            )
        return Partner.create(values)

    def _record_card_payment(self, parsed, order, replaced=None):
        """Record the card payment the shop took, so the invoice ends up paid.

        :param replaced: the order a change replaces: its card payment, when
            the change carries the same one, moves to ``order`` (one charge,
            one payment); another one is for a person to sort out
        """
        payment = parsed.payment
        earlier = replaced.ecom_payment_id if replaced else None
        if earlier and (
            not payment
            or payment.method != PAYMENT_CARD
            or payment.reference != earlier.payment_reference
        ):
            raise ReviewNeeded.of_order(
                "payment",
                self.env._(
                    "%(order)s, which this change replaces, was paid by "
                    "card (%(ref)s) and the change does not carry that "
                    "payment. Refund or move the payment by hand.",
                    order=replaced.name,
                    ref=earlier.payment_reference,
                ),
            )
        if not payment or payment.method != PAYMENT_CARD:
            return
        # the amount taken; absent: the order total the shop sent (UBL and cXML
        # carry no payment amount), checked against ours like any amount
        taken = payment.amount if payment.amount is not None else parsed.total_amount
        amount = float(taken) if taken is not None else order.amount_total
        currency = order.currency_id
        if float_compare(
            amount, order.amount_total, precision_rounding=currency.rounding
        ):
            raise ReviewNeeded.of_order(
                "payment",
                self.env._(
                    "The card payment %(ref)s is %(paid)s %(cur)s but the "
                    "order "
                    "totals %(total)s %(cur)s.",
                    ref=payment.reference,
                    paid=currency.round(amount),
                    total=order.amount_total,
                    cur=currency.name,
                ),
            )
        if earlier:
            if float_compare(
                earlier.amount, amount, precision_rounding=currency.rounding
            ):
                raise ReviewNeeded.of_order(
                    "payment",
                    self.env._(
                        "The card payment %(ref)s was recorded as %(paid)s "
                        "%(cur)s for %(order)s; the change says %(now)s "
                        "%(cur)s. Correct the payment by hand.",
                        ref=payment.reference,
                        paid=earlier.amount,
                        order=replaced.name,
                        now=currency.round(amount),
                        cur=currency.name,
                    ),
                )
            # the same charge: its payment now pays the order that replaces it
            order.ecom_payment_id = earlier
            replaced.ecom_payment_id = False
            return
        journal = self.shop_id._get_payment_journal()
        account_payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": order.partner_invoice_id.commercial_partner_id.id,
                "amount": amount,
                "currency_id": currency.id,
                "journal_id": journal.id,
                "memo": f"{order.name} {payment.reference}",
                "payment_reference": payment.reference,
            }
        )
        account_payment.action_post()
        order.ecom_payment_id = account_payment

    # -- review ---------------------------------------------------------------

    def _send_to_review(self, problems, attempt):
        """Write the attempt and its problems, and ask a person to look."""
        self.problem_ids.unlink()
        self.write(
            attempt.intake_values(
                self,
                {
                    "state": "needs_review",
                    "review_rate": 100.0,
                    "processed_at": fields.Datetime.now(),
                    "problem_ids": [
                        Command.create(
                            {"code": code, "message": message, "line_ref": line_ref}
                        )
                        for code, message, line_ref in problems
                    ],
                },
            )
        )
        self._notify_review()

    def _notify_review(self):
        """E-mail customer service (template) and give them an activity, once."""
        group = self.env.ref("ecom_order_intake.group_intake_user")
        users = group.users.filtered(lambda user: not user.share and user.active)
        template = self.env.ref("ecom_order_intake.mail_template_intake_review")
        recipients = users.mapped("partner_id")
        if recipients:
            self.with_context(
                intake_review_recipients=recipients
            ).message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                partner_ids=recipients.ids,
            )
        activity_type = self.env.ref("ecom_order_intake.mail_activity_intake_review")
        if not self.activity_ids.filtered(
            lambda act: act.activity_type_id == activity_type
        ):
            responsible = (
                self.shop_id.user_id if self.shop_id.user_id in users else users[:1]
            )
            self.activity_schedule(
                activity_type_id=activity_type.id,
                summary=self.env._(
                    "Order %s needs review", self.external_order_id or self.name
                ),
                note=self.problem_summary,
                user_id=(responsible or self.env.user).id,
            )

    def _remember_review_choices(self):
        """Turn the reviewer's picks into shop mappings for the next orders."""
        Mapping = self.env["ecom.shop.mapping"]
        if self.partner_id and any(p.code == "customer" for p in self.problem_ids):
            try:
                parsed = parse_order(self._raw_bytes())
            except OrderParseError:
                parsed = None
            if parsed:
                code = next(
                    (c for c in self._customer_codes(parsed.customer) if c), None
                )
                Mapping._remember(
                    self.shop_id,
                    "customer",
                    code,
                    self.partner_id.commercial_partner_id,
                )
        for line in self.line_ids.filtered(lambda rec: rec.product_id and rec.problem):
            line.product_set_by_reviewer = True
            Mapping._remember(
                self.shop_id, "product", line.sku or line.gtin, line.product_id
            )
