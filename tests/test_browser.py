"""Rendered HTML notices in a real headless Chromium: nothing runs, nothing loads,
one h1, readable on a phone and in dark mode. Never skipped in CI."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from releasecare.render import RenderOptions, render_notices
from tests.notices_fixtures import COMPONENTS, change, customer, impact

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.browser

ATTACKS = [
    '<img src=x onerror="window.__pwned=1">',
    "<script>window.__pwned=2</script>",
    '[open](javascript:window.__pwned=3) <a href="javascript:window.__pwned=4">x</a>',
    '<iframe src="https://evil.example/"></iframe> ![t](https://evil.example/t.png)',
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield instance
        instance.close()


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    changes = [change(f"a{i}", f"feat: {attack}", note=attack) for i, attack in enumerate(ATTACKS)]
    changes.append(
        change(
            "f1",
            "fix: double charge",
            type="fix",
            note="Some orders were charged twice; this no longer happens.",
        )
    )
    evil = customer("acme", '<img src=y onerror="window.__pwned=5">Acme', locale="de-DE")
    (written,) = render_notices(
        impact(changes, [evil]),
        COMPONENTS,
        tmp_path / "out",
        RenderOptions(product="Shopfront", formats=("html",)),
    )
    return written.path


def open_page(browser: Any, path: Path, **context: Any) -> tuple[Any, list[str], list[str]]:
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, requests, errors


def test_no_script_runs_and_nothing_loads(browser: Any, page_file: Path, tmp_path: Path) -> None:
    page, requests, errors = open_page(browser, page_file)
    assert page.evaluate("window.__pwned") is None
    assert requests == [page_file.as_uri()]
    hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs and all(h.startswith(("https://", "http://", "mailto:")) for h in hrefs)
    assert errors == []
    assert page.locator("h1").count() == 1
    assert page.locator("script, iframe, img").count() == 0
    assert page.get_attribute("html", "lang") == "en"
    headings = page.eval_on_selector_all("h1, h2, h3", "els => els.map(e => e.tagName)")
    assert headings[0] == "H1" and all(h in ("H2", "H3") for h in headings[1:])
    shot = tmp_path / "notice.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000


def test_readable_on_a_phone_in_dark_mode(browser: Any, page_file: Path, tmp_path: Path) -> None:
    page, _, errors = open_page(
        browser, page_file, viewport={"width": 375, "height": 740}, color_scheme="dark"
    )
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 23, 29)"
    # Nothing wider than the phone's screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot = tmp_path / "phone-dark.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000
    assert errors == []


def test_the_index_lists_each_notice_newest_first_with_date_and_summary(
    browser: Any, tmp_path: Path
) -> None:
    from dataclasses import replace
    from datetime import timedelta

    acme = customer("acme", "Acme GmbH")
    first = impact([change("a1", "feat: saved carts", note="You can now save your cart.")], [acme])
    assert first.deployment is not None
    later = replace(
        impact(
            [
                change("b1", "feat: x", note="You can now pay by invoice."),
                change("b2", "fix: y", type="fix", note="Totals are right again."),
            ],
            [acme],
        ),
        deployment=replace(
            first.deployment, id=8, deployed_at=first.deployment.deployed_at + timedelta(days=2)
        ),
    )
    options = RenderOptions(
        product="Shopfront",
        formats=("html", "md"),
        environment_names={"production-eu": "Europe"},
    )
    for each in (first, later, first):  # rendering one again refreshes its own entry
        render_notices(each, COMPONENTS, tmp_path / "out", options)
    index = tmp_path / "out" / "acme" / "index.html"
    page, requests, errors = open_page(browser, index)
    entries = page.eval_on_selector_all("ul.notices li", "els => els.map(e => e.innerText)")
    links = page.eval_on_selector_all("ul.notices a", "els => els.map(e => e.getAttribute('href'))")
    assert len(entries) == 2
    assert "1 new, 1 fixed" in entries[0] and "1 new" in entries[1]
    assert all("Europe" in e and "Shopfront v2.4.0" in e for e in entries)
    assert "23.11.2026" in entries[0] and "21.11.2026" in entries[1]  # the customer's zone
    assert links == [
        "2026-11-22-production-eu-v2.4.0-d8.html",
        "2026-11-20-production-eu-v2.4.0-d7.html",
    ]
    assert requests == [index.as_uri()] and errors == []
    assert page.locator("script, img, iframe").count() == 0
