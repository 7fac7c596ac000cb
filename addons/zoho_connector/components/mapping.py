"""Field mapping between Zoho records and Odoo values, without the ORM.

Transforms that need a lookup (payment terms, users, countries) get a plain
``lookup`` callable from the caller, so they stay testable without a database.
"""

TRANSFORMS = [
    ("text", "Text"),
    ("boolean", "Checkbox → boolean"),
    ("number", "Number / currency"),
    ("payment_term", "Picklist → payment terms"),
    ("selection", "Picklist → selection"),
    ("owner", "Owner → salesperson"),
    ("country", "Country name or code"),
    ("state", "State name or code"),
]

# the seed's case: what a new backend maps out of the box
# (zoho module, zoho field, odoo field, transform, owner)
DEFAULT_MAPPINGS = [
    ("Accounts", "Account_Name", "name", "text", "zoho"),
    ("Accounts", "Account_Number", "ref", "text", "zoho"),
    ("Accounts", "Monthly_Billing__c", "monthly_billing_eligible", "boolean", "zoho"),
    ("Accounts", "Credit_Limit__c", "credit_limit", "number", "zoho"),
    (
        "Accounts",
        "Payment_Terms__c",
        "property_payment_term_id",
        "payment_term",
        "zoho",
    ),
    ("Accounts", "Owner", "user_id", "owner", "zoho"),
    ("Accounts", "Phone", "phone", "text", "zoho"),
    ("Accounts", "Website", "website", "text", "zoho"),
    ("Accounts", "Email__c", "email", "text", "zoho"),
    ("Accounts", "Billing_Street", "street", "text", "zoho"),
    ("Accounts", "Billing_City", "city", "text", "zoho"),
    ("Accounts", "Billing_Code", "zip", "text", "zoho"),
    ("Accounts", "Billing_State", "state_id", "state", "zoho"),
    ("Accounts", "Billing_Country", "country_id", "country", "zoho"),
    # Odoo-owned: computed money facts (res.partner zoho_* fields) go to Zoho
    ("Accounts", "Open_Balance__c", "zoho_open_balance", "number", "odoo"),
    ("Accounts", "Overdue_Amount__c", "zoho_overdue_amount", "number", "odoo"),
    (
        "Accounts",
        "Oldest_Overdue_Days__c",
        "zoho_oldest_overdue_days",
        "number",
        "odoo",
    ),
    ("Accounts", "Last_Payment_Date__c", "zoho_last_payment_date", "text", "odoo"),
    (
        "Accounts",
        "Last_Payment_Amount__c",
        "zoho_last_payment_amount",
        "number",
        "odoo",
    ),
    ("Accounts", "Credit_Hold__c", "zoho_credit_hold", "boolean", "odoo"),
    ("Contacts", "Last_Name", "name", "text", "zoho"),
    ("Contacts", "Email", "email", "text", "zoho"),
    ("Contacts", "Phone", "phone", "text", "zoho"),
    ("Contacts", "Mobile", "mobile", "text", "zoho"),
    ("Contacts", "Title", "function", "text", "zoho"),
]

# Zoho's usual payment-terms picklist values → Odoo's standard terms (xmlids)
DEFAULT_PAYMENT_TERMS = {
    "Due on Receipt": "account.account_payment_term_immediate",
    "Net 15": "account.account_payment_term_15days",
    "Net 30": "account.account_payment_term_30days",
    "Net 45": "account.account_payment_term_45days",
}

# shipping address fields of an Account: they become a delivery contact
SHIPPING_FIELDS = {
    "Shipping_Street": "street",
    "Shipping_City": "city",
    "Shipping_Code": "zip",
    "Shipping_State": "state_id",
    "Shipping_Country": "country_id",
}


class MappingError(ValueError):
    """A Zoho value cannot become an Odoo value; the message names both."""


def convert(value, transform, lookup=None):
    """:return: the Odoo value of a Zoho ``value`` (False for empty).

    :param lookup: ``lookup(transform, text) -> id or None`` for the transforms
        that point at records
    :raises MappingError: when a lookup finds nothing for a non-empty value
    """
    if value in (None, "", []):
        return 0.0 if transform == "number" else False
    if transform == "text":
        return str(value).strip() or False
    if transform == "boolean":
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)
    if transform == "number":
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise MappingError(f"“{value}” is not a number") from exc
    if transform == "owner":
        if isinstance(value, dict):
            value = value.get("email") or value.get("name")
    if transform in ("payment_term", "selection", "owner", "country", "state"):
        found = lookup(transform, str(value).strip()) if lookup else None
        if not found:
            raise MappingError(f"no Odoo match for “{value}”")
        return found
    raise MappingError(f"unknown transform {transform}")


def export_value(value, ttype):
    """:return: the JSON value Zoho gets for an Odoo field value of type ``ttype``.

    Many2one values arrive as their display name (the caller reads it).
    """
    if ttype == "boolean":
        return bool(value)
    if ttype == "integer":
        return int(value or 0)
    if ttype in ("float", "monetary"):
        return round(float(value or 0.0), 2)
    if value in (False, None, ""):
        return None
    if ttype == "datetime":
        return value.replace(microsecond=0).isoformat() + "+00:00"
    if ttype == "date":
        return value.isoformat()
    return str(value)
