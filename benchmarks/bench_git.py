"""Git reading at scale: ``release scan`` against raw ``git log``, and component matching.

Builds (once, cached in /tmp) a synthetic repository with ``git fast-import``: by
default 50,000 commits over 30,000 files, 300 release tags, merged side branches
and renames; or reads an existing one (``--repo``, e.g. a clone of numpy, with a
component per service folder). Then measures, in one run:

- raw ``git log --name-status -z --topo-order`` over every release tag, read through a
  pipe and discarded (the baseline; also timed writing straight to /dev/null),
- ``releasecare release scan`` of all releases into a fresh SQLite database (the CLI
  in a child process: one git walk, parsing, component mapping, storing changes and
  the commit graph), with the scan's peak memory, and a check that it stored as many
  commits as ``git rev-list --count`` lists,
- component matching: 2,000 patterns against 100,000 paths, indexed against trying
  every component for every path.

    .venv/bin/python benchmarks/bench_git.py [--commits N] [--quick]
    .venv/bin/python benchmarks/bench_git.py --repo /tmp/numpy [--tag-pattern 'v*']
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import child_env, config_for, git, tags, timed, timed_read


def build_repo(path: Path, commits: int, files: int, tags: int) -> Path:
    """A repository with the given shape, built by one git fast-import stream."""
    marker = path / ".built"
    if marker.exists():
        return path
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    rng = random.Random(42)
    names = [f"services/s{n % 200:03d}/m{(n // 200) % 10}/file_{n}.py" for n in range(files)]
    tag_every = max(commits // (tags + 2), 1)
    stamp = 1_700_000_000
    lines: list[bytes] = []

    def data(text: str) -> None:
        raw = text.encode()
        lines.append(b"data %d\n" % len(raw) + raw + b"\n")

    def header(ref: str, mark: int, message: str) -> None:
        nonlocal stamp
        stamp += 60
        lines.append(f"commit {ref}\nmark :{mark}\n".encode())
        lines.append(f"author Dev <dev@example.com> {stamp} +0000\n".encode())
        lines.append(f"committer Dev <dev@example.com> {stamp} +0000\n".encode())
        data(message)

    types = ["feat", "fix", "perf", "chore", "refactor", "docs"]
    mark = 1
    header("refs/heads/main", mark, "chore: initial import")
    for name in names:
        lines.append(f"M 100644 inline {name}\n".encode())
        data("x = 0\n")
    main_tip = mark
    made = 1
    tag_count = 0
    while made < commits:
        if made % 250 == 0:  # a side branch of 3 commits, merged back
            side = mark
            for step in range(3):
                mark += 1
                header("refs/heads/side", mark, f"feat(s{step}): side work {made}")
                if step == 0:
                    lines.append(f"from :{side}\n".encode())
                name = rng.choice(names)
                lines.append(f"M 100644 inline {name}\n".encode())
                data(f"x = {made}\n")
                made += 1
            mark += 1
            header("refs/heads/main", mark, f"Merge branch 'side' ({made})")
            lines.append(f"from :{main_tip}\nmerge :{mark - 1}\n".encode())
            main_tip = mark
            made += 1
            continue
        mark += 1
        kind = types[made % len(types)]
        header(
            "refs/heads/main",
            mark,
            f"{kind}(s{made % 200}): change {made} (ABC-{made})"
            + ("\n\nCustomer-Note: You can now do more." if made % 7 == 0 else ""),
        )
        lines.append(f"from :{main_tip}\n".encode())
        if made % 500 == 0:  # a rename
            old = rng.randrange(files)
            new_name = names[old].replace("file_", "moved_")
            lines.append(f"R {names[old]} {new_name}\n".encode())
            names[old] = new_name
        for _ in range(rng.randint(1, 4)):
            name = rng.choice(names)
            lines.append(f"M 100644 inline {name}\n".encode())
            data(f"x = {made}\n")
        main_tip = mark
        made += 1
        if made % tag_every == 0 and tag_count < tags:
            tag_count += 1
            lines.append(
                f"reset refs/tags/v{tag_count // 100}.{tag_count % 100}.0\n"
                f"from :{main_tip}\n".encode()
            )
    subprocess.run(["git", "fast-import", "--quiet"], input=b"".join(lines), cwd=path, check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=path, check=True)
    (path / "releasecare.toml").write_text(
        "[product]\nname = 'Bench'\n[release]\ntag_pattern = 'v*'\n"
        + "".join(
            f"[components.c{n}]\nname = 'Component {n}'\npaths = ['services/s{n:03d}/']\n"
            for n in range(0, 200, 4)
        )
    )
    marker.write_text("ok")
    return path


# `python -m releasecare`, printing its own peak memory (without git's) on stderr at exit.
SCAN_WITH_MEMORY = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: print('maxrss', resource.getrusage(resource.RUSAGE_SELF)"
    ".ru_maxrss, file=sys.stderr))\n"
    "from releasecare.cli import main\n"
    "sys.argv[0] = 'releasecare'\n"
    "main()\n"
)


def scan_once(repo: Path, db: str, options: list[str]) -> tuple[float, int]:
    """Seconds of a whole ``releasecare release scan`` process, and its peak memory (KiB)."""
    command = [sys.executable, "-c", SCAN_WITH_MEMORY, *options, "--db", db, "release", "scan"]
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=repo, check=True, capture_output=True, text=True, env=child_env()
    )
    took = time.perf_counter() - started
    peak = int(done.stderr.rsplit("maxrss", 1)[1].split()[0])
    return took, peak


def stored_commits(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM commits").fetchone()[0])


def bench_scan(
    repo: Path, pattern: str, options: list[str], target: float | None, runs: int = 3
) -> None:
    """Best of ``runs`` for both sides, taken in turn, so a noisy neighbour does not
    decide the ratio."""
    releases = tags(repo, pattern)
    commits = int(git(repo, "rev-list", "--count", *releases))
    raw_log = ["git", "log", "--name-status", "-z", "--topo-order", *releases]
    raws, to_null, scans = [], [], []
    for _ in range(runs):
        raws.append(timed_read(raw_log, repo))
        to_null.append(timed(raw_log, repo))
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "scan.db"
            scans.append(scan_once(repo, f"sqlite:///{db}", options))
            stored = stored_commits(db)
        if stored != commits:
            sys.exit(f"the scan stored {stored} commits; git rev-list --count lists {commits}")
    raw, null = min(raws), min(to_null)
    scan = min(took for took, _ in scans)
    memory = max(peak for _, peak in scans)
    print(
        f"raw git log --name-status -z --topo-order, {len(releases)} release tags, read "
        f"through a pipe: {raw:.2f} s (best of {runs}); straight to /dev/null: {null:.2f} s"
    )
    print(
        f"releasecare release scan: {scan:.2f} s (best of {runs}), "
        f"peak memory {memory / 1024:.0f} MiB (the Python process; git's own is apart)"
    )
    print(f"same history: {commits} commits stored, as many as git rev-list --count lists")
    if target is None:  # start-up is most of a small scan
        verdict = "target applies to the full run"
    else:
        verdict = f"target <= {target}x: {'met' if scan / raw <= target else 'MISSED'}"
    print(
        f"ratio scan / raw git: {scan / raw:.2f}x ({verdict}); "
        f"against git writing to /dev/null: {scan / null:.2f}x"
    )


def bench_matching(paths_count: int = 100_000, patterns: int = 2_000) -> None:
    import pathspec

    from releasecare.components import ComponentMatcher
    from releasecare.domain import Component

    rng = random.Random(7)
    components = {
        f"c{n}": Component(f"c{n}", f"C{n}", paths=(f"services/s{n}/", f"libs/l{n}/**/*.py"))
        for n in range(patterns // 2)
    }
    paths = [
        f"services/s{rng.randrange(patterns)}/m{rng.randrange(40)}/f{i}.py"
        if i % 2
        else f"libs/l{rng.randrange(patterns)}/x/y{i}.py"
        for i in range(paths_count)
    ]
    started = time.perf_counter()
    matcher = ComponentMatcher(components)
    indexed = [matcher.match(p) for p in paths]
    took = time.perf_counter() - started
    print(
        f"matching {patterns} patterns against {paths_count} paths: {took:.2f} s "
        f"(target well under 1 s)"
    )
    sample = paths[:2_000]
    specs = {k: pathspec.GitIgnoreSpec.from_lines(c.paths) for k, c in components.items()}
    started = time.perf_counter()
    naive = [tuple(sorted(k for k, s in specs.items() if s.match_file(p))) for p in sample]
    naive_took = (time.perf_counter() - started) * paths_count / len(sample)
    assert naive == indexed[: len(sample)]
    print(
        f"naive (every component for every path), extrapolated: {naive_took:.1f} s; "
        f"indexed is {naive_took / took:.0f}x faster"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--files", type=int, default=30_000)
    parser.add_argument("--tags", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="5,000 commits, 30 tags")
    parser.add_argument("--repo", type=Path, help="scan this repository instead")
    parser.add_argument("--tag-pattern", default="v*", help="with --repo (default: v*)")
    parser.add_argument("--runs", type=int, help="best of (default 3, 1 with --quick)")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    if args.repo is not None:
        # Issue #15: within 1.8x of git on a real history (numpy's whole history).
        repo = args.repo.resolve()
        with tempfile.TemporaryDirectory() as folder:
            config = Path(folder) / "releasecare.toml"
            config.write_text(config_for(repo, args.tag_pattern, ["production"]))
            print(f"repository: {repo}, releases matching {args.tag_pattern!r}")
            options = ["--config", str(config), "--repo", str(repo)]
            bench_scan(repo, args.tag_pattern, options, target=1.8, runs=runs)
        bench_matching()
        return
    if args.quick:
        args.commits, args.files, args.tags = 5_000, 3_000, 30
    where = Path(tempfile.gettempdir()) / (
        f"releasecare-bench-{args.commits}-{args.files}-{args.tags}"
    )
    started = time.perf_counter()
    repo = build_repo(where, args.commits, args.files, args.tags)
    print(
        f"repository: {args.commits} commits, {args.files} files, {args.tags} tags "
        f"at {repo} ({time.perf_counter() - started:.1f} s to build or reuse)"
    )
    bench_scan(repo, "v*", [], target=None if args.quick else 1.5, runs=runs)
    bench_matching()


if __name__ == "__main__":
    main()
