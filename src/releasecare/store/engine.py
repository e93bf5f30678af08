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


def open_engine(url: str, *, migrate: bool = True, create_folder: bool = True) -> Engine:
    """Connect to ``url`` and upgrade the schema unless told not to.

    A SQLite file's folder is created when ``create_folder`` (the default location
    beside the config); a folder missing for a path the user named is an error,
    since a typo must not leave folders behind.
    """
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
            folder = Path(parsed.database).parent
            if create_folder:
                folder.mkdir(parents=True, exist_ok=True)
            elif not folder.is_dir():
                raise DatabaseError(
                    f"the folder of the database {parsed.database} does not exist: {folder}",
                    hint="create it, or fix --db / RELEASECARE_DATABASE_URL",
                )
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
        event.listen(engine, "begin", _sqlite_begin)
    if migrate:
        upgrade(engine)
    return engine


def _sqlite_begin(connection: Any) -> None:
    """A writing transaction takes the write lock at its start (``BEGIN IMMEDIATE``),
    waiting up to the busy timeout for another writer to finish. A deferred one that
    read first could not wait: once another writer has committed since its first
    read, SQLite refuses it the lock at once ("database is locked"). Readers
    (``transaction(write=False)``) stay deferred and never wait for a writer."""
    write = connection.get_execution_options().get(WRITE_OPTION, True)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# The execution option that tells a reading transaction (False) from a writing one.
WRITE_OPTION = "releasecare_write"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# The newest migration. Every command checks the database against it with one query,
# and loads Alembic only when there is a migration to run (a test keeps it true).
SCHEMA_HEAD = "0003"


def schema_state(engine: Engine) -> str:
    """ "current" (at SCHEMA_HEAD), "empty" (none of our tables) or "behind" (migrate it)."""
    from sqlalchemy import inspect, text

    from releasecare.store.models import Base

    try:
        with engine.connect().execution_options(**{WRITE_OPTION: False}) as connection:
            tables = set(inspect(connection).get_table_names())
            if "alembic_version" not in tables:
                return "behind" if tables & set(Base.metadata.tables) else "empty"
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except OperationalError as exc:
        raise DatabaseError(f"cannot open the database {engine.url!r}: {exc.orig}") from None
    return "current" if [row[0] for row in rows] == [SCHEMA_HEAD] else "behind"


# What pipelines changing the schema at the same time queue on (see upsert.serialize).
SCHEMA_LOCK = "releasecare:schema"


def upgrade(engine: Engine) -> None:
    """Bring the schema to SCHEMA_HEAD; a no-op (one query) when it is there already.

    An empty database gets the newest schema straight from the models and is stamped
    with SCHEMA_HEAD (Alembic's advice for new databases; a test keeps the models
    and the migrations equal); a database with tables goes through the migrations.
    """
    state = schema_state(engine)
    if state == "current":
        return
    if state == "empty":
        _create_at_head(engine)
        return
    migrate(engine)


def _create_at_head(engine: Engine) -> None:
    from sqlalchemy import inspect

    from releasecare.store.models import Base
    from releasecare.store.upsert import serialize

    try:
        with engine.begin() as connection:
            # Pipelines starting together on a new database: one creates the schema,
            # the others wait for it and find it made.
            serialize(connection, SCHEMA_LOCK)
            if "alembic_version" in inspect(connection).get_table_names():
                return
            Base.metadata.create_all(connection)
            # The table Alembic itself would create, so later migrations find it.
            connection.exec_driver_sql(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
            connection.exec_driver_sql(
                f"INSERT INTO alembic_version (version_num) VALUES ('{SCHEMA_HEAD}')"
            )
    except OperationalError as exc:
        raise DatabaseError(f"cannot create the database {engine.url!r}: {exc.orig}") from None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision``.

    On SQLite, foreign keys are off while they run: a migration that alters a table
    rebuilds it (copy, drop, rename), and dropping the old one with foreign keys on
    would fire every ``ON DELETE`` that points at it (the change files and
    components, the notices and deliveries of the deployments, incidents' suspect
    deployments). The keys are checked before the migration commits.
    """
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from releasecare.store.upsert import serialize

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    try:
        with (
            engine.connect() as connection,
            _foreign_keys_off(connection),
            connection.begin(),
        ):
            serialize(connection, SCHEMA_LOCK)  # one migrates, the others find it done
            current = MigrationContext.configure(connection).get_current_heads()
            if set(current) == set(script.get_heads()) and revision == "head":
                return
            known = {rev.revision for rev in script.walk_revisions()}
            unknown = [rev for rev in current if rev not in known]
            if unknown:
                raise DatabaseError(
                    f"the database is at schema revision {unknown[0]}, which this version "
                    "of releasecare does not know",
                    hint="upgrade releasecare, or point --db at another database",
                )
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            _check_foreign_keys(connection)
    except OperationalError as exc:
        raise DatabaseError(f"cannot open the database {engine.url!r}: {exc.orig}") from None


@contextmanager
def _foreign_keys_off(connection: Any) -> Iterator[None]:
    """SQLite's foreign keys off for what ``connection`` does inside (the pragma is
    ignored within a transaction, so it goes to the driver before one begins)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: Any) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise DatabaseError(
            f"the migration would leave {len(broken)} row(s) referring to rows that do not "
            f"exist (first in table {broken[0][0]}); nothing was changed",
            hint="please report this with the database's schema revision",
        )


@contextmanager
def driver_cursor(session: Session) -> Iterator[tuple[Any, str]]:
    """The driver's own cursor in the session's transaction, and its parameter marker.

    For bulk writes, where SQLAlchemy's per-row and per-parameter work would cost
    more than the writing itself.
    """
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        yield cursor, "?" if connection.dialect.paramstyle == "qmark" else "%s"
    finally:
        cursor.close()


@contextmanager
def transaction(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One session, one transaction: commit on success, roll back on any error.

    ``write=False`` for a command that only reads: on SQLite it neither waits for
    nor holds up a writer (see ``_sqlite_begin``).
    """
    session = Session(engine.execution_options(**{WRITE_OPTION: write}), expire_on_commit=False)
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
