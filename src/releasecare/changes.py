"""From commits to changes: Conventional Commits, trailers, note fragments, visibility.

A change is customer-visible when it carries a note, is a feat/fix/perf or
breaking change, or (when configured) touches a component; chore, ci, build,
test, refactor, style and docs are internal by default, and ``Audience: internal``
hides any change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from releasecare.components import ComponentMatcher
from releasecare.domain import CHANGE_IMPACTS, Change, Commit, Release

INTERNAL_TYPES = ("chore", "ci", "build", "test", "refactor", "style", "docs")
VISIBLE_TYPES = ("feat", "fix", "perf")

_CONVENTIONAL = re.compile(
    r"^(?P<type>[A-Za-z][A-Za-z0-9-]*)(?:\((?P<scope>[^()\n]*)\))?(?P<bang>!)?: (?P<desc>\S.*)$"
)
_TRAILER = re.compile(r"^(?P<key>[A-Za-z0-9][A-Za-z0-9-]*|BREAKING CHANGE)\s*:\s?(?P<value>.*)$")


_BREAKING = frozenset({"BREAKING CHANGE", "BREAKING-CHANGE"})


@dataclass(frozen=True)
class ChangeOptions:
    internal_types: tuple[str, ...] = INTERNAL_TYPES
    visible_types: tuple[str, ...] = VISIBLE_TYPES
    changes_dir: str = "changes"
    component_changes_visible: bool = False
    first_parent: bool = False


@dataclass(frozen=True)
class ConventionalInfo:
    type: str | None
    scope: str | None
    breaking: bool
    description: str


def parse_conventional(
    subject: str, body: str = "", trailers: list[tuple[str, str]] | None = None
) -> ConventionalInfo:
    """Type, scope and breaking flag of a Conventional Commits 1.0 message.

    A subject that does not follow the convention is kept as it is (type None).
    ``trailers`` saves parsing the body again when the caller has them.
    """
    match = _CONVENTIONAL.match(subject.strip())
    if trailers is None:
        trailers = parse_trailers(body)
    breaking_footer = any(key.upper() in _BREAKING for key, _ in trailers)
    if not match:
        return ConventionalInfo(None, None, breaking_footer, subject.strip())
    return ConventionalInfo(
        type=match["type"].lower(),
        scope=(match["scope"] or "").strip() or None,
        breaking=bool(match["bang"]) or breaking_footer,
        description=match["desc"].strip(),
    )


def parse_trailers(message: str) -> list[tuple[str, str]]:
    """Trailers of the last paragraph, as ``git interpret-trailers --parse`` reads them.

    The block counts when it consists of trailers (continuation lines, which start
    with whitespace, belong to the trailer above). ``BREAKING CHANGE`` with a space is
    accepted as Conventional Commits allows.
    """
    if ":" not in message:
        return []
    paragraphs = re.split(r"\n[ \t]*\n", message.strip("\n"))
    if not paragraphs or not paragraphs[-1].strip():
        return []
    lines = paragraphs[-1].split("\n")
    trailers: list[list[str]] = []
    other = 0
    for line in lines:
        if line[:1] in (" ", "\t") and trailers:
            trailers[-1][1] += "\n" + line.strip()
            continue
        match = _TRAILER.match(line)
        if match:
            trailers.append([match["key"], match["value"].strip()])
        else:
            other += 1
    # git accepts a block when at least a quarter... we are stricter: all lines must be
    # trailers (or continuations), so prose ending in "Note: ..." is not mistaken.
    if other or not trailers:
        return []
    return [(key, value) for key, value in trailers]


def _trailer_map(trailers: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in trailers:
        found.setdefault(key.lower(), []).append(value)
    return found


def interpret(
    commit: Commit, matcher: ComponentMatcher, options: ChangeOptions, *, release: str | None = None
) -> Change:
    """One commit as a change: its type, notes, components and visibility."""
    parsed = parse_trailers(commit.body)
    info = parse_conventional(commit.subject, commit.body, parsed)
    trailers = _trailer_map(parsed)
    components = matcher.for_files(commit.files)
    if "component" in trailers:
        named = {key.strip() for value in trailers["component"] for key in value.split(",")}
        components = tuple(sorted(set(components) | named - {""}))
    note = "\n".join(trailers["customer-note"]).strip() if "customer-note" in trailers else None
    stated = (trailers.get("customer-impact") or [""])[-1].strip().lower()
    impact = stated if stated in CHANGE_IMPACTS else None
    internal = any(v.strip().lower() == "internal" for v in trailers.get("audience", []))
    audience = "internal" if internal else "customer"
    visible = _visible(audience, impact, note, info.breaking, info.type, components, options)
    return Change(
        sha=commit.sha,
        summary=commit.subject,
        body=commit.body,
        type=info.type,
        scope=info.scope,
        breaking=info.breaking,
        customer_note=note or None,
        impact=impact,
        audience=audience,
        visible=visible,
        components=components,
        files=commit.files,
        author_name=commit.author_name,
        author_email=commit.author_email,
        authored_at=commit.authored_at,
        release=release,
        note_source="trailer" if note else None,
    )


def is_visible(change: Change, options: ChangeOptions) -> bool:
    return _visible(
        change.audience,
        change.impact,
        change.customer_note,
        change.breaking,
        change.type,
        change.components,
        options,
    )


def _visible(
    audience: str,
    impact: str | None,
    note: str | None,
    breaking: bool,
    type: str | None,
    components: Collection[str],
    options: ChangeOptions,
) -> bool:
    if audience == "internal" or impact == "none":
        return False
    if note or breaking:
        return True
    if type in options.visible_types:
        return True
    if type in options.internal_types:
        return False
    return options.component_changes_visible and bool(components)


# --- note fragments -------------------------------------------------------------


@dataclass(frozen=True)
class Fragment:
    path: str
    text: str
    components: tuple[str, ...] = ()
    type: str | None = None
    audience: str | None = None


def parse_fragment(path: str, text: str) -> Fragment:
    """A Markdown note with optional front matter (components, type, audience)."""
    meta: dict[str, str] = {}
    body = text
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            for line in text[4:end].splitlines():
                key, sep, value = line.partition(":")
                if sep:
                    meta[key.strip().lower()] = value.strip()
            body = text[end + 4 :].lstrip("\n")
    components = tuple(
        c.strip().strip("'\"")
        for c in meta.get("components", "").strip("[]").split(",")
        if c.strip()
    )
    return Fragment(
        path=path,
        text=body.strip(),
        components=components,
        type=meta.get("type") or None,
        audience=meta.get("audience") or None,
    )


def _apply_fragments(
    changes: list[Change], fragments: Mapping[str, Fragment], options: ChangeOptions
) -> list[Change]:
    result = []
    for change in changes:
        added = [
            fragments[f.path] for f in change.files if f.status in "AC" and f.path in fragments
        ]
        if added and change.customer_note is None:
            fragment = added[0]
            # The fragment file lives outside any component; its front matter says which.
            components = tuple(sorted(set(change.components) | set(fragment.components)))
            change = replace(
                change,
                customer_note=fragment.text,
                note_source=f"fragment:{fragment.path}",
                components=components,
                type=fragment.type or change.type,
                audience="internal" if fragment.audience == "internal" else change.audience,
            )
            change = replace(change, visible=is_visible(change, options))
        result.append(change)
    return result


def changes_by_release(
    repo_path: Path,
    releases: Sequence[Release],
    wanted: Collection[str],
    matcher: ComponentMatcher,
    options: ChangeOptions,
    *,
    progress: Callable[[int], object] | None = None,
    on_total: Callable[[int], object] | None = None,
) -> dict[str, list[Change]]:
    """The changes of each release in ``wanted``, from ONE walk over the history.

    ``releases`` are all releases in version order. A commit belongs to the earliest
    release whose tag contains it, which for each release is exactly the commits
    reachable from its tag and not from the previous release's tag. Labels flow
    from each tag to its ancestors during the walk (git lists a commit before its
    parents), so only the walk's frontier is held, plus the changes themselves.
    """
    from releasecare.gitrepo import count_commits, read_blobs, walk

    position = {r.tag: i for i, r in enumerate(releases)}
    todo = sorted(set(wanted), key=position.__getitem__)
    result: dict[str, list[Change]] = {tag: [] for tag in todo}
    if not todo:
        return result
    first = position[todo[0]]
    exclude = [releases[first - 1].sha] if first > 0 else []
    include = list(dict.fromkeys(releases[position[tag]].sha for tag in todo))
    if on_total is not None:
        on_total(count_commits(repo_path, include, exclude, first_parent=options.first_parent))
    seeds: dict[str, int] = {}
    for index in range(len(releases) - 1, first - 1, -1):
        seeds[releases[index].sha] = index
    unlabeled = len(releases)
    from_children: dict[str, int] = {}
    fragments: list[str] = []
    prefix = options.changes_dir.strip("/") + "/"
    seen = 0
    for commit in walk(repo_path, include, exclude, first_parent=options.first_parent):
        label = min(seeds.get(commit.sha, unlabeled), from_children.pop(commit.sha, unlabeled))
        parents = commit.parents[:1] if options.first_parent else commit.parents
        for parent in parents:
            if label < from_children.get(parent, unlabeled):
                from_children[parent] = label
        seen += 1
        if progress is not None and seen % 1000 == 0:
            progress(1000)
        if label == unlabeled:
            continue
        tag = releases[label].tag
        if tag not in result or (len(commit.parents) > 1 and not options.first_parent):
            continue
        result[tag].append(interpret(commit, matcher, options, release=tag))
        fragments += [
            f"{commit.sha}:{f.path}"
            for f in commit.files
            if f.status in "AC" and f.path.startswith(prefix) and f.path.endswith(".md")
        ]
    if progress is not None:
        progress(seen % 1000)
    for changes in result.values():
        changes.reverse()  # the walk is newest first; a release reads oldest first
    if fragments:
        texts = read_blobs(repo_path, fragments)
        parsed = {
            spec.split(":", 1)[1]: parse_fragment(spec.split(":", 1)[1], text)
            for spec, text in texts.items()
        }
        result = {
            tag: _apply_fragments(changes, parsed, options) for tag, changes in result.items()
        }
    return result


def changes_in_range(
    repo_path: Path,
    until: str,
    since: str | None,
    matcher: ComponentMatcher,
    options: ChangeOptions,
    *,
    release: str | None = None,
) -> list[Change]:
    """Every change of ``since..until``, oldest first, with notes from trailers or fragments."""
    from releasecare.gitrepo import iter_commits, read_blobs

    prefix = options.changes_dir.strip("/") + "/"
    changes = []
    wanted: list[str] = []
    for commit in iter_commits(repo_path, until, since, first_parent=options.first_parent):
        changes.append(interpret(commit, matcher, options, release=release))
        wanted += [
            f"{commit.sha}:{f.path}"
            for f in commit.files
            if f.status in "AC" and f.path.startswith(prefix) and f.path.endswith(".md")
        ]
    if not wanted:
        return changes
    texts = read_blobs(repo_path, wanted)
    fragments = {
        spec.split(":", 1)[1]: parse_fragment(spec.split(":", 1)[1], text)
        for spec, text in texts.items()
    }
    return _apply_fragments(changes, fragments, options)
