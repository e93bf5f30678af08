#!/usr/bin/env python3
"""Build the Shopfront example repository from examples/shopfront/history.toml.

    python3 examples/build_example.py [OUT_DIR] [--force]

The result is the same every time (same commits, same shas): dates, authors and
configuration are fixed and nothing from the caller's git setup leaks in. Only the
standard library and the git command are used, so this runs before releasecare is
installed. OUT_DIR defaults to examples/build/shopfront.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "shopfront"
DEFAULT_OUT = HERE / "build" / "shopfront"


class Builder:
    def __init__(self, out: Path, authors: dict[str, str]) -> None:
        self.out = out
        self.authors = authors

    def git(self, *args: str, when: str | None = None, author: str | None = None) -> str:
        name, _, email = (
            self.authors.get(author or "", author)
            or "Shopfront Release Bot <release-bot@shopfront.example>"
        ).partition(" <")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(
            GIT_AUTHOR_NAME=name,
            GIT_AUTHOR_EMAIL=email.rstrip(">"),
            GIT_COMMITTER_NAME=name,
            GIT_COMMITTER_EMAIL=email.rstrip(">"),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_CONFIG_GLOBAL=os.devnull,
            TZ="UTC",
        )
        if when:
            env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
        result = subprocess.run(
            [
                "git",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "tag.gpgsign=false",
                "-c",
                "core.autocrlf=false",
                *args,
            ],
            cwd=self.out,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            sys.exit(f"git {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def step(self, step: dict[str, Any]) -> None:
        when, author = step.get("when"), step.get("author")
        if "branch" in step:
            self.git("checkout", "-q", "-b", step["branch"])
        elif "checkout" in step:
            self.git("checkout", "-q", step["checkout"])
        elif "merge" in step:
            self.git(
                "merge",
                "-q",
                "--no-ff",
                "-m",
                step["message"],
                step["merge"],
                when=when,
                author=author,
            )
        elif "tag" in step:
            if step.get("message"):
                self.git("tag", "-a", step["tag"], "-m", step["message"], when=when)
            else:
                self.git("tag", step["tag"])
        elif "commit" in step:
            if "rename" in step:
                old, new = step["rename"]
                (self.out / new).parent.mkdir(parents=True, exist_ok=True)
                self.git("mv", old, new)
            for name, content in step.get("files", {}).items():
                path = self.out / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
                self.git("add", name)
            self.git("commit", "-q", "-m", step["commit"], when=when, author=author)
        else:
            sys.exit(f"history.toml: a step needs commit, tag, branch, checkout or merge: {step}")


def build(out: Path, *, force: bool = False) -> Path:
    history = tomllib.loads((SOURCE / "history.toml").read_text(encoding="utf-8"))
    if out.exists() and any(out.iterdir()):
        if not force:
            sys.exit(f"{out} exists and is not empty; use --force to rebuild it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    builder = Builder(out, history["authors"])
    builder.git("init", "-q", "-b", "main")
    first, *rest = history["step"]
    # The config is part of the first commit, as a real project would have it.
    first.setdefault("files", {})["releasecare.toml"] = (SOURCE / "releasecare.toml").read_text(
        encoding="utf-8"
    )
    for step in [first, *rest]:
        builder.step(step)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--force", action="store_true", help="rebuild a non-empty OUT_DIR")
    args = parser.parse_args()
    print(build(args.out.resolve(), force=args.force))


if __name__ == "__main__":
    main()
