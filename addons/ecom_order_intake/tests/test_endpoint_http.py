import json
import time

from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import shared_sample_path
from .intake_common import TEST_SECRET, native_order, signed_delivery

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Order [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Order xmlns="urn:o2c:ecom:order:1"><OrderId>&xxe;</OrderId></Order>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Order xmlns="urn:o2c:ecom:order:1"><OrderId>&lol9;</OrderId></Order>"""

REMOTE_DTD_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Order [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<Order xmlns="urn:o2c:ecom:order:1"><OrderId>X</OrderId></Order>"""

OTHER_SECRET = "whsec_b3RoZXItc2VjcmV0LXJvdGF0ZWQtaW4tYnktdGhlLXNob3A="


@tagged("post_install", "-at_install")
class TestIntakeEndpoint(HttpCase):
    """The endpoint over real HTTP, as the shop calls it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.env["ecom.shop"].create(
            {"name": "HTTP shop", "code": "http-shop"}
        )
        cls.secret = cls.env["ecom.shop.secret"].create(
            {"shop_id": cls.shop.id, "name": "current", "secret": TEST_SECRET}
        )
        cls.url = "/ecom/intake/http-shop/orders"

    def post(self, body, headers=None, url=None):
        headers = signed_delivery(body) if headers is None else headers
        with trap_jobs() as trap:
            # url_open would send an empty body as a GET
            response = self.opener.post(
                self.base_url() + (url or self.url),
                data=body,
                headers=headers,
                timeout=30,
            )
        return response, trap

    def intakes(self):
        return self.env["ecom.order.intake"].search([("shop_id", "=", self.shop.id)])

    def test_good_signature_is_stored_and_queued(self):
        body = native_order("HTTP-1", [("O2C-PAPER-A4", 1, 6.5)])
        headers = signed_delivery(body, webhook_id="msg_http_1")
        response, trap = self.post(body, headers)
        self.assertEqual(response.status_code, 202, response.text)
        payload = response.json()
        intake = self.intakes()
        self.assertEqual(payload["intake"], intake.name)
        self.assertEqual(payload["state"], "received")
        self.assertEqual(payload["status_url"], f"{self.url}/{intake.name}")
        self.assertFalse(payload["duplicate"])
        self.assertEqual(intake._raw_bytes(), body)
        self.assertEqual(json.loads(intake.raw_headers)["Webhook-Id"], "msg_http_1")
        # no job per delivery: the shop's drain job processes its intakes
        trap.assert_jobs_count(1, only=self.shop._drain_intakes_job)
        self.assertFalse(intake.job_uuid)
        # the trapped job belongs to the request's closed cursor: run it here
        self.shop._drain_intakes_job()
        self.assertEqual(intake.state, "done", intake.problem_summary)

        status = self.url_open(
            payload["status_url"], headers=signed_delivery(b""), timeout=30
        ).json()
        self.assertEqual(status["state"], "done")
        self.assertEqual(status["sale_order"], intake.sale_order_id.name)

    def test_repeated_delivery_returns_the_original(self):
        body = native_order("HTTP-2", [("O2C-PAPER-A4", 1, 6.5)])
        first, _trap = self.post(body, signed_delivery(body, webhook_id="msg_http_2"))
        again, trap = self.post(body, signed_delivery(body, webhook_id="msg_http_2"))
        self.assertEqual(first.status_code, 202)
        self.assertEqual(again.status_code, 200)
        self.assertTrue(again.json()["duplicate"])
        self.assertEqual(again.json()["intake"], first.json()["intake"])
        trap.assert_jobs_count(0)
        self.assertEqual(len(self.intakes()), 1)

    def test_refused_signatures(self):
        body = native_order("HTTP-3", [("O2C-PAPER-A4", 1, 6.5)])
        good = signed_delivery(body)
        cases = {
            "wrong secret": signed_delivery(body, secret=OTHER_SECRET),
            "stale": signed_delivery(body, timestamp=int(time.time()) - 6 * 60),
            "future": signed_delivery(body, timestamp=int(time.time()) + 6 * 60),
            "missing signature": {
                k: v for k, v in good.items() if k != "webhook-signature"
            },
            "missing id": {k: v for k, v in good.items() if k != "webhook-id"},
            "tampered body": signed_delivery(body + b" "),
            "not v1": {
                **good,
                "webhook-signature": good["webhook-signature"].replace("v1,", "v2,"),
            },
        }
        for label, headers in cases.items():
            with self.subTest(label):
                response, _trap = self.post(body, headers)
                self.assertEqual(response.status_code, 401, response.text)
                self.assertEqual(response.json()["error"], "unauthorized")
        self.assertFalse(self.intakes())

    def test_rotated_secrets(self):
        self.env["ecom.shop.secret"].create(
            {"shop_id": self.shop.id, "name": "next", "secret": OTHER_SECRET}
        )
        body = native_order("HTTP-4", [("O2C-PAPER-A4", 1, 6.5)])
        response, _trap = self.post(body, signed_delivery(body, secret=OTHER_SECRET))
        self.assertEqual(response.status_code, 202)
        # the shop may send both signatures while it switches over
        body_5 = native_order("HTTP-5", [("O2C-PAPER-A4", 1, 6.5)])
        old = signed_delivery(body_5, webhook_id="msg_both")
        new = signed_delivery(
            body_5,
            secret=OTHER_SECRET,
            webhook_id="msg_both",
            timestamp=int(old["webhook-timestamp"]),
        )
        both = {**old, "webhook-signature": "v1,bm90LWl0 " + new["webhook-signature"]}
        response, _trap = self.post(body_5, both)
        self.assertEqual(response.status_code, 202, response.text)
        # once the old secret is archived, it no longer opens the door
        self.secret.active = False
        body_6 = native_order("HTTP-6", [("O2C-PAPER-A4", 1, 6.5)])
        response, _trap = self.post(body_6, signed_delivery(body_6))
        self.assertEqual(response.status_code, 401)

    def test_shop_without_secret_accepts_nothing(self):
        self.secret.active = False
        body = native_order("HTTP-7", [("O2C-PAPER-A4", 1, 6.5)])
        response, _trap = self.post(body)
        self.assertEqual(response.status_code, 401)
        self.assertIn("no signing secret", response.json()["message"])

    def test_unknown_shop(self):
        body = native_order("HTTP-8", [("O2C-PAPER-A4", 1, 6.5)])
        response, _trap = self.post(body, url="/ecom/intake/no-such-shop/orders")
        self.assertEqual(response.status_code, 404)

    def test_oversize_body(self):
        self.shop.max_body_bytes = 1000
        body = native_order("HTTP-9", [("O2C-PAPER-A4", 1, 6.5)] * 40)
        self.assertGreater(len(body), 1000)
        response, _trap = self.post(body)
        self.assertEqual(response.status_code, 413)
        self.assertFalse(self.intakes())

    def test_unreadable_documents_get_a_clear_400(self):
        documents = {
            "malformed": b"<Order><unclosed></Order>",
            "empty": b"",
            "not an order": b"<invoice/>",
            "xxe": XXE,
            "billion laughs": BILLION_LAUGHS,
            "remote dtd": REMOTE_DTD_ENTITY,
        }
        for label, body in documents.items():
            with self.subTest(label):
                response, _trap = self.post(body)
                self.assertEqual(response.status_code, 400, response.text)
                self.assertEqual(response.json()["error"], "unreadable")
                self.assertNotIn("root:", response.text)
        self.assertFalse(self.intakes())

    def test_shared_samples_over_http(self):
        for name in ("UBL-Order-2.1-Example.xml", "cxml-1.2.050-OrderRequest.xml"):
            with open(shared_sample_path(name), "rb") as sample:
                body = sample.read()
            response, _trap = self.post(body)
            self.assertEqual(response.status_code, 202, response.text)
        self.assertEqual(len(self.intakes()), 2)
