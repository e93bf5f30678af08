"""Migrations with data: a database filled at every older revision upgrades to the head
with its data intact, and the app reads it; downgrade and upgrade again run cleanly.

For each revision R (0001, 0002, ...), a database is migrated to R, filled by SQL
against R's own schema (reflected, not the models: they are the head's) with the
rows a team would have stored by then (releases, changes with files and
components, deployments, customers with environments, components and freeze
windows, incidents with components and updates, notices, deliveries), upgraded to
the head, and compared row by row; then ``deploy list``, ``release show`` and
``customers list`` run through the CLI on it. A new revision is covered by adding
its fill function to ``FILLS`` (a test fails until it is there), and what its
upgrade changes on purpose to ``CHANGED_BY``.

Budget: about 2 s on SQLite and 4 s on PostgreSQL (each revision's database is
built by the migrations themselves); no randomness.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from releasecare.store import open_engine
from releasecare.store.engine import MIGRATIONS, SCHEMA_HEAD, migrate
from tests.helpers import CONFIG, Runner


@dataclass
class Filled:
    """The rows a fill wrote: table -> rows (column -> value), and their ids."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


class Filler:
    """Inserts rows into a database at some revision, through its reflected tables."""

    def __init__(self, connection: Any) -> None:
        from sqlalchemy import MetaData

        self.connection = connection
        self.metadata = MetaData()
        self.metadata.reflect(connection)
        self.filled = Filled()

    def add(self, table: str, label: str | None = None, /, **values: Any) -> int | None:
        """Insert one row; returns its generated id (for tables with one), which
        ``filled.ids[label]`` keeps for rows that refer to it."""
        reflected = self.metadata.tables[table]
        statement = reflected.insert().values(**values)
        row_id = None
        if "id" in reflected.c and "id" not in values:
            row_id = self.connection.execute(statement.returning(reflected.c.id)).scalar_one()
            values = {"id": row_id, **values}
        else:
            self.connection.execute(statement)
        self.filled.rows.setdefault(table, []).append(values)
        if label is not None and row_id is not None:
            self.filled.ids[label] = row_id
        return row_id


def at(text: str) -> datetime:
    """A naive UTC time, as the schema stores times."""
    return datetime.fromisoformat(text)


def fill_0001(db: Filler) -> None:
    """The initial schema: everything but the commit graph."""
    for position, (tag, sha, when) in enumerate(
        [("v1.0.0", "a" * 40, "2026-10-01 10:00:00"), ("v1.1.0", "b" * 40, "2026-10-10 10:00:00")]
    ):
        db.add(
            "releases",
            tag,
            tag=tag,
            sha=sha,
            tagged_at=at(when),
            message=f"Release {tag}",
            position=position,
            previous_tag="v1.0.0" if position else None,
            scanned_at=at("2026-10-11 08:00:00"),
        )
    change = {
        "body": "",
        "breaking": False,
        "audience": "customer",
        "visible": True,
        "author_name": "Dana Dev",
        "author_email": "dana@example.com",
        "authored_at": at("2026-10-09 12:00:00"),
    }
    for name, release, sha, summary, note, files, components in [
        (
            "pay",
            "v1.0.0",
            "a" * 40,
            "feat(checkout): pay by card",
            None,
            ["services/checkout/a.py"],
            ["checkout"],
        ),
        (
            "pdf",
            "v1.1.0",
            "b" * 40,
            "feat(invoices): PDF download",
            "You can now download invoices as PDF.",
            ["services/invoices/pdf.py", "services/checkout/link.py"],
            ["checkout", "invoices"],
        ),
    ]:
        change_id = db.add(
            "changes",
            name,
            sha=sha,
            release_id=db.filled.ids[release],
            summary=summary,
            type="feat",
            scope=summary.split("(")[1].split(")")[0],
            customer_note=note,
            note_source="trailer" if note else None,
            impact="low",
            ordinal=0,
            **change,
        )
        for path in files:
            db.add("change_files", change_id=change_id, path=path, status="A", old_path=None)
        for key in components:
            db.add("change_components", change_id=change_id, component=key)
    deploy = {"source": "cli", "description": None, "recorded_at": at("2026-10-12 00:00:00")}
    for name, env, version, status, when, external_id in [
        ("d1", "production-eu", "v1.0.0", "succeeded", "2026-10-02 09:00:00", None),
        ("d2", "production-eu", "v1.1.0", "succeeded", "2026-10-11 09:00:00", "run-7"),
        ("d3", "staging", "v1.1.0", "failed", "2026-10-10 18:00:00", None),
    ]:
        db.add(
            "deployments",
            name,
            environment=env,
            version=version,
            sha=None,
            status=status,
            deployed_at=at(when),
            finished_at=None,
            external_id=external_id,
            **deploy,
        )
    db.add(
        "customers",
        id="acme",
        name="Acme GmbH",
        timezone="Europe/Berlin",
        locale="de-DE",
        tier="enterprise",
        all_environments=False,
        all_components=False,
        contacts={"email": ["ops@acme.example"], "webhook_url": None},
        updated_at=at("2026-10-01 00:00:00"),
    )
    db.add(
        "customers",
        id="initech",
        name="Initech",
        timezone="UTC",
        locale="en",
        tier=None,
        all_environments=False,
        all_components=True,
        contacts={},
        updated_at=at("2026-10-01 00:00:00"),
    )
    db.add("customer_environments", customer_id="acme", environment="production-eu")
    db.add("customer_environments", customer_id="initech", environment="staging")
    db.add("customer_components", customer_id="acme", component="invoices")
    db.add(
        "freeze_windows",
        customer_id="acme",
        start=at("2026-11-25 23:00:00"),
        end=at("2026-11-30 23:00:00"),
        reason="Black Friday",
    )
    incident = db.add(
        "incidents",
        "outage",
        title="Invoices slow to open",
        environment="production-eu",
        severity="minor",
        status="resolved",
        started_at=at("2026-10-11 10:00:00"),
        resolved_at=at("2026-10-11 11:30:00"),
        suspect_deployment_id=db.filled.ids["d2"],
        source="cli",
        external_id=None,
    )
    db.add("incident_components", incident_id=incident, component="invoices")
    db.add(
        "incident_updates",
        incident_id=incident,
        status="resolved",
        message="Invoices open as fast as before.",
        at=at("2026-10-11 11:30:00"),
    )
    notice = db.add(
        "notices",
        customer_id="acme",
        subject=f"deployment:{db.filled.ids['d2']}",
        deployment_id=db.filled.ids["d2"],
        incident_id=None,
        format="md",
        path="notices/acme/2026-10-11-production-eu-v1.1.0.md",
        sha256="c" * 64,
        rendered_at=at("2026-10-11 09:05:00"),
    )
    if "notice_id" not in db.metadata.tables["deliveries"].c:
        return  # 0005 and later: the outbox's table (fill_0005)
    db.add(
        "deliveries",
        notice_id=notice,
        channel="webhook",
        target="https://hooks.acme.example/releases",
        idempotency_key=f"notice-{notice}-webhook",
        status="delivered",
        attempts=1,
        response_code=200,
        error=None,
        delivered_at=at("2026-10-11 09:06:00"),
    )


def fill_0002(db: Filler) -> None:
    """The commit graph and settings; a deployed commit no release contains yet."""
    fill_0001(db)
    db.add("commits", sha="a" * 40, generation=1, parents="")
    db.add("commits", sha="b" * 40, generation=2, parents="a" * 40)
    db.add("commits", sha="d" * 40, generation=3, parents="b" * 40)
    db.add("settings", key="scan_settings", value="fingerprint-1")
    db.add(
        "changes",
        "unreleased",
        sha="d" * 40,
        release_id=None,
        summary="fix(search): results load again",
        body="",
        type="fix",
        scope="search",
        breaking=False,
        customer_note=None,
        note_source=None,
        impact=None,
        audience="customer",
        visible=True,
        author_name="Dana Dev",
        author_email="dana@example.com",
        authored_at=at("2026-10-12 12:00:00"),
        ordinal=0,
    )
    db.add(
        "deployments",
        "d4",
        environment="staging",
        version="v1.1.0",
        sha="d" * 40,
        status="succeeded",
        deployed_at=at("2026-10-12 13:00:00"),
        finished_at=at("2026-10-12 13:05:00"),
        source="cli",
        external_id=None,
        description="continuous deployment",
        recorded_at=at("2026-10-12 13:06:00"),
    )


def fill_0003(db: Filler) -> None:
    """One CI run (one external id) deploying to two environments."""
    fill_0002(db)
    for env in ("staging", "production-eu"):
        db.add(
            "deployments",
            f"run-9-{env}",
            environment=env,
            version="v1.1.0",
            sha="b" * 40,
            status="succeeded",
            deployed_at=at("2026-10-13 09:00:00"),
            finished_at=None,
            source="github",
            external_id="run-9",
            description=None,
            recorded_at=at("2026-10-13 09:10:00"),
        )


def fill_0004(db: Filler) -> None:
    """An incident with a public title, a named suspect, a component's own times and
    the customers fixed when it resolved."""
    fill_0003(db)
    incident = db.add(
        "incidents",
        "checkout-down",
        title="PSP timeouts (internal)",
        public_title="Card payments failing",
        environment="production-eu",
        severity="major",
        status="resolved",
        started_at=at("2026-10-13 10:00:00"),
        resolved_at=at("2026-10-13 10:45:00"),
        suspect_deployment_id=db.filled.ids["run-9-production-eu"],
        suspect_named=True,
        source="cli",
        external_id="run-10",
    )
    db.add(
        "incident_components",
        incident_id=incident,
        component="checkout",
        started_at=at("2026-10-13 10:05:00"),
        resolved_at=at("2026-10-13 10:40:00"),
    )
    db.add(
        "incident_customers",
        incident_id=incident,
        customer_id="acme",
        name="Acme GmbH",
        components="checkout",
        named=False,
    )


def fill_0005(db: Filler) -> None:
    """Notice versions with their content, the outbox, a disabled target."""
    fill_0004(db)
    version = db.add(
        "notice_versions",
        customer_id="acme",
        subject=f"deployment:{db.filled.ids['d2']}",
        deployment_id=db.filled.ids["d2"],
        incident_id=None,
        version=1,
        fingerprint="f" * 64,
        title="Shopfront: what changed for Acme GmbH",
        md="# Shopfront v1.1.0",
        html="<h1>Shopfront v1.1.0</h1>",
        txt="Shopfront v1.1.0",
        json='{"customer": {"id": "acme"}}',
        created_at=at("2026-10-11 09:05:00"),
    )
    db.add(
        "deliveries",
        notice_version_id=version,
        customer_id="acme",
        channel="webhook",
        target_key="1" * 32,
        target="https://hooks.acme.example/releases",
        message_id="msg_" + "2" * 32,
        state="sent",
        attempts=1,
        last_code=200,
        last_reply="HTTP 200",
        next_attempt_at=None,
        created_at=at("2026-10-11 09:06:00"),
        updated_at=at("2026-10-11 09:06:01"),
        sent_at=at("2026-10-11 09:06:01"),
    )
    db.add(
        "disabled_targets",
        customer_id="acme",
        channel="slack",
        target_key="3" * 32,
        reason="Slack says channel_not_found",
        disabled_at=at("2026-10-11 09:07:00"),
    )


def fill_0006(db: Filler) -> None:
    """A digest mark: what a customer on a daily cadence was last told."""
    fill_0005(db)
    db.add(
        "digest_marks",
        customer_id="acme",
        environment="production-eu",
        deployment_id=db.filled.ids["d2"],
        updated_at=at("2026-10-12 07:00:00"),
    )


# Revision -> how to fill a database at that revision.
FILLS: dict[str, Callable[[Filler], None]] = {
    "0001": fill_0001,
    "0002": fill_0002,
    "0003": fill_0003,
    "0004": fill_0004,
    "0005": fill_0005,
    "0006": fill_0006,
}

# Tables an upgrade makes again, their old rows gone on purpose: 0005 makes
# ``deliveries`` the outbox (no release ever wrote the old table).
DROPPED_BY: dict[str, set[str]] = {"0005": {"deliveries"}}

# What upgrading through a revision changes on purpose: (table, column) -> new value.
CHANGED_BY: dict[str, dict[tuple[str, str], Any]] = {
    # Releases are marked unscanned: the next scan stores the commit graph.
    "0002": {("releases", "scanned_at"): None},
}


def revisions() -> list[str]:
    """Every revision, oldest first."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return [rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()][::-1]


def test_every_revision_has_a_fill() -> None:
    assert list(FILLS) == revisions()
    assert revisions()[-1] == SCHEMA_HEAD


def expected_after_upgrade(filled: Filled, since: str) -> dict[str, list[dict[str, Any]]]:
    """The filled rows as the head should hold them, after the upgrades past ``since``."""
    later = revisions()[revisions().index(since) + 1 :]
    expected = {table: [dict(row) for row in rows] for table, rows in filled.rows.items()}
    for revision in later:
        for table in DROPPED_BY.get(revision, set()):
            expected.pop(table, None)
        for (table, column), value in CHANGED_BY.get(revision, {}).items():
            for row in expected.get(table, []):
                row[column] = value
    return expected


def stored_rows(engine: Any, table: str, columns: list[str]) -> list[dict[str, Any]]:
    from sqlalchemy import MetaData, Table, select

    with engine.connect() as connection:
        reflected = Table(table, MetaData(), autoload_with=connection)
        rows = connection.execute(select(*(reflected.c[c] for c in columns))).mappings()
        return [dict(row) for row in rows]


def key(row: dict[str, Any]) -> str:
    return repr(sorted((k, repr(v)) for k, v in row.items()))


@pytest.mark.parametrize("revision", list(FILLS))
def test_data_at_each_revision_upgrades_intact(revision: str, db_url: str, tmp_path: Path) -> None:
    engine = open_engine(db_url, migrate=False)
    migrate(engine, revision)
    with engine.begin() as connection:
        filler = Filler(connection)
        FILLS[revision](filler)

    migrate(engine)

    for table, rows in expected_after_upgrade(filler.filled, revision).items():
        # Rows filled at different revisions carry different columns: each is compared
        # on its own, with the columns it was filled with.
        stored = stored_rows(engine, table, list(dict.fromkeys(c for r in rows for c in r)))
        assert len(stored) == len(rows), f"{table} after {revision}"
        for row in rows:
            match = next((s for s in stored if {c: s[c] for c in row} == row), None)
            assert match is not None, f"{table} after {revision}: {row} is not stored as it was"
            stored.remove(match)
    engine.dispose()

    (tmp_path / "releasecare.toml").write_text(CONFIG, encoding="utf-8")
    app = Runner(cwd=tmp_path, db_url=db_url)
    deployed = {d["id"]: d for d in app.json("deploy", "list")["deployments"]}
    ids = filler.filled.ids
    assert [deployed[ids[d]]["status"] for d in ("d1", "d2", "d3")] == [
        "succeeded",
        "succeeded",
        "failed",
    ]
    assert deployed[ids["d2"]]["previous_version"] == "v1.0.0"
    assert deployed[ids["d2"]]["external_id"] == "run-7"
    shown = app.json("release", "show", "v1.1.0")
    [change] = shown["changes"]
    assert change["customer_note"] == "You can now download invoices as PDF."
    assert change["components"] == ["checkout", "invoices"]
    customers = app.json("customers", "list")["customers"]
    assert [c["id"] for c in customers] == ["acme", "initech"]
    # The incidents stored at any revision read back (0004 added their columns).
    incidents = app.json("incident", "list")["incidents"]
    assert incidents[-1]["title"] == "Invoices slow to open"
    assert incidents[-1]["minutes"] == 90
    if revision >= "0004":
        shown = app.json("incident", "show", str(ids["checkout-down"]))
        assert shown["incident"]["public_title"] == "Card payments failing"
        assert shown["suspect"]["named"] is True
        assert [(c["id"], c["minutes"]) for c in shown["customers"]] == [("acme", 35)]


@pytest.mark.parametrize("born", ["from the models", "by the migrations"])
def test_downgrade_to_base_and_upgrade_again(born: str, db_url: str) -> None:
    """An empty database, however it was made, goes down to nothing and up again."""
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from sqlalchemy import inspect

    engine = open_engine(db_url, migrate=born == "from the models")
    if born == "by the migrations":
        migrate(engine)
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert {"releases", "changes", "commits", "deployments", "customers", "notices"} <= tables
    engine.dispose()
