"""From commits to changes: Conventional Commits, trailers, note fragments, visibility.

A change is customer-visible when it carries a note, is a feat/fix/perf or
breaking change, or (when configured) touches a component; chore, ci, build,
test, refactor, style and docs are internal by default, and ``Audience: internal``
hides any change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from releasecare.components import ComponentMatcher
from releasecare.domain import CHANGE_IMPACTS, NAME_LIMITS, Change, Commit, FileChange, Release
from releasecare.gitrepo import count_commits, iter_commits, read_blobs, walk
from releasecare.options import ChangeOptions
from releasecare.overrides import FOLDER as OVERRIDES
from releasecare.text import front_matter, has_controls, inert

# Audience values that mean customers; any other (internal, a typo) means staff only.
CUSTOMER_AUDIENCES = frozenset({"customer", "customers", "external", "public"})
# The closed set of audiences: any other value (a typo) is read as internal, and said.
AUDIENCES = CUSTOMER_AUDIENCES | {"internal", "staff", "private"}
# A Customer-Note that says there is none: the change needs no note.
NO_NOTE = frozenset({"none", "n/a", "na", "-", "no", "not needed"})

_CONVENTIONAL = re.compile(
    r"^(?P<type>[A-Za-z][A-Za-z0-9-]*)(?:\((?P<scope>[^()\n]*)\))?(?P<bang>!)?: (?P<desc>\S.*)$"
)
_TRAILER = re.compile(r"^(?P<key>[A-Za-z0-9][A-Za-z0-9-]*|BREAKING CHANGE)\s*:\s?(?P<value>.*)$")


_BREAKING = frozenset({"BREAKING CHANGE", "BREAKING-CHANGE"})


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
    if not match or len(match["type"]) > NAME_LIMITS["type"]:
        return ConventionalInfo(None, None, breaking_footer, subject.strip())
    return ConventionalInfo(
        type=match["type"].lower(),
        scope=(match["scope"] or "").strip()[: NAME_LIMITS["scope"]] or None,
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


def _inert_commit(commit: Commit) -> Commit:
    """Commit text is others' input: no control character goes further."""
    if commit.subject.isprintable() and not has_controls(commit.body):
        return commit
    return replace(commit, subject=inert(commit.subject), body=inert(commit.body))


def interpret(
    commit: Commit, matcher: ComponentMatcher, options: ChangeOptions, *, release: str | None = None
) -> Change:
    """One commit as a change: its type, notes, components and visibility."""
    commit = _inert_commit(commit)
    parsed = parse_trailers(commit.body) if commit.body else []
    info = parse_conventional(commit.subject, commit.body, parsed)
    components = matcher.for_files(commit.files)
    note = impact = None
    audience = "customer"
    if parsed:  # most commits have no trailers: nothing below applies to them
        trailers = _trailer_map(parsed)
        if "component" in trailers:
            named = {key.strip() for value in trailers["component"] for key in value.split(",")}
            components = tuple(sorted(set(components) | named - {""}))
        if "customer-note" in trailers:
            note = "\n".join(trailers["customer-note"]).strip() or None
        stated = (trailers.get("customer-impact") or [""])[-1].strip().lower()
        impact = stated if stated in CHANGE_IMPACTS else None
        if note is not None and note.lower().strip(" .") in NO_NOTE:
            # "Customer-Note: none": the author says customers need not hear of it.
            note, impact = None, "none"
        # Anything but a plain "customer" (a typo such as "internl" included) keeps the
        # change internal: staff-only text must never reach a customer by accident.
        if any(v.strip().lower() not in CUSTOMER_AUDIENCES for v in trailers.get("audience", [])):
            audience = "internal"
    visible = _visible(audience, impact, note, info.breaking, info.type, components, options)
    return Change(
        sha=commit.sha,
        summary=commit.subject,
        body=commit.body,
        type=info.type,
        scope=info.scope,
        breaking=info.breaking,
        customer_note=note,
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
    meta, body = front_matter(text)
    components = tuple(
        c.strip().strip("'\"")
        for c in meta.get("components", "").strip("[]").split(",")
        if c.strip()
    )
    return Fragment(
        path=path,
        text=inert(body).strip(),
        components=components,
        type=meta.get("type") or None,
        audience=meta.get("audience") or None,
    )


def _with_fragment(
    change: Change, fragments: Mapping[str, Fragment], options: ChangeOptions
) -> Change:
    """``change`` with the note of the first fragment it adds, unless a trailer gave one."""
    if change.customer_note is not None:
        return change
    added = [fragments[f.path] for f in change.files if f.status in "AC" and f.path in fragments]
    if not added:
        return change
    fragment = added[0]
    # The fragment file lives outside any component; its front matter says which.
    components = tuple(sorted(set(change.components) | set(fragment.components)))
    change = replace(
        change,
        customer_note=fragment.text,
        note_source=f"fragment:{fragment.path}"[: NAME_LIMITS["note_source"]],
        components=components,
        type=fragment.type or change.type,
        audience=(
            "internal"
            if fragment.audience is not None
            and fragment.audience.strip().lower() not in CUSTOMER_AUDIENCES
            else change.audience
        ),
    )
    return replace(change, visible=is_visible(change, options))


def unknown_audiences(change: Change) -> list[str]:
    """The ``Audience:`` values of ``change`` outside the closed set (``AUDIENCES``):
    they keep it internal, and the release manager hears of them."""
    if change.audience != "internal" or not change.body:
        return []
    values = _trailer_map(parse_trailers(change.body)).get("audience", [])
    return [v.strip() for v in values if v.strip().lower() not in AUDIENCES]


def release_changes(
    repo_path: Path,
    releases: Sequence[Release],
    wanted: Collection[str],
    matcher: ComponentMatcher,
    options: ChangeOptions,
    *,
    progress: Callable[[int], object] | None = None,
    on_total: Callable[[int], object] | None = None,
    graph: list[tuple[str, tuple[str, ...]]] | None = None,
    stored: Callable[[str], bool] = lambda sha: False,
) -> Iterator[tuple[str, int, Change]]:
    """The changes of the releases in ``wanted`` as ``(tag, ordinal, change)``, from ONE walk.

    ``releases`` are all releases in version order. A commit belongs to the earliest
    release whose tag contains it, which for each release is exactly the commits
    reachable from its tag and not from the previous release's tag. Labels flow
    from each tag to its ancestors during the walk (git lists a commit before its
    parents), so only the walk's frontier is held.

    git starts at once; changes come while it is still walking, newest first, so
    that a caller can store them as they come. ``ordinal`` sorts a release's changes
    oldest first. A change that adds a note fragment comes last, once all fragments
    are read in one go.

    Every commit walked (merges too) is appended to ``graph`` as ``(sha, parents)``,
    children before parents. The walk stops at the release before the first one
    wanted only when that release's commit is ``stored`` (with its history): the
    stored graph never has a commit without its ancestors.
    """
    position = {r.tag: i for i, r in enumerate(releases)}
    todo = sorted(set(wanted), key=position.__getitem__)
    if not todo:
        return iter(())
    first = position[todo[0]]
    if first > 0 and not stored(releases[first - 1].sha):
        first = 0
    exclude = [releases[first - 1].sha] if first > 0 else []
    include = list(dict.fromkeys(releases[position[tag]].sha for tag in todo))
    if on_total is not None:
        on_total(count_commits(repo_path, include, exclude, first_parent=options.first_parent))
    commits = walk(repo_path, include, exclude, first_parent=options.first_parent)
    # A tag's sha -> its release's position; of two tags on one commit, the older wins.
    seeds = {releases[i].sha: i for i in range(len(releases) - 1, first - 1, -1)}
    wanted_positions = {position[tag] for tag in todo}
    return _labelled_changes(
        repo_path, commits, seeds, wanted_positions, releases, matcher, options, progress, graph
    )


def _labelled_changes(
    repo_path: Path,
    commits: Iterable[Commit],
    seeds: dict[str, int],
    wanted: set[int],
    releases: Sequence[Release],
    matcher: ComponentMatcher,
    options: ChangeOptions,
    progress: Callable[[int], object] | None,
    graph: list[tuple[str, tuple[str, ...]]] | None,
) -> Iterator[tuple[str, int, Change]]:
    """The body of ``release_changes``: a generator, so that git starts before it runs."""
    unlabeled = len(releases)
    from_children: dict[str, int] = {}
    prefix = options.changes_dir.strip("/") + "/"
    held: list[tuple[str, int, Change]] = []
    specs: list[str] = []
    seen = 0
    for commit in commits:
        sha, parents = commit.sha, commit.parents
        label = min(seeds.get(sha, unlabeled), from_children.pop(sha, unlabeled))
        followed = parents[:1] if options.first_parent else parents
        if graph is not None:
            graph.append((sha, followed))
        for parent in followed:
            if label < from_children.get(parent, unlabeled):
                from_children[parent] = label
        seen += 1
        if progress is not None and seen % 1000 == 0:
            progress(1000)
        if label not in wanted or (len(parents) > 1 and not options.first_parent):
            continue
        tag = releases[label].tag
        change = interpret(commit, matcher, options, release=tag)
        added = fragment_specs(commit.sha, commit.files, prefix)
        if added:
            specs += added
            held.append((tag, -seen, change))
        else:
            yield tag, -seen, change
    if progress is not None:
        progress(seen % 1000)
    if held:
        fragments = _read_fragments(repo_path, specs)
        for tag, ordinal, change in held:
            yield tag, ordinal, _with_fragment(change, fragments, options)


def fragment_specs(sha: str, files: Sequence[FileChange], prefix: str) -> list[str]:
    """``sha:path`` of each note fragment a commit adds (an override under
    ``overrides/`` is the note of the commit it names, not of the one adding it)."""
    if not files:
        return []
    return [
        f"{sha}:{f.path}"
        for f in files
        if f.status in "AC"
        and f.path.startswith(prefix)
        and f.path.endswith(".md")
        and not f.path.startswith(f"{prefix}{OVERRIDES}/")
    ]


def _read_fragments(repo_path: Path, specs: list[str]) -> dict[str, Fragment]:
    """Fragment path -> parsed fragment, read with one ``git cat-file --batch``."""
    fragments = {}
    for spec, text in read_blobs(repo_path, specs).items():
        path = spec.split(":", 1)[1]
        fragments[path] = parse_fragment(path, text)
    return fragments


def unreleased_changes(
    repo_path: Path,
    sha: str,
    exclude: Sequence[str],
    matcher: ComponentMatcher,
    options: ChangeOptions,
    graph: list[tuple[str, tuple[str, ...]]],
) -> list[Change]:
    """The changes of ``sha``'s history not reachable from ``exclude`` (stored already),
    with no release: a deployed commit no tag contains yet. Every commit walked is
    appended to ``graph`` as ``release_changes`` does."""
    prefix = options.changes_dir.strip("/") + "/"
    changes = []
    specs: list[str] = []
    for commit in walk(repo_path, [sha], exclude, first_parent=options.first_parent):
        followed = commit.parents[:1] if options.first_parent else commit.parents
        graph.append((commit.sha, followed))
        if options.first_parent or len(commit.parents) < 2:
            changes.append(interpret(commit, matcher, options))
            specs += fragment_specs(commit.sha, commit.files, prefix)
    if not specs:
        return changes
    fragments = _read_fragments(repo_path, specs)
    return [_with_fragment(change, fragments, options) for change in changes]


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
    prefix = options.changes_dir.strip("/") + "/"
    changes = []
    specs: list[str] = []
    for commit in iter_commits(repo_path, until, since, first_parent=options.first_parent):
        changes.append(interpret(commit, matcher, options, release=release))
        specs += fragment_specs(commit.sha, commit.files, prefix)
    if not specs:
        return changes
    fragments = _read_fragments(repo_path, specs)
    return [_with_fragment(change, fragments, options) for change in changes]
