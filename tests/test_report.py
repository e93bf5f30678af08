"""``releasecare report`` on a hand-checked history, through the CLI and the core.

The history, on production-eu (the ``project`` fixture's releases, and two more):

    commit C1 feat(checkout) 10-01 10:00      v1.0.0
    commit C2 feat(invoices) 10-10 10:00, C3 fix(checkout) 10-11 10:00      v1.1.0
    commit C4 perf(search) 10-20 10:00, C5 docs 10-21 10:00 (no component)  v1.2.0
    commit C6 feat(checkout) 11-02 10:00      v1.3.0
    commit C7 fix(invoices) 11-09 10:00       v1.4.0

    #1 v1.0.0 10-05 12:00  before the period: what production-eu ran when it began
    #2 v1.1.0 11-02 12:00  adds C2, C3
    #3 v1.2.0 11-03 12:00  failed (would add C4, C5); recovered by #4 a day later
    #4 v1.2.0 11-04 12:00  adds C4, C5
    #5 v1.3.0 11-05 12:00  adds C6; rolled back by #6 two hours later
    #6 v1.2.0 11-05 14:00  the rollback: removes C6
    #7 v1.3.0 11-10 12:00  adds C6 again; suspect of incident #1 (checkout, 13:00 to 14:30)
    #8 v1.4.0 11-12 12:00  adds C7
    staging (nothing before: the first deploy starts from the release before it):
    #9  v1.3.0 11-15 12:00  status rolled_back (adds C6); recovered by #10 a day later
    #10 v1.4.0 11-16 12:00  adds C7
    #11 v1.4.0 11-20 12:00  in progress: no outcome, not counted

The period is --since 2026-11-01 --until 2026-11-30 (through the end of that day):
30 days.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.gitfactory import GitRepoFactory
from tests.helpers import Runner

PERIOD = ("--since", "2026-11-01", "--until", "2026-11-30")
HOUR, DAY = 3600, 86400


@pytest.fixture
def history(project: Runner) -> Runner:
    git = GitRepoFactory(project.cwd)
    git.commit(
        "feat(checkout): saved cards\n\nCustomer-Note: You can now save your card.",
        files={"services/checkout/cards.py": "cards = 1\n"},
        when="2026-11-02T10:00:00+00:00",
    )
    git.tag("v1.3.0")
    git.commit(
        "fix(invoices): totals\n\nCustomer-Note: Invoice totals are right again.",
        files={"services/invoices/totals.py": "t = 1\n"},
        when="2026-11-09T10:00:00+00:00",
    )
    git.tag("v1.4.0")
    project.ok("release", "scan")
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    project.deploy("v1.0.0", "2026-10-05T12:00:00Z")
    project.deploy("v1.1.0", "2026-11-02T12:00:00Z")
    project.deploy("v1.2.0", "2026-11-03T12:00:00Z", "--status", "failed")
    project.deploy("v1.2.0", "2026-11-04T12:00:00Z")
    project.deploy("v1.3.0", "2026-11-05T12:00:00Z")
    project.deploy("v1.2.0", "2026-11-05T14:00:00Z")
    project.deploy("v1.3.0", "2026-11-10T12:00:00Z")
    project.deploy("v1.4.0", "2026-11-12T12:00:00Z")
    project.deploy("v1.3.0", "2026-11-15T12:00:00Z", "--status", "rolled_back", env="staging")
    project.deploy("v1.4.0", "2026-11-16T12:00:00Z", env="staging")
    project.deploy("v1.4.0", "2026-11-20T12:00:00Z", "--status", "in_progress", env="staging")
    project.ok(
        "incident",
        "open",
        "--env",
        "production-eu",
        "--component",
        "checkout",
        "--title",
        "Card payments fail",
        "--started-at",
        "2026-11-10T13:00:00Z",
        "--deploy",
        "7",
    )
    project.ok(
        "incident",
        "update",
        "1",
        "--status",
        "resolved",
        "--message",
        "Card payments work again.",
        "--at",
        "2026-11-10T14:30:00Z",
    )
    return project


# Commit times: C2 10-10 10:00, C3 10-11 10:00, C4 10-20 10:00, C5 10-21 10:00,
# C6 11-02 10:00, C7 11-09 10:00. Each lead time below is to its deploy's 12:00.
LEADS_EU = sorted(
    [
        23 * DAY + 2 * HOUR,  # C2 by #2
        22 * DAY + 2 * HOUR,  # C3 by #2
        15 * DAY + 2 * HOUR,  # C4 by #4
        14 * DAY + 2 * HOUR,  # C5 by #4
        3 * DAY + 2 * HOUR,  # C6 by #5 (once: #7 brings it again)
        3 * DAY + 2 * HOUR,  # C7 by #8
    ]
)


def by_key(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in rows}


def test_the_four_keys_per_environment(history: Runner) -> None:
    doc = history.json("report", *PERIOD)
    assert doc["schema"] == "report/1"
    assert doc["period"] == {
        "since": "2026-11-01T00:00:00+00:00",
        "until": "2026-12-01T00:00:00+00:00",
        "days": 30.0,
    }
    assert (doc["deploys"], doc["incidents"], doc["empty"], doc["min_sample"]) == (9, 1, False, 5)
    eu, staging = (
        by_key(doc["environments"])["production-eu"],
        by_key(doc["environments"])["staging"],
    )
    assert eu["name"] == "Europe"
    # 6 deploys reached customers (#3 failed) in 30 days.
    assert eu["deployment_frequency"] == {"n": 6, "per_day": 0.2, "per_week": 1.4}
    # Six changes: median of the two middle ones, 90th percentile by nearest rank (6th).
    assert eu["lead_time"] == {
        "n": 6,
        "enough": True,
        "median_seconds": (14 * DAY + 2 * HOUR + 15 * DAY + 2 * HOUR) / 2,
        "p90_seconds": 23 * DAY + 2 * HOUR,
    }
    assert LEADS_EU[2:4] == [14 * DAY + 2 * HOUR, 15 * DAY + 2 * HOUR]
    # #3 failed, #5 rolled back, #7 an incident's suspect: 3 of the 7 with an outcome.
    assert eu["change_failure_rate"] == {"n": 7, "enough": True, "failed": 3, "rate": 3 / 7}
    # Three recoveries (1 day, 2 hours, 90 minutes): fewer than 5, no number.
    assert eu["recovery_time"] == {
        "n": 3,
        "enough": False,
        "median_seconds": None,
        "p90_seconds": None,
        "unrecovered": 0,
    }
    # staging: #9 (rolled_back) and #10 reached customers; #11 is in progress.
    assert staging["deployment_frequency"]["n"] == 2
    assert staging["change_failure_rate"] == {"n": 2, "enough": False, "failed": 1, "rate": None}
    assert staging["lead_time"]["n"] == 2  # C6 by #9 (13 days 2 hours), C7 by #10 (7 days 2 hours)


def test_each_failed_deploy_says_which_of_the_three_and_its_recovery(history: Runner) -> None:
    doc = history.json("report", *PERIOD)
    failures = [f for env in doc["environments"] for f in env["failures"]]
    assert [
        (
            f["deployment"]["id"],
            f["reasons"],
            f["incidents"],
            f["rolled_back_by"],
            f["recovery_seconds"],
            f["recovered_by"],
        )
        for f in failures
    ] == [
        (3, ["failed"], [], None, DAY, "deployment #4"),
        (5, ["rolled_back"], [], 6, 2 * HOUR, "deployment #6"),
        (7, ["incident"], [1], None, 90 * 60, "incident #1 resolved"),
        (9, ["rolled_back"], [], None, DAY, "deployment #10"),
    ]
    # An incident's recovery runs from its start, not from the deploy.
    assert failures[2]["started_at"] == "2026-11-10T13:00:00+00:00"
    assert failures[2]["recovered_at"] == "2026-11-10T14:30:00+00:00"


def test_the_four_keys_per_component(history: Runner) -> None:
    components = by_key(history.json("report", *PERIOD)["components"])
    assert sorted(components) == ["checkout", "invoices", "search"]
    checkout = components["checkout"]
    # #2 (C3), #5 (C6), #6 (takes C6 away), #7 (C6) on production-eu, #9 (C6) on staging.
    assert checkout["deployment_frequency"]["n"] == 5
    assert checkout["change_failure_rate"] == {"n": 5, "enough": True, "failed": 3, "rate": 0.6}
    assert [f["deployment"]["id"] for f in checkout["failures"]] == [5, 7, 9]
    # C3 to production-eu, C6 to production-eu and to staging: each environment once.
    assert checkout["lead_time"]["n"] == 3
    # The failed #3 would have brought C4 (search): the failure is search's.
    search = components["search"]
    assert search["deployment_frequency"]["n"] == 1
    assert search["change_failure_rate"]["failed"] == 1
    assert [f["deployment"]["id"] for f in search["failures"]] == [3]
    invoices = components["invoices"]
    assert invoices["deployment_frequency"]["n"] == 3  # #2 (C2), #8 and #10 (C7)
    assert invoices["failures"] == []


def test_customers_worst_first(history: Runner) -> None:
    rows = history.json("report", *PERIOD)["customers"]
    assert [
        (
            r["id"],
            r["deploys"],
            r["changes_added"],
            r["changes_removed"],
            r["incidents"],
            r["impact_minutes"],
            r["notices_sent"],
        )
        for r in rows
    ] == [
        # #2 (C2, C3), #5 (C6), #6 (C6 away), #7 (C6), #8 (C7); incident #1 on checkout.
        ("acme", 5, 5, 1, 1, 90, 0),
        # #4 (C4, search); C5 (docs) touches no component: it reaches no one.
        ("globex", 1, 1, 0, 0, 0, 0),
        # staging, every component: #9 (C6) and #10 (C7).
        ("initech", 2, 2, 0, 0, 0, 0),
    ]


def test_a_customers_period_as_a_timeline_in_their_time_zone(history: Runner) -> None:
    result = history.ok("report", *PERIOD, "--customer", "acme")
    assert result.stdout.splitlines()[3:] == [
        "Acme GmbH (acme): 5 deploys received, 5 customer-facing changes added and 1 removed, "
        "1 incident (1 hour 30 minutes), 0 notices sent",
        "Times in Europe/Berlin.",
        "",
        "  2026-11-02 13:00 CET  Deployed v1.1.0 on production-eu",
        "      2 customer-facing changes (2 added) to Checkout, Invoices",
        "  2026-11-05 13:00 CET  Deployed v1.3.0 on production-eu",
        "      1 customer-facing change (1 added) to Checkout; rolled back by deployment #6",
        "  2026-11-05 15:00 CET  Rolled back to v1.2.0 on production-eu",
        "      1 customer-facing change (1 removed) to Checkout",
        "  2026-11-10 13:00 CET  Deployed v1.3.0 on production-eu",
        "      1 customer-facing change (1 added) to Checkout",
        "  2026-11-10 14:00 CET  Incident #1: Card payments fail",
        "      90 minutes (resolved) via Checkout",
        "  2026-11-12 13:00 CET  Deployed v1.4.0 on production-eu",
        "      1 customer-facing change (1 added) to Invoices",
    ]
    doc = history.json("report", *PERIOD, "--customer", "acme")
    assert doc["customer"] == "acme"
    assert [c["id"] for c in doc["customers"]] == ["acme"]
    assert [(e["kind"], e["id"]) for e in doc["timeline"]] == [
        ("deployment", 2),
        ("deployment", 5),
        ("deployment", 6),
        ("deployment", 7),
        ("incident", 1),
        ("deployment", 8),
    ]
    assert doc["timeline"][4]["minutes"] == 90


def test_the_text_report_says_each_figure_and_when_there_is_too_little(history: Runner) -> None:
    text = history.ok("report", *PERIOD).stdout
    assert "2026-11-01 00:00 UTC to 2026-12-01 00:00 UTC (30.0 days)" in text
    assert (
        "    deployment frequency:   0.2 per day, 1.4 per week (6 deploys that reached customers)"
        in text
    )
    assert (
        "    lead time for changes:  median 14 days 14 hours, 90th percentile 23 days 2 hours "
        "(6 changes)" in text
    )
    assert "    change failure rate:    43% (3 of 7 deploys)" in text
    assert "    recovery time:          too little data (3 recovered failures; 5 needed)" in text
    assert (
        "    failed: #5 v1.3.0 on production-eu at 2026-11-05 12:00 UTC: rolled back by "
        "deployment #6; recovered in 2 hours (deployment #6)" in text
    )
    assert (
        "    failed: #7 v1.3.0 on production-eu at 2026-11-10 12:00 UTC: incident #1; "
        "recovered in 1 hour 30 minutes (incident #1 resolved)" in text
    )
    assert text.splitlines()[-4:] == [
        "  customer  deploys  added  removed  incidents  minutes  notices",
        "  acme            5      5        1          1       90        0",
        "  globex          1      1        0          0        0        0",
        "  initech         2      2        0          0        0        0",
    ]


def test_the_markdown_report_is_a_wiki_page(history: Runner) -> None:
    text = history.ok("report", *PERIOD, "--format", "md").stdout
    assert text.startswith("# Shopfront reliability report\n")
    assert (
        "| **Europe** | 0.2 per day, 1.4 per week (6 deploys that reached customers) | median 14 "
        "days 14 hours, 90th percentile 23 days 2 hours (6 changes) | 43% (3 of 7 deploys) | "
        "too little data (3 recovered failures; 5 needed) |" in text
    )
    assert "| Acme GmbH (acme) | 5 | 5 | 1 | 1 | 90 | 0 |" in text


def test_filters_by_environment_and_component(history: Runner) -> None:
    doc = history.json("report", *PERIOD, "--env", "production-eu")
    assert [e["key"] for e in doc["environments"]] == ["production-eu"]
    assert [c["id"] for c in doc["customers"]] == ["acme", "globex"]
    assert doc["deploys"] == 7
    only = history.json("report", *PERIOD, "--component", "invoices")
    # The deploys that touched invoices: #2, #8 and #10; incident #1 was checkout's.
    assert only["deploys"] == 3 and only["incidents"] == 0
    assert [c["key"] for c in only["components"]] == ["invoices"]
    assert by_key(only["environments"])["production-eu"]["deployment_frequency"]["n"] == 2
    assert [(c["id"], c["changes_added"], c["impact_minutes"]) for c in only["customers"]] == [
        ("acme", 2, 0),  # C2 and C7, not C3 (checkout)
        ("initech", 1, 0),  # C7 on staging
    ]


def test_an_empty_period_says_so_plainly(history: Runner) -> None:
    result = history.ok("report", "--since", "2026-01-01", "--until", "2026-01-31")
    assert (
        "Nothing happened in this period: no deploys and no incidents between "
        "2026-01-01 00:00 UTC and 2026-02-01 00:00 UTC." in result.stdout
    )
    doc = history.json("report", "--since", "2026-01-01", "--until", "2026-01-31")
    assert doc["empty"] is True
    assert (doc["deploys"], doc["environments"], doc["components"]) == (0, [], [])
    assert {c["deploys"] for c in doc["customers"]} == {0}
    # In progress only: no outcome yet, nothing to report.
    staging = history.ok(
        "report", "--since", "2026-11-20", "--until", "2026-11-20", "--env", "staging"
    )
    assert "Nothing happened in this period" in staging.stdout
    html = history.ok(
        "report", "--format", "html", "--since", "2026-01-01", "--until", "2026-01-31"
    )
    assert "Nothing happened in this period" in html.stdout and "<svg" not in html.stdout


def test_a_single_deploy(history: Runner) -> None:
    doc = history.json("report", "--since", "2026-11-12", "--until", "2026-11-12")
    (eu,) = doc["environments"]
    # #8 alone, from what production-eu ran before the day (#7's v1.3.0): C7 only.
    assert eu["deployment_frequency"] == {"n": 1, "per_day": 1.0, "per_week": 7.0}
    assert eu["lead_time"] == {
        "n": 1,
        "enough": False,
        "median_seconds": None,
        "p90_seconds": None,
    }
    assert eu["change_failure_rate"] == {"n": 1, "enough": False, "failed": 0, "rate": None}
    assert [(c["id"], c["deploys"], c["changes_added"]) for c in doc["customers"][:1]] == [
        ("acme", 1, 1)
    ]
    text = history.ok("report", "--since", "2026-11-12", "--until", "2026-11-12").stdout
    assert "lead time for changes:  too little data (1 change; 5 needed)" in text
    assert "change failure rate:    too little data (1 deploy; 5 needed)" in text


def test_deploys_and_failures_per_week(history: Runner) -> None:
    weeks = history.json("report", *PERIOD)["weeks"]
    assert [(w["start"], w["deploys"], w["failures"]) for w in weeks] == [
        ("2026-10-26", 0, 0),
        ("2026-11-02", 4, 2),  # #2, #4, #5, #6 reached customers; #3 and #5 failed
        ("2026-11-09", 3, 2),  # #7, #8, #9; #7 and #9
        ("2026-11-16", 1, 0),  # #10
        ("2026-11-23", 0, 0),
        ("2026-11-30", 0, 0),
    ]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--customer", "acmee"], "no customer with id 'acmee'"),
        (["--env", "production-us"], "unknown environment 'production-us'"),
        (["--component", "chekout"], "--component: unknown component 'chekout'"),
        (["--since", "yesterday"], "--since: 'yesterday' is not an ISO 8601 time"),
        (["--until", "2026-11-01T10:00:00"], "--until: '2026-11-01T10:00:00' has no UTC offset"),
        (["--since", "2026-11-02", "--until", "2026-11-01"], "is not before --until"),
    ],
)
def test_bad_input_is_exit_2_with_a_message(history: Runner, args: list[str], message: str) -> None:
    result = history("report", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_out_writes_the_report_to_a_file(history: Runner, tmp_path: Path) -> None:
    target = tmp_path / "reports" / "reliability.html"
    target.parent.mkdir()
    result = history.ok("report", *PERIOD, "--format", "html", "--out", str(target))
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 3
    link = tmp_path / "reports" / "link.html"
    link.symlink_to(tmp_path / "elsewhere.html")
    refused = history("report", *PERIOD, "--out", str(link))
    assert refused.exit_code == 2 and "link" in refused.stderr
    assert not (tmp_path / "elsewhere.html").exists()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_notices_sent_are_counted_and_on_the_timeline(
    history: Runner, httpserver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from tests.helpers import CUSTOMERS
    from tests.test_cli_notify import ACME_SECRET

    httpserver.expect_request("/hooks/acme", method="POST").respond_with_data("ok")
    monkeypatch.setenv("ACME_SECRET", ACME_SECRET)
    hooked = [
        dict(
            c,
            contacts={
                "webhook": {"url": httpserver.url_for("/hooks/acme"), "secret_env": "ACME_SECRET"}
            },
        )
        if c["id"] == "acme"
        else c
        for c in CUSTOMERS
    ]
    source = history.cwd.parent / "hooked.json"
    source.write_text(json.dumps(hooked), encoding="utf-8")
    history.ok("customers", "import", str(source))
    history.ok("notify", "8", "--allow-insecure-localhost")  # v1.4.0: C7 reaches acme
    # Sent now: a period up to now holds it; the hand-checked period (November) does not.
    rows = {r["id"]: r for r in history.json("report", "--since", "2026-11-01")["customers"]}
    assert (rows["acme"]["notices_sent"], rows["globex"]["notices_sent"]) == (1, 0)
    assert history.json("report", *PERIOD)["customers"][0]["notices_sent"] == 0
    timeline = history.json("report", "--since", "2026-11-01", "--customer", "acme")["timeline"]
    assert timeline[-1]["kind"] == "notice"
    assert timeline[-1]["detail"] == "by webhook (deployment #8)"
    assert timeline[-1]["title"].startswith("Notice sent: ")


def test_build_report_on_a_session_gives_the_same_figures(history: Runner) -> None:
    from datetime import UTC, datetime

    from releasecare.config import load_config
    from releasecare.report import Period, build_report
    from releasecare.store import open_engine, transaction

    config = load_config(history.cwd / "releasecare.toml")
    engine = open_engine(history.db_url)
    period = Period(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    with transaction(engine, write=False) as session:
        report = build_report(session, config, period, now=datetime(2026, 12, 1, tzinfo=UTC))
        one = build_report(session, config, period, customer_id="globex")
    engine.dispose()
    eu = {k.key: k for k in report.environments}["production-eu"]
    assert (eu.deploys, eu.attempts, len(eu.failures)) == (6, 7, 3)
    assert eu.lead_time.median == (29 * DAY + 4 * HOUR) / 2 and eu.lead_time.p90 == LEADS_EU[-1]
    assert [f.reasons for f in eu.failures] == [("failed",), ("rolled_back",), ("incident",)]
    assert [f.recovery_seconds for f in eu.failures] == [DAY, 2 * HOUR, 90 * 60]
    assert eu.recovery.n == 3 and eu.recovery.median is None and not eu.recovery.enough
    assert eu.failure_rate == 3 / 7
    assert [(r.customer_id, r.impact_minutes) for r in report.customers] == [
        ("acme", 90),
        ("globex", 0),
        ("initech", 0),
    ]
    assert one.customer is not None and one.customer.customer_id == "globex"
    assert [(e.kind, e.ref, e.detail) for e in one.timeline] == [
        ("deployment", 4, "1 customer-facing change (1 added) to Search")
    ]


def test_spread_is_the_median_and_the_nearest_rank_90th_percentile() -> None:
    from releasecare.report import spread

    assert spread([4, 1, 3, 2]) == spread([1, 2, 3, 4])
    assert (spread([1, 2, 3, 4]).median, spread([1, 2, 3, 4]).n) == (None, 4)
    assert (spread([5, 1, 4, 2, 3]).median, spread([5, 1, 4, 2, 3]).p90) == (3, 5)
    ten = spread(list(range(1, 11)))
    assert (ten.median, ten.p90) == (5.5, 9)  # ceil(0.9 x 10) = 9th
    eleven = spread(list(range(1, 12)))
    assert (eleven.median, eleven.p90) == (6, 10)  # ceil(0.9 x 11) = 10th


def test_the_period_defaults_to_the_last_90_days_and_takes_dates_or_times() -> None:
    from datetime import UTC, datetime, timedelta

    from releasecare.report import day_or_time, period_of

    now = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    assert period_of(None, None, now).since == now - timedelta(days=90)
    assert period_of(None, None, now).until == now
    assert day_or_time("2026-11-30", "--until", end=True) == datetime(2026, 12, 1, tzinfo=UTC)
    assert day_or_time("2026-11-30", "--since") == datetime(2026, 11, 30, tzinfo=UTC)
    assert day_or_time("2026-11-30T10:00:00+01:00", "--since") == datetime(
        2026, 11, 30, 9, tzinfo=UTC
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_names_from_others_stay_inert_in_markdown_and_text(history: Runner) -> None:
    import json

    from tests.helpers import CUSTOMERS

    hostile = "*Acme* [pay](https://evil.example) <b>x</b> | col"
    renamed = [dict(c, name=hostile) if c["id"] == "acme" else c for c in CUSTOMERS]
    source = history.cwd.parent / "renamed.json"
    source.write_text(json.dumps(renamed), encoding="utf-8")
    history.ok("customers", "import", str(source))
    md = history.ok("report", *PERIOD, "--format", "md", "--customer", "acme").stdout
    assert "## \\*Acme\\* [pay\\](https://evil.example) \\<b>x\\</b> | col (acme)" in md
    table = history.ok("report", *PERIOD, "--format", "md").stdout
    assert "| \\*Acme\\* [pay\\](https://evil.example) \\<b>x\\</b> \\| col (acme) | 5 |" in table
    html = history.ok("report", *PERIOD, "--format", "html").stdout
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_deploy_the_stored_history_cannot_place_is_counted_and_said(history: Runner) -> None:
    import sqlite3

    doc = history.json("report", *PERIOD)
    sha = next(
        f["deployment"]["sha"]
        for e in doc["environments"]
        for f in e["failures"]
        if f["deployment"]["id"] == 7
    )
    path = history.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:  # as if the scan had lost v1.3.0's commit
        connection.execute("DELETE FROM commits WHERE sha = ?", (sha,))
    doc = history.json("report", *PERIOD)
    # #5, #7 and #9 deploy v1.3.0; #6, #8 and #10 start from what it ran (v1.3.0).
    assert doc["unknown_changes"] == 6
    assert doc["deploys"] == 9  # still counted as deploys, with no changes
    text = history.ok("report", *PERIOD).stdout
    assert (
        "warning: 6 deploys could not be placed in the stored history (run `releasecare "
        "release scan`); their changes are not counted." in text
    )
