"""``incident open|update|list|show`` through the CLI, on SQLite and PostgreSQL.

The ``project`` fixture's releases: v1.0.0 (checkout), v1.1.0 (invoices, a checkout
fix), v1.2.0 (search, docs). Acme uses checkout and invoices on production-eu,
Globex search there, Initech everything on staging.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Runner

START = "2026-10-22T09:38:00Z"


@pytest.fixture
def shop(project: Runner) -> Runner:
    """Scanned, customers imported, three deploys on the day of the incident."""
    project.ok("release", "scan")
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    project.deploy("v1.0.0", "2026-10-22T07:00:00Z")  # 1
    project.deploy("v1.1.0", "2026-10-22T08:00:00Z")  # 2: invoices and checkout
    project.deploy("v1.2.0", "2026-10-22T09:00:00Z")  # 3: search
    return project


def open_(shop: Runner, *args: str) -> dict:  # type: ignore[type-arg]
    return shop.json("incident", "open", "--env", "production-eu", "--title", "It broke", *args)


# --- open -------------------------------------------------------------------------


def test_open_prints_the_id_and_the_suspect_with_its_reason(shop: Runner) -> None:
    result = shop.ok(
        "incident",
        "open",
        "--env",
        "production-eu",
        "--component",
        "search",
        "--title",
        "Search index timeouts",
        "--severity",
        "major",
        "--started-at",
        START,
    )
    assert result.stdout == "1\n"
    assert (
        "suspect: v1.2.0 to production-eu at 09:00 UTC (#3) changed Search, "
        "38 minutes before the incident started" in result.stderr
    )
    shown = shop.json("incident", "show", "1")
    assert shown["schema"] == "incident/1"
    assert shown["incident"]["severity"] == "major"
    assert shown["incident"]["suspect_deployment_id"] == 3
    assert [c["summary"] for c in shown["suspect"]["changes"]] == ["perf(search): faster results"]


def test_open_with_json_gives_the_whole_record(shop: Runner) -> None:
    doc = open_(
        shop,
        "--component",
        "checkout",
        "--started-at",
        START,
        "--public-title",
        "Card payments failing",
        "--message",
        "Card payments fail for some of you. We are looking into it.",
    )
    assert doc["schema"] == "incident-open/1" and doc["created"] is True
    record = doc["incident"]
    assert record["id"] == doc["id"]
    assert record["title"] == "It broke" and record["public_title"] == "Card payments failing"
    assert record["components"] == ["checkout"]
    assert record["status"] == "investigating"
    assert record["updates"] == [
        {
            "status": "investigating",
            "message": "Card payments fail for some of you. We are looking into it.",
            "at": "2026-10-22T09:38:00+00:00",
        }
    ]
    assert doc["warnings"] == []


def test_open_twice_with_the_same_id_opens_once(shop: Runner) -> None:
    first = open_(shop, "--id", "pipeline-81", "--started-at", START)
    again = shop(
        "incident", "open", "--env", "production-eu", "--title", "It broke", "--id", "pipeline-81"
    )
    assert again.exit_code == 0
    assert again.stdout == f"{first['id']}\n"
    assert "was opened already" in again.stderr
    assert [i["id"] for i in shop.json("incident", "list")["incidents"]] == [first["id"]]


def test_a_retried_ci_job_opens_its_incident_once(
    shop: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "1")
    first = open_(shop, "--started-at", START)
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "2")  # "Re-run failed jobs"
    again = open_(shop, "--started-at", START)
    assert again["id"] == first["id"]
    other = shop.json(
        "incident", "open", "--env", "production-eu", "--title", "Search is slow"
    )  # the same run, another incident
    assert other["id"] != first["id"]
    monkeypatch.setenv("GITHUB_RUN_ID", "4243")  # the next pipeline
    assert open_(shop, "--started-at", START)["id"] not in (first["id"], other["id"])
    assert len(shop.json("incident", "list")["incidents"]) == 3


def test_a_start_ahead_of_our_clock_is_taken_as_a_deploy_time_is(shop: Runner) -> None:
    from datetime import UTC, datetime, timedelta

    ahead = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    assert (
        shop(
            "incident", "open", "--env", "production-eu", "--title", "x", "--started-at", ahead
        ).exit_code
        == 0
    )
    far = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    result = shop("incident", "open", "--env", "production-eu", "--title", "y", "--started-at", far)
    assert result.exit_code == 2 and "future_tolerance_minutes" in result.output


BAD_OPENS = [
    (["--env", "production-us"], "unknown environment 'production-us'"),
    (["--component", "chekout"], "--component: unknown component 'chekout'"),
    (["--component", "Checkout"], "'Checkout' is what customers call it; its key is 'checkout'"),
    (["--started-at", "2026-10-22T09:38:00"], "--started-at: '2026-10-22T09:38:00' has no UTC"),
    (["--started-at", "2999-01-01T00:00:00Z"], "--started-at 2999-01-01T00:00:00+00:00 is in"),
    (["--deploy", "99"], "--deploy: no deployment with id 99"),
    (["--customer", "acmee"], "did you mean 'acme'?"),
    (["--title", "  "], "--title may not be empty"),
    (["--title", "a\x1b[2Jb"], "--title contains control characters"),
    (["--severity", "huge"], "Invalid value for '--severity'"),
]


# Messages only: one database is enough (the store is not reached).
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_open_refuses_bad_input_with_exit_2(shop: Runner) -> None:
    base = {"--env": "production-eu", "--title": "It broke"}
    for args, message in BAD_OPENS:
        given = dict(zip(args[::2], args[1::2], strict=True))
        argv = [x for k, v in (base | given).items() for x in (k, v)]
        result = shop("incident", "open", *argv)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert shop.json("incident", "list")["incidents"] == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_named_deploy_on_another_environment_is_refused(shop: Runner) -> None:
    staging = shop.deploy("v1.2.0", "2026-10-22T09:00:00Z", env="staging")
    result = shop(
        "incident", "open", "--env", "production-eu", "--title", "x", "--deploy", str(staging)
    )
    assert result.exit_code == 2
    assert f"deployment {staging} went to staging, the incident is on production-eu" in (
        result.stderr
    )


# --- update: transitions ---------------------------------------------------------------


def update(shop: Runner, incident: int, status: str, at: str, *extra: str) -> object:
    return shop(
        "incident",
        "update",
        str(incident),
        "--status",
        status,
        "--message",
        "Card payments fail for some of you.",
        "--at",
        at,
        *extra,
    )


def test_the_status_moves_forward_and_skips_states(shop: Runner) -> None:
    incident = open_(shop, "--started-at", START)["id"]
    for status, at in [
        ("identified", "2026-10-22T09:50:00Z"),
        ("identified", "2026-10-22T09:55:00Z"),  # another update in the same state
        ("resolved", "2026-10-22T10:20:00Z"),  # monitoring skipped
    ]:
        result = update(shop, incident, status, at)
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    record = shop.json("incident", "show", str(incident))["incident"]
    assert record["status"] == "resolved"
    assert record["resolved_at"] == "2026-10-22T10:20:00+00:00"
    assert [u["status"] for u in record["updates"]] == ["identified", "identified", "resolved"]


def test_moving_back_is_exit_2_listing_the_allowed_next_states(shop: Runner) -> None:
    incident = open_(shop, "--started-at", START)["id"]
    update(shop, incident, "monitoring", "2026-10-22T09:50:00Z")
    result = update(shop, incident, "identified", "2026-10-22T09:55:00Z")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert f"incident {incident} is monitoring: it cannot move back to identified" in (
        result.stderr  # type: ignore[attr-defined]
    )
    assert "allowed next: monitoring, resolved" in result.stderr  # type: ignore[attr-defined]
    assert shop.json("incident", "show", str(incident))["incident"]["status"] == "monitoring"


def test_a_resolved_incident_reopens_only_with_reopen(shop: Runner) -> None:
    incident = open_(shop, "--started-at", START)["id"]
    update(shop, incident, "resolved", "2026-10-22T10:00:00Z")
    refused = update(shop, incident, "investigating", "2026-10-22T10:30:00Z")
    assert refused.exit_code == 2  # type: ignore[attr-defined]
    assert "only when reopened" in refused.stderr  # type: ignore[attr-defined]
    assert "--reopen" in refused.stderr  # type: ignore[attr-defined]
    to_resolved = update(shop, incident, "resolved", "2026-10-22T10:30:00Z", "--reopen")
    assert to_resolved.exit_code == 2  # type: ignore[attr-defined]
    assert "allowed with --reopen: investigating, identified, monitoring" in (
        to_resolved.stderr  # type: ignore[attr-defined]
    )
    reopened = update(shop, incident, "investigating", "2026-10-22T10:30:00Z", "--reopen")
    assert reopened.exit_code == 0  # type: ignore[attr-defined]
    record = shop.json("incident", "show", str(incident))["incident"]
    assert record["status"] == "investigating" and record["resolved_at"] is None
    assert shop.json("incident", "list", "--open")["incidents"][0]["id"] == incident
    again = update(shop, incident, "resolved", "2026-10-22T11:00:00Z")
    assert again.exit_code == 0  # type: ignore[attr-defined]
    assert shop.json("incident", "show", str(incident))["incident"]["resolved_at"] == (
        "2026-10-22T11:00:00+00:00"
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_reopen_on_an_open_incident_is_exit_2(shop: Runner) -> None:
    incident = open_(shop, "--started-at", START)["id"]
    result = update(shop, incident, "identified", "2026-10-22T10:00:00Z", "--reopen")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "is not resolved (it is investigating)" in result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_update_times_never_go_back(shop: Runner) -> None:
    incident = open_(shop, "--started-at", START)["id"]
    early = update(shop, incident, "identified", "2026-10-22T09:00:00Z")
    assert early.exit_code == 2  # type: ignore[attr-defined]
    assert "is before the incident started (2026-10-22T09:38:00+00:00)" in (
        early.stderr  # type: ignore[attr-defined]
    )
    update(shop, incident, "identified", "2026-10-22T10:00:00Z")
    back = update(shop, incident, "monitoring", "2026-10-22T09:45:00Z")
    assert back.exit_code == 2  # type: ignore[attr-defined]
    assert "is before the previous update (2026-10-22T10:00:00+00:00)" in (
        back.stderr  # type: ignore[attr-defined]
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_update_of_an_unknown_incident_is_exit_2(shop: Runner) -> None:
    result = update(shop, 42, "identified", "2026-10-22T10:00:00Z")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "no incident with id 42" in result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_voice_warnings_never_block_an_update(shop: Runner) -> None:
    incident = open_(shop, "--started-at", START)["id"]
    result = shop(
        "incident",
        "update",
        str(incident),
        "--status",
        "investigating",
        "--message",
        "We are looking into it. Dana Dev is on it.",
        "--at",
        "2026-10-22T09:40:00Z",
        "--json",
    )
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["schema"] == "incident-update/1"
    rules = {w["rule"] for w in doc["warnings"]}
    assert {"what-you-see", "internal-reference"} <= rules  # a git author's name
    assert "warning: what-you-see" in result.stderr


# --- list and show ---------------------------------------------------------------------


def test_list_filters_open_environment_and_since(shop: Runner) -> None:
    old = open_(shop, "--started-at", "2026-10-02T08:00:00Z")["id"]
    update(shop, old, "resolved", "2026-10-02T09:00:00Z")
    new = open_(shop, "--started-at", START)["id"]
    staging = shop.json(
        "incident", "open", "--env", "staging", "--title", "Slow", "--started-at", START
    )["id"]

    def ids(*args: str) -> list[int]:
        return [i["id"] for i in shop.json("incident", "list", *args)["incidents"]]

    assert ids() == [staging, new, old]  # newest first
    assert ids("--open") == [staging, new]
    assert ids("--env", "production-eu") == [new, old]
    assert ids("--since", "2026-10-10") == [staging, new]
    assert ids("--since", "2026-10-02T08:30:00+00:00") == [staging, new, old]
    listing = shop.json("incident", "list", "--env", "production-eu")["incidents"]
    assert listing[1]["minutes"] == 60
    text = shop.ok("incident", "list").stdout
    assert "resolved" in text and "1 hour" in text and "so far" in text
    bad = shop("incident", "list", "--since", "last week")
    assert bad.exit_code == 2 and "--since" in bad.stderr


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_show_of_an_unknown_incident_is_exit_2(shop: Runner) -> None:
    result = shop("incident", "show", "7")
    assert result.exit_code == 2
    assert "no incident with id 7" in result.stderr


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_show_tells_the_story_in_text(shop: Runner) -> None:
    incident = open_(shop, "--component", "search", "--started-at", START)["id"]
    update(shop, incident, "resolved", "2026-10-22T10:10:00Z")
    text = shop.ok("incident", "show", str(incident)).stdout
    assert "suspect: v1.2.0 to production-eu at 09:00 UTC (#3) changed Search" in text
    assert "perf(search): faster results [search]" in text
    assert "affected customers (fixed when it resolved):" in text
    assert "globex" in text and "32 minutes" in text
    assert "acme" not in text  # Acme does not use search


# --- the suspect deploy ----------------------------------------------------------------


def test_no_candidate_is_said_plainly(shop: Runner) -> None:
    # Checkout last changed with v1.1.0 at 08:00; a look-back of 1 hour does not reach it.
    config = shop.cwd / "releasecare.toml"
    config.write_text(config.read_text() + "\n[incidents]\nlookback_hours = 1\n")
    result = shop.ok(
        "incident",
        "open",
        "--env",
        "production-eu",
        "--component",
        "checkout",
        "--title",
        "x",
        "--started-at",
        START,
    )
    assert (
        "no suspect deploy: no deploy to production-eu in the 1 hour before the incident "
        "started changed Checkout" in result.stderr
    )
    shown = shop.json("incident", "show", result.stdout.strip())
    assert shown["suspect"]["deployment"] is None
    assert shown["candidates"] == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_outside_the_default_window_is_no_candidate(shop: Runner) -> None:
    result = shop.ok(
        "incident",
        "open",
        "--env",
        "production-eu",
        "--component",
        "search",
        "--title",
        "x",
        "--started-at",
        "2026-10-23T09:30:00Z",  # 24 h 30 min after v1.2.0
    )
    assert "no suspect deploy: no deploy to production-eu in the 1 day" in result.stderr


def test_several_candidates_nearest_first_and_the_choice_explained(shop: Runner) -> None:
    doc = open_(shop, "--started-at", START)  # no component: any change counts
    assert "; the nearest of 3 candidates" in doc["suspect"]
    shown = shop.json("incident", "show", str(doc["id"]))
    assert [c["deployment"]["id"] for c in shown["candidates"]] == [3, 2, 1]
    assert [c["minutes_before"] for c in shown["candidates"]] == [38, 98, 158]
    assert shown["candidates"][1]["explanation"] == (
        "v1.1.0 to production-eu at 08:00 UTC (#2) changed Checkout and Invoices, "
        "1 hour 38 minutes before the incident started"
    )
    # The nearest deploy that touches checkout is the suspect, not the nearest deploy.
    checkout = open_(shop, "--component", "checkout", "--started-at", START)
    assert checkout["incident"]["suspect_deployment_id"] == 2


def test_a_failed_deploy_and_a_rollback_nearby_are_shown(shop: Runner) -> None:
    failed = shop.deploy("v1.2.0", "2026-10-22T09:10:00Z", "--status", "failed")
    rollback = shop.deploy("v1.1.0", "2026-10-22T09:55:00Z")
    incident = open_(shop, "--component", "search", "--started-at", START)["id"]
    shown = shop.json("incident", "show", str(incident))
    nearby = [(n["deployment"]["id"], n["kind"], n["minutes_after_start"]) for n in shown["nearby"]]
    assert nearby == [(failed, "failed", -28), (rollback, "rollback", 17)]
    # The failed deploy is never the suspect: it changed nothing.
    assert shown["suspect"]["deployment"]["id"] == 3
    text = shop.ok("incident", "show", str(incident)).stdout
    assert "nearby: failed deploy of v1.2.0 on production-eu at 09:10 UTC" in text
    assert "nearby: rollback to v1.1.0 on production-eu at 09:55 UTC" in text


def test_a_named_deploy_is_kept_and_said_to_be_named(shop: Runner) -> None:
    doc = open_(shop, "--deploy", "2", "--started-at", START)
    assert doc["incident"]["suspect_deployment_id"] == 2
    assert doc["incident"]["suspect_named"] is True
    shown = shop.json("incident", "show", str(doc["id"]))
    assert shown["suspect"]["explanation"].startswith(
        "suspect (named when opened): v1.1.0 to production-eu at 08:00 UTC (#2)"
    )
    assert {c["summary"] for c in shown["suspect"]["changes"]} == {
        "feat(invoices): PDF download",
        "fix(checkout): <script>alert(1)</script> in totals",
    }


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_look_back_window_is_validated(shop: Runner) -> None:
    config = shop.cwd / "releasecare.toml"
    config.write_text(config.read_text() + "\n[incidents]\nlookback_hours = 0\n")
    result = shop("incident", "list")
    assert result.exit_code == 2
    assert "key 'incidents.lookback_hours': must be more than 0" in result.stderr


# --- who was hurt ----------------------------------------------------------------------


def test_affected_customers_are_fixed_when_the_incident_resolves(
    shop: Runner, tmp_path: Path
) -> None:
    incident = open_(shop, "--component", "checkout", "--customer", "globex", "--started-at", START)
    iid = str(incident["id"])
    customers = shop.json("incident", "show", iid)["customers"]
    assert [(c["id"], c["named"]) for c in customers] == [("acme", False), ("globex", True)]
    update(shop, incident["id"], "resolved", "2026-10-22T10:08:00Z")
    # Acme moves off checkout, and a new customer starts using it: history stays.
    changed = json.loads((tmp_path / "customers.json").read_text())
    changed[0]["components"] = ["invoices"]
    changed.append(
        {
            "id": "umbrella",
            "name": "Umbrella",
            "environments": ["production-eu"],
            "components": ["checkout"],
        }
    )
    (tmp_path / "customers.json").write_text(json.dumps(changed))
    shop.ok("customers", "import", str(tmp_path / "customers.json"))
    shown = shop.json("incident", "show", iid)
    assert shown["customers_fixed"] is True
    assert [(c["id"], c["minutes"]) for c in shown["customers"]] == [("acme", 30), ("globex", 30)]
    # While open, the registry is read as it is now.
    other = open_(shop, "--component", "checkout", "--started-at", START)["id"]
    now = shop.json("incident", "show", str(other))["customers"]
    assert [c["id"] for c in now] == ["umbrella"]


def test_an_incident_naming_no_component_affects_everyone_on_its_environment(
    shop: Runner,
) -> None:
    incident = open_(shop, "--started-at", START)["id"]
    ids = [c["id"] for c in shop.json("incident", "show", str(incident))["customers"]]
    assert ids == ["acme", "globex"]  # Initech lives on staging


def test_customers_show_lists_incidents_beside_deploys(shop: Runner) -> None:
    incident = open_(shop, "--component", "checkout", "--started-at", START)["id"]
    update(shop, incident, "resolved", "2026-10-22T10:08:00Z")
    open_(shop, "--component", "search", "--started-at", "2026-10-22T09:40:00Z")  # not Acme's
    timeline = shop.json("customers", "show", "acme")["timeline"]
    kinds = [(e["kind"], e.get("incident_id") or e.get("deployment_id")) for e in timeline]
    assert kinds == [("incident", incident), ("deployment", 2), ("deployment", 1)]
    assert timeline[0]["minutes"] == 30 and timeline[0]["components"] == ["checkout"]
    text = shop.ok("customers", "show", "acme").stdout
    assert f"incident   incident #{incident} on production-eu (resolved, 30 minutes)" in text


# --- incident notices ------------------------------------------------------------------


def test_incident_notices_in_the_customers_zone_with_a_version_per_update(
    shop: Runner, tmp_path: Path
) -> None:
    doc = open_(
        shop,
        "--component",
        "checkout",
        "--started-at",
        START,
        "--title",
        "PSP-4411 timeouts after v1.1.0",
        "--public-title",
        "Card payments failing",
        "--message",
        "Card payments fail for some of you. We are looking into it.",
    )
    iid = str(doc["id"])
    out = tmp_path / "notices"

    def render(*extra: str) -> dict:  # type: ignore[type-arg]
        return shop.json(
            "notes",
            "render",
            "--incident",
            iid,
            "--format",
            "md",
            "--format",
            "html",
            "--format",
            "json",
            "--out",
            str(out),
            "--feed",
            *extra,
        )

    first = render()
    assert first["schema"] == "notices/1"
    assert {n["customer"] for n in first["notices"]} == {"acme"}  # only Acme uses checkout
    update(shop, doc["id"], "resolved", "2026-10-22T10:53:00Z")
    render()
    names = sorted(p.name for p in (out / "acme").glob("*.md"))
    assert names == [
        "2026-10-22-production-eu-incident-1-u1.md",
        "2026-10-22-production-eu-incident-1-u2.md",
    ]  # the first version is kept
    latest = (out / "acme" / names[1]).read_text()
    assert latest.startswith("# Card payments failing\n")
    assert "22.10.2026, 11:38 CEST" in latest  # Acme: Europe/Berlin, de-DE
    assert "22.10.2026, 12:53 CEST (1 hour 15 minutes)" in latest
    assert "- Affected: Checkout" in latest
    # Newest update first.
    updates = latest[latest.index("## Updates") :]
    assert updates.index("Resolved") < updates.index("We are looking into it")
    for secret in ("PSP-4411", "v1.1.0", "Globex", "globex"):
        assert secret not in latest
        assert secret not in (out / "acme" / names[1].replace(".md", ".html")).read_text()
    data = json.loads((out / "acme" / names[1].replace(".md", ".json")).read_text())
    assert data["incident"]["status"] == "resolved" and data["update_number"] == 2
    index = (out / "acme" / "index.html").read_text()
    assert index.index("Card payments failing (update 2)") < index.index(
        "Card payments failing (update 1)"
    )
    feed = (out / "acme" / "feed.atom").read_text()
    assert feed.count("<entry>") == 2
    assert "Card payments failing (update 2)" in feed


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_incident_notice_without_a_public_title_names_what_was_hit(
    shop: Runner, tmp_path: Path
) -> None:
    iid = str(open_(shop, "--component", "search", "--started-at", START)["id"])
    out = tmp_path / "n"
    shop.ok("notes", "render", "--incident", iid, "--format", "txt", "--out", str(out))
    (notice,) = (out / "globex").glob("*.txt")
    text = notice.read_text()
    assert text.startswith("A problem with Search\n")
    assert "It broke" not in text  # the internal title
    assert "Oct 22, 2026, 5:38\u202fAM EDT" in text  # Globex: America/New_York, en-US
    refused = shop("notes", "render", "--incident", iid, "--customer", "acme", "--out", str(out))
    assert refused.exit_code == 2
    assert "not affected by incident 1 (or unknown): acme" in refused.stderr
    both = shop("notes", "render", "--incident", iid, "--env", "production-eu", "--out", str(out))
    assert both.exit_code == 2


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_deploy_notice_lists_the_incidents_that_affected_the_customer(
    project: Runner, tmp_path: Path
) -> None:
    project.ok("release", "scan")
    project.ok("customers", "import", str(tmp_path / "customers.json"))
    project.deploy("v1.0.0", "2026-10-22T07:00:00Z")
    # Search was hit; Acme does not use it, but was named as affected.
    named = open_(
        project,
        "--component",
        "search",
        "--customer",
        "acme",
        "--started-at",
        START,
        "--public-title",
        "Search results slow",
    )["id"]
    update(project, named, "resolved", "2026-10-22T10:08:00Z")
    other = open_(
        project,
        "--component",
        "search",
        "--started-at",
        "2026-10-22T09:40:00Z",
        "--public-title",
        "Search down",
    )["id"]
    update(project, other, "resolved", "2026-10-22T10:00:00Z")
    deployed = project.deploy("v1.1.0", "2026-10-22T11:00:00Z")
    out = tmp_path / "out"
    project.ok("notes", "render", str(deployed), "--format", "md", "--out", str(out))
    (notice,) = (out / "acme").glob("*.md")
    text = notice.read_text()
    assert "## Incidents that affected you" in text
    assert "Search results slow" in text and "Search down" not in text
    assert "It broke" not in text  # the internal title
