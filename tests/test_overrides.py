"""``notes edit``: a release manager's wording for a change survives rescans, re-renders
and a new database, and is linted like any note."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasecare.errors import InputError
from releasecare.overrides import apply, parse
from tests.gitfactory import GitRepoFactory
from tests.helpers import Runner


def _setup(project: Runner) -> str:
    project.ok("release", "scan")
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    return GitRepoFactory(project.cwd).git("rev-parse", "v1.2.0~1")  # perf(search)


def _notice(project: Runner, out: Path, customer: str = "globex") -> str:
    deploy = project.deploy("v1.2.0", "2026-11-20T10:00:00Z")
    project.ok("notes", "render", str(deploy), "--format", "md", "--out", str(out))
    return next((out / customer).glob("*.md")).read_text()


def test_an_override_rewords_a_change_across_a_rescan_and_a_new_database(
    project: Runner, tmp_path: Path
) -> None:
    sha = _setup(project)
    written = project.ok("notes", "edit", sha[:8], "--text", "Search results appear twice as fast.")
    path = project.cwd / "changes" / "overrides" / f"{sha[:12]}.md"
    assert str(path) in written.output
    assert f"overrides: {sha}" in path.read_text()
    assert "Search results appear twice as fast." in _notice(project, tmp_path / "one")

    project.ok("release", "scan", "--rescan")
    fresh = Runner(project.cwd, f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.ok("release", "scan")
    fresh.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    text = _notice(fresh, tmp_path / "two")
    assert "Search results appear twice as fast." in text
    assert "Faster results" not in text
    shown = fresh.json("release", "show", "v1.2.0")["changes"]
    assert any(c["customer_note"] == "Search results appear twice as fast." for c in shown)


def test_a_hidden_change_reaches_no_one(project: Runner, tmp_path: Path) -> None:
    sha = _setup(project)
    project.ok("notes", "edit", sha, "--hide")
    deploy = project.deploy("v1.2.0", "2026-11-20T10:00:00Z")
    found = project.json("impact", str(deploy))
    assert "globex" not in [c["id"] for c in found["customers"]]


def test_an_override_is_linted_and_the_warning_names_its_file(project: Runner) -> None:
    sha = _setup(project)
    result = project("notes", "edit", sha, "--text", "We refactored the search endpoint.")
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "our-side" in result.stderr
    lint = project.json("notes", "lint", "v1.1.0..v1.2.0")
    assert any(f["location"].startswith("changes/overrides/") for f in lint["findings"])


def test_an_override_is_not_taken_for_the_note_of_the_commit_that_adds_it(
    project: Runner,
) -> None:
    sha = _setup(project)
    project.ok("notes", "edit", sha, "--text", "Search results appear twice as fast.")
    git = GitRepoFactory(project.cwd)
    git.git("add", "changes")
    git.commit("feat(checkout): store the override")
    git.tag("v1.3.0")
    project.ok("release", "scan")
    shown = project.json("release", "show", "v1.3.0")["changes"]
    assert [c["customer_note"] for c in shown] == [None]


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--hide", "--text", "x"), "either --text or --hide"), ((), "either --text or --hide")],
)
def test_edit_needs_exactly_one_of_text_or_hide(
    project: Runner, args: tuple[str, ...], message: str
) -> None:
    sha = _setup(project)
    result = project("notes", "edit", sha, *args)
    assert result.exit_code == 2 and message in result.output


def test_a_malformed_override_is_an_error_naming_its_file() -> None:
    with pytest.raises(InputError, match=r"changes/overrides/x\.md:2"):
        parse("changes/overrides/x.md", "---\nhide: true\n---\n")
    assert apply([], {}) == []
