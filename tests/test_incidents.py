"""Incidents through the core: impact minutes (open, resolved, per component), opens
racing on one external id, the migration that brought the incident columns, and
the incident voice rules.

Budget: the race runs two real transactions once per database (PostgreSQL makes
the second wait on the first's row, deterministically); no random examples.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from releasecare.affected import hurt, incident_minutes
from releasecare.config import Config, load_config
from releasecare.domain import ComponentSpan
from releasecare.incidents import open_incident, update_incident
from releasecare.store import incidents as store
from releasecare.store import open_engine, transaction
from releasecare.store.incidents import NewIncident
from releasecare.voicelint import VoiceOptions
from releasecare.voicelint.incident import lint_incident_message
from tests.helpers import Runner

T0 = datetime(2026, 10, 22, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def core(project: Runner) -> Iterator[tuple[Engine, Config]]:
    project.ok("release", "scan")
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    engine = open_engine(project.db_url)
    yield engine, load_config(project.cwd / "releasecare.toml")
    engine.dispose()


def test_minutes_run_to_now_while_open_and_stop_at_the_resolution(
    core: tuple[Engine, Config],
) -> None:
    engine, config = core
    with transaction(engine) as session:
        opened = open_incident(
            session,
            config,
            title="x",
            environment="production-eu",
            components=["checkout"],
            started_at=T0,
            now=at(5),
        )
    incident = opened.incident
    with transaction(engine) as session:
        assert [(h.customer_id, h.minutes) for h in hurt(session, incident, at(45))] == [
            ("acme", 45)
        ]
        assert incident_minutes(incident, at(45)) == 45
        resolved = update_incident(
            session,
            config,
            incident.id,
            status="resolved",
            message="Card payments work again.",
            at=at(50),
            now=at(60),
        ).incident
    with transaction(engine) as session:
        assert [(h.customer_id, h.minutes) for h in hurt(session, resolved, at(500))] == [
            ("acme", 50)
        ]
        assert incident_minutes(resolved, at(500)) == 50


def test_components_with_their_own_times_count_per_component(
    core: tuple[Engine, Config],
) -> None:
    """As an importer gives them: checkout 0-30, invoices 20-60, search 45-50."""
    engine, config = core
    spans = (
        ComponentSpan("checkout", at(0), at(30)),
        ComponentSpan("invoices", at(20), at(60)),
        ComponentSpan("search", at(45), at(50)),
    )
    with transaction(engine) as session:
        incident, created = store.open_incident(
            session,
            NewIncident(title="x", environment="production-eu", started_at=T0, spans=spans),
        )
        assert created
        update_incident(
            session, config, incident.id, status="resolved", message="Works.", at=at(60), now=at(61)
        )
    with transaction(engine) as session:
        resolved = store.get(session, incident.id)
        assert resolved is not None
        result = {h.customer_id: h for h in hurt(session, resolved, at(999))}
    # Acme: checkout and invoices overlap from 20 to 30: 60 minutes in all, not 70.
    assert result["acme"].minutes == 60
    assert result["acme"].per_component == (("checkout", 30), ("invoices", 40))
    assert result["globex"].minutes == 5
    assert result["globex"].per_component == (("search", 5),)


def test_an_open_component_counts_to_now(core: tuple[Engine, Config]) -> None:
    engine, _ = core
    with transaction(engine) as session:
        incident, _ = store.open_incident(
            session,
            NewIncident(
                title="x",
                environment="production-eu",
                started_at=T0,
                spans=(ComponentSpan("search", at(10), None),),
            ),
        )
        (globex,) = hurt(session, incident, at(40))
    assert (globex.customer_id, globex.minutes, globex.per_component) == (
        "globex",
        30,
        (("search", 30),),
    )


def test_two_opens_of_one_external_id_at_once_store_one(core: tuple[Engine, Config]) -> None:
    """Two pipelines open the same incident (``--id``) at once. The first holds its
    transaction open after opening; the second's open runs meanwhile (PostgreSQL: it
    waits on the row; SQLite: on the write lock), and finds the incident once the
    first commits, without an error."""
    engine, config = core
    inserted, release = threading.Event(), threading.Event()
    results: dict[str, tuple[int, bool]] = {}
    errors: list[BaseException] = []

    def open_once(name: str) -> None:
        try:
            with transaction(engine) as session:
                opened = open_incident(
                    session,
                    config,
                    title="x",
                    environment="production-eu",
                    components=["checkout"],
                    customers=["globex"],
                    started_at=T0,
                    message="Card payments fail.",
                    external_id="run-7",
                    now=at(1),
                )
                results[name] = (opened.incident.id, opened.created)
                if name == "first":
                    inserted.set()
                    release.wait(10)
        except BaseException as exc:
            errors.append(exc)
            inserted.set()

    one = threading.Thread(target=open_once, args=("first",))
    one.start()
    assert inserted.wait(10)
    two = threading.Thread(target=open_once, args=("second",))
    two.start()
    time.sleep(0.3)  # the second is waiting now
    assert "second" not in results
    release.set()
    one.join(10)
    two.join(10)
    assert errors == []
    assert results["first"][1] is True and results["second"] == (results["first"][0], False)
    with transaction(engine) as session:
        (stored,) = store.listing(session)
        assert len(stored.updates) == 1
        assert [r.customer_id for r in store.affected(session, stored.id)] == ["globex"]


def test_the_migration_keeps_incidents_stored_before_it(sqlite_url: str) -> None:
    from sqlalchemy import create_engine, text

    from releasecare.store.engine import migrate

    engine = create_engine(sqlite_url)
    migrate(engine, "0003")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO incidents (title, environment, status, started_at, source) "
                "VALUES ('Old', 'production-eu', 'investigating', '2026-10-01 10:00:00', 'cli')"
            )
        )
        conn.execute(
            text("INSERT INTO incident_components (incident_id, component) VALUES (1, 'checkout')")
        )
    migrate(engine)
    with transaction(engine) as session:
        incident = store.get(session, 1)
    assert incident is not None
    assert incident.title == "Old" and incident.public_title is None
    assert incident.suspect_named is False
    assert incident.spans == (ComponentSpan("checkout"),)


# --- the incident voice rules ----------------------------------------------------------

NAMES = ["Checkout", "Invoices", "Search"]
VOICE = VoiceOptions(author_names=("Dana Dev", "Sam Ops"))


def rules(text: str, status: str = "investigating") -> set[str]:
    return {
        f.rule
        for f in lint_incident_message(
            text, status, "--message", VOICE, component_names=NAMES, today=T0
        )
    }


@pytest.mark.parametrize(
    ("text", "status", "expected"),
    [
        # "We" taking responsibility is right in an incident.
        ("We are investigating failed card payments.", "investigating", set()),
        ("We rolled back the change and Checkout works again.", "monitoring", set()),
        # ... but the message must say what the customer sees.
        ("We are investigating.", "investigating", {"what-you-see"}),
        ("We are working on it.", "identified", {"what-you-see"}),
        ("Card payments fail. We are working on a fix.", "identified", set()),
        ("Card payments fail. We are working to make it faster.", "identified", {"promise"}),
        ("Invoices are late for some of you.", "investigating", set()),
        # No cause while investigating; once identified it may be told.
        (
            "Checkout fails for some of you, caused by a bad update.",
            "investigating",
            {"cause-too-early", "technical-problem"},
        ),
        ("Search is slow because of a bug.", "investigating", {"cause-too-early"}),
        ("Search is slow after a release this morning.", "investigating", {"cause-too-early"}),
        ("Search was slow after a release this morning.", "identified", set()),
        # Promises, blame, internal references and people's names, as everywhere.
        ("Checkout fails. This will never happen again.", "identified", {"promise"}),
        ("Search is slow. We will post more soon.", "identified", {"promise"}),
        ("Checkout fails when you entered the coupon wrongly.", "identified", {"blame"}),
        ("Checkout fails; see PAY-1234.", "identified", {"internal-reference"}),
        ("Checkout fails. Dana Dev is on it.", "investigating", {"internal-reference"}),
    ],
)
def test_incident_voice_rules(text: str, status: str, expected: set[str]) -> None:
    assert rules(text, status) == expected


def test_the_configured_people_count_as_names(core: tuple[Engine, Config]) -> None:
    engine, config = core
    config_path = config.path
    assert config_path is not None
    config_path.write_text(
        config_path.read_text() + '\n[incidents]\npeople = ["Alex Oncall"]\n', encoding="utf-8"
    )
    config = load_config(config_path)
    with transaction(engine) as session:
        opened = open_incident(
            session,
            config,
            title="x",
            environment="production-eu",
            started_at=T0,
            message="Checkout fails for some of you. Alex Oncall and Dana Dev are on it.",
            now=at(1),
        )
    spans = {f.span for f in opened.warnings if f.rule == "internal-reference"}
    assert spans == {"Alex Oncall", "Dana Dev"}  # configured, and a git author
