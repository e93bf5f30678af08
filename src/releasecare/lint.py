"""``notes lint`` and ``notes edit``: the voice rules over a release, a git range, or
note fragment files; an override's wording, written and linted.

The changes are read as ``release scan`` reads them (same component matcher, same
change options), so a lint finds what a notice would show.
"""

from __future__ import annotations

from pathlib import Path

from releasecare import gitrepo, overrides
from releasecare.changes import changes_in_range, parse_fragment
from releasecare.config import Config
from releasecare.domain import Change
from releasecare.errors import InputError
from releasecare.overrides import apply as apply_overrides
from releasecare.releases import release_tags
from releasecare.voice import Finding, lint_changes, lint_note


def lint_target(config: Config, repo: Path, target: str | None) -> list[Finding]:
    """Lint the notes of a release tag, a ``A..B`` range, or fragment files/folders."""
    candidate = Path(target) if target else None
    if candidate is not None and candidate.exists():
        files = sorted(candidate.rglob("*.md")) if candidate.is_dir() else [candidate]
        findings: list[Finding] = []
        options = config.voice_options()
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            findings.extend(lint_note(parse_fragment(str(path), text).text, str(path), options))
        return findings
    changes = changes_for(config, repo, target)
    return lint_changes(
        [c for c in changes if c.visible], config.voice_options(c.author_name for c in changes)
    )


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
