"""From commits to changes: Conventional Commits, trailers, fragments, visibility."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from releasecare.changes import (
    ChangeOptions,
    changes_in_range,
    interpret,
    parse_conventional,
    parse_trailers,
)
from releasecare.components import ComponentMatcher
from releasecare.domain import Commit, Component, FileChange
from tests.gitfactory import GitRepoFactory

MATCHER = ComponentMatcher(
    {
        "checkout": Component("checkout", "Checkout", paths=("services/checkout/",)),
        "invoices": Component("invoices", "Invoices", paths=("services/invoices/",)),
    }
)
OPTIONS = ChangeOptions()


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("feat(checkout): SEPA", "", ("feat", "checkout", False, "SEPA")),
        ("fix!: drop v1 webhooks", "", ("fix", None, True, "drop v1 webhooks")),
        ("feat(api)!: signed", "", ("feat", "api", True, "signed")),
        ("feat: x", "Details.\n\nBREAKING CHANGE: the body changed", ("feat", None, True, "x")),
        ("feat: x", "BREAKING-CHANGE: gone", ("feat", None, True, "x")),
        ("Update README", "", (None, None, False, "Update README")),
        ("feat:missing space", "", (None, None, False, "feat:missing space")),
    ],
)
def test_conventional_commits(
    subject: str, body: str, expected: tuple[str | None, str | None, bool, str]
) -> None:
    info = parse_conventional(subject, body)
    assert (info.type, info.scope, info.breaking, info.description) == expected


def test_trailers_like_git_interpret_trailers() -> None:
    body = (
        "Some explanation.\n\nCustomer-Note: You can now pay\n  with SEPA Direct Debit.\n"
        "Customer-Impact: high\nReviewed-by: A <a@x>"
    )
    assert parse_trailers(body) == [
        ("Customer-Note", "You can now pay\nwith SEPA Direct Debit."),
        ("Customer-Impact", "high"),
        ("Reviewed-by", "A <a@x>"),
    ]
    assert parse_trailers("Just prose.\n\nNote that: this is prose too\nand more") == []


def commit(
    subject: str, body: str = "", files: tuple[str, ...] = ("services/checkout/a.py",)
) -> Commit:
    return Commit(
        sha="a" * 40,
        parents=("b" * 40,),
        author_name="Dana",
        author_email="d@x",
        authored_at=datetime(2026, 1, 1, tzinfo=UTC),
        subject=subject,
        body=body,
        files=tuple(FileChange(f) for f in files),
    )


@pytest.mark.parametrize(
    ("subject", "body", "visible"),
    [
        ("feat: x", "", True),
        ("fix: x", "", True),
        ("perf: x", "", True),
        ("refactor: x", "", False),
        ("chore: x", "", False),
        ("docs: x", "", False),
        ("ci: x", "", False),
        ("test: x", "", False),
        ("style: x", "", False),
        ("build: x", "", False),
        ("refactor!: x", "", True),  # breaking wins
        ("chore: x", "Customer-Note: You will notice faster pages.", True),  # a note wins
        ("feat: x", "Audience: internal", False),
        ("feat: x", "Customer-Impact: none", False),
        ("Tweak things", "", False),
    ],
)
def test_visibility_defaults(subject: str, body: str, visible: bool) -> None:
    assert interpret(commit(subject, body), MATCHER, OPTIONS).visible is visible


def test_component_changes_visible_option() -> None:
    change = interpret(
        commit("Tweak things"), MATCHER, ChangeOptions(component_changes_visible=True)
    )
    assert change.visible and change.components == ("checkout",)


def test_trailers_set_note_impact_audience_and_components() -> None:
    change = interpret(
        commit(
            "fix: y",
            "Customer-Note: Totals are right again.\nCustomer-Impact: low\nComponent: invoices",
        ),
        MATCHER,
        OPTIONS,
    )
    assert change.customer_note == "Totals are right again."
    assert change.note_source == "trailer"
    assert change.impact == "low"
    assert change.components == ("checkout", "invoices")


def test_fragments_are_notes_for_their_release(tmp_path: Path) -> None:
    git = GitRepoFactory(tmp_path / "repo")
    git.commit("init", {"services/invoices/app.py": "1"})
    git.tag("v1.0.0")
    git.commit(
        "feat(invoices): PDF export",
        {
            "services/invoices/pdf.py": "1",
            "changes/pdf.md": "---\ncomponents: [invoices]\ntype: feat\n---\n"
            "You can now download invoices as PDF.\n",
        },
    )
    git.commit(
        "chore: internal fragment",
        {"changes/internal.md": "---\naudience: internal\n---\nMoved a queue.\n"},
    )
    git.commit(
        "fix: trailer wins\n\nCustomer-Note: From the trailer.",
        {"services/invoices/app.py": "2", "changes/loser.md": "From the fragment.\n"},
    )
    git.tag("v1.1.0")
    changes = changes_in_range(git.path, "v1.1.0", "v1.0.0", MATCHER, OPTIONS)
    pdf, internal, trailer = changes
    assert pdf.customer_note == "You can now download invoices as PDF."
    assert pdf.note_source == "fragment:changes/pdf.md"
    assert pdf.components == ("invoices",) and pdf.visible
    assert internal.audience == "internal" and not internal.visible
    assert trailer.customer_note == "From the trailer."
    assert trailer.note_source == "trailer"
