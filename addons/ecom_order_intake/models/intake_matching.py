"""Matching a parsed order to our customers, products, units and prices.

Every step is exact: a value either identifies one record or becomes a problem a
person resolves. Nothing is guessed.
"""

from dataclasses import dataclass, field

from odoo import fields, models
from odoo.osv.expression import OR as Domain_or
from odoo.tools import float_compare, float_is_zero

from odoo.addons.o2c_base.models.res_partner import email_lookup_key

from ..parsers.common import PAYMENT_CARD
from ..utils.prefetch import prefetched_field_names
from ..utils.unece import uom_xmlid


@dataclass
class Problem:
    code: str
    message: str
    line_ref: str | None = None


@dataclass
class MatchedLine:
    parsed: object
    product: object = None
    uom: object = None
    price_unit: float | None = None
    problem: str | None = None


@dataclass
class MatchResult:
    partner: object = None
    pricelist: object = None
    currency: object = None
    # the parsed order
    parsed: object = None
    # the delivery contact the sale order will have (an unsaved one when the
    # order will create it) and the order's fiscal position: found when a
    # price needs them, once for the order
    delivery_partner: object = None
    fiscal_position: object = None
    lines: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    shop_mappings: object = None  # this order's shop mappings, read once
    # the products we sell with this order's SKUs and GTINs, read once:
    # {("default_code" | "barcode", code): products}
    products_by_code: dict | None = None
    # the pricelist rules of the order's products and when they are read (the
    # prices are computed as of that moment), read once for all lines
    price_rules: object = None
    priced_at: object = None

    def add(self, code, message, line_ref=None):
        self.problems.append(Problem(code, message, line_ref))
        return message


class EcomOrderIntake(models.Model):
    _inherit = "ecom.order.intake"

    def _match(self, parsed):
        """:return: a :class:`MatchResult` for the parsed order (never raises)."""
        self.ensure_one()
        result = MatchResult(parsed=parsed)
        result.shop_mappings = self._read_shop_mappings(parsed)
        result.products_by_code = self._read_products_by_code(parsed)
        result.partner = self._match_customer(parsed.customer, result)
        if result.partner:
            self._check_eligibility(parsed, result)
            self._match_currency(parsed, result)
        for line in parsed.lines:
            result.lines.append(self._match_line(line, result))
        self._collect_order_problems(parsed, result)
        return result

    def _collect_order_problems(self, parsed, result):
        """Hook: add the problems that send this order to review.

        Called once the customer (``result.partner``, None when not found), the
        currency and the lines are matched. Extend it with ``_inherit`` to hold
        more orders for a person, e.g. a customer on credit hold::

            def _collect_order_problems(self, parsed, result):
                super()._collect_order_problems(parsed, result)
                if result.partner and result.partner.credit_hold:
                    result.add("credit_hold", self.env._("... is on credit hold."))

        :param parsed: the parsed order (``parsers.common.ParsedOrder``)
        :param result: the :class:`MatchResult` to add problems to
        """

    def _order_price_rules(self, result, product):
        """:return: keyword arguments that give the price computation of
        ``product`` the pricelist rules of every product this order found by
        its codes, read once for the order instead of once per line (the
        computation keeps the rules applicable to the product); none for a
        product a reviewer or a shop mapping chose."""
        found = self.env["product.product"].union(
            *(result.products_by_code or {}).values()
        )
        if product not in found:
            return {}
        if result.price_rules is None:
            result.priced_at = fields.Datetime.now()
            result.price_rules = result.pricelist._ecom_order_rules(
                found, result.priced_at
            )
        return {"ecom_order_rules": result.price_rules, "date": result.priced_at}

    def _read_shop_mappings(self, parsed):
        """:return: the shop's mappings of every code this order carries (one
        query instead of one per line; none for a shop without mappings)."""
        if not self.shop_id.mapping_count:
            return self.env["ecom.shop.mapping"]
        codes = set(self._customer_codes(parsed.customer))
        for line in parsed.lines:
            codes.update((line.sku, line.gtin))
        codes.discard(None)
        codes.discard("")
        # in no particular order (the mappings' own order joins the shops)
        return self.env["ecom.shop.mapping"].search(
            [("shop_id", "=", self.shop_id.id), ("external_code", "in", list(codes))],
            order="id",
        )

    def _product_search_domain(self):
        Product = self.env["product.product"]
        return [*Product._check_company_domain(self.company_id), ("sale_ok", "=", True)]

    def _read_products_by_code(self, parsed):
        """:return: the products we sell by SKU and by GTIN, for every code this
        order carries (one query instead of one or two per line)."""
        skus = {line.sku for line in parsed.lines if line.sku}
        gtins = {line.gtin for line in parsed.lines if line.gtin}
        by_code = {}
        if not skus and not gtins:
            return by_code
        domains = []
        if skus:
            domains.append([("default_code", "in", list(skus))])
        if gtins:
            domains.append([("barcode", "in", list(gtins))])
        Product = self.env["product.product"]
        products = Product.search_fetch(
            [*self._product_search_domain(), *Domain_or(domains)],
            # every field a read of them fetches (the order's lines read them
            # next): one query, not a search and then a read
            prefetched_field_names(Product),
            # grouped by code below: no sort by translated name
            order="id",
        )
        for product in products:
            for field_name in ("default_code", "barcode"):
                if product[field_name]:
                    key = (field_name, product[field_name])
                    by_code[key] = by_code.get(key, product.browse()) | product
        # read the order's products together later (units, prices), not one
        # by one: a union of records prefetches only its own records
        return {
            key: found.with_prefetch(products._prefetch_ids)
            for key, found in by_code.items()
        }

    def _products_with(self, result, field_name, value):
        """:return: the products we sell whose ``field_name`` is ``value``."""
        if result.products_by_code is not None:
            return result.products_by_code.get(
                (field_name, value), self.env["product.product"]
            )
        return self.env["product.product"].search(
            [*self._product_search_domain(), (field_name, "=", value)]
        )

    def _mapped(self, result, kind, codes):
        """:return: the record the shop mapped the first of ``codes`` to, or None."""
        if result.shop_mappings is None:
            return self.env["ecom.shop.mapping"]._lookup(self.shop_id, kind, codes)
        by_code = {
            mapping.external_code: mapping
            for mapping in result.shop_mappings
            if mapping.kind == kind
        }
        for code in codes:
            if code and code in by_code:
                mapping = by_code[code]
                return mapping.partner_id if kind == "customer" else mapping.product_id
        return None

    # -- customer ---------------------------------------------------------

    def _customer_codes(self, party):
        """What the shop may have used to name the customer, most specific first."""
        return [
            party.zoho_account_id,
            party.ref,
            party.gln,
            party.vat,
            party.email,
            party.name,
            *party.other_ids,
        ]

    def _match_customer(self, party, result):
        # a reviewer's choice on this intake wins, then the shop's mappings
        if self.partner_id:
            return self.partner_id.commercial_partner_id
        mapped = self._mapped(result, "customer", self._customer_codes(party))
        if mapped:
            return mapped.commercial_partner_id
        steps = [
            ("zoho_account_id", party.zoho_account_id, self.env._("Zoho account ID")),
            ("ref", party.ref, self.env._("customer reference")),
            ("vat", party.vat and party.vat.replace(" ", ""), self.env._("VAT number")),
            ("email", party.email, self.env._("e-mail")),
            ("name", party.name, self.env._("name")),
        ]
        steps = [(name, value.strip(), label) for name, value, label in steps if value]
        found = self._customers_by_identifier(steps)
        for (_field, value, label), partners in zip(steps, found, strict=True):
            if len(partners) > 1:
                result.add(
                    "customer_ambiguous",
                    self.env._(
                        "%(count)s customers have the %(label)s “%(value)s” "
                        "(%(names)s): choose the right one.",
                        count=len(partners),
                        label=label,
                        value=value,
                        names=", ".join(partners.mapped("display_name")[:5]),
                    ),
                )
                return None
        matched = self.env["res.partner"].union(*found)
        if len(matched) > 1:
            # the identifiers disagree: never pick one silently
            result.add(
                "customer_conflict",
                self.env._(
                    "The order names different customers: %s. Choose the right "
                    "one on this intake and process it again.",
                    "; ".join(
                        self.env._(
                            "%(label)s “%(value)s” is %(customer)s",
                            label=label,
                            value=value,
                            customer=partners.display_name,
                        )
                        for (_field, value, label), partners in zip(
                            steps, found, strict=True
                        )
                        if partners
                    ),
                ),
            )
            return None
        if matched:
            return matched
        described = ", ".join(
            f"{label} “{value}”"
            for label, value in (
                ("name", party.name),
                ("account", party.ref),
                ("Zoho ID", party.zoho_account_id),
                ("VAT", party.vat),
                ("e-mail", party.email),
                ("GLN", party.gln),
            )
            if value
        )
        result.add(
            "customer",
            self.env._(
                "No customer matches %s. Choose the customer on this intake "
                "(or create it) and process it again.",
                described or self.env._("this order (the document names no customer)"),
            ),
        )
        return None

    def _customers_by_identifier(self, steps):
        """:return: for each ``(field, value, label)`` step, the commercial partners
        it designates (one query for all of them). An e-mail address is compared
        as mail normalizes it (case, a display name around it)."""
        Partner = self.env["res.partner"].with_context(active_test=True)
        lookups = [
            ("email_normalized", email_lookup_key(value))
            if field_name == "email"
            else (field_name, value)
            for field_name, value, _label in steps
        ]
        if not lookups:
            return []
        partners = Partner.search_fetch(
            [
                *Partner._check_company_domain(self.company_id),
                # whoever an order was shipped to (a delivery address this
                # intake made) is not the customer who pays for it
                ("type", "!=", "delivery"),
                *Domain_or([[(name, "=", value)] for name, value in lookups]),
            ],
            # compared below, and read by the order: one query, not a search
            # and then a read
            prefetched_field_names(Partner),
        )
        return [
            partners.filtered(
                lambda partner, name=name, value=value: partner[name] == value
            ).commercial_partner_id
            for name, value in lookups
        ]

    def _check_eligibility(self, parsed, result):
        partner = result.partner
        paid_by_card = parsed.payment and parsed.payment.method == PAYMENT_CARD
        if paid_by_card:
            if not parsed.payment.reference:
                result.add(
                    "payment",
                    self.env._(
                        "The order says it was paid by card but has no payment "
                        "reference."
                    ),
                )
            return
        if not partner.monthly_billing_eligible:
            result.add(
                "eligibility",
                self.env._(
                    "%s does not have a monthly account and the order carries no card "
                    "payment. Collect a payment or enable “Monthly account” on the "
                    "customer, then process the order again.",
                    partner.display_name,
                ),
            )

    def _match_currency(self, parsed, result):
        partner = result.partner
        pricelist = partner.with_company(self.company_id).property_product_pricelist
        result.pricelist = pricelist
        billing_currency = pricelist.currency_id or self.company_id.currency_id
        result.currency = billing_currency
        if parsed.currency and parsed.currency.upper() != billing_currency.name:
            result.add(
                "currency",
                self.env._(
                    "The order is in %(sent)s but %(customer)s is billed in "
                    "%(ours)s (pricelist “%(pricelist)s”). Give the customer a "
                    "%(sent)s pricelist or ask the shop to resend.",
                    sent=parsed.currency.upper(),
                    customer=partner.display_name,
                    ours=billing_currency.name,
                    pricelist=pricelist.display_name or "-",
                ),
            )

    # -- lines ------------------------------------------------------------

    def _match_line(self, parsed_line, result):
        matched = MatchedLine(parsed=parsed_line)
        matched.product = self._match_product(parsed_line, result)
        if not matched.product:
            matched.problem = result.problems[-1].message
            return matched
        matched.uom = self._match_uom(parsed_line, matched.product, result)
        if not matched.uom:
            matched.problem = result.problems[-1].message
            return matched
        if not result.partner:
            # no customer, no price to compare: the customer problem says it all
            return matched
        matched.price_unit = self._check_price(parsed_line, matched, result)
        if matched.price_unit is None:
            matched.problem = result.problems[-1].message
        return matched

    def _match_product(self, line, result):
        reviewed = self._stored_lines().filtered(
            lambda rec: rec.line_ref == line.line_ref and rec.product_set_by_reviewer
        )[:1]
        if reviewed.product_id:
            return reviewed.product_id
        mapped = self._mapped(result, "product", [line.sku, line.gtin])
        if mapped:
            return mapped
        for field_name, value, label in (
            ("default_code", line.sku, "SKU"),
            ("barcode", line.gtin, "GTIN"),
        ):
            if not value:
                continue
            products = self._products_with(result, field_name, value)
            if len(products) == 1:
                return products
            if len(products) > 1:
                result.add(
                    "product_ambiguous",
                    self.env._(
                        "Line %(line)s: %(count)s products have the %(label)s "
                        "“%(value)s”.",
                        line=line.line_ref,
                        count=len(products),
                        label=label,
                        value=value,
                    ),
                    line.line_ref,
                )
                return None
        result.add(
            "product",
            self.env._(
                "Line %(line)s: no product we sell has %(what)s (%(desc)s). Choose "
                "the product on the line and process the order again.",
                line=line.line_ref,
                what=" or ".join(
                    f"{label} “{value}”"
                    for label, value in (("SKU", line.sku), ("GTIN", line.gtin))
                    if value
                )
                or self.env._("a code"),
                desc=line.description or self.env._("no description"),
            ),
            line.line_ref,
        )
        return None

    def _match_uom(self, line, product, result):
        xmlid = uom_xmlid(line.uom_code)
        uom = self.env["uom.uom"]
        if xmlid:
            # the cached XML id, without env.ref's existence query per line
            model, res_id = self.env["ir.model.data"]._xmlid_to_res_model_res_id(
                xmlid, raise_if_not_found=False
            )
            if model == "uom.uom":
                uom = uom.browse(res_id)
        if not uom:
            result.add(
                "uom",
                self.env._(
                    "Line %(line)s: the unit code “%(code)s” is not one we know.",
                    line=line.line_ref,
                    code=line.uom_code,
                ),
                line.line_ref,
            )
            return None
        # the product's own unit (the usual case) needs no read of the units
        if uom != product.uom_id and uom.category_id != product.uom_id.category_id:
            result.add(
                "uom",
                self.env._(
                    "Line %(line)s: ordered in %(uom)s but %(product)s is sold "
                    "in %(ours)s.",
                    line=line.line_ref,
                    uom=uom.name,
                    product=product.display_name,
                    ours=product.uom_id.name,
                ),
                line.line_ref,
            )
            return None
        return uom

    def _fiscal_position_price(self, price, product, result):
        """:return: ``price``, the product's price for the customer, as Odoo
        puts it on the line of the customer's sale order: its price-included
        taxes taken out, or the included taxes the order's fiscal position
        maps them to put in (``sale.order.line._compute_price_unit``).

        A product without price-included taxes keeps its price (Odoo adapts
        no price of a tax-excluded product, whatever its fiscal position maps
        its taxes to): its order's fiscal position is not looked up."""
        company = self.company_id
        # the product's taxes of the order's company, as the sale line's
        taxes = product.taxes_id.filtered(lambda tax: tax.company_id == company)
        if not any(taxes.mapped("price_include")):
            return price
        return product.with_company(company)._get_tax_included_unit_price_from_price(
            price,
            product_taxes=taxes,
            fiscal_position=self._order_fiscal_position(result),
        )

    def _order_fiscal_position(self, result):
        """:return: the fiscal position the order's sale order will get (Odoo's,
        from the customer and the delivery address), found once for the order."""
        if result.fiscal_position is None:
            if result.delivery_partner is None:
                result.delivery_partner = self._delivery_partner(
                    result.parsed, result.partner, create=False
                )
            result.fiscal_position = (
                self.env["account.fiscal.position"]
                .with_company(self.company_id)
                ._get_fiscal_position(result.partner, result.delivery_partner)
            )
        return result.fiscal_position

    def _check_price(self, line, matched, result):
        """:return: the unit price for the sale line, or None after a problem."""
        quantity = float(line.quantity)
        pricelist = result.pricelist
        currency = result.currency or self.company_id.currency_id
        if pricelist:
            list_price = pricelist._get_product_price(
                # priced by the intake's company (its costs, its currency
                # rates), whatever company the job runs in
                matched.product.with_company(self.company_id),
                quantity,
                uom=matched.uom,
                currency=currency,
                **self._order_price_rules(result, matched.product),
            )
        else:
            list_price = matched.product.uom_id._compute_price(
                matched.product.lst_price, matched.uom
            )
        list_price = self._fiscal_position_price(list_price, matched.product, result)
        if line.unit_price is None:
            return list_price
        if any(problem.code == "currency" for problem in result.problems):
            return float(line.unit_price)  # prices in another currency: not comparable
        shop_price = float(line.unit_price)
        tolerance = self.shop_id.price_tolerance_percent / 100.0
        if float_is_zero(list_price, precision_rounding=currency.rounding):
            deviation_ok = float_is_zero(
                shop_price, precision_rounding=currency.rounding
            )
        else:
            deviation = abs(shop_price - list_price) / abs(list_price)
            deviation_ok = float_compare(deviation, tolerance, precision_digits=6) <= 0
        if not deviation_ok:
            result.add(
                "price",
                self.env._(
                    "Line %(line)s (%(product)s): the shop charged %(shop)s %(cur)s, "
                    "the customer's price is %(ours)s %(cur)s (tolerance %(tol)s%%).",
                    line=line.line_ref,
                    product=matched.product.display_name,
                    shop=currency.round(shop_price),
                    ours=currency.round(list_price),
                    cur=currency.name,
                    tol=self.shop_id.price_tolerance_percent,
                ),
                line.line_ref,
            )
            return None
        return shop_price
