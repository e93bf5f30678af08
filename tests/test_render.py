"""Notices: sections in the order a customer cares about, their time zone, escaping in
every format, safe file names, template overrides, feeds, and isolation."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasecare.errors import InputError
from releasecare.render import RenderOptions, format_time, render_notices
from releasecare.slugs import safe_slug
from tests.notices_fixtures import COMPONENTS, DEPLOYED, change, customer, impact

ATOM = "{http://www.w3.org/2005/Atom}"


def render(tmp_path: Path, imp: object, *formats: str, **options: object) -> dict[str, str]:
    written = render_notices(
        imp,
        COMPONENTS,
        tmp_path / "out",  # type: ignore[arg-type]
        RenderOptions(product="Shopfront", formats=formats or ("md",), **options),
    )  # type: ignore[arg-type]
    return {f"{n.customer_id}.{n.format}": n.path.read_text() for n in written}


def test_sections_in_the_order_customers_care_about(tmp_path: Path) -> None:
    changes = [
        change("a1", "fix: totals were off by one cent", type="fix"),
        change("b2", "perf: faster checkout", type="perf"),
        change("c3", "feat: pay with SEPA", note="You can now pay with SEPA Direct Debit."),
        change(
            "d4",
            "feat(api)!: new webhook body",
            breaking=True,
            note="Update your webhook receiver to the version 2 body.",
        ),
        change("e5", "chore: tidy the build", type="chore", visible=False),
    ]
    notices = render(tmp_path, impact(changes, [customer("acme", "Acme GmbH")]))
    text = notices["acme.md"]
    order = [
        text.index(h) for h in ("## Action needed", "## New for you", "## Improved", "## Fixed")
    ]
    assert order == sorted(order)
    assert "You can now pay with SEPA Direct Debit." in text
    assert "1 smaller change to Checkout is not listed here." in text
    assert "tidy the build" not in text


def test_empty_sections_are_left_out(tmp_path: Path) -> None:
    notices = render(
        tmp_path, impact([change("a1", "fix: totals", type="fix")], [customer("acme", "Acme")])
    )
    assert "## Fixed" in notices["acme.md"]
    assert "## New for you" not in notices["acme.md"] and "Action needed" not in notices["acme.md"]


def test_a_rollback_lists_what_is_taken_away_under_its_own_heading(tmp_path: Path) -> None:
    notices = render(
        tmp_path,
        impact([change("a1", "feat: saved carts")], [customer("acme", "Acme")], rollback=True),
        "txt",
    )
    text = " ".join(notices["acme.txt"].split())
    assert "back to an earlier version on" in text
    assert "NO LONGER AVAILABLE - Saved carts." in text
    assert "We returned" not in text


@pytest.mark.parametrize(
    ("unlisted", "elsewhere", "expected"),
    [
        (1, 0, "1 smaller change to Checkout is not listed here."),
        (2, 0, "2 smaller changes to Checkout are not listed here."),
        (0, 1, "1 other change in this update does not touch the parts of Shopfront you use."),
        (0, 3, "3 other changes in this update do not touch the parts of Shopfront you use."),
    ],
)
def test_counts_are_grammatical_in_every_form(unlisted: int, elsewhere: int, expected: str) -> None:
    from releasecare.render import elsewhere_sentence, unlisted_sentence

    said = [
        unlisted_sentence(unlisted, ["Checkout"], "Shopfront"),
        elsewhere_sentence(elsewhere, "Shopfront"),
    ]
    assert [s for s in said if s] == [expected]


@pytest.mark.parametrize(
    ("undescribed", "unlisted", "expected"),
    [
        (1, 0, "1 change to Checkout is not described here."),
        (2, 0, "2 changes to Checkout are not described here."),
        (1, 1, "1 change to Checkout is not described here, and 1 smaller one is not listed."),
        (2, 3, "2 changes to Checkout are not described here, and 3 smaller ones are not listed."),
    ],
)
def test_held_back_changes_are_counted_apart_and_never_called_smaller(
    undescribed: int, unlisted: int, expected: str
) -> None:
    from releasecare.render import unlisted_sentence
    from releasecare.voice import VoiceOptions, lint_note

    said = unlisted_sentence(unlisted, ["Checkout"], "Shopfront", undescribed)
    assert said == expected
    assert lint_note(said, "t", VoiceOptions()) == []


def test_every_fixed_sentence_of_every_template_passes_the_voice_lint(tmp_path: Path) -> None:
    """What the templates say themselves (not the notes) is linted like any note."""
    from releasecare.voice import VoiceOptions, lint_note

    note = "You can now pay by card."
    cases = [
        impact(
            [
                change("a1", "feat: x", note=note),
                change("b2", "chore: y", type="chore", visible=False),
            ],
            [customer("acme", "Acme")],
        ),
        impact([change("a1", "feat: x", note=note)], [customer("acme", "Acme")], rollback=True),
        impact(
            [
                change("a1", "feat: x", note=note),
                change("c3", "fix: drop parseCart calls", type="fix"),  # held back
                change("b2", "chore: y", type="chore", visible=False),
            ],
            [customer("acme", "Acme")],
        ),
    ]
    for case in cases:
        for fmt in ("md", "txt"):
            text = render(tmp_path / fmt, case, fmt)[f"acme.{fmt}"]
            prose = text.replace(note, "").replace("Europe/Berlin", "")
            for sentence in re.split(r"(?<=[.!?])\s+|\n+", prose):
                sentence = sentence.strip(" #-*")
                if len(sentence.split()) < 3:
                    continue
                found = [f.rule for f in lint_note(sentence, "t", VoiceOptions())]
                assert found == [], (sentence, found)


def test_dates_in_the_customers_time_zone_and_format() -> None:
    # 23:30 UTC on the 20th is already the 21st in Berlin.
    assert format_time(DEPLOYED, "Europe/Berlin", "de-DE") == "21.11.2026, 00:30 CET"
    # Babel's CLDR data: month names and 12-hour clocks where the locale uses them
    # (CLDR puts a narrow no-break space before "PM").
    assert format_time(DEPLOYED, "America/New_York", "en-US") == "Nov 20, 2026, 6:30\u202fPM EST"
    assert format_time(DEPLOYED, "Europe/Paris", "fr-FR") == "21 nov. 2026, 00:30 CET"
    assert format_time(DEPLOYED, "Asia/Tokyo", "ja") == "2026/11/21 8:30 JST"
    # An unknown or malformed locale falls back to English, cleanly.
    assert format_time(DEPLOYED, "Asia/Tokyo", "xx") == "Nov 21, 2026, 8:30\u202fAM JST"
    assert format_time(DEPLOYED, "UTC", "not a locale!") == "Nov 20, 2026, 11:30\u202fPM UTC"


HOSTILE = (
    '<img src=x onerror="alert(1)"> [click](javascript:alert(2)) '
    "<script>alert(3)</script> **bold** `code`"
)


@pytest.mark.parametrize("fmt", ["md", "html", "txt", "json"])
def test_untrusted_text_is_inert_in_every_format(tmp_path: Path, fmt: str) -> None:
    evil = customer("acme", 'Evil <b>Corp</b> & "Co"')
    notices = render(
        tmp_path, impact([change("a1", f"feat: {HOSTILE}", note=HOSTILE)], [evil]), fmt
    )
    text = notices[f"acme.{fmt}"]
    if fmt == "html":
        assert "<img" not in text and "<script>alert" not in text and "<b>Corp" not in text
        assert "href=" not in text.split("<main>")[1]  # the javascript: link stays text
        assert "Evil &lt;b&gt;Corp&lt;/b&gt; &amp; &#34;Co&#34;" in text
    elif fmt == "md":
        assert "\\<img" in text and "[click\\](" in text and "\\<script>" in text
        assert "\\*\\*bold\\*\\*" in text
    elif fmt == "json":
        data = json.loads(text)
        assert data["sections"][0]["items"][0]["text"] == HOSTILE
        assert data["customer"]["name"] == 'Evil <b>Corp</b> & "Co"'
    else:
        assert HOSTILE in " ".join(text.split())


def test_markdown_notes_render_as_html_without_raw_html(tmp_path: Path) -> None:
    note = "You can now [read the guide](https://docs.example/sepa) and use *SEPA*."
    notices = render(
        tmp_path,
        impact([change("a1", "feat: sepa", note=note)], [customer("acme", "Acme")]),
        "html",
    )
    html = notices["acme.html"]
    assert '<a href="https://docs.example/sepa">read the guide</a>' in html
    assert "<em>SEPA</em>" in html


@pytest.mark.parametrize(
    "identifier",
    ["../../etc/passwd", "CON", "a/b\\c", "Ünïcødé 客户", "", ".", "..", "aux.txt", "x" * 300],
)
def test_safe_slug_never_leaves_the_folder(identifier: str) -> None:
    slug = safe_slug(identifier)
    assert "/" not in slug and "\\" not in slug and slug not in (".", "..", "")
    assert slug.split(".")[0].lower() not in ("con", "aux")
    assert len(slug) <= 80


@settings(max_examples=300)
@given(st.text(min_size=0, max_size=40), st.text(min_size=0, max_size=40))
def test_distinct_ids_never_share_a_file(a: str, b: str) -> None:
    if a != b:
        assert safe_slug(a) != safe_slug(b)
    target = (Path("/out") / safe_slug(a)).resolve()
    assert target.parent == Path("/out")


def test_hostile_customer_id_writes_inside_out(tmp_path: Path) -> None:
    render(tmp_path, impact([change("a1", "feat: x")], [customer("../../escape", "E")]))
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files and all((tmp_path / "out") in p.parents for p in files)


def test_template_override_extends_the_default(tmp_path: Path) -> None:
    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "notice.html.j2").write_text(
        '{% extends "default:notice.html.j2" %}{% block footer %}'
        "<footer>Questions? Write to care@shop.example</footer>{% endblock %}"
    )
    notices = render(
        tmp_path,
        impact([change("a1", "feat: x")], [customer("acme", "Acme")]),
        "html",
        template_dir=overrides,
    )
    assert "care@shop.example" in notices["acme.html"]
    assert "<h1>What changed in Shopfront for Acme</h1>" in notices["acme.html"]


def test_broken_override_names_template_and_line(tmp_path: Path) -> None:
    overrides = tmp_path / "templates"
    overrides.mkdir()
    (overrides / "notice.md.j2").write_text("# {{ product }}\n\n{% for x in %}\n")
    with pytest.raises(InputError) as caught:
        render(
            tmp_path,
            impact([change("a1", "feat: x")], [customer("acme", "Acme")]),
            template_dir=overrides,
        )
    assert "notice.md.j2:3" in str(caught.value)


def test_atom_feed_accumulates_with_stable_ids(tmp_path: Path) -> None:
    first = impact(
        [change("a1", "feat: x", note="You can now export orders.")], [customer("acme", "Acme")]
    )
    render(tmp_path, first, "html", feed=True)
    feed_path = tmp_path / "out" / "acme" / "feed.atom"
    before = ET.parse(feed_path).getroot()
    assert before.tag == f"{ATOM}feed"
    (entry,) = before.findall(f"{ATOM}entry")
    entry_id = entry.findtext(f"{ATOM}id")
    render(tmp_path, first, "html", feed=True)  # the same notice again: same entry
    again = ET.parse(feed_path).getroot().findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in again] == [entry_id]
    assert again[0].findtext(f"{ATOM}updated") == entry.findtext(f"{ATOM}updated")
    from dataclasses import replace

    second = replace(first, version="v2.5.0")
    render(tmp_path, second, "html", feed=True)
    entries = ET.parse(feed_path).getroot().findall(f"{ATOM}entry")
    assert len(entries) == 2
    assert entry_id in [e.findtext(f"{ATOM}id") for e in entries]
    for e in entries:
        for field in ("id", "title", "updated"):
            assert e.findtext(f"{ATOM}{field}")


def test_overview_only_when_asked_and_outside_customer_folders(tmp_path: Path) -> None:
    imp = impact(
        [change("a1", "feat: x")], [customer("acme", "Acme"), customer("globex", "Globex")]
    )
    render(tmp_path, imp)
    assert not (tmp_path / "overview").exists()
    render(tmp_path, imp, overview_dir=tmp_path / "overview")
    overview = (tmp_path / "overview" / "index.html").read_text()
    assert "acme" in overview and "globex" in overview
    for folder in ("acme", "globex"):
        index = (tmp_path / "out" / folder / "index.html").read_text()
        other = "globex" if folder == "acme" else "acme"
        assert other not in index.lower()


def test_overview_inside_the_published_folder_is_refused(tmp_path: Path) -> None:
    imp = impact([change("a1", "feat: x")], [customer("acme", "Acme")])
    with pytest.raises(InputError, match="inside --out"):
        render(tmp_path, imp, overview_dir=tmp_path / "out" / "ops")


def test_each_notice_mentions_only_its_own_customer(tmp_path: Path) -> None:
    names = [f"Zorblax{i} Quuxcorp" for i in range(25)]
    customers = [
        customer(f"cust-{i}", name, components=("checkout",) if i % 2 else ("search",))
        for i, name in enumerate(names)
    ]
    changes = [
        change("a1", "feat: x", components=("checkout",)),
        change("b2", "fix: y", type="fix", components=("search",)),
    ]
    notices = render(tmp_path, impact(changes, customers), "md", "html", "txt", "json")
    for key, text in notices.items():
        cid = key.rsplit(".", 1)[0]
        own = int(cid.split("-")[1])
        for i in range(25):
            if i != own:
                assert f"Zorblax{i} " not in text, (key, i)
                assert f'cust-{i}"' not in text and f"cust-{i}/" not in text


def test_feed_links_point_under_the_product_url(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    imp = impact(
        [change("a1", "fix: totals were off by one cent", type="fix")], [customer("acme", "Acme")]
    )
    render(tmp_path, imp, "html", feed=True, base_url="https://status.example.com/notices/")
    entry = ET.parse(tmp_path / "out" / "acme" / "feed.atom").getroot().find(f"{ATOM}entry")
    assert entry is not None
    link = entry.find(f"{ATOM}link")
    assert link is not None
    assert link.get("href", "").startswith("https://status.example.com/notices/acme/")
    assert link.get("href", "").endswith(".html")


def test_items_carry_the_customers_own_components_and_repeat_once(tmp_path: Path) -> None:
    both = ("checkout", "billing-svc", "search")
    changes = [
        change("a1", "fix: totals", type="fix", components=both, note="Totals add up again."),
        change(
            "b2",
            "fix: totals",
            type="fix",
            components=("billing-svc",),
            note="Totals add up again.",
        ),
        change(
            "c3", "fix: sums", type="fix", components=("checkout",), note="Totals add up again."
        ),
    ]
    notices = render(
        tmp_path,
        impact(changes, [customer("acme", "Acme", components=("checkout",))]),
        "txt",
    )
    text = notices["acme.txt"]
    assert text.count("Totals add up again.") == 1
    assert "Totals add up again. (Checkout)" in text
    assert "Invoices" not in text and "Search" not in text


def test_a_customer_on_two_environments_is_told_which_one(tmp_path: Path) -> None:
    from dataclasses import replace

    changes = [change("a1", "fix: totals", type="fix", note="Totals add up again.")]
    one = customer("acme", "Acme")
    two = replace(customer("multi", "Multi"), environments=("production-eu", "production-us"))
    notices = render(
        tmp_path,
        impact(changes, [one, two]),
        "md",
        "html",
        "txt",
        environment_names={"production-eu": "Europe"},
    )
    for fmt in ("md", "html", "txt"):
        assert "v2.4.0 in Europe, updated on" in notices[f"multi.{fmt}"]
        assert "v2.4.0 in Europe" not in notices[f"acme.{fmt}"]


def test_a_removed_fix_never_reads_as_a_bug_gone(tmp_path: Path) -> None:
    fix = change("f1", "fix: totals", type="fix", note="Totals are right again.")
    notices = render(tmp_path, impact([fix], [customer("acme", "Acme")], rollback=True), "txt")
    assert "Fix no longer included: Totals are right again." in " ".join(
        notices["acme.txt"].split()
    )


@pytest.mark.parametrize(
    ("kind", "section"), [("bug", "fixed"), ("enh", "new"), ("perf", "improved")]
)
def test_numpy_style_types_go_in_the_sections_they_mean(kind: str, section: str) -> None:
    from releasecare.render import section_of

    assert section_of(change("x1", "BUG: x", type=kind)) == section


def test_a_breaking_change_without_a_note_asks_to_read_rather_than_inventing_an_action(
    tmp_path: Path,
) -> None:
    bare = change("b1", "feat!: signed webhooks", breaking=True)
    noted = change("b2", "feat!: v2 bodies", breaking=True, note="Switch your receiver to v2.")
    text = render(tmp_path, impact([bare, noted], [customer("acme", "Acme")]))["acme.md"]
    assert "- Please read: Signed webhooks." in text
    assert "- Switch your receiver to v2." in text


def test_a_rollback_counts_what_it_takes_away_unlisted_and_bumps_stay_one_plain_line(
    tmp_path: Path,
) -> None:
    bump = change("d1", "fix(deps): update dependency left-pad to v2", type="fix")
    internal = change("i1", "refactor: tidy", type="refactor", visible=False)
    notices = render(
        tmp_path, impact([bump, internal], [customer("acme", "Acme")], rollback=True), "txt"
    )
    text = " ".join(notices["acme.txt"].split())
    assert "- Security and dependency updates. (Checkout)" in text
    assert "Fix no longer included: Security" not in text
    assert "1 smaller change you had before is no longer included." in text
