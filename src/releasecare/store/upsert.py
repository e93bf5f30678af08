"""Writes that two pipelines may make at once: upserts, and a lock for read-then-write.

Every write that can race is one ``INSERT ... ON CONFLICT`` on its natural key, so
a concurrent writer of the same row makes it wait (PostgreSQL) or is serialised
(SQLite takes the write lock when the transaction begins, see ``engine``), and
never fails on a duplicate. A rule that must read before it writes (the latest
deploy on an environment, the schema's state) takes ``serialize`` first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session


def insert(session: Session | Connection, table: Any) -> Any:
    """``INSERT`` into ``table`` (a model or a Table) in the dialect of ``session``,
    with its ``on_conflict_do_nothing`` and ``on_conflict_do_update``."""
    name = (session.connection() if isinstance(session, Session) else session).dialect.name
    # open_engine admits these two backends only (BACKENDS).
    return sqlite.insert(table) if name == "sqlite" else postgresql.insert(table)


def serialize(session: Session | Connection, name: str) -> None:
    """Wait until no other transaction holds ``name``; hold it until this one ends.

    PostgreSQL: a transaction-scoped advisory lock on the name's hash. SQLite: nothing
    to do, since a writing transaction holds the whole database from its start.
    """
    connection = session.connection() if isinstance(session, Session) else session
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(func.hashtext(name))))
