"""``incident import`` through the CLI, on SQLite and PostgreSQL: Statuspage's public
and management exports and PagerDuty's REST API v2 incidents, from files in
tests/data/incidents (written from the tools' documented shapes), re-imported as
they were and after a change, malformed ones refused whole.

The ``project`` fixture: Acme uses checkout and invoices on production-eu, Globex
search there, Initech everything on staging.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Runner

DATA = Path(__file__).parent / "data" / "incidents"
MAP = """
[incidents.component_map]
"Search API" = "search"
"billing-svc" = "invoices"
"""


def export(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def write(shop: Runner, name: str, document: Any) -> str:
    path = shop.cwd.parent / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


@pytest.fixture
def shop(project: Runner) -> Runner:
    """Scanned, customers imported, the tools' names mapped; v1.1.0 (invoices and a
    checkout fix) deployed 35 minutes before the Statuspage incident p31zjtct2jer."""
    config = project.cwd / "releasecare.toml"
    config.write_text(config.read_text(encoding="utf-8") + MAP, encoding="utf-8")
    project.ok("release", "scan")
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    project.deploy("v1.0.0", "2026-11-19T07:00:00Z")
    project.deploy("v1.1.0", "2026-11-20T08:30:00Z")
    return project


def import_(shop: Runner, source: str, fmt: str = "statuspage", *extra: str) -> Any:
    return shop.json(
        "incident", "import", source, "--format", fmt, "--env", "production-eu", *extra
    )


def by_external_id(shop: Runner) -> dict[str, Any]:
    return {i["external_id"]: i for i in shop.json("incident", "list")["incidents"]}


# --- Statuspage ----------------------------------------------------------------------


def test_statuspage_public_export_is_imported_as_the_page_told_it(shop: Runner) -> None:
    doc = import_(shop, str(DATA / "statuspage_incidents.json"))
    assert doc["schema"] == "incident-import/1"
    assert (doc["created"], doc["updated"], doc["unchanged"]) == (3, 0, 0)
    assert [i["outcome"] for i in doc["incidents"]] == ["created"] * 3
    assert doc["unknown_components"] == ["Mobile App"]

    stored = by_external_id(shop)
    card = stored["p31zjtct2jer"]
    # The name is what customers read; postmortem resolves it and stays in the history.
    assert card["title"] == card["public_title"] == "Card payments and invoices failing"
    assert (card["status"], card["severity"], card["source"]) == ("resolved", "major", "statuspage")
    # Instants exactly: an offset of +01:00 parsed, milliseconds kept.
    assert card["started_at"] == "2026-11-20T09:05:12.345000+00:00"
    assert card["resolved_at"] == "2026-11-20T10:20:00.500000+00:00"
    assert [u["status"] for u in card["updates"]] == [
        "investigating",
        "identified",
        "monitoring",
        "resolved",
        "postmortem",
    ]
    assert card["updates"][0]["message"] == (
        "Some card payments fail and invoices do not open. We are looking into it."
    )
    # Each component from the first update where it is not operational to the one
    # where it is again.
    assert card["component_times"] == [
        {
            "component": "checkout",
            "started_at": "2026-11-20T09:05:12.345000+00:00",
            "resolved_at": "2026-11-20T10:20:00.500000+00:00",
        },
        {
            "component": "invoices",
            "started_at": "2026-11-20T09:05:12.345000+00:00",
            "resolved_at": "2026-11-20T09:50:00+00:00",
        },
    ]
    open_one = stored["k2jd8s7f6g5h"]
    assert (open_one["status"], open_one["severity"], open_one["resolved_at"]) == (
        "identified",
        None,  # impact "none"
        None,
    )
    assert open_one["component_times"] == [
        {"component": "invoices", "started_at": "2026-12-01T08:00:00+00:00", "resolved_at": None}
    ]


def test_statuspage_going_back_to_investigating_is_kept_as_it_was(shop: Runner) -> None:
    import_(shop, str(DATA / "statuspage_incidents.json"))
    search = by_external_id(shop)["x8ghy3kl9m2n"]
    assert [u["status"] for u in search["updates"]] == [
        "investigating",
        "monitoring",
        "investigating",
        "resolved",
    ]
    # Mapped through [incidents.component_map]; affected from its first degradation
    # to the last time it was operational again.
    assert search["component_times"] == [
        {
            "component": "search",
            "started_at": "2026-11-22T14:00:00+00:00",
            "resolved_at": "2026-11-22T15:10:00+00:00",
        }
    ]


def test_impact_minutes_per_component_and_customers_fixed(shop: Runner) -> None:
    import_(shop, str(DATA / "statuspage_incidents.json"))
    card = by_external_id(shop)["p31zjtct2jer"]
    shown = shop.json("incident", "show", str(card["id"]))
    assert shown["customers_fixed"] is True
    [acme] = shown["customers"]
    assert acme["id"] == "acme"
    # Checkout 09:05:12.345 to 10:20:00.5 and invoices to 09:50: 75 and 45 minutes;
    # Acme uses both, hurt while either was (75).
    assert acme["component_minutes"] == {"checkout": 75, "invoices": 45}
    assert acme["minutes"] == 75
    text = shop.ok("incident", "show", str(card["id"])).stdout
    assert "checkout 1 hour 15 minutes, invoices 45 minutes" in text
    assert "  imported:    statuspage p31zjtct2jer\n" in text

    search = by_external_id(shop)["x8ghy3kl9m2n"]
    [globex] = shop.json("incident", "show", str(search["id"]))["customers"]
    assert (globex["id"], globex["minutes"]) == ("globex", 70)


def test_a_new_imported_incident_gets_its_suspect_deploy(shop: Runner) -> None:
    doc = import_(shop, str(DATA / "statuspage_incidents.json"))
    card = next(i for i in doc["incidents"] if i["external_id"] == "p31zjtct2jer")
    assert card["suspect_deployment_id"] == 2
    assert card["suspect"].startswith("suspect: v1.1.0 to production-eu at 08:30 UTC (#2)")
    result = shop.ok(
        "incident", "import", str(DATA / "statuspage_incidents.json"), "--format", "statuspage",
        "--env", "production-eu",
    )  # fmt: skip
    assert "unchanged incident" in result.stdout
    assert "read 3 incidents: 0 new, 0 updated, 3 unchanged" in result.stdout


def test_reimporting_the_same_export_changes_nothing(shop: Runner) -> None:
    import_(shop, str(DATA / "statuspage_incidents.json"))
    before = shop.json("incident", "list")["incidents"]
    doc = import_(shop, str(DATA / "statuspage_incidents.json"))
    assert (doc["created"], doc["updated"], doc["unchanged"]) == (0, 0, 3)
    assert shop.json("incident", "list")["incidents"] == before


def test_reimport_after_a_change_updates_the_incident_and_its_updates(shop: Runner) -> None:
    import_(shop, str(DATA / "statuspage_incidents.json"))
    changed = export("statuspage_incidents.json")
    invoices = changed["incidents"][0]
    # The page edited an update's wording, then resolved the incident.
    invoices["incident_updates"][0]["body"] = "Invoice PDFs take up to an hour. We are fixing it."
    invoices["incident_updates"].insert(
        0,
        {
            "id": "f1x3dn0w0001",
            "status": "resolved",
            "body": "Invoice PDFs appear at once again.",
            "created_at": "2026-12-01T09:12:44.120Z",
            "display_at": "2026-12-01T09:12:44.120Z",
            "affected_components": [
                {
                    "code": "ftgks51sfs2d",
                    "name": "Invoices",
                    "old_status": "degraded_performance",
                    "new_status": "operational",
                }
            ],
        },
    )
    invoices["status"] = "resolved"
    invoices["resolved_at"] = "2026-12-01T09:12:44.120Z"
    doc = import_(shop, write(shop, "changed.json", changed))
    assert [i["outcome"] for i in doc["incidents"]] == ["updated", "unchanged", "unchanged"]

    stored = by_external_id(shop)["k2jd8s7f6g5h"]
    assert stored["id"] == doc["incidents"][0]["id"]
    assert stored["status"] == "resolved"
    assert stored["resolved_at"] == "2026-12-01T09:12:44.120000+00:00"
    assert [(u["status"], u["message"]) for u in stored["updates"]] == [
        ("investigating", "Invoice PDFs take longer than usual to appear. We are looking into it."),
        ("identified", "Invoice PDFs take up to an hour. We are fixing it."),
        ("resolved", "Invoice PDFs appear at once again."),
    ]
    assert stored["component_times"][0]["resolved_at"] == "2026-12-01T09:12:44.120000+00:00"
    shown = shop.json("incident", "show", str(stored["id"]))
    assert shown["customers_fixed"] is True
    assert [c["id"] for c in shown["customers"]] == ["acme"]
    assert len(shop.json("incident", "list")["incidents"]) == 3


def test_an_update_added_here_survives_a_reimport(shop: Runner) -> None:
    import_(shop, str(DATA / "statuspage_incidents.json"))
    incident_id = str(by_external_id(shop)["k2jd8s7f6g5h"]["id"])
    shop.ok(
        "incident", "update", incident_id, "--status", "identified",
        "--message", "Invoice PDFs still take up to an hour. We are fixing it.",
        "--at", "2026-12-01T08:50:00Z",
    )  # fmt: skip
    import_(shop, str(DATA / "statuspage_incidents.json"))
    messages = [u["message"] for u in by_external_id(shop)["k2jd8s7f6g5h"]["updates"]]
    assert messages[-1] == "Invoice PDFs still take up to an hour. We are fixing it."
    assert len(messages) == 3


def test_statuspage_management_api_incident_object(shop: Runner) -> None:
    doc = import_(shop, str(DATA / "statuspage_management_incident.json"))
    [item] = doc["incidents"]
    assert (item["external_id"], item["outcome"], item["components"]) == (
        "b7k2m9n4p6q8",
        "created",
        ["checkout"],
    )
    stored = by_external_id(shop)["b7k2m9n4p6q8"]
    assert (stored["severity"], stored["status"]) == ("critical", "investigating")
    assert stored["started_at"] == "2026-12-02T13:15:00.250000+00:00"
    # A list of management objects reads the same.
    doc = import_(shop, write(shop, "list.json", [export("statuspage_management_incident.json")]))
    assert doc["incidents"][0]["outcome"] == "unchanged"


def test_text_output_warns_of_unknown_components(shop: Runner) -> None:
    result = shop.ok(
        "incident", "import", str(DATA / "statuspage_incidents.json"), "--format", "statuspage",
        "--env", "production-eu",
    )  # fmt: skip
    assert "created   incident 3 (statuspage p31zjtct2jer): resolved [checkout, invoices]" in (
        result.stdout
    )
    assert "read 3 incidents: 3 new, 0 updated, 0 unchanged" in result.stdout
    assert "unknown component 'Mobile App'; map it in [incidents.component_map]" in result.stderr


# --- PagerDuty -----------------------------------------------------------------------


def test_pagerduty_incidents_map_onto_the_lifecycle(shop: Runner) -> None:
    doc = import_(shop, str(DATA / "pagerduty_incidents.json"), "pagerduty")
    assert [(i["external_id"], i["status"], i["components"]) for i in doc["incidents"]] == [
        ("PT4KHLK", "resolved", ["checkout"]),  # the service's name is a component's
        ("PX1ABCD", "identified", ["invoices"]),  # mapped
        ("PZ9WXYZ", "identified", []),
    ]
    assert doc["incidents"][2]["unknown_components"] == ["search-api"]
    stored = by_external_id(shop)
    psp = stored["PT4KHLK"]
    assert (psp["title"], psp["public_title"], psp["severity"]) == (
        "Checkout PSP timeouts above 20%",
        None,  # PagerDuty is internal: customers never read its title
        "major",
    )
    assert psp["resolved_at"] == "2026-11-20T09:45:30.250000+00:00"
    assert [(u["status"], u["at"], u["message"]) for u in psp["updates"]] == [
        ("investigating", "2026-11-20T09:01:00+00:00", ""),
        ("resolved", "2026-11-20T09:45:30.250000+00:00", ""),
    ]
    assert stored["PX1ABCD"]["severity"] == "minor"
    assert [u["status"] for u in stored["PX1ABCD"]["updates"]] == ["investigating", "identified"]


def test_pagerduty_unknown_service_is_reported_with_what_it_means(shop: Runner) -> None:
    result = shop.ok(
        "incident", "import", str(DATA / "pagerduty_incidents.json"), "--format", "pagerduty",
        "--env", "production-eu",
    )  # fmt: skip
    assert (
        "(pagerduty PZ9WXYZ): unknown component 'search-api'; it names no known component, "
        "so it counts for every customer on production-eu" in result.stderr
    )


def test_pagerduty_retrigger_after_acknowledge_is_recorded(shop: Runner) -> None:
    import_(shop, str(DATA / "pagerduty_incidents.json"), "pagerduty")
    later = export("pagerduty_incidents.json")
    latency = later["incidents"][2]
    latency.update(
        status="triggered", last_status_change_at="2026-12-02T11:40:00Z", acknowledgements=[]
    )
    doc = import_(shop, write(shop, "later.json", later), "pagerduty")
    assert [i["outcome"] for i in doc["incidents"]] == ["unchanged", "unchanged", "updated"]
    stored = by_external_id(shop)["PZ9WXYZ"]
    assert stored["status"] == "investigating"
    assert [(u["status"], u["at"]) for u in stored["updates"]] == [
        ("investigating", "2026-12-02T11:00:00+00:00"),
        ("identified", "2026-12-02T11:10:00+00:00"),
        ("investigating", "2026-12-02T11:40:00+00:00"),
    ]


def test_pagerduty_notice_never_shows_the_internal_title(shop: Runner, tmp_path: Path) -> None:
    import_(shop, str(DATA / "pagerduty_incidents.json"), "pagerduty")
    psp = by_external_id(shop)["PT4KHLK"]
    out = tmp_path / "out"
    shop.ok("notes", "render", "--incident", str(psp["id"]), "--format", "md", "--out", str(out))
    [notice] = (out / "acme").glob("*incident*.md")
    text = notice.read_text(encoding="utf-8")
    assert "# A problem with Checkout" in text
    assert "PSP" not in text and "Earline" not in text
    assert "(Resolved)\n" in text  # an update without words: its status only


# --- environment and config ----------------------------------------------------------


def test_env_is_required_unless_the_config_names_one(shop: Runner) -> None:
    result = shop(
        "incident", "import", str(DATA / "pagerduty_incidents.json"), "--format", "pagerduty"
    )
    assert result.exit_code == 2
    assert "--env is required" in result.output and "import_env" in result.output
    config = shop.cwd / "releasecare.toml"
    text = config.read_text(encoding="utf-8").replace(
        "[incidents.component_map]", '[incidents]\nimport_env = "production-eu"\n\n'
        "[incidents.component_map]"
    )  # fmt: skip
    config.write_text(text, encoding="utf-8")
    doc = shop.json(
        "incident", "import", str(DATA / "pagerduty_incidents.json"), "--format", "pagerduty"
    )
    assert doc["environment"] == "production-eu" and doc["created"] == 3


def test_unknown_environment_is_refused(shop: Runner) -> None:
    result = shop(
        "incident", "import", str(DATA / "pagerduty_incidents.json"), "--format", "pagerduty",
        "--env", "production-e",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "unknown environment 'production-e'" in result.output


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (
            '[incidents.component_map]\n"Search API" = "serch"\n',
            "incidents.component_map.Search API",
        ),
        ('[incidents]\nimport_env = "nowhere"\n', "incidents.import_env"),
        ('[incidents.pagerduty]\ntoken_env = "not a name"\n', "incidents.pagerduty.token_env"),
        ('[incidents.pagerduty]\ntoken = "x"\n', "incidents.pagerduty.token"),
    ],
)
def test_config_errors_name_the_key(project: Runner, table: str, problem: str) -> None:
    config = project.cwd / "releasecare.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n" + table, encoding="utf-8")
    result = project("incident", "list")
    assert result.exit_code == 2
    assert f"key {problem!r}" in result.output
    assert "Traceback" not in result.output


def test_component_map_error_suggests_the_near_key(project: Runner) -> None:
    config = project.cwd / "releasecare.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[incidents.component_map]\n"x" = "serch"\n',
        encoding="utf-8",
    )
    result = project("incident", "list")
    assert "unknown component 'serch'" in result.output and "did you mean 'search'?" in (
        result.output
    )


# --- malformed exports -------------------------------------------------------------------


def _statuspage(edit: Any) -> Any:
    document = export("statuspage_incidents.json")
    edit(document)
    return document


def _pagerduty(edit: Any) -> Any:
    document = export("pagerduty_incidents.json")
    edit(document)
    return document


def _bad_update_time(d: Any) -> None:
    update = d["incidents"][1]["incident_updates"][0]
    del update["display_at"]
    update["created_at"] = "yesterday"


MALFORMED = [
    (
        "statuspage",
        _statuspage(_bad_update_time),
        "incidents[1].incident_updates[0].created_at: 'yesterday' is not an ISO 8601 time",
    ),
    (
        "statuspage",
        _statuspage(lambda d: d["incidents"][2].update(status="exploded")),
        "incidents[2].status: 'exploded' is not one of investigating, identified, monitoring, "
        "resolved, postmortem",
    ),
    (
        "statuspage",
        _statuspage(lambda d: d["incidents"][0].pop("id")),
        "incidents[0].id: missing",
    ),
    (
        "statuspage",
        _statuspage(
            lambda d: d["incidents"][2]["incident_updates"][4]["affected_components"][1].update(
                name=7
            )
        ),
        "incidents[2].incident_updates[4].affected_components[1].name: must be a string",
    ),
    (
        "statuspage",
        _statuspage(lambda d: d.update(incidents={"id": "x"})),
        "incidents: must be a JSON list",
    ),
    ("statuspage", {"page": {"id": "y2j"}}, "$: expected Statuspage incidents"),
    (
        "statuspage",
        _statuspage(lambda d: d["incidents"][1]["incident_updates"][2].update(id="z9x8c7v6b5n4")),
        "incidents[1].incident_updates[2].id: 'z9x8c7v6b5n4' is listed twice in this incident",
    ),
    (
        "statuspage",
        _statuspage(lambda d: d["incidents"][0].update(id="k" * 256)),
        "incidents[0].id: longer than 255 characters",
    ),
    (
        "pagerduty",
        _pagerduty(lambda d: d["incidents"][2].update(created_at="2026-12-02T11:00:00")),
        "incidents[2].created_at: '2026-12-02T11:00:00' has no UTC offset",
    ),
    (
        "pagerduty",
        _pagerduty(lambda d: d["incidents"][0].update(status="snoozed")),
        "incidents[0].status: 'snoozed' is not one of triggered, acknowledged, resolved",
    ),
    (
        "pagerduty",
        _pagerduty(lambda d: d["incidents"][1]["acknowledgements"][0].update(at=None)),
        "incidents[1].acknowledgements[0].at: missing",
    ),
    (
        "pagerduty",
        _pagerduty(
            lambda d: d["incidents"][0].update(resolved_at=None, last_status_change_at=None)
        ),
        "incidents[0].resolved_at: missing: a resolved incident needs resolved_at or "
        "last_status_change_at",
    ),
]


@pytest.mark.parametrize(("fmt", "document", "message"), MALFORMED)
def test_a_malformed_export_is_refused_whole(
    shop: Runner, fmt: str, document: Any, message: str
) -> None:
    path = write(shop, "bad.json", copy.deepcopy(document))
    result = shop("incident", "import", path, "--format", fmt, "--env", "production-eu")
    assert result.exit_code == 2, result.output
    assert f"{path}: {message}" in result.output
    assert "Traceback" not in result.output
    assert shop.json("incident", "list")["incidents"] == []


def test_a_broken_file_names_its_line(shop: Runner) -> None:
    path = shop.cwd.parent / "broken.json"
    path.write_text('{"incidents": [\n  {"id": "x",\n', encoding="utf-8")
    result = shop(
        "incident", "import", str(path), "--format", "statuspage", "--env", "production-eu"
    )
    assert result.exit_code == 2
    assert f"{path}:3: not valid JSON" in result.output


def test_standard_input_and_a_missing_file(shop: Runner) -> None:
    text = (DATA / "statuspage_management_incident.json").read_text(encoding="utf-8")
    result = shop.ok(
        "incident", "import", "-", "--format", "statuspage", "--env", "production-eu", input=text
    )
    assert "created   incident 1 (statuspage b7k2m9n4p6q8)" in result.stdout
    missing = shop("incident", "import", "nope.json", "--format", "pagerduty", "--env", "staging")
    assert missing.exit_code == 2 and "nope.json: no such file" in missing.output


def test_control_characters_from_an_export_are_stripped(shop: Runner) -> None:
    document = export("statuspage_management_incident.json")
    document["name"] = "Checkout\x1b[2J unavailable"
    document["incident_updates"][0]["body"] = "No order can be paid\x07 right now."
    import_(shop, write(shop, "controls.json", document))
    stored = by_external_id(shop)["b7k2m9n4p6q8"]
    assert stored["public_title"] == "Checkout[2J unavailable"
    assert stored["updates"][0]["message"] == "No order can be paid right now."


def test_a_resolved_incident_the_page_reopens_is_open_again(shop: Runner) -> None:
    import_(shop, str(DATA / "statuspage_incidents.json"))
    search_id = str(by_external_id(shop)["x8ghy3kl9m2n"]["id"])
    assert shop.json("incident", "show", search_id)["customers_fixed"] is True
    reopened = export("statuspage_incidents.json")
    search = reopened["incidents"][1]
    update = {
        "id": "b4ck4g41n001",
        "status": "investigating",
        "body": "Search is slow again. We are looking into it.",
        "created_at": "2026-11-22T16:00:00.000Z",
        "affected_components": [
            {"code": "7ghd0s9af2lq", "name": "Search API", "new_status": "partial_outage"}
        ],
    }
    search["incident_updates"].insert(0, update)
    search.update(status="investigating", resolved_at=None)
    doc = import_(shop, write(shop, "reopened.json", reopened))
    assert doc["incidents"][1]["outcome"] == "updated"
    stored = by_external_id(shop)["x8ghy3kl9m2n"]
    assert (stored["status"], stored["resolved_at"]) == ("investigating", None)
    assert stored["updates"][-1]["message"] == update["body"]
    shown = shop.json("incident", "show", search_id)
    assert shown["customers_fixed"] is False
    assert [c["id"] for c in shown["customers"]] == ["globex"]


def test_markup_from_an_export_is_escaped_in_html_notices(shop: Runner, tmp_path: Path) -> None:
    document = export("statuspage_management_incident.json")
    document["name"] = "<img src=x onerror=alert(1)> Checkout down"
    document["incident_updates"][0]["body"] = "<script>alert(1)</script> Orders fail."
    doc = import_(shop, write(shop, "markup.json", document))
    out = tmp_path / "out"
    shop.ok(
        "notes", "render", "--incident", str(doc["incidents"][0]["id"]), "--format", "html",
        "--out", str(out),
    )  # fmt: skip
    [notice] = (out / "acme").glob("*incident*.html")
    html = notice.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Orders fail." in html


def test_a_scheduled_maintenance_in_the_list_is_skipped_and_said(shop: Runner) -> None:
    incident = export("statuspage_management_incident.json")
    maintenance = copy.deepcopy(incident) | {
        "id": "m41nt3n4nc3x",
        "name": "Database upgrade",
        "status": "scheduled",
        "scheduled_for": "2026-12-20T02:00:00.000Z",
        "scheduled_until": "2026-12-20T03:00:00.000Z",
    }
    path = write(shop, "listing.json", [maintenance, incident])
    result = shop("incident", "import", path, "--format", "statuspage", "--env", "production-eu")
    assert result.exit_code == 0, result.output
    assert "read 1 incident: 1 new" in result.stdout
    assert f"skipped {path}: [0]: a scheduled maintenance (scheduled), not an incident" in (
        result.stderr
    )
    doc = import_(shop, path)
    assert doc["skipped"] == [
        {
            "location": f"{path}: [0]",
            "reason": "a scheduled maintenance (scheduled), not an incident",
        }
    ]
    assert [i["external_id"] for i in doc["incidents"]] == ["b7k2m9n4p6q8"]


def test_a_start_moved_by_the_tool_links_the_suspect_again(shop: Runner) -> None:
    import_(shop, str(DATA / "statuspage_incidents.json"))
    moved = export("statuspage_incidents.json")
    # Now said to have begun before v1.1.0 went out (08:30), and v1.0.0 is more than
    # a day before: no suspect.
    moved["incidents"][2].update(started_at="2026-11-20T09:10:00+01:00")
    doc = import_(shop, write(shop, "moved.json", moved))
    card = doc["incidents"][2]
    assert (card["outcome"], card["suspect_deployment_id"]) == ("updated", None)
    assert card["suspect"].startswith("no suspect deploy")
    assert by_external_id(shop)["p31zjtct2jer"]["started_at"] == "2026-11-20T08:10:00+00:00"


def test_a_wording_edit_keeps_the_customers_fixed_at_the_resolution(shop: Runner) -> None:
    import_(shop, str(DATA / "statuspage_incidents.json"))
    card_id = str(by_external_id(shop)["p31zjtct2jer"]["id"])
    # The registry changes after the resolution: Acme no longer uses checkout or invoices.
    customers = json.loads((shop.cwd.parent / "customers.json").read_text(encoding="utf-8"))
    customers[0]["components"] = ["search"]
    shop.ok("customers", "import", write(shop, "customers-later.json", customers))
    edited = export("statuspage_incidents.json")
    edited["incidents"][2]["incident_updates"][0]["body"] = "What happened, written up."
    doc = import_(shop, write(shop, "edited.json", edited))
    assert doc["incidents"][2]["outcome"] == "updated"
    shown = shop.json("incident", "show", card_id)
    assert [(c["id"], c["components"]) for c in shown["customers"]] == [
        ("acme", ["checkout", "invoices"])
    ]


def test_an_imported_message_that_names_a_cause_too_early_is_a_warning(
    project: Runner, tmp_path: Path
) -> None:
    project.ok("release", "scan")
    export = {
        "incidents": [
            {
                "id": "lint0001",
                "name": "Checkout errors",
                "status": "investigating",
                "impact": "minor",
                "created_at": "2026-11-20T09:30:00.000Z",
                "updated_at": "2026-11-20T09:30:00.000Z",
                "incident_updates": [
                    {
                        "id": "lu1",
                        "status": "investigating",
                        "body": "The database migration caused a bug. We will fix it in 5 minutes.",
                        "created_at": "2026-11-20T09:30:00.000Z",
                        "display_at": "2026-11-20T09:30:00.000Z",
                        "affected_components": [],
                    }
                ],
                "components": [],
            }
        ]
    }
    source = tmp_path / "lint.json"
    source.write_text(json.dumps(export), encoding="utf-8")
    first = project(
        "incident", "import", str(source), "--format", "statuspage", "--env", "production-eu"
    )
    assert first.exit_code == 0  # the tool's words are recorded as they were
    assert "warning:" in first.stderr and "lint0001" in first.stderr
    again = project(
        "incident", "import", str(source), "--format", "statuspage", "--env", "production-eu"
    )
    assert again.exit_code == 0 and "warning: statuspage" not in again.stderr  # unchanged
