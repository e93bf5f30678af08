"""The customer registry: every format, bad rows named, time zones, freeze windows,
upsert and prune, and who an impact touches."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from releasecare.customers import (
    CsvColumns,
    SourceOptions,
    check_references,
    read_customers,
)
from releasecare.domain import ALL, FreezeWindow
from releasecare.errors import InputError, NetworkError, RecordError
from tests.helpers import CUSTOMERS, Runner

DATA = Path(__file__).parent / "data" / "customers"


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_json_list_and_object_forms(tmp_path: Path) -> None:
    as_list = read_customers(write(tmp_path, "a.json", CUSTOMERS))
    as_object = read_customers(write(tmp_path, "b.json", {"customers": CUSTOMERS}))
    assert as_list == as_object
    acme = as_list[0]
    assert (acme.id, acme.name, acme.environments, acme.components) == (
        "acme",
        "Acme GmbH",
        ("production-eu",),
        ("checkout", "invoices"),
    )
    assert acme.freeze == (
        FreezeWindow(
            datetime(2026, 11, 25, 23, tzinfo=UTC),
            datetime(2026, 11, 30, 23, tzinfo=UTC),
            "Black Friday",
        ),
    )
    assert as_list[2].components == (ALL,)


def test_toml_takes_the_same_keys(tmp_path: Path) -> None:
    toml = """
[[customer]]
id = "acme"
name = "Acme GmbH"
environments = ["production-eu"]
components = ["checkout", "invoices"]
timezone = "Europe/Berlin"
locale = "de-DE"
contacts.email = ["ops@acme.example"]
contacts.webhook = { url = "https://hooks.acme.example/r", secret_env = "ACME_SECRET" }

[[customer]]
id = "initech"
name = "Initech"
environments = "*"
"""
    (acme, initech) = read_customers(write(tmp_path, "c.toml", toml))
    assert acme.contacts.webhook_url == "https://hooks.acme.example/r"
    assert acme.contacts.webhook_secret_env == "ACME_SECRET"
    assert initech.environments == (ALL,) and initech.timezone == "UTC"


def test_csv_crm_export_with_custom_columns() -> None:
    columns = CsvColumns(
        id="Account ID",
        name="Account Name",
        environments="Regions",
        components="Products",
        timezone="TZ",
        locale="Language",
        tier="Plan",
        email="Contact E-mail",
        freeze="Freeze",
    )
    acme, globex = read_customers(str(DATA / "crm-export.csv"), SourceOptions(csv_columns=columns))
    assert acme.name == "Acme GmbH, Berlin"
    assert acme.contacts.email == ("ops@acme.example", "cto@acme.example")
    assert acme.freeze[0].reason == "Black Friday"
    assert globex.environments == ("production-eu", "production-us")
    assert globex.components == (ALL,)


def test_csv_missing_column_names_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "id,nom\nacme,Acme\n")
    with pytest.raises(RecordError, match=r"x.csv:1: field 'name': no column 'name'"):
        read_customers(path)


@pytest.mark.parametrize(
    ("record", "field", "problem"),
    [
        ({"name": "No id"}, "id", "missing"),
        ({"id": "a", "name": ""}, "name", "non-empty"),
        (
            {"id": "a", "name": "A", "timezone": "Europe/Berlln"},
            "timezone",
            "did you mean 'Europe/Berlin'?",
        ),
        ({"id": "a", "name": "A", "locale": "german"}, "locale", "not a locale"),
        ({"id": "a", "name": "A", "components": []}, "components", "non-empty list"),
        ({"id": "a", "name": "A", "nmae": "x"}, "nmae", "did you mean 'name'?"),
        (
            {
                "id": "a",
                "name": "A",
                "freeze": [{"start": "2026-12-02T00:00:00Z", "end": "2026-12-01T00:00:00Z"}],
            },
            "freeze[0].end",
            "ends before it starts",
        ),
        (
            {"id": "a", "name": "A", "contacts": {"slack": {"url": "https://hooks.slack.com/x"}}},
            "contacts.slack",
            "never the URL itself",
        ),
        (
            {"id": "a", "name": "A", "contacts": {"webhook": {"url": "http://hooks.example/x"}}},
            "contacts.webhook.url",
            "https://",
        ),
        (
            {"id": "a", "name": "A", "contacts": {"email": ["not-an-address"]}},
            "contacts.email",
            "e-mail",
        ),
        ({"id": "a", "name": "A\x07"}, "name", "control characters"),
    ],
)
def test_bad_rows_name_row_and_field(
    tmp_path: Path, record: dict[str, Any], field: str, problem: str
) -> None:
    path = write(tmp_path, "c.json", [CUSTOMERS[0], record])
    with pytest.raises(RecordError) as caught:
        read_customers(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: [1]")
    assert f"field {field!r}" in message
    assert problem in message


def test_duplicate_ids_name_both_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "c.json", [CUSTOMERS[0], CUSTOMERS[0]])
    with pytest.raises(RecordError, match=r"\[1\].*duplicate id, first used at .*\[0\]"):
        read_customers(path)


def test_naive_freeze_times_are_in_the_customers_zone(tmp_path: Path) -> None:
    record = {
        "id": "a",
        "name": "A",
        "timezone": "America/New_York",
        "freeze": [{"start": "2026-11-26T00:00:00", "end": "2026-11-27T00:00:00"}],
    }
    (customer,) = read_customers(write(tmp_path, "c.json", [record]))
    assert customer.freeze[0].start == datetime(2026, 11, 26, 5, tzinfo=UTC)


def test_not_json_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "c.json", '[\n{"id": "a",\n')
    with pytest.raises(InputError, match=r"c.json:3: not valid JSON"):
        read_customers(path)


def test_url_with_token_and_retry(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TOKEN", "s3cret-token")
    httpserver.expect_ordered_request("/customers").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request(
        "/customers", headers={"Authorization": "Bearer s3cret-token"}
    ).respond_with_json(CUSTOMERS)
    url = httpserver.url_for("/customers")
    import releasecare.http

    monkeypatch.setattr(releasecare.http, "sleep", lambda _: None)
    customers = read_customers(url, SourceOptions(token_env="CRM_TOKEN"))
    assert [c.id for c in customers] == ["acme", "globex", "initech"]


def test_url_failure_never_shows_the_token(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_TOKEN", "s3cret-token")
    httpserver.expect_request("/customers").respond_with_data("nope", status=404)
    with pytest.raises(NetworkError) as caught:
        read_customers(httpserver.url_for("/customers"), SourceOptions(token_env="CRM_TOKEN"))
    assert "HTTP 404" in str(caught.value) and "s3cret" not in str(caught.value)


def test_unknown_references_are_reported() -> None:
    from releasecare.customers import parse_records

    customers = parse_records(
        [{"id": "a", "name": "A", "environments": ["prod-eu"], "components": ["chekout"]}], "c.json"
    )
    assert check_references(customers, ["production-eu"], ["checkout"]) == [
        "customer 'a': unknown environment 'prod-eu' (did you mean 'production-eu'?)",
        "customer 'a': unknown component 'chekout' (did you mean 'checkout'?)",
    ]


# --- through the CLI -------------------------------------------------------------------


def test_import_upserts_and_prunes(project: Runner, tmp_path: Path) -> None:
    source = tmp_path / "customers.json"
    assert project.json("customers", "import", str(source))["created"] == 3
    again = project.json("customers", "import", str(source))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    changed = [dict(CUSTOMERS[0], name="Acme AG"), CUSTOMERS[1]]
    source.write_text(json.dumps(changed))
    result = project("customers", "import", str(source), "--prune", "--json")
    assert result.exit_code == 0
    assert "--prune: removing 1 customer(s)" in result.stderr
    summary = json.loads(result.stdout)
    assert (summary["updated"], summary["unchanged"], summary["pruned"]) == (1, 1, 1)
    names = [c["name"] for c in project.json("customers", "list")["customers"]]
    assert names == ["Acme AG", "Globex Inc."]


def test_bad_row_leaves_the_registry_unchanged(project: Runner, tmp_path: Path) -> None:
    project.ok("customers", "import", str(tmp_path / "customers.json"))
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            [dict(CUSTOMERS[0], name="Changed"), {"id": "x", "name": "X", "timezone": "Mars/Base"}]
        )
    )
    result = project("customers", "import", str(bad))
    assert result.exit_code == 2
    assert (
        "bad.json: [1] (id 'x'): field 'timezone': unknown time zone 'Mars/Base'" in result.output
    )
    assert project.json("customers", "list")["customers"][0]["name"] == "Acme GmbH"


def test_strict_unknown_component_is_exit_2(project: Runner, tmp_path: Path) -> None:
    source = tmp_path / "c.json"
    source.write_text(json.dumps([dict(CUSTOMERS[0], components=["chekout"])]))
    warned = project("customers", "import", str(source))
    assert warned.exit_code == 0 and "unknown component 'chekout'" in warned.stderr
    strict = project("customers", "import", str(source), "--strict")
    assert strict.exit_code == 2


# --- impact: who is touched ------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "conflict"),
    [
        ("2026-11-25T22:59:59+00:00", False),  # a second before the freeze starts
        ("2026-11-25T23:00:00+00:00", True),  # the first second of the freeze
        ("2026-11-30T22:59:59+00:00", True),
        ("2026-11-30T23:00:00+00:00", False),  # the freeze has ended
    ],
)
def test_freeze_window_edges(project: Runner, tmp_path: Path, at: str, conflict: bool) -> None:
    project.ok("release", "scan")
    project.ok("customers", "import", str(tmp_path / "customers.json"))
    impact = project.json("impact", "--env", "production-eu", "--version", "v1.1.0", "--at", at)
    acme = next(c for c in impact["customers"] if c["id"] == "acme")
    assert bool(acme["freeze_conflicts"]) is conflict
    assert impact["freeze_conflicts"] == (["acme"] if conflict else [])


def test_multi_environment_and_star_customers(project: Runner, tmp_path: Path) -> None:
    project.ok("release", "scan")
    everywhere = [
        {"id": "omni", "name": "Omni", "environments": "*", "components": "*"},
        {
            "id": "two",
            "name": "Two",
            "environments": ["staging", "production-eu"],
            "components": ["search"],
        },
    ]
    source = tmp_path / "more.json"
    source.write_text(json.dumps(everywhere))
    project.ok("customers", "import", str(source))
    for env in ("staging", "production-eu"):
        impact = project.json("impact", "--env", env, "--version", "v1.2.0")
        customers = {c["id"]: c for c in impact["customers"]}
        assert set(customers) == {"omni", "two"}
        assert customers["omni"]["components"] == ["search"]


def test_unmapped_changes_ignore_or_everyone(project: Runner, tmp_path: Path) -> None:
    project.ok("release", "scan")
    only_checkout = [
        {"id": "co", "name": "Co", "environments": ["production-eu"], "components": ["checkout"]}
    ]
    source = tmp_path / "co.json"
    source.write_text(json.dumps(only_checkout))
    project.ok("customers", "import", str(source))
    impact = project.json("impact", "--env", "production-eu", "--version", "v1.2.0")
    assert impact["customers"] == []
    assert [c["summary"] for c in impact["unmapped_changes"]] == ["docs: explain setup"]
    config = project.cwd / "releasecare.toml"
    config.write_text(config.read_text() + '\n[impact]\nunmapped = "everyone"\n')
    everyone = project.json("impact", "--env", "production-eu", "--version", "v1.2.0")
    # The only unmapped change is internal (docs): it would not appear in a notice, so
    # it touches everyone internally and affects no one.
    assert everyone["customers"] == [] and everyone["touched_internally"] == ["co"]
    from tests.gitfactory import GitRepoFactory

    git = GitRepoFactory(project.cwd)
    git.commit("fix: the help page loads again", files={"help.html": "ok\n"})
    git.tag("v1.3.0")
    project.ok("release", "scan")
    everyone = project.json("impact", "--env", "production-eu", "--version", "v1.3.0")
    assert [c["id"] for c in everyone["customers"]] == ["co"]
    assert len(everyone["customers"][0]["changes"]) == 1


def test_impact_json_for_one_customer_holds_only_their_data(
    project: Runner, tmp_path: Path
) -> None:
    project.ok("release", "scan")
    project.ok("customers", "import", str(tmp_path / "customers.json"))
    impact = project.json(
        "impact",
        "--env",
        "production-eu",
        "--version",
        "v1.2.0",
        "--at",
        "2026-11-27T10:00:00+00:00",
    )
    for entry in impact["customers"]:
        others = [c for c in CUSTOMERS if c["id"] != entry["id"]]
        text = json.dumps(entry)
        for other in others:
            assert other["id"] not in text and other["name"] not in text
