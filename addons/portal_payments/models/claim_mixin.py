from psycopg2 import IntegrityError

from odoo import models
from odoo.tools import mute_logger


class PortalPaymentsClaimMixin(models.AbstractModel):
    """Rows that are claimed once: a DB unique key decides who does the work."""

    _name = "portal.payments.claim.mixin"
    _description = "Claim once by unique key"

    def _claim(self, vals):
        """Insert the row of ``vals``; return it, or nothing when it exists.

        The insert runs in a savepoint: the loser of a race (or a second run)
        hits the unique key and gets an empty recordset, the transaction goes on.
        """
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                return self.create(vals)
        except IntegrityError:
            return self.browse()
