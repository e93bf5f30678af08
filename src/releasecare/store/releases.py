"""Releases and their changes: write a scanned release, read the changes of a range."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from releasecare.domain import Change, FileChange, Release
from releasecare.store import reads
from releasecare.store.engine import driver_cursor
from releasecare.store.models import (
    ChangeRow,
    ReleaseRow,
    SettingRow,
    driver_time,
)
from releasecare.store.reads import collector_paused
from releasecare.store.upsert import insert

# Rows per executemany batch: large enough to amortise, small enough to bound memory.
BATCH = 2_000


SCAN_SETTINGS = "scan_settings"


def setting(session: Session, key: str) -> str | None:
    row = session.get(SettingRow, key)
    return None if row is None else row.value


def set_setting(session: Session, key: str, value: str) -> None:
    statement = insert(session, SettingRow).values(key=key, value=value)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"], set_={"value": statement.excluded.value}
        )
    )


def scanned(session: Session) -> dict[str, str]:
    """Tag -> commit of the releases whose changes are stored, in stored order."""
    rows = session.execute(
        select(ReleaseRow.tag, ReleaseRow.sha)
        .where(ReleaseRow.scanned_at.is_not(None))
        .order_by(ReleaseRow.position, ReleaseRow.tag)
    )
    return {tag: sha for tag, sha in rows}


def save_release(
    session: Session,
    release: Release,
    *,
    position: int,
    previous_tag: str | None,
    changes: Iterable[Change],
) -> int:
    """Store ``release`` with ``changes`` in order (replacing what a previous scan stored).

    Returns the number of changes written (see ``insert_changes``).
    """
    release_id = begin_releases(session, [(release, position, previous_tag)])[release.tag]
    written = insert_changes(session, ((release_id, i, c) for i, c in enumerate(changes)))
    return written[release_id]


def begin_releases(
    session: Session, releases: Sequence[tuple[Release, int, str | None]]
) -> dict[str, int]:
    """Create or refresh the rows of ``(release, position, previous_tag)``; tag -> id.

    The changes a previous scan stored for them are dropped: the caller writes them anew.
    """
    tags = [release.tag for release, _, _ in releases]
    rows = {
        row.tag: row
        for start in range(0, len(tags), BATCH)
        for row in session.scalars(
            select(ReleaseRow).where(ReleaseRow.tag.in_(tags[start : start + BATCH]))
        )
    }
    stale = [row.id for row in rows.values()]
    for start in range(0, len(stale), BATCH):
        session.execute(
            delete(ChangeRow).where(ChangeRow.release_id.in_(stale[start : start + BATCH]))
        )
    now = datetime.now(UTC)
    for release, position, previous_tag in releases:
        row = rows.get(release.tag)
        if row is None:
            row = rows[release.tag] = ReleaseRow(tag=release.tag)
            session.add(row)
        row.sha = release.sha
        row.tagged_at = release.date
        row.message = release.message
        row.position = position
        row.previous_tag = previous_tag
        row.scanned_at = now
    session.flush()
    return {tag: row.id for tag, row in rows.items()}


_CHANGE_COLUMNS = (
    "sha",
    "release_id",
    "summary",
    "body",
    "type",
    "scope",
    "breaking",
    "customer_note",
    "note_source",
    "impact",
    "audience",
    "visible",
    "author_name",
    "author_email",
    "authored_at",
    "ordinal",
)


def insert_changes(
    session: Session, changes: Iterable[tuple[int | None, int, Change]]
) -> Counter[int | None]:
    """Write ``(release_id, ordinal, change)`` with files and components, in batches.

    Consumes ``changes`` as they come, so a scan writes while git is still walking.
    A commit already stored (under another release) keeps its first release: a sha is
    one change, never counted twice. Returns the changes written per release id.

    Rows go straight to the driver's cursor: a scan writes tens of thousands of
    changes and several times as many file rows; and the cyclic garbage collector
    waits until the last one is written (see ``collector_paused``).
    """
    dialect = session.connection().dialect.name
    written: Counter[int | None] = Counter()
    with driver_cursor(session) as (cursor, marker), collector_paused():
        # Into an empty table (a first scan) nothing can be known already.
        cursor.execute("SELECT 1 FROM changes LIMIT 1")
        writer = _ChangeWriter(cursor, marker, driver_time(dialect), cursor.fetchone() is not None)
        batch: list[tuple[int | None, int, Change]] = []
        for item in changes:
            batch.append(item)
            if len(batch) >= BATCH:
                written.update(writer.write(batch))
                batch = []
        if batch:
            written.update(writer.write(batch))
    return written


@dataclass
class _ChangeWriter:
    cursor: Any  # the driver's own cursor
    marker: str  # its parameter marker
    stamp: Callable[[datetime | None], object]  # a time as the column stores it
    check_known: bool  # whether a sha may be stored already

    def write(self, batch: Sequence[tuple[int | None, int, Change]]) -> list[int | None]:
        """Write one batch; the release id of each change written."""
        cursor, marker = self.cursor, self.marker
        if self.check_known:
            cursor.execute(
                f"SELECT sha, release_id FROM changes "
                f"WHERE sha IN ({', '.join([marker] * len(batch))})",
                [c.sha for _, _, c in batch],
            )
            known = dict(cursor.fetchall())
            # A deployed commit stored before any release contained it joins its release.
            adopted = [
                (release_id, ordinal, c.sha)
                for release_id, ordinal, c in batch
                if c.sha in known and known[c.sha] is None and release_id is not None
            ]
            if adopted:
                cursor.executemany(
                    f"UPDATE changes SET release_id = {marker}, ordinal = {marker} "
                    f"WHERE sha = {marker}",
                    adopted,
                )
            batch = [item for item in batch if item[2].sha not in known]
            if not batch:
                return [release_id for release_id, _, _ in adopted]
        stamp = self.stamp
        cursor.executemany(
            f"INSERT INTO changes ({', '.join(_CHANGE_COLUMNS)}) "
            f"VALUES ({', '.join([marker] * len(_CHANGE_COLUMNS))}) {_ADOPT_ON_CONFLICT}",
            [
                (
                    c.sha,
                    release_id,
                    c.summary,
                    c.body,
                    c.type,
                    c.scope,
                    c.breaking,
                    c.customer_note,
                    c.note_source,
                    c.impact,
                    c.audience,
                    c.visible,
                    c.author_name,
                    c.author_email,
                    stamp(c.authored_at),
                    ordinal,
                )
                for release_id, ordinal, c in batch
            ],
        )
        files = []
        components = []
        for _, _, change in batch:
            sha = change.sha
            if len(change.files) == 1:
                f = change.files[0]
                files.append((sha, f.path, f.status, f.old_path))
            else:
                files += [(sha, f.path, f.status, f.old_path) for f in _unique_files(change.files)]
            components += [(sha, key) for key in set(change.components)]
        # Each row finds its change's id by sha inside the database: no round trip.
        change_id = f"(SELECT id FROM changes WHERE sha = {marker})"
        if files:
            cursor.executemany(
                f"INSERT INTO change_files (change_id, path, status, old_path) "
                f"VALUES ({change_id}, {marker}, {marker}, {marker}) ON CONFLICT DO NOTHING",
                files,
            )
        if components:
            cursor.executemany(
                f"INSERT INTO change_components (change_id, component) "
                f"VALUES ({change_id}, {marker}) ON CONFLICT DO NOTHING",
                components,
            )
        return [release_id for release_id, _, _ in batch]


# A change another writer stored meanwhile (a concurrent scan, or a deploy of a commit
# no tag contains yet) is not stored twice; when it has no release yet, it joins this
# one, as ``known`` adopts it above. Files and components are keyed by change, so they
# too are stored once (ON CONFLICT DO NOTHING).
_ADOPT_ON_CONFLICT = (
    "ON CONFLICT (sha) DO UPDATE SET release_id = excluded.release_id, "
    "ordinal = excluded.ordinal "
    "WHERE changes.release_id IS NULL AND excluded.release_id IS NOT NULL"
)


def _unique_files(files: Iterable[FileChange]) -> list[FileChange]:
    seen: dict[str, FileChange] = {}
    for f in files:
        seen.setdefault(f.path, f)
    return list(seen.values())


def set_positions(session: Session, ordered: Sequence[Release]) -> None:
    """Record the version order of every release (0 = oldest), creating unscanned rows.

    One upsert by tag: a scan running at the same time waits for this one's rows
    instead of failing on them. A tag that moved is another release now: its commit,
    date and message are replaced; a tag gone is deleted with its changes.
    """
    stored = set(session.scalars(select(ReleaseRow.tag)))
    rows = [
        {
            "tag": release.tag,
            "sha": release.sha,
            "tagged_at": release.date,
            "message": release.message,
            "position": position,
            "previous_tag": ordered[position - 1].tag if position else None,
        }
        for position, release in enumerate(ordered)
    ]
    if rows:
        statement = insert(session, ReleaseRow)
        new, old = statement.excluded, ReleaseRow.__table__.c
        moved = old.sha != new.sha
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["tag"],
                set_={
                    "position": new.position,
                    "previous_tag": new.previous_tag,
                    "sha": new.sha,
                    "tagged_at": case((moved, new.tagged_at), else_=old.tagged_at),
                    "message": case((moved, new.message), else_=old.message),
                },
            ),
            rows,
        )
    gone = stored - {r.tag for r in ordered}
    if gone:
        # A deleted tag is no release: it goes with its changes (a scan that drops a
        # scanned release stores the changes again under the releases that have them).
        tags = sorted(gone)
        for start in range(0, len(tags), BATCH):
            ids = list(
                session.scalars(
                    select(ReleaseRow.id).where(ReleaseRow.tag.in_(tags[start : start + BATCH]))
                )
            )
            session.execute(delete(ChangeRow).where(ChangeRow.release_id.in_(ids)))
            session.execute(delete(ReleaseRow).where(ReleaseRow.id.in_(ids)))


def positions(session: Session) -> dict[str, int]:
    """Tag -> version position, for every release known to the store."""
    with reads.reading(session) as reader:
        return reads.positions(reader)


def commits(session: Session) -> dict[str, str]:
    """Tag -> commit sha, for every release with a version position."""
    rows = session.execute(select(ReleaseRow.tag, ReleaseRow.sha).where(ReleaseRow.position >= 0))
    return {tag: sha for tag, sha in rows}


def get_release(session: Session, tag: str) -> Release | None:
    with reads.reading(session) as reader:
        return reads.release(reader, tag)


def list_releases(session: Session) -> list[tuple[Release, int, bool]]:
    """Every release in version order, with its change count and whether it was scanned."""
    counts = dict(
        session.execute(
            select(ChangeRow.release_id, func.count()).group_by(ChangeRow.release_id)
        ).all()
    )
    rows = session.scalars(
        select(ReleaseRow).where(ReleaseRow.position >= 0).order_by(ReleaseRow.position)
    )
    return [
        (
            Release(tag=r.tag, sha=r.sha, date=r.tagged_at, message=r.message),
            counts.get(r.id, 0),
            r.scanned_at is not None,
        )
        for r in rows
    ]


def changes_of(session: Session, shas: Sequence[str]) -> list[Change]:
    """The stored changes among ``shas``, in that order (a merge is no change)."""
    with reads.reading(session) as reader:
        return reads.changes_of(reader, shas)


def changes_of_release(session: Session, tag: str) -> list[Change]:
    with reads.reading(session) as reader:
        return reads.changes_of_release(reader, tag)
