"""The CI a command runs in: GitHub Actions, GitLab CI, or anywhere else.

What the CI tells (the environment, the version, the run and its status) is read
from its variables once, here; what a command tells the CI back goes through the
writers below: GitHub's job summary and step outputs, GitLab's dotenv report. Each
writer obeys its file's rules: the job summary stays under GitHub's 1 MiB per step,
an output value goes in the heredoc form with a delimiter it cannot contain, a
dotenv line has no quotes, no line breaks and no characters GitLab refuses.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from releasecare.domain import DEPLOY_STATUSES
from releasecare.errors import EnvironmentProblem, InputError

GITHUB = "github"
GITLAB = "gitlab"
DOTENV_FILE = "releasecare.env"
# GitHub keeps at most 1 MiB of job summary per step; what is cut says so within it.
SUMMARY_LIMIT = 1024 * 1024
# GitLab refuses a dotenv report over 5 KB (and more than 20 variables).
DOTENV_LIMIT = 5 * 1024

# A CI's word for how a job or deploy ended -> releasecare's status. A cancelled or
# skipped deploy never reached customers: it is recorded as failed and tells no one.
CI_STATUSES: dict[str, str] = {
    **{status: status for status in DEPLOY_STATUSES},
    "success": "succeeded",
    "successful": "succeeded",
    "passed": "succeeded",
    "failure": "failed",
    "error": "failed",
    "errored": "failed",
    "cancelled": "failed",
    "canceled": "failed",
    "canceling": "failed",
    "skipped": "failed",
    "running": "in_progress",
    "pending": "in_progress",
    "created": "in_progress",
    "started": "in_progress",
    "queued": "in_progress",
    "rollback": "rolled_back",
}
# GitLab's CI_JOB_STATUS holds a job's outcome only in after_script; while the
# script runs it is "running", which says nothing about the deploy.
_FINAL_JOB_STATUSES = ("success", "failed", "canceled")


@dataclass(frozen=True)
class CIRun:
    """What the CI around this process says; every field None outside a CI."""

    provider: str | None = None  # GITHUB, GITLAB, or None
    environment: str | None = None  # GitLab: CI_ENVIRONMENT_NAME (GitHub has none)
    version: str | None = None  # a tag the run is for, else its commit
    run_id: str | None = None  # GITHUB_RUN_ID, CI_PIPELINE_ID
    attempt: str | None = None  # GITHUB_RUN_ATTEMPT
    status: str | None = None  # GitLab after_script: CI_JOB_STATUS
    run_url: str | None = None
    summary_path: Path | None = None  # GITHUB_STEP_SUMMARY
    output_path: Path | None = None  # GITHUB_OUTPUT
    dotenv_path: Path | None = None  # GitLab: releasecare.env in the job's folder

    @property
    def source(self) -> str:
        """The source a deployment recorded here is stored under."""
        return f"ci:{self.provider}" if self.provider else "cli"

    @property
    def name(self) -> str:
        return {GITHUB: "GitHub Actions", GITLAB: "GitLab CI"}.get(self.provider or "", "")


def run_key(run: CIRun, *parts: str) -> str | None:
    """An id for what this CI run does (``parts`` say what: an environment and a
    title), the same when the job is retried (GitHub's re-run keeps the run id), so
    that a retried step records it once; None outside a CI."""
    if not run.provider or not run.run_id:
        return None
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{run.provider.lower()}-run-{run.run_id}-{digest[:12]}"


def detect(environ: Mapping[str, str], cwd: Path) -> CIRun:
    """The CI this process runs in, from its variables."""
    if environ.get("GITHUB_ACTIONS") == "true":
        ref = environ.get("GITHUB_REF", "")
        server = environ.get("GITHUB_SERVER_URL", "https://github.com")
        repository, run = environ.get("GITHUB_REPOSITORY"), environ.get("GITHUB_RUN_ID")
        return CIRun(
            provider=GITHUB,
            version=ref.removeprefix("refs/tags/")
            if ref.startswith("refs/tags/")
            else _value(environ, "GITHUB_SHA"),
            run_id=_value(environ, "GITHUB_RUN_ID"),
            attempt=_value(environ, "GITHUB_RUN_ATTEMPT"),
            run_url=f"{server}/{repository}/actions/runs/{run}" if repository and run else None,
            summary_path=_path(environ, "GITHUB_STEP_SUMMARY"),
            output_path=_path(environ, "GITHUB_OUTPUT"),
        )
    if environ.get("GITLAB_CI") == "true":
        status = environ.get("CI_JOB_STATUS")
        return CIRun(
            provider=GITLAB,
            environment=_value(environ, "CI_ENVIRONMENT_NAME"),
            version=_value(environ, "CI_COMMIT_TAG") or _value(environ, "CI_COMMIT_SHA"),
            run_id=_value(environ, "CI_PIPELINE_ID"),
            status=status if status in _FINAL_JOB_STATUSES else None,
            run_url=_value(environ, "CI_PIPELINE_URL"),
            dotenv_path=cwd / DOTENV_FILE,
        )
    return CIRun()


def _value(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    value = _value(environ, name)
    return Path(value) if value else None


def deploy_status(word: str | None, run: CIRun) -> str:
    """releasecare's status for the CI's word (``--status``, else GitLab's job status in
    after_script, else succeeded); an unknown word is exit 2 naming the ones known."""
    given = word if word is not None else run.status
    if given is None:
        return "succeeded"
    status = CI_STATUSES.get(given.strip().lower())
    if status is None:
        raise InputError(
            f"--status: unknown status {given!r}",
            hint="one of " + ", ".join(sorted(CI_STATUSES)),
        )
    return status


# --- what the command tells the CI -------------------------------------------------


def append_summary(path: Path, lines: Sequence[str], limit: int = SUMMARY_LIMIT) -> int:
    """Append ``lines`` (Markdown) to the job summary at ``path``, within ``limit``
    bytes for the whole file; lines that do not fit are left out, and a last line
    says how many. Returns the number of lines left out."""
    try:
        used = path.stat().st_size if path.exists() else 0
    except OSError:
        used = 0
    budget = limit - used - 200  # room for the line that says what was cut
    kept: list[str] = []
    size = 0
    for line in lines:
        size += len(line.encode("utf-8")) + 1
        if size > budget:
            break
        kept.append(line)
    cut = len(lines) - len(kept)
    if cut:
        kept.append(
            f"\n_{cut} more line(s) left out: GitHub keeps 1 MiB of summary per step; "
            "impact.json in the notices folder has everything._"
        )
    _append(path, "\n".join(kept) + "\n\n", "GITHUB_STEP_SUMMARY")
    return cut


def append_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    """Append step outputs to ``$GITHUB_OUTPUT``, each in the heredoc form with a random
    delimiter that its value does not contain."""
    chunks = []
    for name, value in outputs.items():
        delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
        while delimiter in value:
            delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    _append(path, "".join(chunks), "GITHUB_OUTPUT")


def dotenv_text(values: Mapping[str, str]) -> str:
    """A dotenv report as GitLab reads one: ``KEY=value`` lines, no quotes, no line
    breaks, no blank lines or comments; a value is cut so the file stays small."""
    lines = []
    for key, value in values.items():
        if not key.replace("_", "").isalnum() or not key.isascii():
            raise ValueError(f"not a dotenv key: {key!r}")
        clean = "".join(ch for ch in value if ch.isprintable() and ch not in "\"'`\\")
        lines.append(f"{key}={clean.strip()}")
    text = "\n".join(lines) + "\n"
    while len(text.encode("utf-8")) > DOTENV_LIMIT and lines:
        lines.pop()
        text = "\n".join(lines) + "\n"
    return text


def write_dotenv(path: Path, values: Mapping[str, str]) -> None:
    """Write the dotenv report (replaced whole: it describes this job's run)."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        temp.write_text(dotenv_text(values), encoding="utf-8")
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise EnvironmentProblem(
            f"cannot write the dotenv report {path}: {exc.strerror}",
            hint="run the job in a folder it may write to",
        ) from None


def _append(path: Path, text: str, variable: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise EnvironmentProblem(
            f"cannot append to {variable} ({path}): {exc.strerror}",
            hint=f"the runner sets ${variable} to a file it may write; unset it outside CI",
        ) from None
