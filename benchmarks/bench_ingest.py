"""Deploy log ingest: 1,000,000 JSONL deploy events into SQLite.

Prints events per second and peak memory for reading alone and for the whole
ingest (read, check, store in one transaction), against a bare
``for line in f: json.loads(line)`` loop over the same file as the baseline.

    .venv/bin/python benchmarks/bench_ingest.py [--events N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from releasecare.config import Config, Environment
from releasecare.deploylogs import ReadOptions, read_events
from releasecare.deployments import ingest_source
from releasecare.domain import Release
from releasecare.store import open_engine, transaction
from releasecare.store import releases as release_store


def start_of_log() -> datetime:
    return datetime(2024, 1, 1, tzinfo=UTC)


def write_log(path: Path, count: int) -> None:
    start = start_of_log()
    with path.open("w") as out:
        for n in range(count):
            out.write(
                json.dumps(
                    {
                        "environment": f"env-{n % 20}",
                        "version": f"v{n % 50}.{n % 7}.0",
                        "status": ("succeeded", "succeeded", "failed", "rolled_back")[n % 4],
                        "deployed_at": (start + timedelta(seconds=n)).isoformat(),
                        "id": f"pipeline-{n}",
                    }
                )
                + "\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 events")
    args = parser.parse_args()
    count = 100_000 if args.quick else args.events
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "deploys.jsonl"
        write_log(log, count)
        print(f"{count:,} events, {log.stat().st_size / 1e6:.0f} MB of JSONL")

        started = time.perf_counter()
        with log.open() as lines:
            for line in lines:
                json.loads(line)
        baseline = time.perf_counter() - started
        print(f"baseline json.loads loop: {count / baseline:,.0f} lines/s")

        started = time.perf_counter()
        for _ in read_events(str(log), "jsonl", ReadOptions()):
            pass
        reading = time.perf_counter() - started
        print(
            f"read_events: {count / reading:,.0f} events/s ({reading / baseline:.2f}x the baseline)"
        )

        config = Config(
            path=None,
            root=Path(folder),
            environments={f"env-{n}": Environment(f"env-{n}", f"Env {n}") for n in range(20)},
        )
        engine = open_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        with transaction(engine) as session:  # ingest takes only versions that are releases
            release_store.set_positions(
                session,
                [
                    Release(f"v{major}.{minor}.0", f"{major * 7 + minor:040x}", start_of_log())
                    for major in range(50)
                    for minor in range(7)
                ],
            )
        started = time.perf_counter()
        with transaction(engine) as session:
            summary = ingest_source(session, config, str(log), "jsonl", ReadOptions())
        took = time.perf_counter() - started
        assert summary.created == count
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        reader = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"ingest into SQLite: {count / took:,.0f} events/s (target >= 100,000/s), "
            f"{took / baseline:.2f}x the baseline"
        )
        print(
            f"peak memory: {rss:.0f} MB resident in the writing process, {reader:.0f} MB in "
            f"the reading one (target < 200 MB)"
        )


if __name__ == "__main__":
    main()
