"""Deployments in the store: bulk ingest is idempotent, atomic, and moves statuses on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from releasecare.config import Config, Environment
from releasecare.deployments import deployment_history, ingest_events
from releasecare.domain import DeployEvent, Release
from releasecare.errors import RecordError
from releasecare.store import deployments as store
from releasecare.store import open_engine, transaction
from releasecare.store import releases as release_store

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CONFIG = Config(
    path=None,
    root=Path("."),
    environments={
        "prod": Environment("prod", "Production"),
        "staging": Environment("staging", "Staging"),
    },
)


def event(
    n: int,
    *,
    env: str | None = "prod",
    status: str = "succeeded",
    external_id: str | None = None,
    version: str | None = None,
) -> DeployEvent:
    return DeployEvent(
        version=version or f"v1.{n}.0",
        status=status,
        deployed_at=T0 + timedelta(minutes=n),
        environment=env,
        external_id=external_id,
        source="jsonl:deploys.jsonl",
        location=f"deploys.jsonl:{n + 1}",
    )


def engine_with_releases(db_url: str, count: int = 7002) -> Engine:
    """A database that knows releases v1.0.0 to v1.<count>.0: ingest, like record,
    takes only versions that are releases."""
    engine = open_engine(db_url)
    with transaction(engine) as session:
        release_store.set_positions(
            session,
            [Release(f"v1.{n}.0", f"{n:040x}", T0, None, False) for n in range(count + 1)],
        )
    return engine


def test_ingest_twice_adds_nothing_twice(db_url: str) -> None:
    engine = engine_with_releases(db_url)
    events = [event(n, external_id=f"p-{n}") for n in range(5)]
    with transaction(engine) as session:
        first = ingest_events(session, CONFIG, events)
    with transaction(engine) as session:
        second = ingest_events(session, CONFIG, [*events, event(5, external_id="p-5")])
    assert (first.read, first.created) == (5, 5)
    assert (second.read, second.created, second.unchanged) == (6, 1, 5)


def test_events_without_ids_are_keyed_by_env_version_time(db_url: str) -> None:
    engine = engine_with_releases(db_url)
    with transaction(engine) as session:
        ingest_events(session, CONFIG, [event(1), event(2)])
    with transaction(engine) as session:
        again = ingest_events(session, CONFIG, [event(1), event(2), event(2, env="staging")])
        assert again.created == 1
        assert len(store.history(session)) == 3


def test_in_progress_moves_to_final_status(db_url: str) -> None:
    engine = engine_with_releases(db_url)
    with transaction(engine) as session:
        ingest_events(session, CONFIG, [event(1, status="in_progress", external_id="d-1")])
    with transaction(engine) as session:
        result = ingest_events(session, CONFIG, [event(1, status="succeeded", external_id="d-1")])
        assert result.created == 0
    with transaction(engine) as session:
        (stored,) = store.history(session)
    assert stored.status == "succeeded"


@pytest.mark.parametrize("batch", [1, 2, 20_000])
def test_in_progress_moves_on_within_one_ingest(
    db_url: str, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The final status may come in the same batch as the in-progress one, or later."""
    from releasecare import deployments

    monkeypatch.setattr(deployments, "BATCH", batch)
    engine = engine_with_releases(db_url)
    with transaction(engine) as session:
        ingest_events(
            session,
            CONFIG,
            [
                event(1, status="in_progress", external_id="d-1"),
                event(2, external_id="d-2"),
                event(1, status="failed", external_id="d-1"),
            ],
        )
    with transaction(engine) as session:
        statuses = {d.external_id: d.status for d in store.history(session)}
    assert statuses == {"d-1": "failed", "d-2": "succeeded"}


def test_a_bad_record_leaves_the_database_unchanged(db_url: str) -> None:
    engine = engine_with_releases(db_url)
    many = [event(n, external_id=f"p-{n}") for n in range(7000)]  # more than one batch
    bad = event(7001, env=None)
    with pytest.raises(RecordError) as caught, transaction(engine) as session:
        ingest_events(session, CONFIG, [*many, bad])
    assert str(caught.value) == (
        "deploys.jsonl:7002: field 'environment': no environment in the record"
    )
    with transaction(engine) as session:
        assert store.history(session) == []


def test_unknown_environment_names_the_record(db_url: str) -> None:
    engine = engine_with_releases(db_url)
    with pytest.raises(RecordError) as caught, transaction(engine) as session:
        ingest_events(session, CONFIG, [event(1, env="prdo")])
    assert "deploys.jsonl:2: field 'environment': unknown environment 'prdo'" in str(caught.value)


def test_history_shows_the_version_before(db_url: str) -> None:
    engine = engine_with_releases(db_url)
    with transaction(engine) as session:
        ingest_events(
            session,
            CONFIG,
            [event(1), event(2, status="failed"), event(3), event(4, env="staging")],
        )
        rows = deployment_history(session)
    assert [
        (r.deployment.environment, r.deployment.version, r.previous_version, r.kind) for r in rows
    ] == [
        ("prod", "v1.1.0", "v1.0.0", "first"),  # assumed: the release before
        ("prod", "v1.2.0", "v1.1.0", "failed"),
        ("prod", "v1.3.0", "v1.1.0", "update"),
        ("staging", "v1.4.0", "v1.3.0", "first"),
    ]


def test_one_run_deploying_to_two_environments_records_both(db_url: str) -> None:
    engine = engine_with_releases(db_url)
    with transaction(engine) as session:
        _, first = store.record(session, event(1, env="staging", external_id="run-7"))
        _, second = store.record(session, event(1, env="prod", external_id="run-7"))
        _, again = store.record(session, event(1, env="prod", external_id="run-7"))
        assert (first, second, again) == (True, True, False)
        assert [d.environment for d in store.history(session)] == ["prod", "staging"]
    with transaction(engine) as session:
        result = ingest_events(
            session,
            CONFIG,
            [event(2, env="staging", external_id="g-1"), event(2, external_id="g-1")],
        )
    assert result.created == 2


def test_a_failed_attempt_retried_and_shipped_moves_to_succeeded(db_url: str) -> None:
    engine = engine_with_releases(db_url)
    with transaction(engine) as session:
        store.record(session, event(1, status="failed", external_id="run-9"))
    with transaction(engine) as session:
        deployment, created = store.record(session, event(1, external_id="run-9"))
    assert (created, deployment.status) == (False, "succeeded")
    with transaction(engine) as session:
        # A later attempt that fails does not take back what reached customers.
        deployment, _ = store.record(session, event(1, status="failed", external_id="run-9"))
        (stored,) = store.history(session)
    assert deployment.status == stored.status == "succeeded"
