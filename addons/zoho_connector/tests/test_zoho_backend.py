import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from ..models.zoho_token_store import BackendTokenStore
from .common import ZohoCase
from .fake_zoho import FakeZoho


@tagged("post_install", "-at_install")
class TestZohoBackend(ZohoCase):
    def test_test_connection_says_what_works(self):
        result = self.backend.action_test_connection()
        self.assertEqual(result["params"]["type"], "success", result["params"])
        self.assertIn("Fake Zoho Org", result["params"]["message"])
        self.assertIn(self.zoho.api_domain, result["params"]["message"])
        self.backend.refresh_token = "1000.revoked"
        self.env.flush_all()
        BackendTokenStore(self.backend).forget()
        result = self.backend.action_test_connection()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("grant code", result["params"]["message"])

    def test_grant_code_gives_a_refresh_token(self):
        backend = self.env["zoho.backend"].create(
            {
                "name": "New org",
                "accounts_url": self.zoho.accounts_url,
                "client_id": self.zoho.client_id,
                "client_secret": self.zoho.client_secret,
                "grant_code": "1000.fakegrant",
            }
        )
        backend.action_exchange_grant_code()
        self.assertEqual(backend.state, "connected")
        self.assertTrue(backend.refresh_token)
        self.assertFalse(backend.grant_code)
        self.assertEqual(backend.api_domain, self.zoho.api_domain)

    def test_fields_are_loaded_for_picking(self):
        self.backend.action_load_fields()
        fields = self.env["zoho.field"].search([("backend_id", "=", self.backend.id)])
        self.assertIn("Monthly_Billing__c", fields.mapped("api_name"))
        mapping = self.backend.field_mapping_ids.filtered(
            lambda m: m.zoho_field == "Monthly_Billing__c"
        )
        self.assertEqual(mapping.zoho_field_id.data_type, "boolean")

    def test_secrets_are_for_managers_only(self):
        service = self.env.ref("o2c_base.user_accountant")  # Zoho user, not manager
        backend = self.backend.with_user(service)
        self.assertTrue(backend.name)
        with self.assertRaises(AccessError):
            backend.read(["refresh_token"])


@tagged("post_install", "-at_install")
class TestZohoNotifyEndpoint(HttpCase):
    def test_endpoint_checks_the_channel_token(self):
        backend = self.env["zoho.backend"].create(
            {
                "name": "Notify",
                "client_id": FakeZoho.client_id,
                "state": "connected",
            }
        )
        backend.sudo().write({"channel_id": "1001", "channel_token": "s3cret"})
        url = "/zoho/notify"
        headers = {"Content-Type": "application/json"}
        wrong = {
            "channel_id": "1001",
            "token": "nope",
            "module": "Accounts",
            "ids": ["1"],
        }
        response = self.url_open(url, data=json.dumps(wrong), headers=headers)
        self.assertEqual(response.status_code, 403)
        response = self.url_open(url, data=b"not json", headers=headers)
        self.assertEqual(response.status_code, 400)
        good = dict(wrong, token="s3cret", operation="update")
        response = self.url_open(url, data=json.dumps(good), headers=headers)
        self.assertEqual(response.status_code, 202)
        job = self.env["queue.job"].search(
            [
                ("method_name", "=", "_zoho_pull_ids"),
                ("model_name", "=", "zoho.backend"),
            ]
        )
        self.assertEqual(len(job), 1)
