"""Persistence: one SQLAlchemy store for SQLite (default) and PostgreSQL.

Only this package knows SQLAlchemy. ``open_engine`` connects and brings the schema
up to date through the Alembic migrations shipped here; ``transaction`` gives one
session per command that commits everything or nothing.
"""

from releasecare.store.engine import open_engine, transaction, upgrade

__all__ = ["open_engine", "transaction", "upgrade"]
