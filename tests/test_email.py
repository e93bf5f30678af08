"""A notice as an e-mail: what a mail client receives, and that a re-send is the same one."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from releasecare.delivery.email import build, message_id
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
