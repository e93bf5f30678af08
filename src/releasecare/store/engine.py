"""Engine and session setup, SQLite pragmas, and migrations on first use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session

from releasecare.errors import DatabaseError, InputError

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def open_engine(url: str, *, migrate: bool = True) -> Engine:
    """Connect to ``url``; create the SQLite folder; upgrade the schema unless told not to."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(
            f"database URL {url!r} is not valid",
            hint="e.g. sqlite:///.releasecare/releasecare.db or postgresql+psycopg://user@host/db",
        ) from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    try:
        engine = create_engine(parsed, **kwargs)
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"the database driver for {parsed.drivername} is not installed ({exc.name})",
            hint="pip install 'releasecare[postgres]'",
        ) from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take it over so that a
        # transaction is one real BEGIN ... COMMIT (needed for atomic ingests).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    if migrate:
        upgrade(engine)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# The newest migration. Every command checks the database against it with one query,
# and loads Alembic only when there is something to do (a test keeps it true).
SCHEMA_HEAD = "0001"


def at_head(engine: Engine) -> bool:
    """Whether the database is already at SCHEMA_HEAD (one cheap query)."""
    from sqlalchemy import inspect, text

    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return False
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except OperationalError as exc:
        raise DatabaseError(f"cannot open the database {engine.url!r}: {exc.orig}") from None
    return [row[0] for row in rows] == [SCHEMA_HEAD]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` through the Alembic migrations; a no-op when current."""
    if revision == "head" and at_head(engine):
        return
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    try:
        with engine.begin() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
            if set(current) == set(script.get_heads()) and revision == "head":
                return
            known = {rev.revision for rev in script.walk_revisions()}
            unknown = [rev for rev in current if rev not in known]
            if unknown:
                raise DatabaseError(
                    f"the database is at schema revision {unknown[0]}, which this version of "
                    "releasecare does not know",
                    hint="upgrade releasecare, or point --db at another database",
                )
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise DatabaseError(f"cannot open the database {engine.url!r}: {exc.orig}") from None


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One session, one transaction: commit on success, roll back on any error."""
    session = Session(engine, expire_on_commit=False)
    try:
        with session.begin():
            yield session
    except OperationalError as exc:
        raise DatabaseError(f"database error: {exc.orig}") from None
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise DatabaseError(f"lost the database connection: {exc.orig}") from None
        raise
    finally:
        session.close()
