"""A ticket whose print job was cancelled, or failed for good, says so.

Later tickets of a printer wait for a pending earlier one (order of
confirmation). A pending ticket no job will print any more, because someone
cancelled its job in the job queue or the job failed, would hold its printer's
queue for ever: every later ticket retrying every few seconds. It is marked
failed instead, with the reason; production reprints it when they want it.
"""

from odoo import _, models

# queue job states after which a job does not run again by itself
ENDED_STATES = ("cancelled", "failed")
# states of a job that will still run
LIVE_STATES = ("wait_dependencies", "pending", "enqueued", "started")


class QueueJob(models.Model):
    _inherit = "queue.job"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") in ENDED_STATES:
            self._job_ticket_print_ended(vals["state"])
        return result

    def _job_ticket_print_ended(self, state):
        """Mark the tickets of these ended print jobs failed, unless they are
        printed, or another job of theirs will still print them."""
        Ticket = self.env["production.print.job"].sudo()
        tickets = Ticket.union(
            *(
                job.records.with_env(Ticket.env)
                for job in self
                if job.model_name == Ticket._name and job.method_name == "_job_print"
            )
        )
        for ticket in tickets.exists().filtered(lambda rec: rec.state == "pending"):
            if self.sudo().search_count(
                [
                    ("func_string", "=", f"{Ticket._name}({ticket.id},)._job_print()"),
                    ("state", "in", LIVE_STATES),
                ],
                limit=1,
            ):
                continue
            ticket.write(
                {
                    "state": "failed",
                    "waiting_reason": False,
                    "last_error": _(
                        "Its print job was cancelled in the job queue: reprint "
                        "the ticket to print it."
                    )
                    if state == "cancelled"
                    else _(
                        "Its print job failed (see the job queue): reprint the "
                        "ticket to print it."
                    ),
                }
            )
