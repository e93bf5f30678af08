"""The customer's voice: where a note comes from, subject clean-up, and every lint rule
with a hit and a near miss."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from releasecare.domain import Change, Component
from releasecare.voice import VoiceOptions, clean_subject, customer_note, lint_changes, lint_note

OPTIONS = VoiceOptions(internal_hosts=("jira.internal.example",), author_names=("Dana Dev",))
TODAY = datetime(2026, 11, 24, tzinfo=UTC)
COMPONENTS = {"billing-svc": Component("billing-svc", "Invoices", paths=("billing/",))}


def rules(text: str, options: VoiceOptions = OPTIONS) -> list[str]:
    return [f.rule for f in lint_note(text, "x", options, today=TODAY)]


def test_trailer_note_wins_over_the_subject() -> None:
    change = Change(
        sha="a" * 40,
        summary="feat(billing-svc): PDF export (INV-12)",
        type="feat",
        customer_note="You can now export billing-svc invoices.",
    )
    assert customer_note(change, COMPONENTS, OPTIONS) == "You can now export Invoices invoices."


def test_subject_is_the_fallback_for_visible_changes_only() -> None:
    visible = Change(
        sha="a" * 40, summary="fix(checkout): totals off by a cent (PAY-9)", type="fix"
    )
    hidden = Change(sha="b" * 40, summary="chore: bump", type="chore", visible=False)
    assert customer_note(visible, {}, OPTIONS) == "Totals off by a cent."
    assert customer_note(hidden, {}, OPTIONS) is None
    assert customer_note(visible, {}, VoiceOptions(source="notes")) is None


@pytest.mark.parametrize(
    ("subject", "cleaned"),
    [
        ("feat(api)!: signed webhooks", "Signed webhooks."),
        ("fix: crash when saving (#123, ABC-45)", "Crash when saving."),
        ("fix: totals off by a cent (closes #77)", "Totals off by a cent."),
        ("PAY-12: faster card payments", "Faster card payments."),
        ("[PAY-12] faster card payments", "Faster card payments."),
        ("perf: faster search (see https://jira.internal.example/browse/X-1)", "Faster search."),
        ("Add an export to CSV (#5012)", "Add an export to CSV."),
    ],
)
def test_subject_clean_up_takes_off_only_what_stands_around_the_sentence(
    subject: str, cleaned: str
) -> None:
    assert clean_subject(subject, OPTIONS) == cleaned


@pytest.mark.parametrize(
    ("subject", "reason"),
    [
        # Seen on real history: cutting these out left "See for details.",
        # "Faster search in.", "Update digest to." and "Storefront microser...".
        ("fix: see https://jira.internal.example/browse/X-1 for details", "a link"),
        ("perf: faster search in services/search/engine.py", "a path"),
        ("fix: mail ops@shop.example about it", "an e-mail address"),
        ("fix: handle a1b2c3d4e5 in the export", "a commit hash"),
        ("Clean up shippingservice, remove deprecated API, fix quote logic", "a package"),
        ("fix: parseCatalog skipped empty rows", "a code identifier"),
        ("fix: GetProduct returned stale prices", "a code identifier"),
        ("fix: stale prices [security]", "a tag"),
        ("Merge the thing", "voice lint: jargon"),
        ("fix: improve tests", "voice lint"),
    ],
)
def test_a_subject_that_names_internal_things_is_held_back_with_the_reason(
    subject: str, reason: str
) -> None:
    from releasecare.voice import subject_note

    result = subject_note(subject, OPTIONS)
    assert result.text is None
    assert reason in (result.reason or ""), result.reason
    assert clean_subject(subject, OPTIONS) == ""


@pytest.mark.parametrize(
    ("subject", "author"),
    [
        ("fix(deps): update dependency @grpc/grpc-js to v1.14.2", "renovate[bot]"),
        ("chore(deps): update golang.org/x/net digest to cb67ada", "renovate[bot]"),
        ("Bump left-pad from 1.2.0 to 1.3.0", "dependabot[bot]"),
        ("fix(deps): update module github.com/x/y to v0.52.0", "Someone"),
        ("Update dependency @types/node to v22 [security]", "Someone"),
        ("update nodejs", "renovate[bot]"),
        ("Lock file maintenance", "Someone"),
        ("fix: bump urllib3 to 2.2.2", "Someone"),
    ],
)
def test_dependency_updates_collapse_into_one_line_or_are_counted(
    subject: str, author: str
) -> None:
    from releasecare.voice import DEPENDENCY_NOTE, is_dependency_update

    change = Change(sha="d" * 40, summary=subject, type="fix", author_name=author)
    assert is_dependency_update(change)
    assert customer_note(change, {}, OPTIONS) == DEPENDENCY_NOTE
    assert customer_note(change, {}, VoiceOptions(dependency_updates="count")) is None


@pytest.mark.parametrize(
    "subject",
    ["fix: update the invoice layout to match the new logo", "feat: pin a project to the top"],
)
def test_ordinary_changes_are_not_taken_for_dependency_updates(subject: str) -> None:
    from releasecare.voice import is_dependency_update

    assert not is_dependency_update(Change(sha="e" * 40, summary=subject, type="fix"))


def test_a_subject_naming_an_author_is_held_back_in_impact_and_notice_alike() -> None:
    change = Change(sha="f" * 40, summary="fix: exports by Dana Dev are faster", type="fix")
    assert customer_note(change, {}, VoiceOptions().with_authors(["Dana Dev"])) is None


@pytest.mark.parametrize(
    ("text", "rule", "hit"),
    [
        ("We added SEPA payments.", "our-side", True),
        ("Weekly reports are now faster.", "our-side", False),
        ("Users can now pay with SEPA.", "third-person", True),
        ("You can now pay with SEPA.", "third-person", False),
        ("Refactored the checkout endpoint.", "jargon", True),
        ("Checkout is faster now.", "jargon", False),
        ("Fixed ABC-123 in checkout.", "internal-reference", True),
        ("Totals in checkout are right again.", "internal-reference", False),
        ("Thanks to Dana Dev, exports are faster.", "internal-reference", True),
        ("Fixed race condition in InvoiceWorker.", "technical-problem", True),
        ("Some invoices showed the wrong total; they are correct now.", "technical-problem", False),
        ("Checkout will never fail again.", "promise", True),
        ("Available from March 3rd 2027.", "promise", True),
        ("Available since 2026-11-01.", "promise", False),
        ("", "empty", True),
        ("x" * 300, "too-long", True),
        ("x" * 100, "too-long", False),
    ],
)
def test_each_rule_hits_and_misses(text: str, rule: str, hit: bool) -> None:
    assert (rule in rules(text)) is hit, rules(text)


def test_third_person_suggests_you() -> None:
    (finding,) = [
        f
        for f in lint_note("Customers can now pay by SEPA.", "x", OPTIONS)
        if f.rule == "third-person"
    ]
    assert finding.suggestion == "you can now pay by SEPA."


def test_allow_list_for_developer_products() -> None:
    assert "jargon" in rules("The endpoint returns 201 now.")
    allowed = VoiceOptions(allow=("endpoint",))
    assert "jargon" not in rules("The endpoint returns 201 now.", allowed)


def test_internal_host_is_flagged() -> None:
    assert "internal-reference" in rules("Details at jira.internal.example.")


def test_findings_are_stable_and_located() -> None:
    changes = [
        Change(sha="c" * 40, summary="feat: x", type="feat", customer_note="We fixed it."),
        Change(
            sha="d" * 40,
            summary="feat: y",
            type="feat",
            customer_note="Users can now go.",
            note_source="fragment:changes/go.md",
        ),
    ]
    first = lint_changes(changes, OPTIONS)
    assert first == lint_changes(changes, OPTIONS)
    assert [(f.location, f.rule) for f in first] == [
        ("cccccccccc", "our-side"),
        ("changes/go.md:1", "third-person"),
    ]


def test_notes_lint_cli_strict_exit_codes(tmp_path: object) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from releasecare.cli import cli

    folder = Path(str(tmp_path)) / "changes"
    folder.mkdir()
    (folder / "good.md").write_text("---\ncomponents: [checkout]\n---\nYou can now pay by SEPA.\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["notes", "lint", str(folder), "--strict"]).exit_code == 0
    (folder / "bad.md").write_text("We refactored the checkout endpoint (PAY-12).\n")
    result = runner.invoke(cli, ["notes", "lint", str(folder), "--strict", "--json"])
    assert result.exit_code == 1
    import json

    found = json.loads(result.stdout)["findings"]
    assert {f["rule"] for f in found} == {"our-side", "jargon", "internal-reference"}
    assert all(f["location"] == f"{folder / 'bad.md'}" for f in found)
    assert runner.invoke(cli, ["notes", "lint", str(folder)]).exit_code == 0


def test_voice_config_reaches_the_lint(tmp_path: object) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from releasecare.cli import cli

    root = Path(str(tmp_path))
    (root / "releasecare.toml").write_text(
        '[voice]\nallow = ["endpoint"]\ninternal_hosts = ["wiki.corp.example"]\nmax_length = 40\n'
    )
    note = root / "note.md"
    note.write_text("The orders endpoint is faster, see wiki.corp.example.\n")
    result = CliRunner().invoke(
        cli, ["--config", str(root / "releasecare.toml"), "notes", "lint", str(note), "--json"]
    )
    import json

    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert rules == ["internal-reference", "too-long"]


def test_notes_lint_maps_files_as_release_scan_does(tmp_path: object) -> None:
    """Components from CODEOWNERS count in the lint as in the scan: an untyped change
    to a component is customer-visible here, so its developer voice is found."""
    import json
    from pathlib import Path

    from tests.gitfactory import GitRepoFactory
    from tests.helpers import run_in_repo

    repo = Path(str(tmp_path)) / "repo"
    git = GitRepoFactory(repo)
    config = (
        "[release]\ncomponent_changes_visible = true\n"
        "[mapping]\nimport_codeowners = {flag}\n"
        "[components.docs]\nname = 'Docs'\npaths = ['docs/']\n"
    )
    git.commit("init", {"CODEOWNERS": "/billing/ @acme/billing-team\n", "docs/a.md": "1"})
    git.commit("Refactored the billing endpoint to fix the NPE", {"billing/api.py": "2"})

    def lint(flag: str) -> list[dict[str, str]]:
        (repo / "releasecare.toml").write_text(config.format(flag=flag), encoding="utf-8")
        result = run_in_repo(repo, "notes", "lint", "HEAD~1..HEAD", "--json")
        assert result.exit_code == 0, result.output
        findings: list[dict[str, str]] = json.loads(result.stdout)["findings"]
        return findings

    assert lint("false") == []
    found = lint("true")
    assert {f["rule"] for f in found} >= {"jargon"}  # "Refactored", "endpoint", "NPE"
    assert all(f["location"].startswith(tuple("0123456789abcdef")) for f in found)
