"""``notes check``: the pull-request gate, on a real history with a base branch."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasecare.annotations import github
from releasecare.voice import Finding
from tests.gitfactory import GitRepoFactory
from tests.helpers import CONFIG, Runner


@pytest.fixture
def branch(tmp_path: Path) -> tuple[GitRepoFactory, Runner]:
    git = GitRepoFactory(tmp_path / "shop")
    git.commit(
        "feat(checkout): pay by card",
        files={"services/checkout/a.py": "1", "releasecare.toml": CONFIG},
    )
    git.branch("topic")
    git.commit("feat(checkout): pay by invoice", files={"services/checkout/b.py": "2"})
    git.commit(
        "chore(deps): bump left-pad from 1.2.0 to 1.3.0", files={"services/checkout/c.py": "3"}
    )
    git.commit("test(checkout): cover invoices", files={"services/checkout/t.py": "4"})
    return git, Runner(git.path, f"sqlite:///{tmp_path / 'rc.db'}")


def test_a_customer_facing_change_without_a_note_fails_until_a_fragment_is_added(
    branch: tuple[GitRepoFactory, Runner], monkeypatch: pytest.MonkeyPatch
) -> None:
    git, runner = branch
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    failed = runner("notes", "check", "--base", "main", "--strict")
    assert failed.exit_code == 1
    assert "needs-note" in failed.stdout and "pay by invoice" in failed.stdout
    assert "left-pad" not in failed.stdout  # a dependency bump never needs a note
    assert "::error title=releasecare needs-note::" in failed.stdout
    assert "3 change(s) since" in failed.stderr and "1 error(s)" in failed.stderr

    git.commit(
        "docs: note for invoices",
        files={
            "changes/invoice.md": "---\ntype: feat\ncomponents: [checkout]\n---\n"
            "You can now pay by invoice.\n"
        },
    )
    passed = runner("notes", "check", "--base", "main", "--strict")
    assert passed.exit_code == 0, passed.output


def test_a_fragment_naming_unknown_things_is_an_error_on_its_line(
    branch: tuple[GitRepoFactory, Runner], monkeypatch: pytest.MonkeyPatch
) -> None:
    git, runner = branch
    git.commit(
        "docs: a note",
        files={
            "changes/x.md": "---\ntype: feature\naudience: custmer\n"
            "components: [billing]\n---\nYou can pay.\n"
        },
    )
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = runner.json("notes", "check", "--base", "main")
    problems = [e["message"] for e in result["errors"] if e["rule"] == "bad-fragment"]
    assert any("unknown type 'feature'" in p for p in problems)
    assert any("unknown audience 'custmer'" in p for p in problems)
    assert any("unknown component 'billing'" in p for p in problems)
    text = runner("notes", "check", "--base", "main").stdout
    assert "::error file=changes/x.md,line=1,title=releasecare bad-fragment::" in text


def test_the_skip_label_waives_missing_notes_and_customer_note_none_needs_none(
    branch: tuple[GitRepoFactory, Runner],
) -> None:
    git, runner = branch
    waived = runner(
        "notes", "check", "--base", "main", "--strict", "--label", "ui,no-customer-note"
    )
    assert waived.exit_code == 0, waived.output
    assert "1 missing note(s) waived" in waived.stderr
    git.commit(
        "feat(checkout): internal switch\n\nCustomer-Note: none",
        files={"services/checkout/z.py": "5"},
    )
    report = runner.json("notes", "check", "--base", "main")
    assert [e["text"] for e in report["errors"]] == ["feat(checkout): pay by invoice"]


def test_notes_that_fail_the_lint_are_warnings(branch: tuple[GitRepoFactory, Runner]) -> None:
    git, runner = branch
    git.commit(
        "feat(checkout): pay later\n\nCustomer-Note: We refactored the checkout endpoint.",
        files={"services/checkout/y.py": "6"},
    )
    report = runner.json("notes", "check", "--base", "main")
    assert {w["rule"] for w in report["warnings"]} >= {"our-side", "jargon"}
    assert runner("notes", "check", "--base", "main", "--strict").exit_code == 1


def test_github_keeps_ten_annotations_of_a_kind_and_the_tenth_counts_the_rest() -> None:
    findings = [Finding("needs-note", f"m{i}", f"changes/f{i}.md:1") for i in range(25)]
    lines = github(findings, "error")
    assert len(lines) == 10
    assert lines[-1] == "::error title=releasecare::16 more errors; the log lists them all"
    assert lines[0] == "::error file=changes/f0.md,line=1,title=releasecare needs-note::m0"
    assert github([Finding("x", "a,b:c\nd%", "f.md:3")], "warning") == [
        "::warning file=f.md,line=3,title=releasecare x::a,b:c%0Ad%25"
    ]


def test_an_unknown_audience_trailer_keeps_the_change_internal_and_is_said(
    branch: tuple[GitRepoFactory, Runner],
) -> None:
    git, runner = branch
    git.commit(
        "feat(checkout): new admin hosts\n\nCustomer-Note: Reach us at admin.internal:8443.\n"
        "Audience: internl",
        files={"services/checkout/d.py": "5"},
    )
    check = runner.json("notes", "check", "--base", "main")
    (unknown,) = [e for e in check["errors"] if e["rule"] == "unknown-audience"]
    assert "'internl'" in unknown["message"] and "kept internal" in unknown["message"]
    git.checkout("main")
    git.git("merge", "-q", "--no-ff", "topic", "-m", "Merge topic")
    git.tag("v1.0.0")
    scan = runner.ok("release", "scan")
    assert "1 commit(s) name an audience releasecare does not know" in scan.stderr
    assert "('internl')" in scan.stderr
    shown = runner.json("release", "show", "v1.0.0")["changes"]
    (admin,) = [c for c in shown if "admin hosts" in c["summary"]]
    assert admin["audience"] == "internal" and admin["visible"] is False
