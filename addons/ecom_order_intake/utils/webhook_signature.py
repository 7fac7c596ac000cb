"""Standard Webhooks (https://www.standardwebhooks.com) signing, without the ORM.

The signed content is ``"{webhook-id}.{webhook-timestamp}.{body}"``; the
``webhook-signature`` header carries one or more space-separated
``v1,<base64 HMAC-SHA256>`` entries, so a sender can sign with an old and a new
secret while they rotate. Secrets are ``whsec_<base64 key>``; a secret without the
prefix is used as raw UTF-8 key bytes.
"""

import base64
import binascii
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 5 * 60


class SignatureError(Exception):
    """The request is not authentic; the message says why, for the sender."""


def generate_secret():
    """:return: a new ``whsec_`` secret with a 32-byte random key."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_key_bytes(secret):
    """:return: the HMAC key of a ``whsec_`` (or raw) secret.

    :raises SignatureError: if a ``whsec_`` secret is not valid base64.
    """
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except binascii.Error as exc:
            raise SignatureError("The shop secret is not valid base64.") from exc
    return secret.encode()


def sign(secret, webhook_id, timestamp, body):
    """:return: the ``v1,<base64>`` signature of one message."""
    signed = b"%s.%s.%s" % (webhook_id.encode(), str(timestamp).encode(), body)
    digest = hmac.new(secret_key_bytes(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def signed_headers(secret, webhook_id, timestamp, body):
    """:return: the three Standard Webhooks headers for ``body``."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, webhook_id, timestamp, body),
    }


def verify(
    secrets_,
    webhook_id,
    timestamp,
    signature_header,
    body,
    now,
    tolerance=DEFAULT_TOLERANCE_SECONDS,
):
    """Check a delivery against every active secret of the shop.

    :param list secrets_: the shop's active secrets; empty means accept nothing
    :param float now: the current Unix time
    :return: the index in ``secrets_`` of the secret that matched
    :raises SignatureError: with the reason the delivery is refused
    """
    if not secrets_:
        raise SignatureError("This shop has no signing secret: it accepts nothing.")
    if not webhook_id or not timestamp or not signature_header:
        raise SignatureError(
            "Missing webhook-id, webhook-timestamp or webhook-signature header."
        )
    try:
        sent_at = int(timestamp)
    except ValueError as exc:
        raise SignatureError("webhook-timestamp is not a Unix timestamp.") from exc
    if abs(now - sent_at) > tolerance:
        raise SignatureError(
            "webhook-timestamp is more than %d seconds away from our clock." % tolerance
        )
    offered = []
    for entry in signature_header.split():
        version, _sep, value = entry.partition(",")
        if version == SIGNATURE_VERSION and value:
            offered.append(value.encode())
    if not offered:
        raise SignatureError("webhook-signature has no v1 signature.")
    for index, secret in enumerate(secrets_):
        expected = sign(secret, webhook_id, timestamp, body).partition(",")[2].encode()
        if any(hmac.compare_digest(expected, value) for value in offered):
            return index
    raise SignatureError("No signature matches this shop's secrets.")
