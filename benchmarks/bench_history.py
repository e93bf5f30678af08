"""Impact of one deploy on a long history, against start-up and raw ``git log``.

Scans a repository once into a fresh SQLite database: by default one built (once,
cached in /tmp) with ``git fast-import`` in numpy's shape, 40,000 commits with merged
side branches and a maintenance branch per minor release (its release commit tagged
vX.Y.0, then backports tagged vX.Y.1 and vX.Y.2); or an existing clone (``--repo``,
e.g. numpy). Records two deploys on each of three environments, imports a handful of
customers, and then times, best of N, taken in turn:

- ``releasecare impact ID --json``, a child process, for the second deploy of each
  environment: one forward (vX.Y.0 -> vX.Y+1.0), one across release branches
  (vX.Y.2 -> vX.Y+1.0, which both adds and removes commits) and a patch release
  (vX.Y+1.0 -> vX.Y+1.1: a few commits, where start-up is nearly all); on the light path
  (no SQLAlchemy) with the voice verdicts remembered and with none, and on the
  session path,
- the same for a redeploy of the patch release's version (nothing changes): the
  floor under every impact, so that each deploy's cost above it is printed beside
  twice its git time,
- ``releasecare --version`` (the CLI's own start-up),
- ``git log --name-status -z A..B`` over the same range, read through a pipe.

It prints impact / (start-up + 2 x git log) against the target (<= 1, issue #15),
and checks that the commits impact reports added and removed are git's:
``git rev-list --no-merges B ^A`` and ``A ^B`` (a merge is no change).

    .venv/bin/python benchmarks/bench_history.py [--quick]
    .venv/bin/python benchmarks/bench_history.py --repo /tmp/numpy \\
        --deploy v2.0.0 v2.1.0 --deploy v2.0.2 v2.1.0 --deploy v2.1.0 v2.1.1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import child_env, components_of, config_for, git, releasecare, run, tags, timed_read

ENVIRONMENTS = ("production", "lts", "edge")


def build_repo(path: Path, commits: int, minors: int) -> Path:
    """main with merged side branches, and a maintenance branch per minor release."""
    marker = path / ".built"
    if marker.exists():
        return path
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    rng = random.Random(15)
    names = [f"services/s{n % 60:02d}/m{n % 7}/file_{n}.py" for n in range(3_000)]
    stamp = 1_600_000_000
    out: list[bytes] = []
    mark = 0

    def commit(ref: str, message: str, parents: list[int], touched: int) -> int:
        nonlocal mark, stamp
        mark += 1
        stamp += 60
        raw = message.encode()
        out.append(f"commit {ref}\nmark :{mark}\n".encode())
        out.append(f"committer Dev <dev@example.com> {stamp} +0000\n".encode())
        out.append(b"data %d\n" % len(raw) + raw + b"\n")
        if parents:
            out.append(f"from :{parents[0]}\n".encode())
        out.extend(f"merge :{p}\n".encode() for p in parents[1:])
        for name in rng.sample(names, touched) if touched < len(names) else names:
            out.append(f"M 100644 inline {name}\n".encode())
            body = f"x = {mark}\n".encode()
            out.append(b"data %d\n" % len(body) + body + b"\n")
        return mark

    def tag(name: str, at: int) -> None:
        out.append(f"reset refs/tags/{name}\nfrom :{at}\n".encode())

    kinds = ["feat", "fix", "perf", "chore", "refactor", "docs", "test"]
    tip = commit("refs/heads/main", "chore: initial import", [], len(names))
    made = 1
    # Steps of main per minor release: one in 40 is a merge bringing 3 more commits.
    per_minor = max(int(((commits - 1) / (minors + 1) - 7) / 1.075), 10)
    for minor in range(minors + 1):
        for step in range(per_minor):
            if step % 40 == 39:  # a side branch of 3 commits, merged back
                side = tip
                for n in range(3):
                    side = commit("refs/heads/side", f"feat(s{n}): side work {made}", [side], 2)
                tip = commit("refs/heads/main", f"Merge branch 'side' ({made})", [tip, side], 0)
                made += 4
                continue
            area = rng.randrange(60)
            tip = commit(
                "refs/heads/main",
                f"{kinds[made % len(kinds)]}(s{area:02d}): change {made}"
                + ("\n\nCustomer-Note: You can now do more." if made % 9 == 0 else ""),
                [tip],
                rng.randint(1, 3),
            )
            made += 1
        if minor == minors:
            break
        # The maintenance branch: a release commit, then backports (new commits, as
        # cherry-picks are), released twice.
        branch = f"refs/heads/maintenance/1.{minor}.x"
        release = commit(branch, f"chore: release 1.{minor}.0", [tip], 1)
        tag(f"v1.{minor}.0", release)
        for patch in (1, 2):
            for _ in range(3):
                release = commit(branch, f"fix(s{rng.randrange(60):02d}): backport", [release], 1)
            tag(f"v1.{minor}.{patch}", release)
        made += 7
    tag(f"v1.{minors}.0.dev0", tip)
    subprocess.run(["git", "fast-import", "--quiet"], input=b"".join(out), cwd=path, check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=path, check=True)
    marker.write_text("ok")
    return path


def customers(components: list[str]) -> list[dict[str, object]]:
    """Eight customers over both environments, each with a few components; one has all."""
    return [
        {
            "id": f"customer-{n}",
            "name": f"Customer {n}",
            "environments": [ENVIRONMENTS[n % 3]] if n % 3 else list(ENVIRONMENTS),
            "components": ["*"] if n == 0 else components[n::8][:3],
            "timezone": "UTC",
            "locale": "en",
        }
        for n in range(8)
    ]


def rev_list(repo: Path, include: str, exclude: str) -> set[str]:
    return set(git(repo, "rev-list", "--no-merges", include, f"^{exclude}").split())


def check_exact(repo: Path, old: str, new: str, document: dict[str, Any]) -> str:
    """The line saying impact's added and removed commits are git's (exit 1 if not)."""
    listed = [*document["changes"], *document["unmapped_changes"]]
    added = {c["sha"] for c in listed if c["direction"] == "added"}
    removed = {c["sha"] for c in listed if c["direction"] == "removed"}
    if added != rev_list(repo, new, old) or removed != rev_list(repo, old, new):
        sys.exit(f"{old} -> {new}: impact's added/removed differ from git rev-list")
    return (
        f"added {len(added)}, removed {len(removed)} changes: "
        f"equal to git rev-list --no-merges B ^A and A ^B"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="an existing repository (e.g. numpy)")
    parser.add_argument("--tag-pattern", default="v*")
    parser.add_argument(
        "--deploy",
        nargs=2,
        action="append",
        metavar=("A", "B"),
        help=f"a deploy from A to B, timed ({len(ENVIRONMENTS)} at most: one per environment)",
    )
    parser.add_argument("--commits", type=int, default=40_000)
    parser.add_argument("--minors", type=int, default=20)
    parser.add_argument("--runs", type=int, help="best of (default 5, 3 with --quick)")
    parser.add_argument("--quick", action="store_true", help="2,000 commits, 4 minors")
    args = parser.parse_args()
    if args.deploy and len(args.deploy) > len(ENVIRONMENTS):
        parser.error(f"--deploy at most {len(ENVIRONMENTS)} times (one per environment)")
    runs = args.runs or (3 if args.quick else 5)
    if args.repo is not None:
        repo = args.repo.resolve()
        # numpy's: a minor release, the same across release branches, a patch release.
        deploys = args.deploy or [["v2.0.0", "v2.1.0"], ["v2.0.2", "v2.1.0"], ["v2.1.0", "v2.1.1"]]
        print(f"repository: {repo}")
    else:
        if args.quick:
            args.commits, args.minors = 2_000, 4
        where = Path(tempfile.gettempdir()) / f"releasecare-history-{args.commits}-{args.minors}"
        started = time.perf_counter()
        repo = build_repo(where, args.commits, args.minors)
        last = args.minors - 1
        # Forward from the previous minor release, from its last patch release, and a
        # patch release.
        deploys = args.deploy or [
            *([f"v1.{last - 1}.{patch}", f"v1.{last}.0"] for patch in (0, 2)),
            [f"v1.{last}.0", f"v1.{last}.1"],
        ]
        print(
            f"repository: {git(repo, 'rev-list', '--count', '--all').strip()} commits, "
            f"a maintenance branch for each of {args.minors} minor releases, at {repo} "
            f"({time.perf_counter() - started:.1f} s to build or reuse)"
        )
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        # Remembered voice verdicts stay in the benchmark's folder, not the user's cache.
        os.environ["RELEASECARE_CACHE_DIR"] = str(work / "cache")
        config = work / "releasecare.toml"
        config.write_text(config_for(repo, args.tag_pattern, ENVIRONMENTS))
        cli = ["--config", str(config), "--repo", str(repo), "--db", f"sqlite:///{work / 'h.db'}"]
        started = time.perf_counter()
        run(releasecare(*cli, "release", "scan"))
        stored = run(releasecare(*cli, "release", "list", "--json"))
        print(
            f"scanned {len(json.loads(stored)['releases'])} releases "
            f"({len(tags(repo, args.tag_pattern))} tags) in {time.perf_counter() - started:.1f} s"
        )
        (work / "customers.json").write_text(json.dumps(customers(list(components_of(repo)))))
        run(releasecare(*cli, "customers", "import", str(work / "customers.json")))
        timed_deploys = []
        for env, (old, new) in zip(ENVIRONMENTS, deploys, strict=False):
            for day, version in ((1, old), (2, new)):
                recorded = run(
                    releasecare(
                        *cli,
                        "deploy",
                        "record",
                        "--env",
                        env,
                        "--version",
                        version,
                        "--at",
                        f"2026-01-0{day}T10:00:00+00:00",
                        "--json",
                    )
                )
            timed_deploys.append((env, old, new, json.loads(recorded)["deployment"]["id"]))
        # The same version again on the last environment: a deploy that changes
        # nothing, whose impact is the command's floor on this history.
        env, _, again, _ = timed_deploys[-1]
        redeploy = run(
            releasecare(
                *cli, "deploy", "record", "--env", env, "--version", again,
                "--at", "2026-01-03T10:00:00+00:00", "--json",
            )
        )  # fmt: skip
        floor = (again, json.loads(redeploy)["deployment"]["id"])
        bench(repo, cli, timed_deploys, floor, runs, work)


def bench(
    repo: Path,
    cli: list[str],
    deploys: list[tuple[str, str, str, int]],
    floor: tuple[str, int],
    runs: int,
    work: Path,
) -> None:
    """Best of ``runs`` (wall and CPU), taken in turn. impact three ways: the light path
    (the default ``sqlite:///``: no SQLAlchemy) with the voice verdicts remembered
    from an earlier run (warm), the same with nothing remembered (cold: the first
    impact of these subjects today), and the session path (``sqlite+pysqlite:///``
    names the same file through SQLAlchemy's driver). ``floor`` is a redeploy of one
    version (version, deployment): what impact costs when nothing changed, so that
    each deploy's cost above it can be set against git's time for the range."""
    warm = child_env()
    cold = {**child_env(), "RELEASECARE_CACHE_DIR": ""}
    session_cli = [a.replace("sqlite:///", "sqlite+pysqlite:///", 1) for a in cli]
    imports = [sys.executable, "-c", "import releasecare.cli, releasecare.impact"]
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "start-up": (releasecare("--version"), warm),
        "imports": (imports, warm),
        "floor": (releasecare(*cli, "impact", str(floor[1]), "--json"), warm),
    }
    for _, old, new, deployment in deploys:
        impact = ["impact", str(deployment), "--json"]
        commands[f"impact {deployment}"] = (releasecare(*cli, *impact), warm)
        commands[f"cold {deployment}"] = (releasecare(*cli, *impact), cold)
        commands[f"session {deployment}"] = (releasecare(*session_cli, *impact), warm)
        commands[f"git {deployment}"] = (
            ["git", "log", "--name-status", "-z", f"{old}..{new}"],
            warm,
        )
    for args, env in commands.values():  # once unmeasured: bytecode, files, verdicts
        timed_cpu(args, repo, env)
    best = {name: (float("inf"), float("inf")) for name in commands}
    for _ in range(runs):
        for name, (args, env) in commands.items():
            if name.startswith("git"):
                wall = timed_read(args, repo)
                cpu = best[name][1]
            else:
                wall, cpu = timed_cpu(args, repo, env)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    startup, startup_cpu = best["start-up"]
    print(f"releasecare --version (start-up): {startup:.3f} s, CPU {startup_cpu:.3f} s")
    print(
        f"start-up and impact's imports: {best['imports'][0]:.3f} s "
        f"(python -c 'import releasecare.cli, releasecare.impact'; no SQLAlchemy)"
    )
    lowest = best["floor"][0]
    print(
        f"impact of a redeploy of {floor[0]} (deploy #{floor[1]}: nothing changed): "
        f"{lowest:.3f} s, start-up + {1e3 * (lowest - startup):.0f} ms (the config, the "
        "database, the imports the command needs): the floor under every impact"
    )
    met: dict[str, int] = {"impact": 0, "cold": 0}
    for env_name, old, new, deployment in deploys:
        document = json.loads(run(releasecare(*cli, "impact", str(deployment), "--json")))
        log = best[f"git {deployment}"][0]
        budget = startup + 2 * log
        print(
            f"deploy #{deployment} {old} -> {new} on {env_name}: "
            f"{check_exact(repo, old, new, document)}; "
            f"{len(document['customers'])} customers affected"
        )
        print(
            f"  git log --name-status -z A..B: {log:.3f} s; "
            f"budget (start-up + 2 x git log): {budget:.3f} s"
        )
        ratios = []
        for label, key, short in (
            ("light path, verdicts remembered", "impact", "remembered"),
            ("light path, nothing remembered", "cold", "nothing remembered"),
            ("session path (SQLAlchemy)", "session", "session path"),
        ):
            wall, cpu = best[f"{key} {deployment}"]
            print(f"  impact, {label + ':':<33} {wall:.3f} s (CPU {cpu:.3f} s)")
            ratios.append(f"{wall / budget:.2f}x {short}")
        print(f"  ratio impact / (start-up + 2 x git log): {', '.join(ratios)} (target <= 1)")
        above = [best[f"{key} {deployment}"][0] - lowest for key in ("impact", "cold")]
        print(
            f"  above the floor: {1e3 * above[0]:.0f} ms remembered, {1e3 * above[1]:.0f} ms "
            f"nothing remembered, against 2 x git log {2e3 * log:.0f} ms"
        )
        for key in met:
            met[key] += best[f"{key} {deployment}"][0] <= budget
    print(
        f"target (impact <= start-up + 2 x git log): met on {met['impact']} of {len(deploys)} "
        f"deploys with verdicts remembered, on {met['cold']} of {len(deploys)} with nothing "
        "remembered"
    )


def timed_cpu(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of a child process, output to /dev/null."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


if __name__ == "__main__":
    main()
