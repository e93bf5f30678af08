"""The store: migrations on an empty database, SQLite pragmas, atomic transactions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from releasecare.domain import DeployEvent
from releasecare.store import deployments as deployment_store
from releasecare.store import open_engine, transaction
from releasecare.store.engine import SCHEMA_HEAD


def test_empty_database_is_migrated_on_first_use(db_url: str) -> None:
    engine = open_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    assert {
        "releases",
        "changes",
        "commits",
        "change_files",
        "change_components",
        "deployments",
        "customers",
        "customer_environments",
        "customer_components",
        "freeze_windows",
        "incidents",
        "incident_updates",
        "incident_components",
        "notices",
        "deliveries",
        "alembic_version",
    } <= tables
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
    open_engine(db_url)  # a second open is a no-op, not an error


def test_sqlite_runs_with_wal_and_busy_timeout(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_failed_transaction_leaves_nothing(db_url: str) -> None:
    engine = open_engine(db_url)
    event = DeployEvent(
        version="v1",
        status="succeeded",
        environment="prod",
        deployed_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    with pytest.raises(RuntimeError), transaction(engine) as session:
        deployment_store.record(session, event)
        raise RuntimeError("boom")
    with transaction(engine) as session:
        assert deployment_store.history(session) == []


def test_times_come_back_as_utc(db_url: str) -> None:
    engine = open_engine(db_url)
    berlin = timezone(timedelta(hours=1))
    event = DeployEvent(
        version="v1",
        status="succeeded",
        environment="prod",
        deployed_at=datetime(2026, 11, 20, 10, 14, tzinfo=berlin),
    )
    with transaction(engine) as session:
        deployment_store.record(session, event)
    with transaction(engine) as session:
        (stored,) = deployment_store.history(session)
    assert stored.deployed_at == datetime(2026, 11, 20, 9, 14, tzinfo=UTC)
    assert stored.deployed_at.tzinfo == UTC


def test_migrations_match_the_models(db_url: str) -> None:
    """Every model change ships as a migration: autogenerate finds nothing to add."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    from releasecare.store.engine import migrate
    from releasecare.store.models import Base

    engine = create_engine(db_url)
    migrate(engine)  # the migrations themselves, not the shortcut for empty databases
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        heads = MigrationContext.configure(conn).get_current_heads()
    assert diff == []
    assert heads == (SCHEMA_HEAD,)


def test_a_new_database_is_stamped_so_that_later_migrations_apply(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic.runtime.migration import MigrationContext

    from releasecare.store import engine as engine_module
    from releasecare.store.engine import SCHEMA_HEAD, migrate, schema_state

    def no_migrations(*args: object) -> None:
        raise AssertionError("an empty database is created from the models")

    with monkeypatch.context() as patched:
        patched.setattr(engine_module, "migrate", no_migrations)
        engine = open_engine(db_url)
    assert schema_state(engine) == "current"
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == (SCHEMA_HEAD,)
    migrate(engine)  # Alembic agrees there is nothing to do
    assert schema_state(engine) == "current"


def test_a_database_with_our_tables_but_no_version_is_not_taken_for_empty(
    sqlite_url: str,
) -> None:
    from releasecare.store.engine import schema_state

    engine = open_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
    assert schema_state(engine) == "behind"


def test_schema_head_constant_is_the_newest_migration() -> None:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from releasecare.store.engine import MIGRATIONS, SCHEMA_HEAD

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [SCHEMA_HEAD]


def test_a_database_from_before_the_commit_graph_scans_its_releases_again(
    tmp_path: Path, sqlite_url: str
) -> None:
    """0002 adds the graph; releases scanned before it are walked again by the next
    scan, so that every deploy's change set can be computed from the database."""
    from sqlalchemy import create_engine

    from releasecare.store.engine import migrate
    from tests.gitfactory import GitRepoFactory
    from tests.helpers import Runner

    engine = create_engine(sqlite_url)
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO releases (tag, sha, tagged_at, position, scanned_at) "
                "VALUES ('v1.0.0', :sha, '2026-01-01 10:00:00', 0, '2026-01-02 10:00:00')"
            ),
            {"sha": "0" * 40},
        )
    engine.dispose()
    git = GitRepoFactory(tmp_path / "repo")
    git.commit("feat: one", files={"a.py": "1"})
    git.tag("v1.0.0")
    runner = Runner(git.path, sqlite_url)
    scanned = runner.json("release", "scan")
    assert [r["tag"] for r in scanned["scanned"]] == ["v1.0.0"]
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM commits")).scalar() == 1
    engine.dispose()


def test_saved_graph_numbers_generations_from_parents_stored_before(db_url: str) -> None:
    """1 + the largest parent's generation, across merges and across scans."""
    from releasecare.store import commits as commit_store

    engine = open_engine(db_url)
    with transaction(engine) as session:
        # a <- b, a <- c, d merges b and c; listed children first, as a walk lists them.
        walked = [("d", ("b", "c")), ("c", ("a",)), ("b", ("a",)), ("a", ())]
        assert commit_store.save_graph(session, walked) == 4
        # A later scan: its walk stops at what is stored; e's parents are outside it.
        commit_store.save_graph(session, [("f", ("e",)), ("e", ("c", "d"))])
        assert commit_store.generations(session, "abcdef") == {
            "a": 1,
            "b": 2,
            "c": 2,
            "d": 3,
            "e": 4,
            "f": 5,
        }
    engine.dispose()


def test_changes_are_written_with_the_garbage_collector_paused(sqlite_url: str) -> None:
    """A scan's stream of changes is read with the collector paused (it would otherwise
    run hundreds of times); it is on again afterwards, and one already off stays off."""
    import gc

    from releasecare.domain import Change, Release
    from releasecare.store import releases as release_store

    collecting: list[bool] = []

    def changes() -> Iterator[Change]:
        collecting.append(gc.isenabled())
        yield Change(sha="1" * 40, summary="feat: one")

    release = Release("v1.0.0", "1" * 40, datetime(2026, 1, 1, tzinfo=UTC))
    engine = open_engine(sqlite_url)
    with transaction(engine) as session:
        release_store.set_positions(session, [release])
        release_store.save_release(
            session, release, position=0, previous_tag=None, changes=changes()
        )
        assert collecting == [False]
        assert gc.isenabled()
        gc.disable()
        try:
            with release_store.collector_paused():
                pass
            assert not gc.isenabled()
        finally:
            gc.enable()
    engine.dispose()
