"""The e-mail channel's message: a notice as ``multipart/alternative``.

The text notice first, then the HTML notice with its CSS inlined for mail clients
(css-inline: clients drop ``<style>`` or CSS variables; nothing remote is fetched).
``Message-ID`` is derived from the notice version and the address, so a message
sent again after a crash is recognisably the same one and receivers drop the
repeat. ``Auto-Submitted: auto-generated`` keeps auto-responders quiet, and with an
unsubscribe address the one-click headers of RFC 8058 are set (an ``https`` URL that
takes a POST).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from releasecare.text import inert


def message_id(notice_version: str, address: str, domain: str) -> str:
    """The same ``<...@domain>`` for the same notice version to the same address."""
    digest = hashlib.sha256(f"{notice_version}\0{address.lower()}".encode()).hexdigest()
    return f"<releasecare.{digest[:32]}@{domain}>"


def inline_css(html: str) -> str:
    """``html`` with its stylesheet in ``style`` attributes, variables resolved, and
    the ``@media`` rules (dark mode, phones) kept in a ``<style>`` for clients that
    read one. No stylesheet is fetched."""
    import css_inline

    inliner = css_inline.CSSInliner(
        keep_at_rules=True,
        load_remote_stylesheets=False,
        resolve_css_variables=True,
    )
    return str(inliner.inline(html))


def build(
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    notice_version: str,
    when: datetime,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """One notice to one address, ready for SMTP."""
    domain = sender.rpartition("@")[2].strip(">") or "localhost"
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = recipient
    # A customer's name is in the subject: no line break may start a new header.
    mail["Subject"] = " ".join(inert(subject).split())
    mail["Date"] = format_datetime(when)
    mail["Message-ID"] = message_id(notice_version, recipient, domain)
    mail["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        if unsubscribe_url.startswith("https://"):
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(text)
    mail.add_alternative(inline_css(html), subtype="html")
    return mail
