"""Pure helpers of portal_payments: no Odoo import, plain unit tests."""
