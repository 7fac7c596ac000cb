"""Stripe webhook signature check (pure).

See https://docs.stripe.com/webhooks#verify-manually: the ``Stripe-Signature``
header holds a timestamp ``t`` and one or more ``v1`` signatures (several while
a secret is being rolled); the event is genuine when any ``v1`` matches the
HMAC-SHA256 of ``"{t}.{payload}"`` under the endpoint's secret.
"""

import hashlib
import hmac


class SignatureError(Exception):
    """The webhook request is not a genuine, fresh Stripe event."""


def parse_signature_header(header):
    """Return ``(timestamp, [v1 signatures])`` of a ``Stripe-Signature`` header.

    :raise SignatureError: when the header has no timestamp or no v1 signature
    """
    timestamp = None
    signatures = []
    for entry in (header or "").split(","):
        key, sep, value = entry.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError as exc:
                raise SignatureError("malformed timestamp") from exc
        elif key == "v1" and value:
            signatures.append(value)
    if not timestamp:
        raise SignatureError("missing timestamp")
    if not signatures:
        raise SignatureError("missing v1 signature")
    return timestamp, signatures


def sign(payload, secret, timestamp):
    """Return the v1 signature of ``payload`` (bytes or str) at ``timestamp``."""
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8")
    signed = f"{timestamp}.{payload}".encode()
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(payload, header, secrets, tolerance, now):
    """Check a webhook request; return its timestamp when genuine.

    :param payload: raw request body (bytes or str)
    :param str header: value of the ``Stripe-Signature`` header
    :param secrets: webhook secrets to accept (empty ones are ignored)
    :param int tolerance: maximum age of the event in seconds
    :param float now: current UNIX time
    :raise SignatureError: when no secret is configured, the timestamp is
        outside the tolerance, or no v1 signature matches any secret
    """
    secrets = [secret for secret in secrets if secret]
    if not secrets:
        raise SignatureError("no webhook secret configured")
    timestamp, signatures = parse_signature_header(header)
    if abs(now - timestamp) > tolerance:
        raise SignatureError("timestamp outside the tolerance")
    for secret in secrets:
        expected = sign(payload, secret, timestamp)
        if any(hmac.compare_digest(expected, sig) for sig in signatures):
            return timestamp
    raise SignatureError("no matching signature")
