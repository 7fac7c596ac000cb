"""Outgoing mail: attachments the HTML body shows by ``cid:`` go inline."""

from odoo import models

from ..render.mail import inline_cid_attachments


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    def build_email(self, *args, **kwargs):
        """Like Odoo's, then an attachment that the HTML body shows with
        ``<img src="cid:<file name>">`` (the receivables digest's chart) is sent
        inline next to the body rather than as a separate attachment.

        :return: the ``email.message.EmailMessage``
        """
        return inline_cid_attachments(super().build_email(*args, **kwargs))
