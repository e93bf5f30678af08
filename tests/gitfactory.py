"""Build real git repositories for tests, deterministically.

git = GitRepoFactory(tmp_path / "repo")
sha = git.commit("feat: x", files={"a/b.py": "text", "old.py": None},  # None deletes
                 when="2026-01-05T10:00:00+00:00")
git.tag("v1.0.0")                     # lightweight
git.tag("v1.1.0", message="Notes")    # annotated
git.branch("topic"); git.checkout("main"); git.merge("topic", "Merge topic")
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

DEFAULT_WHEN = "2026-01-01T10:00:00+00:00"


class GitRepoFactory:
    def __init__(
        self, path: Path, *, author: str = "Dana Dev", email: str = "dana@example.com"
    ) -> None:
        self.path = path
        self.author = author
        self.email = email
        self.when = DEFAULT_WHEN
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def env(self, when: str | None = None) -> dict[str, str]:
        moment = when or self.when
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(
            GIT_AUTHOR_NAME=self.author,
            GIT_AUTHOR_EMAIL=self.email,
            GIT_COMMITTER_NAME=self.author,
            GIT_COMMITTER_EMAIL=self.email,
            GIT_AUTHOR_DATE=moment,
            GIT_COMMITTER_DATE=moment,
            GIT_CONFIG_NOSYSTEM="1",
            HOME=str(self.path),
        )
        return env

    def git(self, *args: str, when: str | None = None, input: bytes | None = None) -> str:
        result = subprocess.run(
            ["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
            cwd=self.path,
            env=self.env(when),
            capture_output=True,
            check=True,
            input=input,
        )
        return result.stdout.decode("utf-8", errors="replace").strip()

    def write(self, files: dict[str, str | bytes | None]) -> None:
        for name, content in files.items():
            target = self.path / name
            if content is None:
                self.git("rm", "-q", "--", name)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
            self.git("add", "--", name)

    def commit(
        self,
        message: str,
        files: dict[str, str | bytes | None] | None = None,
        *,
        when: str | None = None,
        author: tuple[str, str] | None = None,
    ) -> str:
        """Write ``files`` (None deletes), commit, return the sha."""
        if when:
            self.when = when
        self.write(files or {})
        args = ["commit", "-q", "--allow-empty", "-m", message]
        if author:
            args += ["--author", f"{author[0]} <{author[1]}>"]
        self.git(*args, when=when)
        return self.git("rev-parse", "HEAD")

    def rename(self, old: str, new: str, message: str, *, when: str | None = None) -> str:
        (self.path / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", "--", old, new)
        return self.commit(message, when=when)

    def tag(self, name: str, message: str | None = None, *, when: str | None = None) -> None:
        if message is None:
            self.git("tag", name)
        else:
            self.git("tag", "-a", name, "-m", message, when=when)

    def branch(self, name: str) -> None:
        self.git("checkout", "-q", "-b", name)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def merge(self, name: str, message: str, *, when: str | None = None) -> str:
        self.git("merge", "-q", "--no-ff", "-m", message, name, when=when)
        return self.git("rev-parse", "HEAD")
