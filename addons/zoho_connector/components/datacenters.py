"""Zoho data centers: DC code -> Zoho Accounts (OAuth) server.

Only the accounts server depends on the data center chosen by the user. The CRM API
domain is never derived from it: it is the ``api_domain`` returned by the token
endpoint, which the client uses as is.
"""

ACCOUNTS_URLS = {
    "US": "https://accounts.zoho.com",
    "EU": "https://accounts.zoho.eu",
    "IN": "https://accounts.zoho.in",
    "AU": "https://accounts.zoho.com.au",
    "JP": "https://accounts.zoho.jp",
    "CA": "https://accounts.zohocloud.ca",
    "SA": "https://accounts.zoho.sa",
    "CN": "https://accounts.zoho.com.cn",
}

DATACENTER_SELECTION = [
    ("US", "United States (zoho.com)"),
    ("EU", "Europe (zoho.eu)"),
    ("IN", "India (zoho.in)"),
    ("AU", "Australia (zoho.com.au)"),
    ("JP", "Japan (zoho.jp)"),
    ("CA", "Canada (zohocloud.ca)"),
    ("SA", "Saudi Arabia (zoho.sa)"),
    ("CN", "China (zoho.com.cn)"),
]

DEFAULT_DATACENTER = "US"


def accounts_url(datacenter):
    """Return the accounts server URL of a DC code (case-insensitive)."""
    try:
        return ACCOUNTS_URLS[(datacenter or "").upper()]
    except KeyError:
        raise ValueError(f"Unknown Zoho data center: {datacenter!r}") from None
