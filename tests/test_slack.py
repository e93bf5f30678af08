"""A notice as a Slack message: what a channel shows, inert, and within Slack's limits."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from releasecare.delivery.slack import MAX_BLOCKS, MAX_HEADER, MAX_SECTION, message


def notice(items: int = 2, text: str = "Invoices can be paid by card.") -> dict[str, Any]:
    return {
        "headline": "Shopfront v1.5.0, updated on 20.11.2026, 09:14 CET",
        "rollback_text": None,
        "sections": [
            {
                "key": "new",
                "title": "New for you",
                "items": [
                    {"text": f"{text} ({n})", "components": ["Invoices"]} for n in range(items)
                ],
            },
            {
                "key": "fixed",
                "title": "Fixed",
                "items": [{"text": "Search finds umlauts.", "components": []}],
            },
        ],
        "incidents": [],
        "unlisted_text": None,
        "elsewhere_text": "3 other changes in this update do not touch the parts you use.",
    }


def texts(slack: dict[str, Any]) -> list[str]:
    out = []
    for block in slack["blocks"]:
        if "text" in block:
            out.append(block["text"]["text"])
        out.extend(e["text"] for e in block.get("elements", []))
    return out


def test_a_notice_reads_as_in_the_other_formats() -> None:
    slack = message(notice(), link="https://status.example.com/acme/d22.html")
    assert slack["text"].startswith("Shopfront v1.5.0, updated on 20.11.2026")
    assert "New for you: 2, Fixed: 1" in slack["text"]
    assert slack["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": notice()["headline"]},
    }
    shown = texts(slack)
    assert shown[1] == (
        "*New for you*\n• Invoices can be paid by card. (0) _(Invoices)_\n"
        "• Invoices can be paid by card. (1) _(Invoices)_"
    )
    assert shown[2] == "*Fixed*\n• Search finds umlauts."
    assert shown[3].startswith("3 other changes")
    assert shown[-1] == "<https://status.example.com/acme/d22.html|Read the full notice>"


def test_commit_text_cannot_ping_or_link() -> None:
    hostile = "<!channel> pay at <https://evil.example|your bank> & <@U123>"
    slack = message(notice(text=hostile))
    body = json.dumps(slack)
    assert "<!channel>" not in body and "<https://evil" not in body and "<@U123>" not in body
    assert (
        "&lt;!channel&gt; pay at &lt;https://evil.example|your bank&gt; &amp; &lt;@U123&gt;" in body
    )
    assert all("<" not in text for text in texts(slack))


def test_a_long_notice_fits_slack_s_limits_and_says_what_was_left_out() -> None:
    long_item = "Invoices in the archive load faster when you open an older month. " * 3
    slack = message(notice(items=1000, text=long_item), link="https://n.example/x|y>")
    blocks = slack["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert len(blocks[0]["text"]["text"]) <= MAX_HEADER
    assert all(len(t) <= MAX_SECTION for t in texts(slack))
    shown = sum(t.count("\n• ") for t in texts(slack))
    more = next(t for t in texts(slack) if "more items are in the full notice" in t)
    assert int(re.match(r"(\d+) more", more).group(1)) + shown == 1001
    assert texts(slack)[-1] == "<https://n.example/x%7Cy%3E|Read the full notice>"
    assert slack["text"]


def test_a_long_headline_and_item_are_cut_without_breaking_an_escape() -> None:
    doc = notice(items=1, text="&" * 5000)
    doc["headline"] = "H" * 400
    slack = message(doc)
    assert len(slack["blocks"][0]["text"]["text"]) == MAX_HEADER
    item = texts(slack)[1]
    assert len(item) <= MAX_SECTION and item.endswith("&amp;…")


def test_a_rendered_json_notice_becomes_a_message(tmp_path: Path) -> None:
    from releasecare.render import RenderOptions, render_notices
    from tests.notices_fixtures import change, customer, impact
    from tests.test_render import COMPONENTS

    changes = [
        change("a1", "feat: pay with SEPA", note="You can now pay with <SEPA> Direct Debit."),
        change("b2", "fix: totals were off by one cent", type="fix"),
    ]
    (written,) = render_notices(
        impact(changes, [customer("acme", "Acme")]),
        COMPONENTS,
        tmp_path,
        RenderOptions(product="Shopfront", formats=("json",)),
    )
    slack = message(json.loads(written.path.read_text()))
    shown = texts(slack)
    assert slack["blocks"][0]["text"]["text"].startswith("Shopfront")
    assert any("You can now pay with &lt;SEPA&gt; Direct Debit." in t for t in shown)
    assert any(t.startswith("*Fixed*") for t in shown)
