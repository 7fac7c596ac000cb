"""Invoice e-mail on completion vs. Odoo's plain invoice sending, same invoices.

Runs inside Odoo (this process) with a local SMTP server (aiosmtpd) on
127.0.0.1; prints one JSON line. Each invoice is sent both ways, in alternating
order, its PDF removed in between so both render it, after one untimed warm-up;
everything is rolled back.
"""

import json
import logging
import socket
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from in_odoo import open_registry

import odoo


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_invoices(env, count):
    customer = env.ref("o2c_base.customer_acme")
    product = env.ref("o2c_base.product_paper_a4")
    orders = env["sale.order"].create(
        [
            {
                "partner_id": customer.id,
                "order_line": [(0, 0, {"product_id": product.id})],
            }
            for _index in range(count)
        ]
    )
    orders.action_confirm()
    invoices = orders._create_invoices(grouped=True)  # one invoice per order
    invoices.action_post()
    return invoices


def ours(invoice):
    invoice._job_send_invoice()


def plain(invoice):
    env = invoice.env
    last = env["mail.mail"].search([], order="id desc", limit=1).id or 0
    env["account.move.send"]._generate_and_send_invoices(
        invoice.with_context(mail_notify_force_send=False), sending_methods={"email"}
    )
    env["mail.mail"].search([("id", ">", last), ("state", "=", "outgoing")]).send()


def reset(invoice):
    invoice.invoice_pdf_report_id.unlink()
    invoice.invalidate_recordset()
    invoice.o2c_send_state = False


def main():
    registry, args = open_registry(
        lambda parser: parser.add_argument("--count", type=int, default=10)
    )
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    timings = {"ours": [], "plain": []}
    try:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env["ir.mail_server"].create(
                {"name": "bench", "smtp_host": "127.0.0.1", "smtp_port": port}
            )
            invoices = make_invoices(env, args.count + 1)
            ours(invoices[0])  # warm-up: templates compiled, fonts loaded
            for index, invoice in enumerate(invoices[1:]):
                runs = [("ours", ours), ("plain", plain)]
                if index % 2:
                    runs.reverse()
                for name, send in runs:
                    reset(invoice)
                    started = time.perf_counter()
                    send(invoice)
                    env.flush_all()
                    timings[name].append(time.perf_counter() - started)
            cr.rollback()
    finally:
        controller.stop()
    print(
        json.dumps(
            {
                "count": args.count,
                "ours_s_per_invoice": sum(timings["ours"]) / len(timings["ours"]),
                "plain_s_per_invoice": sum(timings["plain"]) / len(timings["plain"]),
            }
        )
    )


if __name__ == "__main__":
    main()
