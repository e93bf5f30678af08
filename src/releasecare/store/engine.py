"""Engine and session setup, SQLite pragmas, and migrations on first use.

Every failure of the database itself (locked, read-only, not a database, damaged,
missing a table, full disk, a schema from the future) becomes one ``DatabaseError``
made by :func:`database_error`: it names the database (the file, or the URL without
its password) and says what to do.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session

from releasecare.errors import DatabaseError, InputError

# The newest migration and the busy timeout: kept in ``reads``, which opens a SQLite
# file without SQLAlchemy.
from releasecare.store.reads import BUSY_TIMEOUT_ENV as BUSY_TIMEOUT_ENV
from releasecare.store.reads import DEFAULT_BUSY_TIMEOUT as DEFAULT_BUSY_TIMEOUT
from releasecare.store.reads import SCHEMA_HEAD as SCHEMA_HEAD
from releasecare.store.reads import Reader, connection_reader, reading
from releasecare.store.reads import busy_timeout as reads_busy_timeout

MIGRATIONS = Path(__file__).parent / "migrations"
# The databases releasecare stores in; every upsert and lock knows these two.
BACKENDS = ("sqlite", "postgresql")
_busy_timeouts: weakref.WeakKeyDictionary[Engine, float] = weakref.WeakKeyDictionary()


def shown_url(url: Any) -> str:
    """The database as a message names it: a SQLite file's path, else the URL without
    its password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(an invalid database URL)"
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_path(parsed.database or ":memory:")
    # No password, and no query (it may hold one, or a key's passphrase).
    bare = parsed._replace(password=None).difference_update_query(parsed.query)
    return str(bare.render_as_string(hide_password=False))


def _sqlite_path(database: str) -> str:
    """The file of a SQLite database, also when it is a ``file:`` URI (``uri=true``)."""
    return database[len("file:") :].partition("?")[0] if database.startswith("file:") else database


def open_engine(
    url: str,
    *,
    migrate: bool = True,
    create_folder: bool = True,
    busy_timeout: float | None = None,
) -> Engine:
    """Connect to ``url`` and upgrade the schema unless told not to.

    A SQLite file's folder is created when ``create_folder`` (the default location
    beside the config); a folder missing for a path the user named is an error,
    since a typo must not leave folders behind. ``busy_timeout`` (seconds, the
    config's) is how long SQLite waits for another writer; the environment's
    RELEASECARE_DB_BUSY_TIMEOUT wins over it.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(
            f"database URL {shown_url(url)!r} is not valid",
            hint="e.g. sqlite:///.releasecare/releasecare.db or postgresql+psycopg://user@host/db",
        ) from None
    if parsed.get_backend_name() not in BACKENDS:
        raise InputError(
            f"database URL {shown_url(url)!r}: releasecare stores its history in SQLite or "
            f"PostgreSQL, not {parsed.get_backend_name()}",
            hint="e.g. sqlite:///.releasecare/releasecare.db or postgresql+psycopg://user@host/db",
        )
    kwargs: dict[str, Any] = {}
    busy = reads_busy_timeout(busy_timeout)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _check_folder(Path(_sqlite_path(parsed.database)), create=create_folder)
        kwargs["connect_args"] = {"timeout": busy}
    try:
        engine = create_engine(parsed, **kwargs)
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"the database driver for {parsed.drivername} is not installed ({exc.name})",
            hint="pip install 'releasecare[postgres]'",
        ) from None
    _busy_timeouts[engine] = busy
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", functools.partial(_sqlite_pragmas, round(busy * 1000)))
        # pysqlite's own transaction handling defers BEGIN; take it over so that a
        # transaction is one real BEGIN ... COMMIT (needed for atomic ingests).
        event.listen(engine, "begin", _sqlite_begin)
    if migrate:
        upgrade(engine)
    return engine


def _check_folder(database: Path, *, create: bool) -> None:
    """The folder of a SQLite file: made when ``create``, else it must exist; a file
    in its place (``.releasecare`` as a file) is named."""
    folder = database.parent
    for step in (folder, *folder.parents):
        if step.exists() or step.is_symlink():
            if not step.is_dir():
                raise DatabaseError(
                    f"cannot open the database {database}: {step} is a file, not a folder",
                    hint="move that file away, or point --db / [database] url elsewhere",
                )
            break
    if folder.is_dir():
        return
    if not create:
        raise DatabaseError(
            f"the folder of the database {database} does not exist: {folder}",
            hint="create it, or fix --db / RELEASECARE_DATABASE_URL",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"cannot make the folder of the database {database}: {exc.strerror}",
            hint="make the folder writable, or point --db / [database] url elsewhere",
        ) from None


# What SQLite and PostgreSQL say, to what the user reads: (words in the driver's
# message, the problem, what to do). The first match wins.
_FAILURES = (
    (
        ("database is locked", "database table is locked", "lock timeout", "locknotavailable"),
        "is locked by another writer (waited {busy:g} s)",
        "another releasecare run, or a program holding the file, is writing; run the "
        f"command again when it is done, or wait longer with {BUSY_TIMEOUT_ENV} or "
        "[database] busy_timeout (seconds)",
    ),
    (
        ("readonly database", "read-only", "readonly"),
        "is read-only",
        "make the file and its folder writable (SQLite writes -wal and -shm files beside "
        "it), or point --db at a writable copy",
    ),
    (
        ("file is not a database",),
        "is not a SQLite database",
        "point --db / [database] url at releasecare's database, or move the file away",
    ),
    (
        ("malformed", "disk image", "file is encrypted", "sqlite_corrupt"),
        "is damaged (truncated or corrupt)",
        "restore it from a backup, or move it away: a new database is made on the next "
        "run (then scan the releases and import the customers and deploys again)",
    ),
    (
        ("database or disk is full", "no space left", "disk full", "file too large"),
        "cannot be written: the disk is full",
        "free some space and run the command again (nothing of this run was stored)",
    ),
    (
        ("no such table", "no such column", "undefinedtable", "undefinedcolumn"),
        "lacks part of its schema ({said})",
        "it was changed by hand or by another program; restore it from a backup, or point "
        "--db at a new database",
    ),
    (
        ("connection refused", "could not connect", "connection failed", "could not translate"),
        "cannot be reached",
        "check the host, the port and the database name, and that the server is running",
    ),
    (
        ("disk i/o error",),
        "cannot be read or written (a disk I/O error)",
        "the disk may be full, failing or gone (a network share?); check it, then run the "
        "command again (nothing of this run was stored)",
    ),
    (
        ("unable to open database file",),
        "cannot be opened",
        "check the file, its folder and their permissions, or fix --db / [database] url",
    ),
)


def database_error(url: Any, exc: BaseException, *, busy: float | None = None) -> DatabaseError:
    """The ``DatabaseError`` for a driver's failure on the database at ``url``: names
    the database and says what to do."""
    orig = getattr(exc, "orig", None) or exc
    # sqlite3 names the extended code: a short read is a file cut short.
    code = str(getattr(orig, "sqlite_errorname", "")).replace(
        "SQLITE_IOERR_SHORT_READ", "malformed"
    )
    said = f"{type(orig).__name__}: {orig} {code}".lower()
    name = shown_url(url)
    for words, problem, hint in _FAILURES:
        if any(word in said for word in words):
            seconds = DEFAULT_BUSY_TIMEOUT if busy is None else busy
            detail = _first_line(orig, url)
            return DatabaseError(
                f"the database {name} {problem.format(busy=seconds, said=detail)}", hint=hint
            )
    return DatabaseError(
        f"database error on {name}: {_first_line(orig, url) or type(orig).__name__}",
        hint="check that the database is reachable and its server running",
    )


def _first_line(orig: BaseException, url: Any) -> str:
    """The first line of a driver's message, with the URL's password taken out."""
    text = str(orig).strip()
    first = text.splitlines()[0] if text else ""
    try:
        password = make_url(url).password
    except ArgumentError:
        password = None
    return first.replace(str(password), "***") if password else first


def engine_error(engine: Engine, exc: BaseException) -> DatabaseError:
    """:func:`database_error` for a failure on ``engine``."""
    return database_error(engine.url, exc, busy=_busy_timeouts.get(engine))


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


def _sqlite_pragmas(busy_ms: int, dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


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
    except (OperationalError, DBAPIError) as exc:
        raise engine_error(engine, exc) from None
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
    except (OperationalError, DBAPIError) as exc:
        raise engine_error(engine, exc) from None


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
                    f"the database {shown_url(engine.url)} is at schema revision {unknown[0]},"
                    " which this version of releasecare does not know (a newer release made it)",
                    hint="upgrade releasecare, or point --db at another database",
                )
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            _check_foreign_keys(connection)
    except (OperationalError, DBAPIError) as exc:
        raise engine_error(engine, exc) from None


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
    """The driver's own cursor in the session's transaction, and its parameter marker
    (``reads.reading``'s cursor).

    For bulk writes, where SQLAlchemy's per-row and per-parameter work would cost
    more than the writing itself.
    """
    with reading(session) as reader:
        yield reader.cursor, reader.marker


_option_engines: weakref.WeakKeyDictionary[Engine, dict[bool, Engine]] = weakref.WeakKeyDictionary()


def _with_write_option(engine: Engine, write: bool) -> Engine:
    """``engine`` with ``WRITE_OPTION`` set, made once per engine (``notify`` opens a
    transaction per outbox row)."""
    made = _option_engines.setdefault(engine, {})
    if write not in made:
        made[write] = engine.execution_options(**{WRITE_OPTION: write})
    return made[write]


@contextmanager
def transaction(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One session, one transaction: commit on success, roll back on any error.

    ``write=False`` for a command that only reads: on SQLite it neither waits for
    nor holds up a writer (see ``_sqlite_begin``).
    """
    session = Session(_with_write_option(engine, write), expire_on_commit=False)
    try:
        with _failures(engine), session.begin():
            yield session
    finally:
        session.close()


@contextmanager
def statements(engine: Engine) -> Iterator[Reader]:
    """One writing transaction on the driver's cursor, for a run of small statements
    (``notify``'s claim and record per outbox row) where SQLAlchemy's own work would
    cost more than the statements: commit on success, roll back on any error."""
    with (
        _failures(engine),
        _with_write_option(engine, True).begin() as connection,
        connection_reader(connection) as writer,
    ):
        yield writer


@contextmanager
def _failures(engine: Engine) -> Iterator[None]:
    """The database's failures as ``DatabaseError``s that say what to do."""
    try:
        yield
    except OperationalError as exc:
        raise engine_error(engine, exc) from None
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise DatabaseError(
                f"lost the connection to the database {shown_url(engine.url)}: {exc.orig}",
                hint="check that the server is running, then run the command again "
                "(nothing of this run was stored)",
            ) from None
        raise
