#!/usr/bin/env python3
"""Send an order document to a running Odoo, signed as the web shop signs it.

    python3 tools/send_order.py \\
        addons/ecom_order_intake/demo/orders/native_card_paid.xml
    python3 tools/send_order.py --url http://localhost:8069 --shop demo-shop \\
        --secret "$SHOP_SECRET" --webhook-id my-delivery-1 order.xml

The default secret is the demo shop's published demo secret.
"""

import argparse
import importlib.util
import json
import pathlib
import sys
import time
import uuid

import requests

# load the signing module by path: importing the addon package needs a running Odoo
_SIGNATURE_PY = (
    pathlib.Path(__file__).resolve().parents[1]
    / "addons/ecom_order_intake/utils/webhook_signature.py"
)
_spec = importlib.util.spec_from_file_location("webhook_signature", _SIGNATURE_PY)
webhook_signature = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(webhook_signature)
signed_headers = webhook_signature.signed_headers

DEMO_SECRET = "whsec_ZGVtby1zaG9wLXNpZ25pbmcta2V5LW5vdC1hLXNlY3JldA=="


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("document", type=pathlib.Path)
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--shop", default="demo-shop")
    parser.add_argument("--secret", default=DEMO_SECRET)
    parser.add_argument("--webhook-id", default=None, help="default: a new UUID")
    parser.add_argument(
        "--wait", type=float, default=10.0, help="seconds to poll status"
    )
    args = parser.parse_args(argv)

    body = args.document.read_bytes()
    webhook_id = args.webhook_id or f"msg_{uuid.uuid4().hex}"
    headers = signed_headers(args.secret, webhook_id, int(time.time()), body)
    headers["Content-Type"] = "application/xml"
    response = requests.post(
        f"{args.url}/ecom/intake/{args.shop}/orders",
        data=body,
        headers=headers,
        timeout=30,
    )
    print(response.status_code, json.dumps(response.json(), indent=2))
    if response.status_code not in (200, 202):
        return 1
    status_url = args.url + response.json()["status_url"]
    deadline = time.time() + args.wait
    while time.time() < deadline:
        headers = signed_headers(
            args.secret, f"msg_{uuid.uuid4().hex}", int(time.time()), b""
        )
        status = requests.get(status_url, headers=headers, timeout=30).json()
        if status["state"] != "received":
            break
        time.sleep(0.5)
    print("status:", json.dumps(status, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
