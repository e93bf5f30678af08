"""Persistence: one SQLAlchemy store for SQLite (default) and PostgreSQL.

Only this package knows SQLAlchemy. ``open_engine`` connects and brings the schema
up to date through the Alembic migrations shipped here; ``transaction`` gives one
session per command that commits everything or nothing. ``reads`` holds the queries
impact needs as SQL over a DB-API cursor, so that ``impact`` on a SQLite file can run
without SQLAlchemy: importing this package imports none of it until one of the
names below is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from releasecare.store.engine import (
        database_error,
        open_engine,
        shown_url,
        statements,
        transaction,
        upgrade,
    )

__all__ = ["database_error", "open_engine", "shown_url", "statements", "transaction", "upgrade"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from releasecare.store import engine  # noqa: PLC0415 (SQLAlchemy on first use)

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
