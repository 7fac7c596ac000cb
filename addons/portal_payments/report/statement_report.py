from odoo import api, fields, models


class ReportStatement(models.AbstractModel):
    _name = "report.portal_payments.report_statement"
    _description = "Statement of account"

    @api.model
    def _get_report_values(self, docids, data=None):
        """Partners and period of the statement; the period defaults to this year.

        :param dict data: optional ``date_from`` / ``date_to`` (ISO dates)
        """
        data = data or {}
        today = fields.Date.context_today(self)
        date_from = fields.Date.to_date(data.get("date_from")) or today.replace(
            month=1, day=1
        )
        date_to = fields.Date.to_date(data.get("date_to")) or today
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": self.env["res.partner"].browse(docids),
            "date_from": date_from,
            "date_to": date_to,
        }
