"""A notice as an e-mail: what a mail client receives, and that a re-send is the same one."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme

from releasecare.delivery.email import SmtpServer, build, message_id, send
from releasecare.render import RenderOptions, render_notices
from tests.notices_fixtures import change, customer, impact
from tests.test_render import COMPONENTS

WHEN = datetime(2026, 11, 20, 8, 14, tzinfo=UTC)


def rendered(tmp_path: Path, name: str = "Acme") -> dict[str, str]:
    changes = [change("c3", "feat: pay with SEPA", note="You can now pay with SEPA Direct Debit.")]
    written = render_notices(
        impact(changes, [customer("acme", name)]),
        COMPONENTS,
        tmp_path,
        RenderOptions(product="Shopfront", formats=("txt", "html")),
    )
    return {n.format: n.path.read_text() for n in written}


def mail(tmp_path: Path, **overrides: object) -> EmailMessage:
    notice = rendered(tmp_path)
    options: dict[str, object] = {
        "sender": "Shopfront <notices@shopfront.example>",
        "recipient": "it@acme.example",
        "subject": "Shopfront v1.5.0: what changed for Acme",
        "text": notice["txt"],
        "html": notice["html"],
        "notice_version": "deployment:22/acme/1",
        "when": WHEN,
    }
    options.update(overrides)
    sent = build(**options)  # type: ignore[arg-type]
    # As the receiving side reads it off the wire.
    parsed = message_from_bytes(sent.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_text_then_html_with_its_css_inlined(tmp_path: Path) -> None:
    received = mail(tmp_path)
    assert received.get_content_type() == "multipart/alternative"
    plain, html = list(received.iter_parts())
    assert plain.get_content_type() == "text/plain"
    assert "You can now pay with SEPA Direct Debit." in plain.get_content()
    assert html.get_content_type() == "text/html"
    body = html.get_content()
    assert "You can now pay with SEPA Direct Debit." in body
    assert 'style="' in body and "var(--" not in body.split("<style")[0]
    assert "<link" not in body and "<script" not in body
    assert "prefers-color-scheme: dark" in body  # kept for the clients that read it


def test_headers_a_mail_client_and_a_bulk_sender_expect(tmp_path: Path) -> None:
    received = mail(tmp_path, unsubscribe_url="https://shopfront.example/u/acme-7f3")
    assert received["Date"] == "Fri, 20 Nov 2026 08:14:00 +0000"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["List-Unsubscribe"] == "<https://shopfront.example/u/acme-7f3>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Message-ID"].endswith("@shopfront.example>")
    plain = mail(tmp_path, unsubscribe_url="mailto:unsubscribe@shopfront.example")
    assert plain["List-Unsubscribe-Post"] is None  # one-click needs an https URL
    assert mail(tmp_path)["List-Unsubscribe"] is None


def test_a_re_send_carries_the_same_message_id(tmp_path: Path) -> None:
    first, again = mail(tmp_path), mail(tmp_path)
    assert first["Message-ID"] == again["Message-ID"]
    assert mail(tmp_path, recipient="ops@acme.example")["Message-ID"] != first["Message-ID"]
    newer = mail(tmp_path, notice_version="deployment:22/acme/2")
    assert newer["Message-ID"] != first["Message-ID"]
    assert message_id("n/1", "IT@Acme.example", "x.example") == message_id(
        "n/1", "it@acme.example", "x.example"
    )


def test_a_customer_name_cannot_add_a_header(tmp_path: Path) -> None:
    received = mail(tmp_path, subject="What changed for Acme\r\nBcc: victim@example.com\x1b[2J")
    assert received["Bcc"] is None
    assert received["Subject"] == "What changed for Acme Bcc: victim@example.com[2J"


# --- sending, to a real SMTP server (aiosmtpd on 127.0.0.1) -------------------------


class Inbox:
    """An SMTP handler that answers each DATA with the next scripted reply."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        reply = self.replies.pop(0) if self.replies else "250 OK"
        if reply.startswith("250"):
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(parsed)
        return reply


@pytest.fixture(scope="module")
def ca() -> Any:
    return trustme.CA()


@contextmanager
def smtp_server(inbox: Inbox, ca: Any, *, mode: str, login: bool = False) -> Iterator[int]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)

    def authenticate(
        server: object, session: object, envelope: object, mechanism: str, auth: Any
    ) -> Any:
        ok = isinstance(auth, LoginPassword) and (auth.login, auth.password) == (b"rc", b"s3cret")
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd replies 535

    extra: dict[str, Any] = {}
    if mode == "starttls":
        extra = {"tls_context": context, "require_starttls": True}
    elif mode == "tls":
        extra = {"ssl_context": context}
    if login:
        # Implicit TLS is TLS from the first byte; aiosmtpd only counts STARTTLS as TLS.
        extra.update(authenticator=authenticate, auth_required=True)
        extra.update(auth_require_tls=mode != "tls")
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **extra)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def client_context(ca: Any) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


# aiosmtpd warns that AUTH without STARTTLS is unsafe: here the link is implicit TLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_sent_over_verified_tls_with_a_login(tmp_path: Path, ca: Any, mode: str) -> None:
    inbox = Inbox()
    with smtp_server(inbox, ca, mode=mode, login=True) as port:
        server = SmtpServer(
            "127.0.0.1", port, mode, "rc", "s3cret", timeout=10, context=client_context(ca)
        )
        outcome = send(mail(tmp_path), server)
    assert (outcome.state, outcome.code) == ("sent", 250)
    (received,) = inbox.received
    assert received["Subject"] == "Shopfront v1.5.0: what changed for Acme"
    assert received.get_content_type() == "multipart/alternative"


def test_an_untrusted_certificate_is_refused(tmp_path: Path, ca: Any) -> None:
    inbox = Inbox()
    with smtp_server(inbox, ca, mode="starttls") as port:
        # The machine's own trust store does not know the test CA: verification is on.
        outcome = send(mail(tmp_path), SmtpServer("127.0.0.1", port, "starttls", timeout=10))
    assert outcome.state == "failed" and "certificate not trusted" in outcome.reason
    assert inbox.received == []


def test_replies_tell_retry_from_failure_and_the_password_stays_out(
    tmp_path: Path, ca: Any
) -> None:
    inbox = Inbox("451 4.3.0 Try again later", "550 5.1.1 No such user")
    with smtp_server(inbox, ca, mode="plain") as port:
        server = SmtpServer("127.0.0.1", port, "plain", timeout=10)
        later = send(mail(tmp_path), server)
        refused = send(mail(tmp_path), server)
        sent = send(mail(tmp_path), server)
    assert (later.state, later.code, later.reason) == ("retry", 451, "451 4.3.0 Try again later")
    assert (refused.state, refused.code) == ("failed", 550)
    assert sent.state == "sent" and len(inbox.received) == 1
    with smtp_server(Inbox(), ca, mode="starttls", login=True) as port:
        wrong = SmtpServer(
            "127.0.0.1", port, "starttls", "rc", "not-the-password", 10, client_context(ca)
        )
        denied = send(mail(tmp_path), wrong)
    assert denied.state == "failed" and denied.code == 535
    assert "not-the-password" not in denied.reason + repr(wrong)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_no_server_is_a_retry_and_plain_smtp_only_to_loopback(tmp_path: Path) -> None:
    free = free_port()
    down = send(mail(tmp_path), SmtpServer("127.0.0.1", free, "plain", timeout=5))
    assert down.state == "retry" and f"127.0.0.1:{free}" in down.reason
    remote = send(mail(tmp_path), SmtpServer("smtp.example.com", 25, "plain"))
    assert remote.state == "failed" and "only allowed to a loopback address" in remote.reason
