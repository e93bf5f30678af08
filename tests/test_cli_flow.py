"""The end-to-end path through the CLI, on SQLite and PostgreSQL:
scan -> customers -> deploys -> impact -> notices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Runner


def setup_history(run: Runner) -> None:
    run.ok("release", "scan")
    run.ok("customers", "import", str(run.cwd.parent / "customers.json"))


def test_scan_stores_releases_and_is_incremental(project: Runner) -> None:
    first = project.json("release", "scan")
    assert first["releases"] == 3
    assert [s["tag"] for s in first["scanned"]] == ["v1.0.0", "v1.1.0", "v1.2.0"]
    assert [s["changes"] for s in first["scanned"]] == [1, 2, 2]
    again = project.json("release", "scan")
    assert again["scanned"] == []
    assert again["skipped"] == 3
    shown = project.json("release", "show", "v1.1.0")
    notes = {c["summary"]: c["customer_note"] for c in shown["changes"]}
    assert notes["feat(invoices): PDF download"] == "You can now download invoices as PDF."
    assert {c["summary"]: c["components"] for c in shown["changes"]} == {
        "feat(invoices): PDF download": ["invoices"],
        "fix(checkout): <script>alert(1)</script> in totals": ["checkout"],
    }


def test_rescan_writes_each_change_once(project: Runner) -> None:
    project.ok("release", "scan")
    before = project.json("release", "show", "v1.1.0")
    again = project.json("release", "scan", "--rescan")
    assert [(s["tag"], s["changes"]) for s in again["scanned"]] == [
        ("v1.0.0", 1),
        ("v1.1.0", 2),
        ("v1.2.0", 2),
    ]
    one = project.json("release", "scan", "v1.1.0", "--rescan")
    assert one["scanned"] == [{"tag": "v1.1.0", "changes": 2}]
    assert project.json("release", "show", "v1.1.0") == before


def test_an_older_tag_added_later_takes_its_commits_as_a_fresh_scan_would(
    project: Runner,
) -> None:
    from tests.gitfactory import GitRepoFactory

    project.ok("release", "scan", "v1.2.0")  # v1.1.0..v1.2.0: search and docs
    git = GitRepoFactory(project.cwd)
    git.git("tag", "v1.1.5", git.git("rev-parse", "v1.2.0~1"))  # the search commit
    result = project.json("release", "scan")
    assert {s["tag"]: s["changes"] for s in result["scanned"]} == {
        "v1.0.0": 1,
        "v1.1.0": 2,
        "v1.1.5": 1,  # the search commit is first released in v1.1.5 now
        "v1.2.0": 1,  # and is not counted twice
    }
    summaries = [c["summary"] for c in project.json("release", "show", "v1.2.0")["changes"]]
    assert summaries == ["docs: explain setup"]


def test_deploy_record_twice_records_once(project: Runner) -> None:
    setup_history(project)
    first = project.json("deploy", "record", "--env", "production-eu", "--version", "v1.1.0")
    second = project.json("deploy", "record", "--env", "production-eu", "--version", "v1.1.0")
    assert first["created"] is True
    assert second["created"] is False
    assert second["deployment"]["id"] == first["deployment"]["id"]
    with_id = [
        "deploy",
        "record",
        "--env",
        "production-eu",
        "--version",
        "v1.2.0",
        "--id",
        "pipeline-9",
    ]
    assert project.json(*with_id)["created"] is True
    assert project.json(*with_id)["created"] is False
    listed = project.json("deploy", "list")["deployments"]
    assert [(d["version"], d["previous_version"], d["external_id"]) for d in listed] == [
        ("v1.1.0", "v1.0.0", None),  # the first: the release before is assumed
        ("v1.2.0", "v1.1.0", "pipeline-9"),
    ]


def test_impact_range_after_two_deploys(project: Runner) -> None:
    setup_history(project)
    project.deploy("v1.0.0", "2026-11-01T10:00:00+00:00")
    project.deploy("v1.2.0", "2026-11-02T10:00:00+00:00")
    impact = project.json("impact", "--env", "production-eu", "--version", "v1.2.0")
    assert impact["deployment"]["previous_version"] == "v1.0.0"
    assert impact["deployment"]["rollback"] is False
    assert impact["components"] == ["checkout", "invoices", "search"]
    summaries = [c["summary"] for c in impact["changes"]]
    assert summaries == [
        "feat(invoices): PDF download",
        "fix(checkout): <script>alert(1)</script> in totals",
        "perf(search): faster results",
    ]
    assert [c["summary"] for c in impact["unmapped_changes"]] == ["docs: explain setup"]
    customers = {c["id"]: c for c in impact["customers"]}
    assert set(customers) == {"acme", "globex"}  # initech lives on staging only
    assert customers["acme"]["components"] == ["checkout", "invoices"]
    assert len(customers["acme"]["changes"]) == 2
    assert customers["globex"]["components"] == ["search"]


def test_first_deploy_uses_previous_release(project: Runner) -> None:
    setup_history(project)
    impact = project.json("impact", "--env", "production-eu", "--version", "v1.1.0")
    assert impact["deployment"]["status"] == "preview"
    assert impact["deployment"]["previous_version"] == "v1.0.0"
    assert impact["components"] == ["checkout", "invoices"]


def test_rollback_reverses_the_range(project: Runner) -> None:
    setup_history(project)
    project.deploy("v1.2.0", "2026-11-01T10:00:00+00:00")
    rolled = project.deploy("v1.0.0", "2026-11-02T10:00:00+00:00")
    impact = project.json("impact", str(rolled))
    assert impact["deployment"]["rollback"] is True
    assert impact["deployment"]["previous_version"] == "v1.2.0"
    assert [c["summary"] for c in impact["changes"]] == [
        "perf(search): faster results",
        "fix(checkout): <script>alert(1)</script> in totals",
        "feat(invoices): PDF download",
    ]


def test_failed_deploy_changes_nothing(project: Runner) -> None:
    setup_history(project)
    project.deploy("v1.0.0", "2026-11-01T10:00:00+00:00")
    project.deploy("v1.1.0", "2026-11-02T10:00:00+00:00", "--status", "failed")
    project.deploy("v1.2.0", "2026-11-03T10:00:00+00:00")
    impact = project.json("impact", "--env", "production-eu", "--version", "v1.2.0")
    assert impact["deployment"]["previous_version"] == "v1.0.0"


@pytest.mark.parametrize("status", ["failed", "in_progress"])
def test_a_deploy_that_never_reached_customers_tells_no_one(
    project: Runner, tmp_path: Path, status: str
) -> None:
    setup_history(project)
    project.deploy("v1.2.0", "2026-11-01T10:00:00+00:00")
    # An older version that failed is no rollback, a newer one no update: nothing changed.
    for version in ("v1.0.0", "v1.2.0"):
        failed = project.deploy(version, "2026-11-02T10:00:00+00:00", "--status", status)
        impact = project.json("impact", str(failed))
        assert impact["changes"] == [] and impact["unmapped_changes"] == []
        assert impact["customers"] == [] and impact["components"] == []
        assert impact["deployment"]["rollback"] is False
        assert impact["deployment"]["reached_customers"] is False
        text = project.ok("impact", str(failed)).stdout
        assert text.startswith(f"deployment #{failed} {status.replace('_', ' ')}: nothing changed")
        out = tmp_path / f"out-{version}-{status}"
        result = project.ok("notes", "render", str(failed), "--out", str(out))
        assert "nothing changed for customers; no notices written" in result.stdout
        assert not out.exists()
        assert project.json("notes", "render", str(failed), "--out", str(out))["notices"] == []


def test_a_customer_touched_only_by_internal_changes_is_not_affected(
    project: Runner, tmp_path: Path
) -> None:
    from tests.gitfactory import GitRepoFactory

    git = GitRepoFactory(project.cwd)
    git.commit("chore(checkout): bump the HTTP library", files={"services/checkout/d.txt": "2\n"})
    git.commit("perf(search): even faster results", files={"services/search/index.py": "i = 2\n"})
    git.tag("v1.3.0")
    setup_history(project)
    project.deploy("v1.2.0", "2026-11-01T10:00:00+00:00")
    deployed = project.deploy("v1.3.0", "2026-11-02T10:00:00+00:00")
    impact = project.json("impact", str(deployed))
    assert [c["id"] for c in impact["customers"]] == ["globex"]  # search, customer-facing
    assert impact["touched_internally"] == ["acme"]  # checkout: only the internal bump
    assert sorted(impact["components"]) == ["checkout", "search"]
    written = project.json("notes", "render", str(deployed), "--out", str(tmp_path / "out"))
    assert {n["customer"] for n in written["notices"]} == {"globex"}
    assert not (tmp_path / "out" / "acme").exists()


def test_render_notices_per_customer(project: Runner, tmp_path: Path) -> None:
    setup_history(project)
    project.deploy("v1.0.0", "2026-11-01T10:00:00+00:00")
    deployed = project.deploy("v1.2.0", "2026-11-02T10:00:00+00:00")
    out = tmp_path / "notices"
    render = ["notes", "render", str(deployed), "--format", "md", "--format", "html"]
    result = project.json(*render, "--out", str(out))
    by_customer: dict[str, dict[str, str]] = {}
    for notice in result["notices"]:
        text = Path(notice["path"]).read_text(encoding="utf-8")
        by_customer.setdefault(notice["customer"], {})[notice["format"]] = text
    assert set(by_customer) == {"acme", "globex"}
    acme_html = by_customer["acme"]["html"]
    assert "<script>alert(1)</script>" not in acme_html
    assert "&lt;script&gt;" in acme_html
    assert "You can now download invoices as PDF." in by_customer["acme"]["md"]
    assert "Acme GmbH" in acme_html and "Globex" not in acme_html
    globex_md = by_customer["globex"]["md"]
    assert "invoices as PDF" not in globex_md and "Acme" not in globex_md
    # rendering again records once
    again = project.json(*render, "--out", str(out))
    assert len(again["notices"]) == len(result["notices"])


def test_customers_list_and_show(project: Runner) -> None:
    setup_history(project)
    listed = project.json("customers", "list")["customers"]
    assert [c["id"] for c in listed] == ["acme", "globex", "initech"]
    assert listed[2]["components"] == ["*"]
    project.deploy("v1.2.0", "2026-11-02T10:00:00+00:00")
    acme = project.json("customers", "show", "acme")
    assert acme["customer"]["timezone"] == "Europe/Berlin"
    assert acme["timeline"] == []  # v1.2.0 only changed search, which acme does not use
    globex = project.json("customers", "show", "globex")
    assert [(e["version"], e["components"]) for e in globex["timeline"]] == [("v1.2.0", ["search"])]


def test_impact_json_is_one_document(project: Runner) -> None:
    setup_history(project)
    result = project.ok("impact", "--env", "production-eu", "--version", "v1.2.0", "--json")
    json.loads(result.stdout)


def test_notice_lists_incidents_that_affected_the_customer(project: Runner, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from releasecare.store import open_engine, transaction
    from releasecare.store.models import IncidentComponentRow, IncidentRow, IncidentUpdateRow

    setup_history(project)
    project.deploy("v1.0.0", "2026-11-01T10:00:00+00:00")
    deployed = project.deploy("v1.2.0", "2026-11-03T10:00:00+00:00")
    with transaction(open_engine(project.db_url)) as session:
        for title, component, start in (
            ("Card payments failed", "checkout", datetime(2026, 11, 2, 9, tzinfo=UTC)),
            ("Search was slow", "search", datetime(2026, 11, 2, 12, tzinfo=UTC)),
            ("Old outage", "checkout", datetime(2026, 10, 1, 9, tzinfo=UTC)),
            (None, "invoices", datetime(2026, 11, 2, 15, tzinfo=UTC)),
        ):
            session.add(
                IncidentRow(
                    title=title or "INV-4411 pdf-svc OOM",  # internal
                    public_title=title,
                    environment="production-eu",
                    status="resolved",
                    started_at=start,
                    resolved_at=start.replace(hour=start.hour + 1),
                    components=[IncidentComponentRow(component=component)],
                    updates=[IncidentUpdateRow(status="resolved", message="Fixed.", at=start)],
                )
            )
    out = tmp_path / "notices"
    project.ok("notes", "render", str(deployed), "--format", "md", "--out", str(out))
    name = f"2026-11-03-production-eu-v1.2.0-d{deployed}.md"  # the notice names its deploy
    acme = (out / "acme" / name).read_text()
    globex = (out / "globex" / name).read_text()
    assert "## Incidents that affected you" in acme and "Card payments failed" in acme
    assert "Search was slow" not in acme and "Old outage" not in acme
    assert "Search was slow" in globex and "Card payments" not in globex
    assert "02.11.2026, 10:00 CET" in acme  # the incident's start in Acme's time zone
    # An incident's title is internal: without a public title, customers read what was hit.
    assert "A problem with Invoices" in acme and "INV-4411" not in acme


def test_rendering_one_deploy_never_replaces_another_deploys_notice(
    project: Runner, tmp_path: Path
) -> None:
    setup_history(project)
    project.deploy("v1.0.0", "2026-11-01T10:00:00+00:00")
    first = project.deploy("v1.1.0", "2026-11-02T10:00:00+00:00")
    project.deploy("v1.0.0", "2026-11-03T10:00:00+00:00")  # rolled back
    again = project.deploy("v1.1.0", "2026-11-04T10:00:00+00:00")  # the same version again
    out = tmp_path / "out"
    paths = set()
    for deployment in (first, again, first):  # the same deploy rendered twice: one file
        written = project.json("notes", "render", str(deployment), "--out", str(out))
        paths |= {n["path"] for n in written["notices"] if n["customer"] == "acme"}
    assert len(paths) == 2
    assert all(Path(p).exists() for p in paths)
    assert sorted(p.name for p in (out / "acme").glob("*.md")) == [
        f"2026-11-02-production-eu-v1.1.0-d{first}.md",
        f"2026-11-04-production-eu-v1.1.0-d{again}.md",
    ]


def test_deploy_list_says_what_kind_of_deploy_each_was(project: Runner) -> None:
    setup_history(project)
    project.deploy("v1.1.0", "2026-11-01T10:00:00+00:00")
    project.deploy("v1.2.0", "2026-11-02T10:00:00+00:00")
    project.deploy("v1.2.0", "2026-11-03T09:00:00+00:00", "--status", "failed")
    project.deploy("v1.0.0", "2026-11-03T10:00:00+00:00")
    project.deploy("v1.0.0", "2026-11-04T10:00:00+00:00")
    listed = project.json("deploy", "list")["deployments"]
    assert [(d["version"], d["kind"]) for d in listed] == [
        ("v1.1.0", "first"),
        ("v1.2.0", "update"),
        ("v1.2.0", "failed"),
        ("v1.0.0", "rollback"),
        ("v1.0.0", "redeploy"),
    ]
    assert [d["previous_assumed"] for d in listed] == [True, False, False, False, False]
    text = project.ok("deploy", "list").stdout
    assert "ROLLBACK" in text and "FAILED: nothing changed" in text
    assert (
        "v1.0.0 -> v1.1.0               succeeded  "
        "(first known here: what it had before is assumed)" in text
    )
