"""The HTML reliability report in a real headless Chromium: nothing runs, nothing
loads, three charts each labelled for a screen reader with named axes, readable on
a phone and in dark mode. Never skipped in CI (as tests/test_browser.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CUSTOMERS, Runner
from tests.test_browser import browser, open_page
from tests.test_report import PERIOD, history

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
__all__ = ["browser", "history"]  # the fixtures, used by name

EVIL = '<img src=x onerror="window.__pwned=1">Acme <script>window.__pwned=2</script>'


@pytest.fixture
def page_file(history: Runner, tmp_path: Path) -> Path:
    hostile = [dict(c, name=EVIL) if c["id"] == "acme" else c for c in CUSTOMERS]
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(hostile), encoding="utf-8")
    history.ok("customers", "import", str(source))
    target = tmp_path / "report.html"
    history.ok("report", *PERIOD, "--format", "html", "--out", str(target))
    return target


def test_nothing_runs_nothing_loads_and_the_charts_are_labelled(
    browser: Any, page_file: Path, tmp_path: Path
) -> None:
    page, requests, errors = open_page(browser, page_file)
    assert requests == [page_file.as_uri()]
    assert errors == []
    assert page.evaluate("window.__pwned") is None
    assert page.locator("script, img, iframe, object, embed").count() == 0
    assert page.locator("h1").count() == 1
    charts = page.eval_on_selector_all(
        "svg.chart",
        """els => els.map(svg => ({
            role: svg.getAttribute('role'),
            named: svg.getAttribute('aria-labelledby').split(' ')
                .map(id => document.getElementById(id).textContent),
            axes: [...svg.querySelectorAll('text.axis-label')].map(t => t.textContent),
            bars: svg.querySelectorAll('rect').length,
            width: svg.getBoundingClientRect().width,
        }))""",
    )
    assert [c["named"][0] for c in charts] == [
        "Deploys per week",
        "Failed deploys per week",
        "Impact minutes per customer (worst first)",
    ]
    assert all(c["role"] == "img" and c["width"] > 200 for c in charts)
    assert [c["axes"] for c in charts] == [
        ["Week starting (UTC)", "Deploys"],
        ["Week starting (UTC)", "Failed deploys"],
        ["Impact minutes", "Customer"],
    ]
    assert [c["bars"] for c in charts] == [6, 6, 1]  # six weeks; one customer had minutes
    # The description says the figures in words, the hostile name as text.
    assert "Nov 02: 4" in charts[0]["named"][1] and "Nov 09: 2" in charts[1]["named"][1]
    assert EVIL + ": 90" in charts[2]["named"][1]
    assert EVIL in page.inner_text("table")
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_readable_on_a_phone_in_dark_mode(browser: Any, page_file: Path, tmp_path: Path) -> None:
    page, _, errors = open_page(
        browser, page_file, viewport={"width": 375, "height": 740}, color_scheme="dark"
    )
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(20, 23, 29)"
    bar = page.locator("svg.chart rect.bar").first
    assert bar.evaluate("el => getComputedStyle(el).fill") == "rgb(143, 176, 255)"  # --accent, dark
    # Nothing wider than the phone's screen but the customers' table, which scrolls in place.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    widths = page.eval_on_selector_all(
        "svg.chart", "els => els.map(e => e.getBoundingClientRect().width)"
    )
    assert all(300 <= w <= 375 for w in widths)
    page.screenshot(path=str(tmp_path / "phone-dark.png"), full_page=True)
    assert errors == []
