"""The benchmarks stay runnable: each runs in its quick mode and prints its ratios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("bench_git.py", ["ratio scan / raw git:", "matching 2000 patterns"]),
        ("bench_ingest.py", ["ingest into SQLite:", "events/s"]),
        ("bench_impact.py", ["impact time:", "SQL statements"]),
        (
            "bench_history.py",
            [
                "ratio impact / (start-up + 2 x git log):",
                "equal to git rev-list",
                "target (",
                "the floor",
            ],
        ),
        ("bench_render.py", ["rendering alone:", "baseline:"]),
        ("bench_notify.py", ["ratio baseline / notify:", "bare signed-POST loop"]),
        ("bench_report.py", ["ratio report / baseline:", "equal", "target (the CLI report"]),
        (
            "bench_voice.py",
            ["recall on bad notes (any rule):", "false positives on good notes:", "holdout:"],
        ),
    ],
)
def test_benchmark_quick_mode(script: str, expected: list[str], tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    for text in expected:
        assert text in result.stdout
