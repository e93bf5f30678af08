"""The incident importers' parsers (pure: a document in, records out) and the mapping
of a tool's component names onto component keys."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from releasecare.cli.incident import import_
from releasecare.config import Config, Environment
from releasecare.configsections import IncidentOptions as Options
from releasecare.domain import Component, ComponentSpan
from releasecare.incident_import import component_key, spans_of
from releasecare.incidentimports import FORMATS, ImportedComponent, pagerduty, statuspage


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def update(uid: str, status: str, when: str, *changes: tuple[str, str]) -> dict[str, Any]:
    return {
        "id": uid,
        "status": status,
        "body": f"{status} body",
        "created_at": when + "Z",
        "affected_components": [{"code": n, "name": n, "new_status": s} for n, s in changes],
    }


def test_a_component_down_twice_counts_from_its_first_fall_to_its_last_recovery() -> None:
    incident = {
        "id": "i1",
        "name": "Slow",
        "status": "resolved",
        "created_at": "2026-11-01T10:00:00Z",
        "resolved_at": "2026-11-01T12:00:00Z",
        # Newest first, as the API lists them.
        "incident_updates": [
            update("u5", "resolved", "2026-11-01T12:00:00", ("Checkout", "operational")),
            update("u4", "identified", "2026-11-01T11:00:00", ("Checkout", "major_outage")),
            update("u3", "monitoring", "2026-11-01T10:40:00", ("Checkout", "operational")),
            update("u2", "identified", "2026-11-01T10:20:00", ("Search", "degraded_performance")),
            update("u1", "investigating", "2026-11-01T10:00:00", ("Checkout", "partial_outage")),
        ],
    }
    [parsed] = statuspage.parse({"incidents": [incident]}, "export.json")
    assert [u.external_id for u in parsed.updates] == ["u1", "u2", "u3", "u4", "u5"]
    assert parsed.components == (
        ImportedComponent("Checkout", at("2026-11-01T10:00:00"), at("2026-11-01T12:00:00")),
        # Never operational again before the end: to the resolution.
        ImportedComponent("Search", at("2026-11-01T10:20:00"), at("2026-11-01T12:00:00")),
    )
    assert parsed.location == "export.json: incidents[0]"


def test_an_open_statuspage_incident_has_open_components() -> None:
    incident = {
        "id": 42,  # a number is an id too
        "name": "Down",
        "status": "investigating",
        "created_at": "2026-11-01T10:00:00.5+02:00",
        "incident_updates": [
            update("u1", "investigating", "2026-11-01T08:00:00.5", ("Checkout", "major_outage"))
        ],
    }
    [parsed] = statuspage.parse([incident], "x.json")
    assert parsed.external_id == "42"
    assert parsed.started_at == at("2026-11-01T08:00:00.500")
    assert parsed.resolved_at is None
    assert parsed.components == (ImportedComponent("Checkout", at("2026-11-01T08:00:00.5")),)


def test_pagerduty_acknowledged_without_its_acknowledgements() -> None:
    [parsed] = pagerduty.parse(
        {
            "incident": {
                "id": "P1",
                "summary": "[#1] disk full",
                "status": "acknowledged",
                "created_at": "2026-11-01T10:00:00Z",
                "last_status_change_at": "2026-11-01T10:03:00Z",
            }
        },
        "one.json",
    )
    assert parsed.title == "[#1] disk full"  # no title: the summary
    assert parsed.public_title is None and parsed.components == ()
    assert [(u.status, u.at) for u in parsed.updates] == [
        ("investigating", at("2026-11-01T10:00:00")),
        ("identified", at("2026-11-01T10:03:00")),
    ]


def config() -> Config:
    return Config(
        path=None,
        root=Path("."),
        components={
            "checkout": Component("checkout", "Checkout", "", ("a/",)),
            "search": Component("search", "Product search", "", ("b/",)),
        },
        environments={"production-eu": Environment("production-eu", "Europe")},
        incidents=Options(component_map={"Search API": "search", "search-web": "search"}),
    )


def test_names_map_by_the_config_then_by_key_or_customer_facing_name() -> None:
    cfg = config()
    assert component_key(cfg, "Search API") == "search"
    assert component_key(cfg, "search api") == "search"  # the map, either case
    assert component_key(cfg, "CHECKOUT") == "checkout"  # a key
    assert component_key(cfg, "product search") == "search"  # a customer-facing name
    assert component_key(cfg, "Mobile App") is None


def test_two_names_for_one_component_take_the_widest_span() -> None:
    spans, unknown = spans_of(
        config(),
        [
            ImportedComponent("Search API", at("2026-11-01T10:10:00"), at("2026-11-01T10:30:00")),
            ImportedComponent("search-web", at("2026-11-01T10:00:00"), at("2026-11-01T10:20:00")),
            ImportedComponent("Checkout", at("2026-11-01T10:05:00"), None),
            ImportedComponent("Mobile App"),
            ImportedComponent("Mobile App"),
        ],
    )
    assert spans == (
        ComponentSpan("checkout", at("2026-11-01T10:05:00"), None),
        ComponentSpan("search", at("2026-11-01T10:00:00"), at("2026-11-01T10:30:00")),
    )
    assert unknown == ("Mobile App",)


def test_the_cli_offers_every_format() -> None:
    [fmt] = [p for p in import_.params if p.name == "fmt"]
    assert isinstance(fmt.type, click.Choice)
    assert sorted(fmt.type.choices) == sorted(FORMATS)
