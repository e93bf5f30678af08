"""Rendering 10,000 customer notices for one deployment, Markdown and HTML each.

Prints notices per second per format, rendering alone (templates compiled once,
per-change work once) and written to disk with each customer's index page, against
a baseline that writes the same number of files from a trivial f-string (the floor
the file system sets; on a slow disk it, not rendering, bounds the written rate).

    .venv/bin/python benchmarks/bench_render.py [--customers N] [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from releasecare.domain import Change, Component, Customer, CustomerImpact, Deployment, Impact
from releasecare.render import (
    RenderOptions,
    build_contexts,
    render_documents,
    render_notices,
)
from releasecare.templating import Templates

COMPONENTS = {f"c{i}": Component(f"c{i}", f"Component {i}", paths=(f"s{i}/",)) for i in range(20)}


def build_impact(customers: int) -> Impact:
    from datetime import UTC, datetime

    changes = tuple(
        Change(
            sha=f"{n:040x}",
            summary=f"feat(c{n % 20}): thing {n} (ABC-{n})",
            type=("feat", "fix", "perf")[n % 3],
            components=(f"c{n % 20}",),
            customer_note=f"You can now do *thing {n}* faster." if n % 2 else None,
        )
        for n in range(60)
    )
    impacts = []
    for i in range(customers):
        used = tuple(f"c{(i + k) % 20}" for k in range(4))
        customer = Customer(
            id=f"customer-{i}",
            name=f"Customer {i} GmbH",
            environments=("prod",),
            components=used,
            timezone=("Europe/Berlin", "America/New_York", "Asia/Tokyo")[i % 3],
            locale=("de-DE", "en-US", "ja-JP")[i % 3],
        )
        theirs = tuple(c for c in changes if set(c.components) & set(used))
        impacts.append(CustomerImpact(customer, tuple(sorted(used)), theirs))
    return Impact(
        environment="prod",
        version="v2.0.0",
        previous_version="v1.9.0",
        added=changes,
        removed=(),
        components=tuple(COMPONENTS),
        customers=tuple(impacts),
        deployment=Deployment(
            1, "prod", "v2.0.0", "succeeded", datetime(2026, 11, 20, 9, tzinfo=UTC)
        ),
    )


def baseline(impact: Impact, out: Path) -> float:
    started = time.perf_counter()
    for ci in impact.customers:
        folder = out / ci.customer.id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "notice.txt").write_text(f"Hello {ci.customer.name}: {len(ci.changes)}\n")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 customers")
    args = parser.parse_args()
    count = 1_000 if args.quick else args.customers
    impact = build_impact(count)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        floor = baseline(impact, root / "baseline")
        print(f"baseline: {count} trivial files in {floor:.2f} s ({count / floor:,.0f}/s)")
        for fmt in ("md", "html"):
            options = RenderOptions(product="Shopfront", formats=(fmt,))
            started = time.perf_counter()
            contexts = build_contexts(impact, COMPONENTS, options)
            for _ in render_documents(contexts, (fmt,), Templates()):
                pass
            took = time.perf_counter() - started
            print(f"{fmt:>4}: rendering alone: {count / took:,.0f} notices/s (target >= 2,000/s)")
            out = root / fmt
            started = time.perf_counter()
            render_notices(
                impact, COMPONENTS, out, RenderOptions(product="Shopfront", formats=(fmt,))
            )
            took = time.perf_counter() - started
            print(
                f"{fmt:>4}: written with index pages: {count / took:,.0f} notices/s, "
                f"{took / floor:.1f}x the time of the trivial-file baseline"
            )
            shutil.rmtree(out)


if __name__ == "__main__":
    main()
