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

# money facts Odoo owns and pushes to each Account (Zoho field → facts key)
RECEIVABLE_FIELDS = {
    "Open_Balance__c": "open_balance",
    "Overdue_Amount__c": "overdue_amount",
    "Oldest_Overdue_Days__c": "oldest_overdue_days",
    "Last_Payment_Date__c": "last_payment_date",
    "Last_Payment_Amount__c": "last_payment_amount",
    "Credit_Hold__c": "credit_hold",
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
