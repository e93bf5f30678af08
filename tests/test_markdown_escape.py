"""The raw ``.md`` notice reads cleanly in a plain-text mail client and still renders as
exactly the note: ``md_escape`` escapes only what Markdown would read as syntax where it
stands. Checked with markdown-it (CommonMark plus GitHub's tables and strikethrough).

Budget: the property test runs 400 derandomised examples (about 2 s).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasecare.mdescape import md_escape
from tests.notices_fixtures import change, customer, impact
from tests.test_render import render


def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["strikethrough", "table"])


def _escape_html(text: str) -> str:
    from markdown_it.common.utils import escapeHtml

    return str(escapeHtml(text))


def _renders_as_itself(text: str) -> None:
    md = _markdown()
    expected = _escape_html(text)
    assert md.render(md_escape(text)) == f"<p>{expected}</p>\n", md_escape(text)
    item = md.render(f"- {md_escape(text)} (Checkout)")
    assert item == f"<ul>\n<li>{expected} (Checkout)</li>\n</ul>\n", md_escape(text)
    heading = md.render(f"# What changed for {md_escape(text)}")
    assert heading == f"<h1>What changed for {expected}</h1>\n", md_escape(text)


ORDINARY = [
    "Müller & Söhne",
    "Exports of 10,000+ rows are 3x faster (about 2 s instead of 6 s).",
    "Search finds words with umlauts: Müsli, crème, Straße!",
    "Prices in €, $ and £ show two decimals; 5* ratings are kept.",
    "Times are in America/New_York.",
    "You can read/write shared lists — and see who changed what?",
    "Fixed a problem with dates written as 2026-11-20 or 20.11.2026.",
    "Update dependency to v0.217.0 [security].",
    "Rates are 1 < 2 and 3 > 2, 50% off, #1 in search, a|b, ~5 minutes.",
    "C:\\Users\\Public is the default folder.",
    "The snake_case and kebab-case names (e.g. order_id) stay as written.",
    "You can now sort by name (A-Z) or by date [newest first].",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_punctuation_is_not_escaped(text: str) -> None:
    assert md_escape(text) == text
    _renders_as_itself(text)


SYNTAX = [
    "[click](javascript:alert(2))",
    "![pixel](https://tracker.example/p.gif)",
    "<img src=x onerror=alert(1)> <script>x</script> <https://example.com>",
    "**bold** *em* __strong__ _em_ ~~gone~~ `code` ``code``",
    "&copy; &#169; &#xA9; are entities",
    "[ref]: https://example.com",
    "[ref][other] and [^note]",
    "# heading",
    "- list",
    "+ list",
    "* list",
    "> quote",
    "1. ordered",
    "12) ordered",
    "---",
    "* * *",
    "___",
    "[ ] a task",
    "[x] done",
    "ends with a hash #",
    "a backslash \\* before a star and one at the end \\",
    "```fence",
    "~~~fence",
    "| a | b |",
]


@pytest.mark.parametrize("text", SYNTAX)
def test_markdown_syntax_renders_as_the_text_itself(text: str) -> None:
    _renders_as_itself(text)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.text(alphabet="ab1 .*_`[]()<>&#;!\\~|-+:=x/^@", min_size=1, max_size=24))
def test_any_text_renders_as_itself(raw: str) -> None:
    text = " ".join(raw.split())
    if text:
        _renders_as_itself(text)


def test_a_rendered_notice_reads_as_the_notes_in_markdown_and_in_plain_text(
    tmp_path: Path,
) -> None:
    notes = [
        "Invoices for Müller & Söhne show the order_id [security].",
        "Totals use *two* decimals; see <https://docs.example> or [the guide](https://x.example).",
    ]
    changes = [change(f"a{i}", f"feat: x{i}", note=n) for i, n in enumerate(notes)]
    text = render(tmp_path, impact(changes, [customer("acme", "Müller & Söhne")]))["acme.md"]
    assert "Müller & Söhne" in text and "[security]" in text and "order_id" in text
    html = _markdown().render(text)
    items = [_unescape(i) for i in re.findall(r"<li>(.*?)</li>", html)]
    assert items == [f"{n} (Checkout)" for n in notes]
    assert "<a " not in html and "<em>" not in html


def _unescape(html: str) -> str:
    import html as html_module

    return html_module.unescape(html)
