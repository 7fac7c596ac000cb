"""Customer account page, statement PDF and multi-invoice payment (portal)."""

import logging

from odoo import fields, http
from odoo.exceptions import AccessError, ValidationError
from odoo.http import request
from odoo.tools import consteq

from odoo.addons.account_payment.controllers.payment import (
    PaymentPortal as AccountPaymentPortal,
)
from odoo.addons.account_payment.controllers.portal import (
    PortalAccount as AccountPaymentPortalAccount,
)

from .. import const
from ..utils import aging

_logger = logging.getLogger(__name__)

# /my/account is stock portal's contact-details form: the account page sits beside it
ACCOUNT_URL = "/my/account/balance"
PAY_URL = "/my/account/pay"
STATEMENT_URL = "/my/account/statement"
AUTOPAY_URL = "/my/account/autopay"
TRANSACTION_URL = "/my/account/transaction"
STATEMENT_REPORT = "portal_payments.action_report_statement"


def statement_period(date_from, date_to):
    """The statement period from query values; default: this year to date.

    :raise ValueError: on a malformed date
    """
    today = fields.Date.context_today(request.env.user)
    date_from = fields.Date.to_date(date_from) or today.replace(month=1, day=1)
    date_to = fields.Date.to_date(date_to) or today
    return (date_from, date_to) if date_from <= date_to else (date_to, date_from)


def _parse_ids(value):
    """Ids from a form/query value: ``"3,4"``, ``["3", "4"]`` or ``3``."""
    if not value:
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, str):
        value = value.replace("-", ",").split(",")
    try:
        return sorted({int(v) for v in value if str(v).strip()})
    except ValueError as exc:
        raise ValidationError(request.env._("Invalid invoice list.")) from exc


def _payable_invoices(invoice_ids, access_token=None):
    """The open invoices the requester may pay, in sudo, or raise.

    A logged-in portal user may pay open invoices of their own commercial
    partner; a visitor with an invoice's access token only that invoice.

    :raise AccessError: when any id is not payable by the requester
    """
    env = request.env
    Move = env["account.move"].sudo()
    if not invoice_ids:
        raise AccessError(env._("Choose at least one invoice."))
    if env.user._is_public():
        if len(invoice_ids) != 1 or not access_token:
            raise AccessError(env._("Please log in to pay several invoices."))
        invoices = _invoice_of_token(invoice_ids, access_token)
        if not invoices:
            raise AccessError(env._("The access token is invalid."))
    else:
        commercial = env.user.partner_id.commercial_partner_id
        invoices = Move.search(
            [
                ("id", "in", invoice_ids),
                ("commercial_partner_id", "=", commercial.id),
            ]
        )
        if len(invoices) != len(invoice_ids):
            raise AccessError(env._("You cannot pay these invoices."))
    if any(
        inv.state != "posted"
        or inv.move_type not in ("out_invoice", "out_receipt")
        or inv.portal_payment_status not in (aging.STATUS_OPEN, aging.STATUS_PARTIAL)
        for inv in invoices
    ):
        raise AccessError(env._("Only open invoices can be paid."))
    if len(invoices.currency_id) != 1 or len(invoices.company_id) != 1:
        raise AccessError(
            env._("Invoices in different currencies or companies are paid separately.")
        )
    return invoices.sorted(lambda inv: (inv.invoice_date_due, inv.id))


def _invoice_of_token(invoice_ids, access_token):
    """:return: the one customer invoice ``access_token`` opens, in sudo, or an
    empty recordset"""
    Move = request.env["account.move"].sudo()
    if len(invoice_ids) != 1 or not access_token:
        return Move
    invoice = Move.browse(invoice_ids).exists()
    if (
        invoice
        and invoice.move_type in ("out_invoice", "out_receipt", "out_refund")
        and consteq(invoice.access_token or "", access_token)
    ):
        return invoice
    return Move


def _checked_amount(invoices, amount):
    """The amount to pay: the open total, or a lower positive ``amount``."""
    total = sum(invoices.mapped("amount_residual"))
    if amount in (None, "", False):
        return invoices.currency_id.round(total)
    try:
        amount = float(amount)
    except (TypeError, ValueError) as exc:
        raise ValidationError(request.env._("Invalid amount.")) from exc
    aging.allocate_oldest_first(
        [(inv.id, inv.invoice_date_due, inv.amount_residual) for inv in invoices],
        amount,
        rounding=invoices.currency_id.rounding / 2,
    )  # raises ValueError on a non-positive or too high amount
    return invoices.currency_id.round(amount)


class PortalAccount(AccountPaymentPortalAccount):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "portal_account_open" in counters:
            values["portal_account_open"] = (
                "1" if request.env["account.move"].has_access("read") else 0
            )
        return values

    @http.route(ACCOUNT_URL, type="http", auth="user", website=True)
    def portal_my_account_page(self, select=None, **kw):
        commercial = request.env.user.partner_id.commercial_partner_id
        summary = commercial._portal_account_summary()
        today = fields.Date.context_today(request.env.user)
        values = self._prepare_portal_layout_values()
        values.update(
            summary,
            page_name="my_account",
            commercial_partner=commercial,
            selected_ids=set(_parse_ids(select)),
            status_labels=aging.STATUS_LABELS,
            aging_buckets=aging.AGING_BUCKETS,
            date_from=today.replace(month=1, day=1),
            date_to=today,
            check_payee=request.env.company.name,
            check_address=request.env.company.sudo()
            .partner_id._display_address(without_company=True)
            .replace("\n", ", "),
            autopay_tokens=request.env["payment.token"]
            .sudo()
            .search([("partner_id", "child_of", commercial.id)]),
            offline_providers=request.env["payment.provider"]
            .sudo()
            .search(
                [
                    ("code", "=", "custom"),
                    ("state", "in", ("enabled", "test")),
                    ("company_id", "=", request.env.company.id),
                ]
            ),
        )
        return request.render("portal_payments.portal_my_account", values)

    @http.route(AUTOPAY_URL, type="http", auth="user", methods=["POST"], website=True)
    def portal_my_account_autopay(self, token_id=None, action="enrol", **kw):
        """Enrol the user's company in autopay with a saved method, or leave it."""
        commercial = request.env.user.partner_id.commercial_partner_id.sudo()
        if action == "off":
            commercial.write(
                {"portal_autopay_state": "off", "portal_autopay_token_id": False}
            )
            commercial.message_post(
                body=request.env._("Autopay turned off in the portal.")
            )
            return request.redirect(ACCOUNT_URL)
        if commercial.portal_autopay_state == "suspended":
            return request.redirect(ACCOUNT_URL)
        try:
            token = (
                request.env["payment.token"].sudo().browse(int(token_id or 0)).exists()
            )
            commercial._portal_autopay_enrol(token)
        except ValueError:
            # not one of the company's saved methods: nothing changes
            _logger.warning(
                "user %s tried to enrol token %r in autopay", request.env.uid, token_id
            )
        return request.redirect(ACCOUNT_URL)

    @http.route(STATEMENT_URL, type="http", auth="user", website=True)
    def portal_my_account_statement(
        self, date_from=None, date_to=None, report_type="pdf", **kw
    ):
        # No partner in the URL: the statement is always the requester's company.
        commercial = request.env.user.partner_id.commercial_partner_id
        try:
            date_from, date_to = statement_period(date_from, date_to)
        except ValueError:
            return request.redirect(ACCOUNT_URL)
        data = {
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
        }
        Report = request.env["ir.actions.report"].sudo()
        if report_type == "html":
            html, _type = Report._render_qweb_html(
                STATEMENT_REPORT, commercial.ids, data=data
            )
            return request.make_response(html)
        pdf, _type = Report.with_context(
            # a PDF even when the server runs tests (Odoo renders HTML then)
            force_report_rendering=True
        )._render_qweb_pdf(STATEMENT_REPORT, commercial.ids, data=data)
        filename = f"statement-{commercial.ref or commercial.id}-{date_to}.pdf"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", f'attachment; filename="{filename}"'),
            ],
        )


class PaymentPortal(AccountPaymentPortal):
    @http.route(PAY_URL, type="http", auth="public", website=True, sitemap=False)
    def portal_my_account_pay(
        self, invoice_ids=None, amount=None, access_token=None, **kw
    ):
        ids = _parse_ids(request.httprequest.args.getlist("invoice_ids") or invoice_ids)
        try:
            invoices = _payable_invoices(ids, access_token)
            amount = _checked_amount(invoices, amount)
        except AccessError:
            if request.env.user._is_public():
                # the e-mail's link of an invoice paid meanwhile: show the invoice
                invoice = _invoice_of_token(ids, access_token)
                if invoice:
                    return request.redirect(invoice.get_portal_url())
                return request.redirect(f"/web/login?redirect={ACCOUNT_URL}")
            return request.redirect(ACCOUNT_URL)
        except (ValidationError, ValueError) as exc:
            return request.redirect(f"{ACCOUNT_URL}?error={exc}")
        if not request.env.user._is_public() and len(ids) == 1 and access_token:
            # The e-mail's pay link: a logged-in contact lands on the account
            # page with the invoice ticked and may add others.
            return request.redirect(f"{ACCOUNT_URL}?select={ids[0]}#open_invoices")
        company = invoices.company_id
        currency = invoices.currency_id
        reference = (
            company.get_next_batch_payment_communication()
            if len(invoices) > 1
            else invoices.name
        )
        route_ids = "-".join(str(i) for i in invoices.ids)
        values = self._prepare_portal_layout_values()
        values.update(
            self._get_common_page_view_values(
                invoices_data={
                    "partner": invoices.commercial_partner_id,
                    "company": company,
                    "total_amount": amount,
                    "currency": currency,
                    "amount_residual": sum(invoices.mapped("amount_residual")),
                    "payment_reference": reference,
                    "landing_route": ACCOUNT_URL
                    if not request.env.user._is_public()
                    else invoices.get_portal_url(),
                    "transaction_route": f"{TRANSACTION_URL}/{route_ids}",
                },
                access_token=access_token,
                **kw,
            )
        )
        values.update(
            page_name="my_account_pay",
            invoices=invoices,
            amount=amount,
            allocation=dict(
                aging.allocate_oldest_first(
                    [
                        (inv.id, inv.invoice_date_due, inv.amount_residual)
                        for inv in invoices
                    ],
                    amount,
                    rounding=currency.rounding / 2,
                )
            ),
            payment={"reference": reference, "amount": amount, "currency": currency},
            ach_mandate_text=const.ACH_MANDATE_TEXT.format(company=company.name),
        )
        return request.render("portal_payments.portal_my_account_pay", values)

    @http.route(f"{TRANSACTION_URL}/<string:invoice_ids>", type="json", auth="public")
    def portal_my_account_transaction(
        self,
        invoice_ids,
        amount=None,
        access_token=None,
        payment_reference=None,
        **kwargs,
    ):
        """Create the transaction paying several invoices; return its processing values.

        :param str invoice_ids: ``-`` separated ids of the invoices paid
        :param amount: amount paid, at most their open total
        :raise ValidationError: when an invoice is not payable by the requester
        """
        try:
            invoices = _payable_invoices(_parse_ids(invoice_ids), access_token)
            amount = _checked_amount(invoices, amount)
        except (AccessError, ValueError) as exc:
            raise ValidationError(str(exc)) from exc
        logged_in = not request.env.user._is_public()
        partner = request.env.user.partner_id if logged_in else invoices.partner_id[:1]
        self._validate_transaction_kwargs(kwargs)
        kwargs["amount"] = amount
        return self._process_transaction(
            partner.id,
            invoices.currency_id.id,
            invoices.ids,
            payment_reference if len(invoices) > 1 else None,
            **kwargs,
        )
