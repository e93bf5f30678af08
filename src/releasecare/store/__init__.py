"""Persistence: one SQLAlchemy store for SQLite (default) and PostgreSQL.

Only this package knows SQLAlchemy. ``open_engine`` connects and brings the schema
up to date through the Alembic migrations shipped here; ``transaction`` gives one
session per command that commits everything or nothing.
"""

from releasecare.store.engine import database_error, open_engine, shown_url, transaction, upgrade

__all__ = ["database_error", "open_engine", "shown_url", "transaction", "upgrade"]
