"""A notice is never thin without anyone noticing: changes to a customer's components
that no notice describes (held back by the cleaner or the lint, or untyped) are counted
apart in the notice and listed for the release manager at render time; dependency
bumps of any type join the one dependency line, labelled with their components."""

from __future__ import annotations

import json
from pathlib import Path

from releasecare.domain import Change
from releasecare.voice import (
    DEPENDENCY_NOTE,
    UNTYPED,
    VoiceOptions,
    customer_note,
    held_back,
    held_back_changes,
)
from tests.gitfactory import GitRepoFactory
from tests.helpers import Runner

OPTIONS = VoiceOptions()


def _release(project: Runner) -> dict[str, str]:
    """v1.3.0 on top of the project: an untyped fix, a subject naming a function, a
    Renovate ``chore(deps)`` bump and a ``fix(deps)`` bump, and an internal chore."""
    git = GitRepoFactory(project.cwd)
    shas = {}
    shas["untyped"] = git.commit(
        "Fix card validation error (#2467)", files={"services/checkout/card.py": "ok = 1\n"}
    )
    shas["identifier"] = git.commit(
        "fix(checkout): avoid redundant parseTotals calls in GetCart",
        files={"services/checkout/totals.py": "t = 1\n"},
    )
    shas["chore-deps"] = git.commit(
        "chore(deps): update dependency requests to v2.32.4 [security] (#2990)",
        files={"services/invoices/requirements.txt": "requests==2.32.4\n"},
        author=("renovate[bot]", "bot@renovateapp.com"),
    )
    shas["fix-deps"] = git.commit(
        "fix(deps): update module golang.org/x/net to v0.38.0 [security] (#2943)",
        files={"services/checkout/go.mod": "x/net v0.38.0\n"},
        author=("renovate[bot]", "bot@renovateapp.com"),
    )
    shas["chore"] = git.commit("chore: tidy the build", files={"services/checkout/Makefile": "\n"})
    git.tag("v1.3.0")
    project.ok("release", "scan")
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    project.deploy("v1.2.0", "2026-11-20T10:00:00Z")
    return shas


def _render(project: Runner, out: Path, *extra: str) -> tuple[str, str]:
    """Deploy v1.3.0, render it; Acme's Markdown notice and what stderr said."""
    deploy = project.deploy("v1.3.0", "2026-11-21T10:00:00Z")
    result = project.ok("notes", "render", str(deploy), "--out", str(out), *extra)
    return next((out / "acme").glob("*.md")).read_text(), result.stderr


def test_the_release_manager_is_told_which_changes_no_notice_describes(
    project: Runner, tmp_path: Path
) -> None:
    shas = _release(project)
    notice, warning = _render(project, tmp_path / "out")

    assert "warning: 2 changes to components are in no notice" in warning
    assert "1 with no Conventional Commits type, 1 held back by the cleaner" in warning
    assert "releasecare notes edit SHA --text" in warning
    assert (
        f"  {shas['untyped'][:10]}  Fix card validation error (#2467) (Checkout): "
        "no Conventional Commits type"
    ) in warning
    assert f"  {shas['identifier'][:10]}  fix(checkout): avoid redundant parseTotals" in warning
    assert "names a code identifier 'parseTotals'" in warning
    # Bumps, the internal chore and the shown changes are not the release manager's to word.
    for kind in ("chore-deps", "fix-deps", "chore"):
        assert shas[kind][:10] not in warning

    # The customer reads the bumps as one line naming each component they touched, and
    # the held-back changes counted apart from the smaller ones, never called smaller.
    assert "- Security and dependency updates. (Checkout, Invoices)" in notice
    assert "requests" not in notice and "parseTotals" not in notice
    assert (
        "2 changes to Checkout and Invoices are not described here, and 1 smaller one is not "
        "listed."
    ) in notice


def test_render_json_lists_every_held_back_change_with_reason_and_span(
    project: Runner, tmp_path: Path
) -> None:
    shas = _release(project)
    deploy = project.deploy("v1.3.0", "2026-11-21T10:00:00Z")
    result = project.ok("notes", "render", str(deploy), "--out", str(tmp_path), "--json")
    held = json.loads(result.stdout)["held_back"]
    assert [(h["sha"], h["reason"], h["span"]) for h in held] == [
        (shas["untyped"], UNTYPED, ""),
        (shas["identifier"], "names a code identifier 'parseTotals'", "parseTotals"),
    ]
    assert held[0]["components"] == ["checkout"]


def test_once_worded_or_hidden_a_change_is_no_longer_reported(
    project: Runner, tmp_path: Path
) -> None:
    shas = _release(project)
    project.ok("notes", "edit", shas["untyped"], "--text", "Card numbers with spaces are accepted.")
    project.ok("notes", "edit", shas["identifier"], "--hide")
    notice, warning = _render(project, tmp_path / "out")
    assert "in no notice" not in warning
    assert "- Card numbers with spaces are accepted. (Checkout)" in notice
    assert "not described" not in notice
    assert "2 smaller changes to Checkout and Invoices are not listed here." in notice


def test_a_deploy_that_reaches_no_customer_still_warns_of_what_it_held_back(
    project: Runner, tmp_path: Path
) -> None:
    git = GitRepoFactory(project.cwd)
    sha = git.commit("Faster search results", files={"services/search/index.py": "i = 2\n"})
    git.tag("v1.3.0")
    project.ok("release", "scan")
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    project.deploy("v1.2.0", "2026-11-20T10:00:00Z")
    deploy = project.deploy("v1.3.0", "2026-11-21T10:00:00Z")
    result = project.ok("notes", "render", str(deploy), "--out", str(tmp_path))
    assert "no customer is affected" in result.stdout
    assert f"{sha[:10]}  Faster search results (Search): no Conventional Commits type" in (
        result.stderr
    )


def test_notes_lint_shows_the_words_that_held_a_subject_back(project: Runner) -> None:
    shas = _release(project)
    found = project.json("notes", "lint", "v1.2.0..v1.3.0")["findings"]
    held = [f for f in found if f["rule"] == "held-back"]
    assert [(f["location"], f["span"]) for f in held] == [(shas["identifier"][:10], "parseTotals")]
    assert held[0]["text"] == "fix(checkout): avoid redundant parseTotals calls in GetCart"
    plain = project.ok("notes", "lint", "v1.2.0..v1.3.0").stdout
    assert "    span: parseTotals" in plain


# --- the core functions ---------------------------------------------------------------


def _change(summary: str, **fields: object) -> Change:
    defaults: dict[str, object] = {"sha": "c" * 40, "summary": summary, "components": ("cart",)}
    return Change(**{**defaults, **fields})  # type: ignore[arg-type]


def test_a_bump_of_any_type_joins_the_dependency_line_unless_someone_said_otherwise() -> None:
    chore = _change("chore(deps): update dotnet (#2968)", type="chore", visible=False)
    assert customer_note(chore, {}, OPTIONS) == DEPENDENCY_NOTE
    assert customer_note(chore, {}, VoiceOptions(dependency_updates="count")) is None
    # A bump that touches no component (CI actions) reaches no customer.
    ci = _change("chore(deps): update actions/checkout to v5", visible=False, components=())
    assert customer_note(ci, {}, OPTIONS) is None
    for said in ({"audience": "internal"}, {"impact": "none"}):
        kept = _change("chore(deps): update dotnet", type="chore", visible=False, **said)
        assert customer_note(kept, {}, OPTIONS) is None


def test_held_back_names_what_may_matter_and_nothing_else() -> None:
    untyped = _change("Fix credit card validation error (#2467)", visible=False)
    assert held_back(untyped, OPTIONS) is not None
    assert held_back(untyped, OPTIONS).reason == UNTYPED  # type: ignore[union-attr]
    service = _change("fix: clean up shippingservice quotes", type="fix")
    cleaned = held_back(service, OPTIONS)
    assert cleaned is not None and cleaned.span == "shippingservice"
    assert "a service id" in (cleaned.reason or "")
    quiet = [
        _change("chore: tidy", type="chore", visible=False),  # internal by its type
        _change("Tidy the build", visible=False, impact="none"),  # Customer-Note: none
        _change("Tidy the build", visible=False, audience="internal"),
        _change("Tidy the build", visible=False, components=()),  # touches no component
        _change("Bump container base images to fix CVEs (#3160)", visible=False),
        _change("fix: totals are right again", type="fix"),  # shown
    ]
    assert [c.summary for c in quiet if held_back(c, OPTIONS)] == []
    assert [h.change for h in held_back_changes([untyped, *quiet], OPTIONS)] == [untyped]
