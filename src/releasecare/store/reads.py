"""What a deployment's impact reads, as SQL over a DB-API cursor: one implementation
for both ways in.

A ``Reader`` is a driver's cursor, its parameter marker and its dialect. Commands
that run in a session (SQLite or PostgreSQL) read through one made from the
session's own connection (``reading``), inside their transaction; ``impact`` on an
existing SQLite file at the current schema reads through a plain ``sqlite3``
connection (``sqlite_reader``) and never imports SQLAlchemy, which would cost more
than the whole command. The store's session functions (``deployments.get``,
``releases.changes_of``, ``customers.touched_by``, ...) call these, so each query
is written once.

This module imports no SQLAlchemy: values come back in the driver's own form and
are read here as the models store them (``UTCDateTime``: naive UTC, as text on
SQLite; booleans as 0/1 on SQLite; JSON as text on SQLite).
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasecare.domain import (
    ALL,
    REACHED_CUSTOMERS,
    Change,
    Contacts,
    Customer,
    Deployment,
    FileChange,
    FreezeWindow,
    Release,
)
from releasecare.times import seconds_from_env

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# The newest migration. Every command checks the database against it with one query,
# and loads Alembic only when there is a migration to run (a test keeps it true).
SCHEMA_HEAD = "0007"

# How long a SQLite writer waits for another one to finish: long enough to wait out a
# whole scan or ingest holding the lock. ``[database] busy_timeout`` (seconds) or
# RELEASECARE_DB_BUSY_TIMEOUT (which wins) set another (``busy_timeout``).
DEFAULT_BUSY_TIMEOUT = 60.0
BUSY_TIMEOUT_ENV = "RELEASECARE_DB_BUSY_TIMEOUT"

# Values per IN (...) list: well under SQLite's and PostgreSQL's parameter limits.
BATCH = 2_000


@dataclass(frozen=True)
class Reader:
    """A driver's cursor, its parameter marker ("?" or "%s") and its dialect name."""

    cursor: Any
    marker: str
    dialect: str

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        self.cursor.execute(sql, params)
        return list(self.cursor.fetchall())

    def marks(self, count: int) -> str:
        """``count`` parameter markers for an IN (...) list."""
        return ", ".join([self.marker] * count)

    def time(self, moment: datetime | None) -> object:
        """``moment`` as a parameter compared with a stored time."""
        return driver_time(self.dialect)(moment)


@contextmanager
def reading(db: Session | Reader) -> Iterator[Reader]:
    """A Reader for ``db``: itself, or the driver's cursor inside the session's
    transaction (what the session holds unflushed is flushed first, so a read sees
    every write the command made)."""
    if isinstance(db, Reader):
        yield db
        return
    db.flush()
    with connection_reader(db.connection()) as reader:
        yield reader


@contextmanager
def connection_reader(connection: Any) -> Iterator[Reader]:
    """A Reader on the driver's own cursor of a SQLAlchemy ``connection``, in whatever
    transaction it is in."""
    cursor = connection.connection.cursor()
    try:
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        yield Reader(cursor, marker, connection.dialect.name)
    finally:
        cursor.close()


def busy_timeout(configured: float | None = None) -> float:
    """Seconds a SQLite connection waits for a lock: the environment's, the config's,
    or the default."""
    return seconds_from_env(BUSY_TIMEOUT_ENV, configured or DEFAULT_BUSY_TIMEOUT)


@contextmanager
def sqlite_reader(path: Path, busy: float = DEFAULT_BUSY_TIMEOUT) -> Iterator[Reader | None]:
    """A Reader on the existing SQLite file ``path`` in one read transaction, or None
    when the file is not a releasecare database at SCHEMA_HEAD (the caller then goes
    the way that migrates or refuses it). The file is never created or changed; the
    driver's errors while reading are the caller's to tell (``engine.database_error``)."""
    try:
        connection = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode=rw", uri=True, timeout=busy, isolation_level=None
        )
    except sqlite3.Error:
        yield None
        return
    try:
        cursor = connection.cursor()
        try:
            cursor.execute("BEGIN")  # one snapshot for every read of the command
            cursor.execute("SELECT version_num FROM alembic_version")
            current = [row[0] for row in cursor.fetchall()] == [SCHEMA_HEAD]
        except sqlite3.Error:
            current = False
        yield Reader(cursor, "?", "sqlite") if current else None
    finally:
        connection.close()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk read and write.

    A scan makes millions of short-lived objects (commits, changes, rows), all freed
    by reference counting, none in a cycle; yet the collector would run hundreds of
    times while they stream past, walking the survivors each time: a tenth of a
    numpy scan's CPU (and a tenth of an impact's command). A collector already
    paused stays paused.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# --- values as the models store them -------------------------------------------------


def driver_time(dialect: str) -> Callable[[datetime | None], object]:
    """How UTCDateTime stores a time, for SQL that bypasses SQLAlchemy's types.

    SQLite keeps SQLAlchemy's text form; PostgreSQL a naive UTC timestamp.
    """

    def naive_utc(moment: datetime | None) -> datetime | None:
        if moment is None:
            return None
        if moment.tzinfo is not UTC:
            moment = moment.astimezone(UTC)
        return moment.replace(tzinfo=None)

    def sqlite_text(moment: datetime | None) -> str | None:
        if moment is None:
            return None
        if moment.tzinfo is not UTC:
            moment = moment.astimezone(UTC)
        # "YYYY-MM-DD HH:MM:SS.ffffff" and the "+00:00" cut off: no naive copy needed.
        return moment.isoformat(" ", timespec="microseconds")[:26]

    return sqlite_text if dialect == "sqlite" else naive_utc


def stored_time(value: object) -> datetime | None:
    """A stored time as UTCDateTime gives it back: aware, in UTC."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment.replace(tzinfo=UTC)


def _time(value: object) -> datetime:
    moment = stored_time(value)
    assert moment is not None  # a NOT NULL column
    return moment


def _json(value: object) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


# --- deployments ---------------------------------------------------------------------

_DEPLOYMENT = (
    "SELECT id, environment, version, status, deployed_at, external_id, source, sha, "
    "finished_at FROM deployments"
)
_NEWEST_FIRST = " ORDER BY deployed_at DESC, id DESC LIMIT 1"


def _deployment(row: Sequence[Any]) -> Deployment:
    return Deployment(
        id=row[0],
        environment=row[1],
        version=row[2],
        status=row[3],
        deployed_at=_time(row[4]),
        external_id=row[5],
        source=row[6],
        sha=row[7],
        finished_at=stored_time(row[8]),
    )


def deployment(reader: Reader, deployment_id: int) -> Deployment | None:
    rows = reader.rows(f"{_DEPLOYMENT} WHERE id = {reader.marker}", (deployment_id,))
    return _deployment(rows[0]) if rows else None


def latest_deployment(reader: Reader, environment: str, version: str) -> Deployment | None:
    """The newest deployment of ``version`` on ``environment``."""
    m = reader.marker
    rows = reader.rows(
        f"{_DEPLOYMENT} WHERE environment = {m} AND version = {m}{_NEWEST_FIRST}",
        (environment, version),
    )
    return _deployment(rows[0]) if rows else None


def previous_successful(
    reader: Reader, environment: str, before: Deployment | None = None
) -> Deployment | None:
    """What ``environment`` ran before ``before`` (or now, when ``before`` is None).

    Only deployments that reached customers count: a failed or in-progress one changed
    nothing. One marked rolled back did reach them; the later deploy that undid it
    starts from it (and takes its changes away).
    """
    m = reader.marker
    reached = sorted(REACHED_CUSTOMERS)
    sql = f"{_DEPLOYMENT} WHERE environment = {m} AND status IN ({reader.marks(len(reached))})"
    params: list[object] = [environment, *reached]
    if before is not None:
        sql += f" AND (deployed_at < {m} OR (deployed_at = {m} AND id < {m}))"
        at = reader.time(before.deployed_at)
        params += [at, at, before.id]
    rows = reader.rows(sql + _NEWEST_FIRST, params)
    return _deployment(rows[0]) if rows else None


def deployment_history(reader: Reader, environment: str | None = None) -> list[Deployment]:
    """Deployments in the order they happened, per environment."""
    where, params = "", []
    if environment is not None:
        where, params = f" WHERE environment = {reader.marker}", [environment]
    rows = reader.rows(f"{_DEPLOYMENT}{where} ORDER BY environment, deployed_at, id", params)
    return [_deployment(row) for row in rows]


# --- releases and their changes --------------------------------------------------------


def positions(reader: Reader) -> dict[str, int]:
    """Tag -> version position, for every release known to the store."""
    return dict(reader.rows("SELECT tag, position FROM releases WHERE position >= 0"))


def release(reader: Reader, tag: str) -> Release | None:
    rows = reader.rows(
        f"SELECT tag, sha, tagged_at, message FROM releases WHERE tag = {reader.marker}", (tag,)
    )
    if not rows:
        return None
    tag, sha, tagged_at, message = rows[0]
    return Release(tag=tag, sha=sha, date=_time(tagged_at), message=message)


_CHANGE = (
    "SELECT c.id, c.sha, c.summary, {body}, c.type, c.scope, c.breaking, c.customer_note, "
    "c.impact, c.audience, c.visible, c.author_name, c.author_email, c.authored_at, "
    "r.tag, c.note_source FROM changes c LEFT JOIN releases r ON c.release_id = r.id"
)
# Without the message bodies: a fifth of reading a numpy minor release's changes.
_FULL_CHANGE, _BRIEF_CHANGE = _CHANGE.format(body="c.body"), _CHANGE.format(body="''")


def changes_of(reader: Reader, shas: Sequence[str], *, full: bool = True) -> list[Change]:
    """The stored changes among ``shas``, in that order (a merge is no change); without
    their files and message bodies unless ``full`` (impact and the report show
    neither: components and notes were taken from them at scan time)."""
    found = _change_rows(reader, shas, full=full)
    return _with_details(reader, [found[sha] for sha in shas if sha in found], files=full)


def changes_by_sha(reader: Reader, shas: Sequence[str], *, full: bool = True) -> dict[str, Change]:
    """The stored changes among ``shas``, by sha; without their files and message
    bodies unless ``full`` (the report reads thousands and shows none)."""
    rows = list(_change_rows(reader, shas, full=full).values())
    return {c.sha: c for c in _with_details(reader, rows, files=full)}


def _change_rows(reader: Reader, shas: Sequence[str], *, full: bool) -> dict[str, Sequence[Any]]:
    select = _FULL_CHANGE if full else _BRIEF_CHANGE
    found: dict[str, Sequence[Any]] = {}
    for chunk in _chunks(shas):
        rows = reader.rows(f"{select} WHERE c.sha IN ({reader.marks(len(chunk))})", chunk)
        found.update((row[1], row) for row in rows)
    return found


def changes_of_release(reader: Reader, tag: str) -> list[Change]:
    """The changes a release brought, in the order they were made."""
    rows = reader.rows(f"{_FULL_CHANGE} WHERE r.tag = {reader.marker} ORDER BY c.ordinal", (tag,))
    return _with_details(reader, rows)


def _with_details(
    reader: Reader, rows: Sequence[Sequence[Any]], *, files: bool = True
) -> list[Change]:
    """Changes from their rows, with their components and (unless not ``files``) files."""
    ids = [row[0] for row in rows]
    components: dict[int, list[str]] = {}
    paths: dict[int, list[FileChange]] = {}
    for chunk in _chunks(ids):
        marks = reader.marks(len(chunk))
        for cid, key in reader.rows(
            f"SELECT change_id, component FROM change_components WHERE change_id IN ({marks})",
            chunk,
        ):
            components.setdefault(cid, []).append(key)
        if not files:
            continue
        for cid, path, status, old in reader.rows(
            f"SELECT change_id, path, status, old_path FROM change_files "
            f"WHERE change_id IN ({marks})",
            chunk,
        ):
            paths.setdefault(cid, []).append(FileChange(path, status, old))
    return [
        Change(
            sha=row[1],
            summary=row[2],
            body=row[3],
            type=row[4],
            scope=row[5],
            breaking=bool(row[6]),
            customer_note=row[7],
            impact=row[8],
            audience=row[9],
            visible=bool(row[10]),
            components=tuple(sorted(components.get(row[0], ()))),
            files=tuple(sorted(paths.get(row[0], ()), key=lambda f: f.path)),
            author_name=row[11],
            author_email=row[12],
            authored_at=stored_time(row[13]),
            release=row[14],
            note_source=row[15],
        )
        for row in rows
    ]


# --- the commit graph ----------------------------------------------------------------


def generations(reader: Reader, shas: Sequence[str]) -> dict[str, int]:
    """sha -> generation of those stored."""
    found: dict[str, int] = {}
    for chunk in _chunks(shas):
        found.update(
            reader.rows(
                f"SELECT sha, generation FROM commits WHERE sha IN ({reader.marks(len(chunk))})",
                chunk,
            )
        )
    return found


def band(reader: Reader, lo: int, hi: int) -> list[tuple[str, int, list[str]]]:
    """``(sha, generation, parents)`` of every stored commit with lo <= generation <= hi."""
    m = reader.marker
    rows = reader.rows(
        f"SELECT sha, generation, parents FROM commits "
        f"WHERE generation >= {m} AND generation <= {m}",
        (lo, hi),
    )
    return [(sha, generation, parents.split()) for sha, generation, parents in rows]


def expand(reader: Reader, sha: str) -> str | None:
    """The stored commit a full or abbreviated ``sha`` names (None: none, or several)."""
    m = reader.marker
    if len(sha) == 40:
        found = reader.rows(f"SELECT sha FROM commits WHERE sha = {m}", (sha,))
        return sha if found else None
    if not sha or not all(c in "0123456789abcdef" for c in sha):
        return None
    # The prefix is hex (checked above), so nothing in it is a LIKE wildcard.
    matches = reader.rows(f"SELECT sha FROM commits WHERE sha LIKE {m} LIMIT 2", (sha + "%",))
    return matches[0][0] if len(matches) == 1 else None


# --- customers -----------------------------------------------------------------------

_CUSTOMER = (
    "SELECT id, name, timezone, locale, tier, all_environments, all_components, contacts "
    "FROM customers"
)


def customer(reader: Reader, customer_id: str) -> Customer | None:
    found = _customers(reader, f" WHERE id = {reader.marker}", [customer_id])
    return found[0][0] if found else None


def all_customers(reader: Reader) -> list[Customer]:
    return [c for c, _ in _customers(reader, "", [])]


def touched_by(
    reader: Reader, environment: str, components: Sequence[str]
) -> list[tuple[Customer, tuple[str, ...]]]:
    """Customers on ``environment`` who use any of ``components``, with the ones they use.

    The database does the filtering: only matching customers are loaded.
    """
    if not components:
        return []
    m = reader.marker
    wanted = sorted(set(components))
    where = (
        f" WHERE (all_environments OR id IN (SELECT customer_id FROM customer_environments "
        f"WHERE environment = {m})) AND (all_components OR id IN (SELECT customer_id FROM "
        f"customer_components WHERE component IN ({reader.marks(len(wanted))})))"
    )
    result = []
    for found, all_components in _customers(reader, where, [environment, *wanted]):
        used = set(wanted) if all_components else set(wanted) & set(found.components)
        result.append((found, tuple(sorted(used))))
    return result


def _customers(reader: Reader, where: str, params: Sequence[object]) -> list[tuple[Customer, bool]]:
    """The customers ``where`` selects, by id, each with whether it uses every component."""
    rows = reader.rows(f"{_CUSTOMER}{where} ORDER BY id", params)
    ids = [row[0] for row in rows]
    environments: dict[str, list[str]] = {}
    components: dict[str, list[str]] = {}
    freeze: dict[str, list[FreezeWindow]] = {}
    for chunk in _chunks(ids):
        marks = reader.marks(len(chunk))
        for cid, environment in reader.rows(
            f"SELECT customer_id, environment FROM customer_environments "
            f"WHERE customer_id IN ({marks})",
            chunk,
        ):
            environments.setdefault(cid, []).append(environment)
        for cid, component in reader.rows(
            f"SELECT customer_id, component FROM customer_components "
            f"WHERE customer_id IN ({marks})",
            chunk,
        ):
            components.setdefault(cid, []).append(component)
        for cid, start, end, reason in reader.rows(
            f'SELECT customer_id, start, "end", reason FROM freeze_windows '
            f"WHERE customer_id IN ({marks}) ORDER BY customer_id, start, id",
            chunk,
        ):
            freeze.setdefault(cid, []).append(FreezeWindow(_time(start), _time(end), reason))
    result = []
    for cid, name, timezone, locale, tier, all_envs, all_comps, contacts_json in rows:
        found = Customer(
            id=cid,
            name=name,
            environments=(ALL,) if all_envs else tuple(sorted(environments.get(cid, ()))),
            components=(ALL,) if all_comps else tuple(sorted(components.get(cid, ()))),
            timezone=timezone,
            locale=locale,
            tier=tier,
            contacts=Contacts.from_json(_json(contacts_json)),
            freeze=tuple(freeze.get(cid, ())),
        )
        result.append((found, bool(all_comps)))
    return result
