"""``notes lint`` and ``notes edit``: the voice rules over releases, git ranges, or
note fragment files; an override's wording, written and linted.

The changes are read as ``release scan`` reads them (same component matcher, same
change options), so a lint finds what a notice would show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from releasecare import gitrepo, overrides
from releasecare.changes import (
    AUDIENCES,
    Fragment,
    changes_in_range,
    fragment_specs,
    parse_fragment,
    unknown_audiences,
)
from releasecare.config import Config
from releasecare.domain import Change
from releasecare.errors import InputError
from releasecare.overrides import apply as apply_overrides
from releasecare.releases import release_tags
from releasecare.text import read_text_file
from releasecare.voice import Finding, is_dependency_update, lint_changes, lint_note


def lint_targets(config: Config, repo: Path, targets: Sequence[str]) -> list[Finding]:
    """Lint the notes of each target in turn: a release tag, an ``A..B`` range, a
    revision, or note fragment files and folders (as a shell expands ``changes/*.md``);
    none is the newest release. A file named twice (a folder and a file in it) is
    linted once."""
    findings: list[Finding] = []
    seen: set[Path] = set()
    wanted: list[str | None] = [*targets] or [None]
    for target in wanted:
        candidate = Path(target) if target else None
        if candidate is not None and candidate.exists():
            files = (
                sorted(p for p in candidate.rglob("*.md") if not p.is_dir())
                if candidate.is_dir()
                else [candidate]
            )
            new = [f for f in files if f.resolve() not in seen]
            seen.update(f.resolve() for f in new)
            findings += _lint_files(config, new)
        elif target is not None and target.endswith(".md"):
            raise InputError(f"no such note file: {target}", hint="give an existing file")
        else:
            changes = changes_for(config, repo, target)
            voice = config.voice_options(c.author_name for c in changes)
            findings += lint_changes([c for c in changes if c.visible], voice)
    return findings


def _lint_files(config: Config, files: Sequence[Path]) -> list[Finding]:
    options = config.voice_options()
    findings: list[Finding] = []
    for path in files:
        text = read_text_file(path)
        findings.extend(lint_note(parse_fragment(str(path), text).text, str(path), options))
    return findings


def changes_for(config: Config, repo: Path, target: str | None) -> list[Change]:
    """The changes of ``target``: a release tag (from the release before), ``A..B``, a
    revision, or by default the newest release."""
    releases, _ = release_tags(config, repo)
    tags = [r.tag for r in releases]
    if target and ".." in target:
        since, until = target.split("..", 1)
        since_rev: str | None = since or None
        until = until or "HEAD"
    else:
        until = target or (tags[-1] if tags else "HEAD")
        if until in tags:
            index = tags.index(until)
            since_rev = tags[index - 1] if index else None
        else:
            gitrepo.resolve(repo, until, tag_pattern=config.tag_pattern)
            since_rev = tags[-1] if tags and until == "HEAD" else None
    matcher = config.component_matcher(repo)
    changes = changes_in_range(repo, until, since_rev, matcher, config.change_options())
    return apply_overrides(changes, config.overrides())


def edit_note(
    config: Config, repo: Path, sha: str, *, text: str | None, hide: bool
) -> tuple[Path, list[Finding]]:
    """Write the override of commit ``sha`` (its text, or hidden) and lint the text."""
    if hide == (text is not None):
        raise InputError("give either --text or --hide")
    if text is not None and not text.strip():
        raise InputError("--text is empty", hint="to keep the change out of notices, use --hide")
    full = gitrepo.resolve(repo, sha, tag_pattern=config.tag_pattern)
    path = overrides.write(config.overrides_dir, full, None if hide else text)
    findings = [] if text is None else lint_note(" ".join(text.split()), str(path), config.voice)
    return path, findings


# --- notes check: the pull-request gate ------------------------------------------------


@dataclass(frozen=True)
class CheckReport:
    base: str  # the commit the branch is compared with (the merge base)
    changes: int  # changes between the base and HEAD
    errors: list[Finding]  # a customer-facing change without a note, a bad fragment
    warnings: list[Finding]  # notes that fail the voice lint
    waived: int = 0  # missing notes waived by the skip label


def default_base(environ: Mapping[str, str]) -> str:
    """The branch a pull request goes into, as the CI names it; else ``main``."""
    target = environ.get("GITHUB_BASE_REF") or environ.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
    return f"origin/{target}" if target else "main"


def check_branch(
    config: Config, repo: Path, base: str, *, head: str = "HEAD", skip: bool = False
) -> CheckReport:
    """Every customer-facing change between ``base`` and ``head`` without a note, every
    fragment that names an unknown type, audience or component, and every note the
    voice lint finds fault with. ``skip`` (the pull request carries the skip label)
    waives the missing notes, never the rest."""
    fork = gitrepo.merge_base(repo, base, head)
    matcher = config.component_matcher(repo)
    options = config.change_options()
    changes = apply_overrides(
        changes_in_range(repo, head, fork, matcher, options), config.overrides()
    )
    fragments = _added_fragments(config, repo, changes)
    # A pull request is reviewed as a whole: a fragment it adds for a component
    # gives that component's changes in it their note.
    noted = {
        key for fragment, adder in fragments for key in fragment.components or adder.components
    }
    missing = [
        _needs_note(c)
        for c in changes
        if _wants_note(c, config) and not noted.intersection(c.components)
    ]
    errors = [] if skip else missing
    errors += [e for fragment, _ in fragments for e in _fragment_errors(config, fragment)]
    errors += [
        Finding(
            "unknown-audience",
            f"Audience: {value!r} is not an audience releasecare knows; the change is kept "
            "internal",
            change.sha[:10],
            f"write one of {', '.join(sorted(AUDIENCES))}",
            text=change.summary,
        )
        for change in changes
        for value in unknown_audiences(change)
    ]
    voice = config.voice_options(c.author_name for c in changes)
    warnings = lint_changes([c for c in changes if c.customer_note], voice)
    return CheckReport(fork, len(changes), errors, warnings, len(missing) if skip else 0)


def _wants_note(change: Change, config: Config) -> bool:
    """A visible type (or a breaking change) touching a component, with no note; a
    dependency or bot update never needs one."""
    if change.customer_note or not change.components or change.impact == "none":
        return False
    if change.audience != "customer" or is_dependency_update(change):
        return False
    return change.breaking or change.type in config.visible_types


def _needs_note(change: Change) -> Finding:
    what = "a breaking change" if change.breaking else f"a customer-facing {change.type} change"
    return Finding(
        "needs-note",
        f"{what} to {', '.join(change.components)} has no customer note",
        change.sha[:10],
        "add a `Customer-Note:` trailer or a fragment under changes/ that says what the "
        "customer notices"
        + (" and what they must do" if change.breaking else "")
        + " (or `Customer-Note: none` when customers need not hear of it)",
        text=change.summary,
    )


def _added_fragments(
    config: Config, repo: Path, changes: list[Change]
) -> list[tuple[Fragment, Change]]:
    """Each note fragment the changes add, with the change that adds it."""
    prefix = config.changes_dir.strip("/") + "/"
    adders = {spec: c for c in changes for spec in fragment_specs(c.sha, c.files, prefix)}
    return [
        (parse_fragment(spec.split(":", 1)[1], text), adders[spec])
        for spec, text in gitrepo.read_blobs(repo, list(adders)).items()
    ]


def _fragment_errors(config: Config, fragment: Fragment) -> list[Finding]:
    """A fragment naming a type, audience or component the config does not know is an
    error: it would otherwise be dropped or shown to the wrong customers."""
    types = {*config.visible_types, *config.internal_types}
    problems = []
    if fragment.type is not None and fragment.type not in types:
        problems.append(f"unknown type {fragment.type!r} (one of {', '.join(sorted(types))})")
    audience = (fragment.audience or "customer").strip().lower()
    if audience not in AUDIENCES:
        problems.append(
            f"unknown audience {fragment.audience!r} (one of {', '.join(sorted(AUDIENCES))})"
        )
    unknown = [c for c in fragment.components if c not in config.components]
    if unknown:
        problems.append(f"unknown component {unknown[0]!r}")
    if not fragment.text:
        problems.append("no text")
    return [
        Finding(
            "bad-fragment",
            problem,
            f"{fragment.path}:1",
            "fix the front matter",
            text=fragment.text,
        )
        for problem in problems
    ]
