"""Impact at scale: 100,000 customers, 1,000 components, 20 environments on SQLite.

Measures ``impact`` for a deployment whose changes touch 50 components, and prints the
time, the number of SQL statements issued, and a baseline: loading every customer
into Python and filtering there (the naive approach the queries avoid).

    .venv/bin/python benchmarks/bench_impact.py [--customers N] [--quick]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, insert

from releasecare.domain import Change, FileChange, Release
from releasecare.impact import preview
from releasecare.store import commits as commit_store
from releasecare.store import customers as customer_store
from releasecare.store import open_engine, transaction
from releasecare.store import releases as release_store
from releasecare.store.models import (
    CustomerComponentRow,
    CustomerEnvironmentRow,
    CustomerRow,
)


def populate(url: str, customers: int, components: int, environments: int) -> None:
    rng = random.Random(7)
    engine = open_engine(url)
    now = datetime.now(UTC)
    with transaction(engine) as session:
        rows: list[dict[str, object]] = []
        envs: list[dict[str, str]] = []
        comps: list[dict[str, str]] = []
        for i in range(customers):
            cid = f"customer-{i:06d}"
            everything = i % 50 == 0
            rows.append(
                {
                    "id": cid,
                    "name": f"Customer {i}",
                    "timezone": "UTC",
                    "locale": "en",
                    "tier": None,
                    "all_environments": False,
                    "all_components": everything,
                    "contacts": {},
                    "updated_at": now,
                }
            )
            for env in rng.sample(range(environments), k=rng.choice((1, 1, 2))):
                envs.append({"customer_id": cid, "environment": f"env-{env:02d}"})
            if not everything:
                for comp in rng.sample(range(components), k=rng.randint(3, 12)):
                    comps.append({"customer_id": cid, "component": f"comp-{comp:04d}"})
        session.execute(insert(CustomerRow), rows)
        session.execute(insert(CustomerEnvironmentRow), envs)
        session.execute(insert(CustomerComponentRow), comps)
        day = datetime(2026, 11, 1, tzinfo=UTC)
        releases = [Release("v1.0.0", "a" * 40, day), Release("v1.1.0", "b" * 40, day)]
        release_store.set_positions(session, releases)
        release_store.save_release(session, releases[0], position=0, previous_tag=None, changes=[])
        changes = [
            Change(
                sha=f"{n:040x}",
                summary=f"feat: change {n}",
                type="feat",
                components=(f"comp-{(n * 19) % components:04d}",),
                files=(FileChange(f"src/{n}.py", "M"),),
            )
            for n in range(50)
        ]
        release_store.save_release(
            session, releases[1], position=1, previous_tag="v1.0.0", changes=changes
        )
        # v1.0.0 <- the 50 changes <- v1.1.0, children first as a scan writes them.
        line = ["a" * 40, *(c.sha for c in changes), "b" * 40]
        commit_store.save_graph(
            session,
            [(sha, (line[i - 1],) if i else ()) for i, sha in reversed(list(enumerate(line)))],
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 customers")
    args = parser.parse_args()
    customers = 10_000 if args.quick else args.customers
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        populate(url, customers, components=1_000, environments=20)
        print(
            f"setup: {customers} customers, 1000 components, 20 environments "
            f"in {time.perf_counter() - started:.1f} s"
        )
        engine = open_engine(url)
        statements = 0

        def count(*_: object) -> None:
            nonlocal statements
            statements += 1

        event.listen(engine, "before_cursor_execute", count)
        with transaction(engine) as session:
            started = time.perf_counter()
            impact = preview(session, "env-03", "v1.1.0")
            took = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", count)
        with transaction(engine) as session:
            started = time.perf_counter()
            everyone = customer_store.all_customers(session)
            wanted = set(impact.components)
            naive = [
                c
                for c in everyone
                if c.lives_on("env-03") and ("*" in c.components or wanted & set(c.components))
            ]
            naive_took = time.perf_counter() - started
        assert {c.id for c in naive} == {ci.customer.id for ci in impact.customers}
        print(
            f"impact: {len(impact.components)} components touched, "
            f"{len(impact.customers)} customers affected"
        )
        print(f"impact time:  {took:.3f} s with {statements} SQL statements (target < 2 s)")
        print(f"naive (load every customer, filter in Python): {naive_took:.3f} s")
        print(f"ratio impact/naive: {took / naive_took:.2f}x")


if __name__ == "__main__":
    main()
