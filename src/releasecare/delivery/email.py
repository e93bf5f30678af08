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
import ipaddress
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from releasecare.delivery.outcome import Outcome
from releasecare.delivery.targets import Notice, Sending, Target, target_key
from releasecare.domain import Customer
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
    domain = _domain(sender)
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


@dataclass(frozen=True)
class SmtpServer:
    """Where e-mail goes. ``security``: ``starttls`` (port 587), ``tls`` (implicit,
    port 465), or ``plain``, which only a loopback address may use (a local relay or
    a test). Certificates are verified (``context`` is ``ssl.create_default_context()``
    unless given)."""

    host: str
    port: int
    security: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)


SECURITY = ("starttls", "tls", "plain")


def send(mail: EmailMessage, server: SmtpServer) -> Outcome:
    """Hand ``mail`` to the server; never raises for what the server or the network
    does. A reply or error is told in the outcome, without the password."""
    if server.security not in SECURITY:
        raise ValueError(f"unknown SMTP security {server.security!r}")
    if server.security == "plain" and not _loopback(server.host):
        return Outcome("failed", f"{server.host}: plain SMTP is only allowed to a loopback address")
    context = server.context or ssl.create_default_context()
    try:
        client: smtplib.SMTP
        if server.security == "tls":
            client = smtplib.SMTP_SSL(
                server.host, server.port, timeout=server.timeout, context=context
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        with client:
            if server.security == "starttls":
                client.ehlo()
                if not client.has_extn("starttls"):
                    return Outcome("failed", f"{server.host} does not offer STARTTLS")
                client.starttls(context=context)
                client.ehlo()
            if server.username:
                client.login(server.username, server.password or "")
            refused = client.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()))
        return _reply(code, reply)
    except smtplib.SMTPResponseException as exc:
        return _reply(exc.smtp_code, exc.smtp_error)
    except smtplib.SMTPNotSupportedError as exc:
        return Outcome("failed", f"{server.host}: {exc}")
    except ssl.SSLCertVerificationError as exc:
        return Outcome("failed", f"{server.host}: certificate not trusted ({exc.verify_message})")
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome("retry", f"{server.host}:{server.port}: {type(exc).__name__}: {exc}")
    if refused:
        code, reply = next(iter(refused.values()))
        return _reply(code, reply)
    return Outcome("sent", "accepted", 250)


def _reply(code: int, reply: bytes | str) -> Outcome:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    said = f"{code} {' '.join(text.split())}"
    return Outcome("retry" if 400 <= code < 500 else "failed", said, code)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- the channel: each address in the contacts, a notice as one e-mail each --------


def targets(customer: Customer) -> list[Target]:
    """One target per address in the customer's contacts (the same address twice is
    one target)."""
    seen: dict[str, str] = {}
    for address in customer.contacts.email:
        seen.setdefault(address.strip().lower(), address.strip())
    return [
        Target(
            customer_id=customer.id,
            channel="email",
            key=target_key("email", lowered),
            shown=address,
            address=address,
        )
        for lowered, address in seen.items()
    ]


def message_id_for(notice_key: str, target: Target, sending: Sending) -> str:
    """The ``Message-ID``: the same for one notice version to one address."""
    settings = sending.settings.email
    return message_id(notice_key, target.address, _domain(settings.sender if settings else ""))


def deliver(target: Target, notice: Notice, mid: str, sending: Sending) -> Outcome:
    """Build the e-mail and hand it to the configured SMTP server."""
    settings = sending.settings.email
    if settings is None:
        return Outcome("failed", "no [delivery.email] in the config: no SMTP server to send with")
    username = password = None
    for variable in (settings.username_env, settings.password_env):
        if variable and not os.environ.get(variable):
            return Outcome("failed", f"environment variable {variable} (the SMTP login) is not set")
    if settings.username_env and settings.password_env:
        username = os.environ[settings.username_env]
        password = os.environ[settings.password_env]
    mail = build(
        sender=settings.sender,
        recipient=target.address,
        subject=notice.title,
        text=notice.documents.get("txt", ""),
        html=notice.documents.get("html", ""),
        notice_version=notice.version_key,
        when=datetime.now(UTC),
        unsubscribe_url=settings.unsubscribe_url,
    )
    mail.replace_header("Message-ID", mid)  # the outbox's id (build derives the same)
    server = SmtpServer(
        host=settings.host,
        port=settings.port,
        security=settings.security,
        username=username,
        password=password,
        timeout=sending.settings.timeout,
        context=sending.smtp_context,
    )
    return send(mail, server)


def _domain(sender: str) -> str:
    return sender.rpartition("@")[2].strip(">").strip() or "localhost"
