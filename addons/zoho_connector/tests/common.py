"""Test helpers for the Zoho connector and addons that build on it.

``ZohoCase`` starts a fake Zoho (``fake_zoho.FakeZoho``, real HTTP on 127.0.0.1)
and a backend pointing at it. The registry is in test mode so the token store's
own transactions run inside the test's.
"""

from odoo.tests import TransactionCase

from odoo.addons.queue_job.tests.common import trap_jobs

from ..models.zoho_token_store import BackendTokenStore
from .fake_zoho import FakeZoho


class ZohoCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.backend = cls.env["zoho.backend"].create(
            {
                "name": "Fake Zoho",
                "client_id": FakeZoho.client_id,
                "client_secret": FakeZoho.client_secret,
                "state": "connected",
                "daily_credit_budget": 0,
            }
        )

    def setUp(self):
        super().setUp()
        # a fresh Zoho per test: its state is not rolled back with the database
        self.zoho = FakeZoho().start()
        self.addCleanup(self.zoho.stop)
        self.backend.write(
            {
                "accounts_url": self.zoho.accounts_url,
                "refresh_token": self.zoho.refresh_token,
            }
        )
        self.env.flush_all()  # the token store works in SQL
        BackendTokenStore(self.backend).forget()

    def pull(self, full=False):
        """Run a pull job now; :return: its sync run."""
        self.backend._zoho_pull(full=full)
        return self.env["zoho.sync.run"].search(
            [("backend_id", "=", self.backend.id)], limit=1
        )

    def bound_partner(self, zoho_id, module="Accounts"):
        return (
            self.env["zoho.partner.binding"]
            .with_context(active_test=False)
            .search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("zoho_module", "=", module),
                    ("zoho_id", "=", zoho_id),
                ]
            )
            .partner_id
        )

    def api_calls(self, path_part):
        return [req for req in self.zoho.requests if path_part in req[1]]

    @staticmethod
    def trap_jobs():
        return trap_jobs()
