"""The reliability report at scale: 10,000 deploys and 1,000 customers on SQLite.

Builds a database straight through the store's tables (no git): a commit history of
one change per commit over 50 components, a release every four commits, 10,000
deploys over five environments in 90 days (one in 20 failed, one in 50 a rollback
to the release before, a few in progress), 1,000 customers, 200 incidents with their
suspects and fixed customers, and 2,000 notices sent. Then times, best of N, taken
in turn:

- ``releasecare report --json`` over the 90 days, a child process (the CLI as a
  user runs it: start-up, the queries, every deploy's change set from the commit
  graph, the four keys, the customer view, the JSON document),
- ``releasecare report --format html`` (the same, with the charts and the template),
- ``build_report`` in this process (the core alone),
- the baseline: one raw ``SELECT environment, count(*) FROM deployments WHERE
  deployed_at >= ? GROUP BY environment`` through ``sqlite3``, in this process and in a
  child Python process (its start-up included, as the CLI's is),

and prints the ratios, the target (the CLI within 2 s) and a check that the report
counted the deploys the raw query counts.

    .venv/bin/python benchmarks/bench_report.py [--deploys N] [--customers N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchlib import child_env, releasecare, run, timed

ENVIRONMENTS = [f"env-{n}" for n in range(5)]
COMPONENTS = [f"comp-{n:02d}" for n in range(50)]
UNTIL = datetime(2026, 11, 30, tzinfo=UTC)
DAYS = 90


def populate(url: str, deploys: int, customers: int) -> None:
    """Everything through the store's own tables, in one transaction."""
    from sqlalchemy import insert

    from releasecare.store import open_engine, transaction
    from releasecare.store.models import (
        ChangeComponentRow,
        ChangeRow,
        CommitRow,
        CustomerComponentRow,
        CustomerEnvironmentRow,
        CustomerRow,
        DeliveryRow,
        DeploymentRow,
        IncidentComponentRow,
        IncidentCustomerRow,
        IncidentRow,
        NoticeVersionRow,
        ReleaseRow,
    )

    rng = random.Random(21)
    per_env = deploys // len(ENVIRONMENTS)
    releases = per_env + 10
    commits = releases * 4
    start = UNTIL - timedelta(days=DAYS)
    # Commits from before the period's first release up to the last.
    first_commit = start - timedelta(days=30)
    step = (UNTIL - first_commit) / commits
    now = datetime.now(UTC)
    engine = open_engine(url)
    with transaction(engine) as session:
        shas = [f"{n:040x}" for n in range(1, commits + 1)]
        session.execute(
            insert(CommitRow),
            [
                {"sha": sha, "generation": n + 1, "parents": shas[n - 1] if n else ""}
                for n, sha in enumerate(shas)
            ],
        )
        session.execute(
            insert(ReleaseRow),
            [
                {
                    "id": r + 1,
                    "tag": f"v1.{r}.0",
                    "sha": shas[r * 4 + 3],
                    "tagged_at": first_commit + step * (r * 4 + 3),
                    "position": r,
                    "previous_tag": f"v1.{r - 1}.0" if r else None,
                }
                for r in range(releases)
            ],
        )
        changes, mapped = [], []
        for n, sha in enumerate(shas):
            component = COMPONENTS[rng.randrange(len(COMPONENTS))]
            kind = ("feat", "fix", "perf", "chore")[n % 4]
            changes.append(
                {
                    "id": n + 1,
                    "sha": sha,
                    "release_id": n // 4 + 1,
                    "summary": f"{kind}({component}): change {n}",
                    "body": "",
                    "type": kind,
                    "scope": component,
                    "breaking": False,
                    "customer_note": f"You can now do thing {n}." if n % 3 == 0 else None,
                    "audience": "customer" if kind != "chore" else "internal",
                    "visible": kind != "chore",
                    "author_name": "Dev",
                    "author_email": "dev@example.com",
                    "authored_at": first_commit + step * n,
                    "ordinal": n % 4,
                }
            )
            mapped.append({"change_id": n + 1, "component": component})
        session.execute(insert(ChangeRow), changes)
        session.execute(insert(ChangeComponentRow), mapped)
        rows: list[dict[str, Any]] = []
        for e, env in enumerate(ENVIRONMENTS):
            position = 0
            for n in range(per_env):
                status = "succeeded"
                if n % 20 == 7:
                    status = "failed"
                elif n % 500 == 499:
                    status = "in_progress"
                version = position
                if n % 50 == 25 and position > 0:
                    version = position - 1  # back to the release before
                else:
                    position = min(position + 1, releases - 1)
                    version = position
                rows.append(
                    {
                        "environment": env,
                        "version": f"v1.{version}.0",
                        "sha": shas[version * 4 + 3],
                        "status": status,
                        "deployed_at": start + timedelta(days=DAYS) * (n + 0.5 + e / 10) / per_env,
                        "source": "bench",
                        "external_id": f"{env}-{n}",
                        "recorded_at": now,
                    }
                )
        session.execute(insert(DeploymentRow), rows)
        people, envs, comps = [], [], []
        for i in range(customers):
            cid = f"customer-{i:04d}"
            everything = i % 50 == 0
            people.append(
                {
                    "id": cid,
                    "name": f"Customer {i}",
                    "timezone": "Europe/Berlin",
                    "locale": "en",
                    "all_environments": False,
                    "all_components": everything,
                    "contacts": {},
                    "updated_at": now,
                }
            )
            for env in rng.sample(ENVIRONMENTS, k=rng.choice((1, 1, 2))):
                envs.append({"customer_id": cid, "environment": env})
            if not everything:
                for component in rng.sample(COMPONENTS, k=rng.randint(3, 12)):
                    comps.append({"customer_id": cid, "component": component})
        session.execute(insert(CustomerRow), people)
        session.execute(insert(CustomerEnvironmentRow), envs)
        session.execute(insert(CustomerComponentRow), comps)
        incidents, spans, hurt = [], [], []
        for i in range(200):
            suspect = rng.randrange(len(rows))
            deploy = rows[suspect]
            began = deploy["deployed_at"] + timedelta(minutes=30)
            incidents.append(
                {
                    "id": i + 1,
                    "title": f"Incident {i}",
                    "environment": deploy["environment"],
                    "status": "resolved" if i % 10 else "monitoring",
                    "started_at": began,
                    "resolved_at": began + timedelta(minutes=rng.randint(10, 300))
                    if i % 10
                    else None,
                    "suspect_deployment_id": suspect + 1,
                    "source": "bench",
                    "external_id": str(i),
                }
            )
            spans.append({"incident_id": i + 1, "component": rng.choice(COMPONENTS)})
            if i % 10:
                for c in rng.sample(range(customers), k=20):
                    hurt.append(
                        {
                            "incident_id": i + 1,
                            "customer_id": f"customer-{c:04d}",
                            "name": f"Customer {c}",
                            "components": spans[-1]["component"],
                        }
                    )
        session.execute(insert(IncidentRow), incidents)
        session.execute(insert(IncidentComponentRow), spans)
        session.execute(insert(IncidentCustomerRow), hurt)
        versions, deliveries = [], []
        for i in range(2_000):
            cid = f"customer-{rng.randrange(customers):04d}"
            deployment = rng.randrange(len(rows)) + 1
            versions.append(
                {
                    "id": i + 1,
                    "customer_id": cid,
                    "subject": f"deployment:{deployment}",
                    "deployment_id": deployment,
                    "version": i + 1,  # unique per (customer, subject)
                    "fingerprint": f"{i:064x}",
                    "title": f"Notice {i}",
                    "md": "",
                    "html": "",
                    "txt": "",
                    "json": "{}",
                    "created_at": now,
                }
            )
            sent = start + timedelta(days=DAYS) * rng.random()
            deliveries.append(
                {
                    "notice_version_id": i + 1,
                    "customer_id": cid,
                    "channel": "webhook",
                    "target_key": "k",
                    "target": "https://hooks.example/",
                    "message_id": f"msg_{i}",
                    "state": "sent",
                    "attempts": 1,
                    "created_at": sent,
                    "updated_at": sent,
                    "sent_at": sent,
                }
            )
        session.execute(insert(NoticeVersionRow), versions)
        session.execute(insert(DeliveryRow), deliveries)
    engine.dispose()


def config_text() -> str:
    lines = ["[product]", "name = 'Bench'"]
    for key in COMPONENTS:
        lines += [f"[components.{key}]", f"name = '{key.title()}'", f"paths = ['/{key}/']"]
    for env in ENVIRONMENTS:
        lines += [f"[environments.{env}]", f"name = '{env.title()}'"]
    return "\n".join(lines) + "\n"


BASELINE = (
    "SELECT environment, count(*) FROM deployments WHERE deployed_at >= ? AND deployed_at < ? "
    "AND status != 'in_progress' GROUP BY environment"
)


def baseline(path: Path) -> tuple[float, int]:
    """The raw query in this process: seconds, and the deploys it counts."""
    since = (UNTIL - timedelta(days=DAYS)).isoformat(" ")[:19]
    until = UNTIL.isoformat(" ")[:19]
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    rows = connection.execute(BASELINE, (since, until)).fetchall()
    connection.close()
    return time.perf_counter() - started, sum(n for _, n in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deploys", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--runs", type=int, help="best of (default 5, 3 with --quick)")
    parser.add_argument("--quick", action="store_true", help="1,000 deploys, 100 customers")
    parser.add_argument("--keep", type=Path, help="copy the database here (to look at it)")
    args = parser.parse_args()
    if args.quick:
        args.deploys, args.customers = 1_000, 100
    runs = args.runs or (3 if args.quick else 5)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        path = work / "report.db"
        url = f"sqlite:///{path}"
        started = time.perf_counter()
        populate(url, args.deploys, args.customers)
        print(
            f"setup: {args.deploys} deploys over {len(ENVIRONMENTS)} environments in {DAYS} days, "
            f"{args.customers} customers, 200 incidents, 2000 notices sent "
            f"in {time.perf_counter() - started:.1f} s"
        )
        if args.keep:
            args.keep.write_bytes(path.read_bytes())
        (work / "releasecare.toml").write_text(config_text(), encoding="utf-8")
        cli = ["--config", str(work / "releasecare.toml"), "--db", url]
        since = UNTIL - timedelta(days=DAYS)
        period = ["--since", since.isoformat(), "--until", UNTIL.isoformat()]
        report_json = releasecare(*cli, "report", *period, "--json")
        report_html = releasecare(*cli, "report", *period, "--format", "html")
        raw_child = [
            sys.executable,
            "-c",
            f"import sqlite3; c = sqlite3.connect({str(path)!r}); "
            f"print(c.execute({BASELINE!r}, ({since.isoformat(' ')[:19]!r}, "
            f"{UNTIL.isoformat(' ')[:19]!r})).fetchall())",
        ]
        document = json.loads(run(report_json))
        for args_ in (report_json, report_html, raw_child):  # once unmeasured: bytecode, cache
            subprocess.run(args_, check=True, stdout=subprocess.DEVNULL, env=child_env())
        best = {"json": float("inf"), "html": float("inf"), "raw child": float("inf")}
        best |= {"core": float("inf"), "raw": float("inf")}
        counted = 0
        for _ in range(runs):
            best["json"] = min(best["json"], timed(report_json))
            best["html"] = min(best["html"], timed(report_html))
            best["raw child"] = min(best["raw child"], timed(raw_child))
            best["core"] = min(best["core"], core_time(url, work))
            took, counted = baseline(path)
            best["raw"] = min(best["raw"], took)
        print(
            f"report: {document['deploys']} deploys with an outcome, "
            f"{len(document['customers'])} customers, {document['incidents']} incidents; "
            f"raw query counts {counted} deploys: "
            + ("equal" if counted == document["deploys"] else "DIFFERENT")
        )
        print(f"releasecare report --json (CLI, child process): {best['json']:.3f} s")
        print(f"releasecare report --format html (CLI, child process): {best['html']:.3f} s")
        print(f"build_report in this process (the core alone): {best['core']:.3f} s")
        print(
            f"baseline: raw GROUP BY in this process {best['raw'] * 1000:.2f} ms, "
            f"in a child Python process {best['raw child']:.3f} s"
        )
        print(
            f"ratio report / baseline: {best['json'] / best['raw child']:.1f}x the child "
            f"baseline (CLI to CLI), {best['core'] / best['raw']:.0f}x the raw query (in process)"
        )
        met = best["json"] <= 2.0 and best["html"] <= 2.0
        print(f"target (the CLI report within 2 s): {'met' if met else 'MISSED'}")
        if counted != document["deploys"]:
            sys.exit("the report's deploy count differs from the raw query's")


def core_time(url: str, work: Path) -> float:
    """``build_report`` over the same period, in this process (config loaded before)."""
    from releasecare.config import load_config
    from releasecare.report import Period, build_report
    from releasecare.store import open_engine, transaction

    config = load_config(work / "releasecare.toml")
    engine = open_engine(url)
    with transaction(engine, write=False) as session:
        started = time.perf_counter()
        build_report(session, config, Period(UNTIL - timedelta(days=DAYS), UNTIL))
        took = time.perf_counter() - started
    engine.dispose()
    return took


if __name__ == "__main__":
    main()
