"""``release scan``: read the release tags and store each release's changes.

Incremental: a release already scanned is skipped unless asked to rescan. All the
ranges are read with one git process, interpreted, and written in bulk as they come.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from releasecare import gitrepo
from releasecare.changes import release_changes, unknown_audiences, unreleased_changes
from releasecare.config import Config
from releasecare.crashpoints import crash_point
from releasecare.domain import Change, Release
from releasecare.errors import GitError, NotFound, nearest_tags_hint
from releasecare.overrides import Override
from releasecare.overrides import apply as apply_overrides
from releasecare.versions import in_order, is_version

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


# SQLAlchemy is imported where the store is used: ``start_scan`` runs before it.


@dataclass
class ScanResult:
    releases: int = 0
    scanned: list[tuple[str, int]] = field(default_factory=list)  # (tag, changes)
    skipped: int = 0
    not_versions: list[str] = field(default_factory=list)  # tags matched, left out
    unusable: list[str] = field(default_factory=list)  # "'tag': why", left out too
    changes: int = 0  # changes written
    untyped_hidden: int = 0  # of them: no Conventional Commits type, so hidden
    # (sha, value): an Audience trailer outside the closed set, read as internal.
    unknown_audiences: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # stored releases whose tag is gone
    settings_changed: bool = False  # the config a scan depends on changed: all again


def release_tags(
    config: Config, repo: Path, unusable: list[str] | None = None
) -> tuple[list[Release], list[str]]:
    """The releases of ``repo`` in order, and the tags the pattern matched that are no
    versions (in version order only: ``v0``, ``v3-demo``, ``latest`` would sort first
    and swallow the history). Tags no release can be made of (pointing at a tree or a
    blob) are said in ``unusable``."""
    releases = gitrepo.list_releases(
        repo, config.tag_pattern, order=config.release_order, unusable=unusable
    )
    if config.release_order != "version":
        return releases, []
    return [r for r in releases if is_version(r.tag)], [
        r.tag for r in releases if not is_version(r.tag)
    ]


@dataclass
class PendingScan:
    """A scan whose git walk is under way: what ``finish_scan`` stores."""

    releases: list[Release]
    todo: list[str]  # tags to store, in version order
    skipped: int
    not_versions: list[str]
    unusable: list[str]
    drop: list[str]  # stored releases to remove: their tag is gone
    fingerprint: str  # of the config the changes are made with
    settings_changed: bool
    changes: Iterator[tuple[str, int, Change]]
    graph: list[tuple[str, tuple[str, ...]]]  # filled as ``changes`` is read


def start_scan(
    config: Config,
    repo: Path,
    *,
    done: Mapping[str, str],
    tag: str | None = None,
    rescan: bool = False,
    progress: Callable[[int], object] | None = None,
    on_total: Callable[[int], object] | None = None,
    stored: Callable[[str], bool] = lambda sha: False,
    fingerprint: str | None = None,
) -> PendingScan:
    """Find the releases to scan (all but ``done``, or only ``tag``) and start git.

    Needs no database: a command that knows nothing is stored yet starts git before
    it opens one, so git walks while the database is prepared. ``stored`` tells a
    commit whose history the database has (the walk may stop there).

    ``done`` maps each scanned release's tag to its commit, in stored order. When the
    tags changed in any way but new releases after the scanned ones (a tag deleted,
    moved or added in between, another pattern or order), every release is scanned
    again, so that the database holds exactly what a scan into a new one would.
    """
    unusable: list[str] = []
    releases, not_versions = release_tags(config, repo, unusable)
    _check_clone(config, repo, releases, done, confirmed=rescan)
    if tag is not None and tag not in {r.tag for r in releases}:
        raise NotFound(
            f"tag {tag!r} is not a release tag of {repo} (pattern {config.tag_pattern!r})",
            hint=nearest_tags_hint([r.tag for r in releases], tag)
            or "the repository has no release tags yet",
        )
    drop = [t for t in done if t not in {r.tag for r in releases}]
    current_fingerprint = config.scan_fingerprint()
    # ``fingerprint`` is what the stored changes were made with (None: not known).
    settings_changed = bool(done) and fingerprint is not None and fingerprint != current_fingerprint
    if _attribution_changed(releases, done) or settings_changed:
        tag, rescan = None, True
    todo = [
        r.tag for r in releases if (tag is None or r.tag == tag) and (rescan or r.tag not in done)
    ]
    matcher = config.component_matcher(repo)
    graph: list[tuple[str, tuple[str, ...]]] = []
    changes = release_changes(
        repo,
        releases,
        todo,
        matcher,
        config.change_options(),
        progress=progress,
        on_total=on_total,
        graph=graph,
        stored=stored,
    )
    skipped = (1 if tag else len(releases)) - len(todo)
    return PendingScan(
        releases=releases,
        todo=todo,
        skipped=skipped,
        not_versions=not_versions,
        unusable=unusable,
        drop=drop,
        fingerprint=current_fingerprint,
        settings_changed=settings_changed,
        changes=changes,
        graph=graph,
    )


def check_full_clone(config: Config, repo: Path) -> list[Release]:
    """The releases of ``repo``, or exit 3 with the fix when the clone cannot place a
    deploy: a shallow clone, or one without release tags (a CI checkout's default).

    Needs no database, so a command can refuse before anything is written; the scan
    checks the stored tags again (``_check_clone``)."""
    releases, _ = release_tags(config, repo)
    _check_clone(config, repo, releases, {})
    if not releases:
        raise GitError(
            f"{repo} has no release tags (pattern {config.tag_pattern!r})",
            hint="fetch the tags: `git fetch --tags` (GitHub Actions: `fetch-depth: 0` in "
            "actions/checkout); or tag a release, or check [release] tag_pattern",
        )
    return releases


def _check_clone(
    config: Config,
    repo: Path,
    releases: Sequence[Release],
    done: Mapping[str, str],
    *,
    confirmed: bool = False,
) -> None:
    """Refuse, before anything is written, a clone that cannot tell what is stored.

    With nothing stored the whole history is needed, which a shallow clone lacks; with
    releases stored, a shallow clone (or any clone) missing the tags would make the
    scan drop them from a shared database. A tag deleted for real in a full clone
    that still has the others is dropped as it should be.
    """
    current = {r.tag for r in releases}
    missing = [t for t in done if t not in current]
    shallow = gitrepo.clone_is_shallow(repo)
    if shallow and (not done or missing or not releases):
        what = (
            "has no release tags"
            if not releases
            else f"lacks {len(missing)} stored release tag(s)"
            if missing
            else "lacks the history of its releases"
        )
        raise GitError(
            f"{repo} is a shallow clone: it {what} (pattern {config.tag_pattern!r})",
            hint=gitrepo.UNSHALLOW_HINT,
        )
    if done and missing and not current & set(done) and not confirmed:
        raise GitError(
            f"{repo} has none of the {len(done)} stored release tags (pattern "
            f"{config.tag_pattern!r}); nothing is dropped",
            hint="fetch the tags (`git fetch --tags`); if [release] tag_pattern changed "
            "on purpose, `releasecare release scan --rescan`",
        )


def _attribution_changed(releases: Sequence[Release], done: Mapping[str, str]) -> bool:
    """Whether a stored change may now belong to another release than it is stored
    under: anything but new releases after every scanned one."""
    if not done:
        return False
    current = [(r.tag, r.sha) for r in releases if r.tag in done]
    if current != list(done.items()):
        return True  # a scanned release is gone, moved, or in another order
    last = max(i for i, r in enumerate(releases) if r.tag in done)
    return any(r.tag not in done for r in releases[:last])


def finish_scan(session: Session, pending: PendingScan) -> ScanResult:
    """Store the releases of ``pending`` and the changes its walk yields, as they come."""
    from releasecare.store import commits as graph_store  # noqa: PLC0415 (after git started)
    from releasecare.store import releases as store  # noqa: PLC0415 (after git started)

    releases = pending.releases
    store.set_positions(session, releases)
    result = ScanResult(
        releases=len(releases),
        skipped=pending.skipped,
        not_versions=pending.not_versions,
        unusable=pending.unusable,
        dropped=pending.drop,
        settings_changed=pending.settings_changed,
    )
    store.set_setting(session, store.SCAN_SETTINGS, pending.fingerprint)
    if not pending.todo:
        return result
    order = {r.tag: i for i, r in enumerate(releases)}
    ids = store.begin_releases(
        session,
        [
            (releases[order[t]], order[t], releases[order[t] - 1].tag if order[t] else None)
            for t in pending.todo
        ],
    )

    # The walk waits on git; writing the changes as they come fills that wait.
    def counted() -> Iterator[tuple[int, int, Change]]:
        for tag, ordinal, change in pending.changes:
            result.changes += 1
            result.untyped_hidden += change.type is None and not change.visible
            result.unknown_audiences += [(change.sha, v) for v in unknown_audiences(change)]
            yield ids[tag], ordinal, change

    written = store.insert_changes(session, counted())
    crash_point("scan:after-changes")
    graph_store.save_graph(session, pending.graph)
    crash_point("scan:after-graph")
    result.scanned = [(t, written[ids[t]]) for t in pending.todo]
    return result


def scan(
    config: Config,
    repo: Path,
    transaction: Callable[[], AbstractContextManager[Session]],
    *,
    database_is_new: bool = False,
    tag: str | None = None,
    rescan: bool = False,
    progress: Callable[[int], object] | None = None,
    on_total: Callable[[int], object] | None = None,
) -> ScanResult:
    """Scan the releases of ``repo`` (or only ``tag``) into the store, in one transaction.

    ``transaction`` opens the command's one transaction. When the database does not
    exist yet (``database_is_new``), nothing is stored, so git starts walking before
    the database (and SQLAlchemy with it) is set up. ``progress`` is called with the
    number of commits read since its last call, ``on_total`` once with the number
    of commits the scan will read.
    """

    def start(
        done: Mapping[str, str],
        stored: Callable[[str], bool] = lambda sha: False,
        fingerprint: str | None = None,
    ) -> PendingScan:
        return start_scan(
            config,
            repo,
            done=done,
            tag=tag,
            rescan=rescan,
            progress=progress,
            on_total=on_total,
            stored=stored,
            fingerprint=fingerprint,
        )

    if database_is_new:
        pending = start({})
        with transaction() as session:
            return finish_scan(session, pending)
    from releasecare.store import commits as graph_store  # noqa: PLC0415 (after git started)
    from releasecare.store import releases as store  # noqa: PLC0415 (after git started)

    with transaction() as session:

        def stored(sha: str) -> bool:
            return bool(graph_store.generations(session, [sha]))

        done = store.scanned(session)
        fingerprint = store.setting(session, store.SCAN_SETTINGS)
        return finish_scan(session, start(done, stored, fingerprint))


def store_deployed_history(session: Session, config: Config, repo: Path, sha: str) -> int:
    """Make a deployed commit's history part of the stored graph when it is not yet
    (a commit after the last tag, or on a branch no tag reaches), so that its range is
    exact; its new changes have no release until a scan finds one containing them.
    Returns the number of changes stored; 0 when the graph has it already."""
    from releasecare.store import commits as graph_store  # noqa: PLC0415 (after git started)
    from releasecare.store import releases as store  # noqa: PLC0415 (after git started)

    if graph_store.expand(session, sha) is not None:
        return 0
    full = gitrepo.resolve(repo, sha, tag_pattern=config.tag_pattern)
    if graph_store.generations(session, [full]):
        return 0
    tips = list(store.commits(session).values())
    exclude = list(graph_store.generations(session, tips))
    graph: list[tuple[str, tuple[str, ...]]] = []
    changes = unreleased_changes(
        repo, full, exclude, config.component_matcher(repo), config.change_options(), graph
    )
    written = store.insert_changes(session, ((None, -i, c) for i, c in enumerate(changes)))
    graph_store.save_graph(session, graph)
    return sum(written.values())


def release_with_changes(
    session: Session, tag: str, edits: Mapping[str, Override] | None = None
) -> tuple[Release, list[Change]]:
    """A scanned release and its changes (with the overrides in ``edits``);
    ``NotFound`` naming the nearest tags."""
    from releasecare.store import releases as store  # noqa: PLC0415 (after git started)

    found = store.get_release(session, tag)
    if found is None:
        near = nearest_tags_hint(in_order(store.positions(session)), tag)
        raise NotFound(
            f"release {tag!r} is not scanned",
            hint=f"{near}; run `releasecare release scan`"
            if near
            else "run `releasecare release scan`",
        )
    return found, apply_overrides(store.changes_of_release(session, tag), edits or {})
