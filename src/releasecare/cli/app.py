"""What every command shares: the config, the database, the repository, and output.

Everything is loaded on first use, so a command that needs no database never
opens one and ``--help`` imports nothing heavy.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from releasecare.config import Config
    from releasecare.domain import Deployment
    from releasecare.store.reads import Reader

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    config_path: str | None = None
    db_url: str | None = None
    repo_path: str | None = None
    _engine: Engine | None = field(default=None, init=False, repr=False)

    @cached_property
    def config(self) -> Config:
        from releasecare.config import load_config

        config = load_config(Path(self.config_path) if self.config_path else None)
        for line in config.deprecations:
            info(f"warning: {line}")
        return config

    @property
    def repo(self) -> Path:
        """The git repository: ``--repo``, else the config's folder, else the cwd."""
        if self.repo_path:
            return Path(self.repo_path).resolve()
        return self.config.root

    def database_url(self) -> str:
        from releasecare.config import resolve_sqlite_path

        if self.db_url:
            return resolve_sqlite_path(self.db_url, Path.cwd())
        return self.config.resolved_database_url()

    def database_is_new(self) -> bool:
        """Whether the database is a SQLite file that does not exist yet (nothing stored).

        Answered without SQLAlchemy, so a command can start work before opening it.
        """
        from releasecare.config import sqlite_file

        path = sqlite_file(self.database_url())
        return path is not None and not path.exists()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from releasecare.store import open_engine

            # A database the user named (--db, RELEASECARE_DATABASE_URL) is used where
            # it is; only the config's location has its folder made.
            self._engine = open_engine(
                self.database_url(),
                create_folder=self.db_url is None,
                busy_timeout=self._busy_timeout(),
            )
        return self._engine

    def _busy_timeout(self) -> float | None:
        """``[database] busy_timeout`` when there is a config (``--db`` needs none)."""
        from releasecare.errors import InputError

        try:
            return self.config.busy_timeout
        except InputError:
            if self.db_url:
                return None  # a command that reads no config: the default
            raise

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction for the whole command: all of it is stored, or none.

        A SQLite database this command made is removed again when the command fails:
        a failed command leaves nothing behind. A command that only reads says
        ``write=False`` (on SQLite it then never waits for a writer).
        """
        from releasecare.config import sqlite_file
        from releasecare.store import transaction

        made = sqlite_file(self.database_url()) if self.database_is_new() else None
        try:
            with transaction(self.engine, write=write) as session:
                yield session
        except BaseException:
            if made is not None:
                self._remove_database(made)
            raise

    @contextmanager
    def reading(self) -> Iterator[Session | Reader]:
        """For a command that only reads: a store Reader on the SQLite file itself when
        it exists at the current schema (no SQLAlchemy is imported), else a session
        (``transaction``: the database is created, migrated or refused as always)."""
        from releasecare.config import sqlite_file
        from releasecare.store.reads import busy_timeout, sqlite_reader

        path = sqlite_file(self.database_url())
        if path is not None and path.is_file():
            with sqlite_reader(path, busy_timeout(self._busy_timeout())) as reader:
                if reader is not None:
                    # The driver's errors become the database's in the CLI (_translate).
                    yield reader
                    return
        with self.transaction(write=False) as session:
            yield session

    def _remove_database(self, path: Path) -> None:
        """Remove the SQLite file this command made, unless someone else uses it by now
        (pipelines starting together on a new file each think they made it): only a
        file that holds no row and that no other connection has open a transaction on
        is removed."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if not _unused_and_empty(path):
            return
        for leftover in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            with contextlib.suppress(OSError):  # a folder that is a file: nothing was made
                leftover.unlink(missing_ok=True)


def _unused_and_empty(path: Path) -> bool:
    import sqlite3

    try:
        connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    except sqlite3.Error:
        return True  # not even a database: nothing of anyone's is in it
    try:
        connection.execute("BEGIN EXCLUSIVE")  # fails at once while another writes
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
            )
        ]
        for table in tables:
            quoted = table.replace('"', '""')
            if connection.execute(f'SELECT 1 FROM "{quoted}" LIMIT 1').fetchone():
                return False
        return True
    except sqlite3.Error:
        return False
    finally:
        connection.close()


pass_app = click.make_pass_decorator(App)


def json_option(func: F) -> F:
    """``--json``: print one JSON document on stdout and nothing else."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON document on stdout."
    )(func)


def emit_json(document: Any) -> None:
    from releasecare.jsonout import as_text

    click.echo(as_text(document))


def info(message: str) -> None:
    """Progress and diagnostics go to stderr, so stdout stays clean for pipes."""
    click.echo(message, err=True)


def nothing_changed(deployment: Deployment) -> str:
    """The line for a deploy that never reached customers (failed, in progress)."""
    return (
        f"deployment #{deployment.id} {deployment.status.replace('_', ' ')}: "
        "nothing changed for customers"
    )


def parse_time(value: str | None, option: str) -> Any:
    """An ISO 8601 option value with an offset; naive times are refused."""
    from releasecare.errors import InputError
    from releasecare.times import EXAMPLE, parse_time

    if value is None:
        return None
    try:
        return parse_time(value, naive_hint=f"; add one, e.g. {EXAMPLE} or ...Z")
    except ValueError as exc:
        raise InputError(f"{option}: {exc}", hint=f"e.g. {EXAMPLE}") from None
