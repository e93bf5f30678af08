"""``release scan``: read the release tags and store each release's changes.

Incremental: a release already scanned is skipped unless asked to rescan. All the
ranges are read with one git process, interpreted, and written in bulk as they come.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from releasecare.config import Config
from releasecare.errors import NotFound
from releasecare.store import releases as store

if TYPE_CHECKING:
    from releasecare.changes import ChangeOptions


@dataclass
class ScanResult:
    releases: int = 0
    scanned: list[tuple[str, int]] = field(default_factory=list)  # (tag, changes)
    skipped: int = 0


def change_options(config: Config) -> ChangeOptions:
    from releasecare.changes import ChangeOptions

    return ChangeOptions(
        internal_types=tuple(config.internal_types),
        visible_types=tuple(config.visible_types),
        changes_dir=config.changes_dir,
        component_changes_visible=config.component_changes_visible,
        first_parent=config.first_parent,
    )


def scan(
    session: Session,
    config: Config,
    repo: Path,
    *,
    tag: str | None = None,
    rescan: bool = False,
    progress: Callable[[int], object] | None = None,
    on_total: Callable[[int], object] | None = None,
) -> ScanResult:
    """Scan the releases of ``repo`` (or only ``tag``) into the store.

    ``progress`` is called with the number of commits read since its last call, and
    ``on_total`` once with the number of commits the scan will read.
    """
    from releasecare import gitrepo
    from releasecare.changes import release_changes
    from releasecare.components import ComponentMatcher, project_components

    releases = gitrepo.list_releases(repo, config.tag_pattern, order=config.release_order)
    if tag is not None and tag not in {r.tag for r in releases}:
        from releasecare.impact import nearest_tags_hint

        raise NotFound(
            f"tag {tag!r} is not a release tag of {repo} (pattern {config.tag_pattern!r})",
            hint=nearest_tags_hint({r.tag: i for i, r in enumerate(releases)}, tag)
            if releases
            else "the repository has no release tags yet",
        )
    store.set_positions(session, releases)
    done = store.scanned_tags(session)
    matcher = ComponentMatcher(
        project_components(config.components, repo, config.import_codeowners)
    )
    result = ScanResult(releases=len(releases))
    todo = [
        r.tag for r in releases if (tag is None or r.tag == tag) and (rescan or r.tag not in done)
    ]
    result.skipped = (1 if tag else len(releases)) - len(todo)
    if not todo:
        return result
    order = {r.tag: i for i, r in enumerate(releases)}
    ids = store.begin_releases(
        session,
        [
            (releases[order[t]], order[t], releases[order[t] - 1].tag if order[t] else None)
            for t in todo
        ],
    )
    # Changes are written while git walks the history: the walk waits on git, and
    # the writes fill that wait.
    found = release_changes(
        repo, releases, todo, matcher, change_options(config), progress=progress, on_total=on_total
    )
    written = store.insert_changes(session, ((ids[t], ordinal, c) for t, ordinal, c in found))
    result.scanned = [(t, written[ids[t]]) for t in todo]
    return result
