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
    #9 v1.4.0 on staging, 11-20 12:00, in progress: no outcome, not counted

The period is --since 2026-11-01 --until 2026-11-30 (through the end of that day):
30 days.
"""

from __future__ import annotations

from pathlib import Path

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
    project.deploy("v1.4.0", "2026-11-20T12:00:00Z", "--status", "in_progress", env="staging")
    project.ok(
        "incident", "open", "--env", "production-eu", "--component", "checkout",
        "--title", "Card payments fail", "--started-at", "2026-11-10T13:00:00Z", "--deploy", "7",
    )
    project.ok(
        "incident", "update", "1", "--status", "resolved",
        "--message", "Card payments work again.", "--at", "2026-11-10T14:30:00Z",
    )
    return project


def test_smoke(history: Runner) -> None:
    print(history.ok("report", *PERIOD).stdout)
    print(history.ok("report", *PERIOD, "--customer", "acme").stdout)
    doc = history.json("report", *PERIOD)
    import json
    print(json.dumps(doc, indent=1)[:6000])
    assert 0
