"""Inline images in an outgoing e-mail (``email.message.EmailMessage``)."""

import re

# <img src="cid:NAME">: NAME is the file name of one of the mail's attachments
CID_SRC_RE = re.compile(r"""<img\b[^>]*?\ssrc=["']cid:([^"']+)["']""", re.IGNORECASE)


def inline_cid_attachments(message):
    """Move the attachments that the HTML body shows as ``cid:<file name>``
    next to that body, as inline parts with that Content-ID.

    Odoo sends every attachment as a plain ``attachment`` part, so an image the
    body refers to by ``cid:`` would stay broken. The HTML part becomes
    ``multipart/related`` (RFC 2387) holding the body and those images, which is
    how mail clients (Outlook, Gmail, Thunderbird) show images in the body
    without loading anything from a server. Other attachments are unchanged.

    :param message: an ``EmailMessage`` as ``ir.mail_server.build_email`` makes
    :return: the same message, changed in place
    """
    html = message.get_body(preferencelist=("html",))
    if html is None or not message.is_multipart():
        return message
    names = set(CID_SRC_RE.findall(html.get_content()))
    if not names:
        return message
    for part in list(message.iter_attachments()):
        name = part.get_filename()
        if name not in names:
            continue
        message.set_payload(
            [other for other in message.get_payload() if other is not part]
        )
        html.add_related(
            part.get_content(),
            part.get_content_maintype(),
            part.get_content_subtype(),
            cid=f"<{name}>",
            filename=name,
            disposition="inline",
        )
        names.discard(name)  # two attachments of one name: the first is shown
    return message
