"""The ``releasecare`` command line: a thin skin over the core.

Each command parses its options, calls one core function and prints the result.
Heavy libraries (SQLAlchemy, GitPython, Jinja2) are imported inside the commands
that need them, so ``releasecare --help`` stays instant.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from releasecare import __version__
from releasecare.cli.app import App
from releasecare.errors import ReleasecareError

INTERNAL_ERROR_EXIT = 70


class ReleasecareGroup(click.Group):
    """A click group that turns releasecare errors into a message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReleasecareError as exc:
            _fail(exc, str(exc), exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            _fail(None, "interrupted", 130)
        except BrokenPipeError:
            # The reader went away (`releasecare ... | head`): nothing more to say to it.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:
            translated = _translate(exc, ctx.obj)
            if translated is not None:
                _fail(exc, str(translated), translated.exit_code)
            _fail(
                exc,
                f"unexpected error: {type(exc).__name__}: {exc}\n"
                "  hint: this is a bug in releasecare; RELEASECARE_DEBUG=1 shows the "
                "traceback, please include it in a report",
                INTERNAL_ERROR_EXIT,
            )


def _translate(exc: Exception, app: App | None) -> ReleasecareError | None:
    """Map errors of the libraries below us to releasecare errors (exit 3)."""
    from releasecare.errors import DatabaseError, EnvironmentProblem

    if isinstance(exc, ModuleNotFoundError):
        # An install that lacks a declared dependency (an upgrade not reinstalled).
        return EnvironmentProblem(
            f"releasecare's installation is incomplete: module {exc.name!r} is missing",
            hint="reinstall releasecare (`pip install --upgrade releasecare`)",
        )
    module = type(exc).__module__
    # SQLAlchemy's, or the driver's own from a cursor (store.reads, the bulk writes).
    if module.startswith(("sqlalchemy", "sqlite3", "psycopg")):
        from releasecare.store import database_error

        try:
            url = app.database_url() if app is not None else None
        except ReleasecareError:
            url = None
        if url is None:
            return DatabaseError(f"database error: {getattr(exc, 'orig', None) or exc}")
        return database_error(url, exc)
    if module.startswith("git"):
        return _git_error(exc)
    return None


# What git's own message means for the user, by the words it starts with.
_GIT_HINTS = (
    (
        ("unable to read", "bad object", "missing blob", "missing tree", "invalid object"),
        "the clone is missing objects (a partial or damaged clone): clone again without "
        "--filter, or run `git fsck` to see what is missing",
    ),
    (("not a git repository",), "run in the repository or give --repo"),
    (("dubious ownership",), "mark the folder safe: git config --global --add safe.directory DIR"),
)


def _git_error(exc: Exception) -> ReleasecareError:
    """git's failure in one line: which git command, and git's own words (not the
    whole command line, which can hold hundreds of commit names)."""
    from releasecare.errors import GitError

    argv = getattr(exc, "command", None)
    stderr = str(getattr(exc, "stderr", "") or "").strip().strip("'").strip()
    said = next((line.strip() for line in stderr.splitlines() if line.strip()), "")
    said = said.removeprefix("stderr:").strip().strip("'")
    words = " ".join(str(a) for a in argv[:2]) if isinstance(argv, list | tuple) and argv else "git"
    if not said:
        return GitError(f"{words} failed: {exc}")
    hint = next((h for starts, h in _GIT_HINTS if any(w in said.lower() for w in starts)), None)
    return GitError(f"{words} failed: {said}", hint=hint)


def _fail(exc: BaseException | None, message: str, code: int) -> None:
    if exc is not None and os.environ.get("RELEASECARE_DEBUG"):
        import traceback

        traceback.print_exception(exc)
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(
    cls=ReleasecareGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="releasecare")
@click.option(
    "--config",
    "config_path",
    type=click.Path(),  # a folder given here is said by the config loader, in one line
    help="Config file (default: releasecare.toml or pyproject.toml found upward).",
)
@click.option(
    "--db",
    "db_url",
    envvar="RELEASECARE_DATABASE_URL",
    metavar="URL",
    help="Database URL (env RELEASECARE_DATABASE_URL; default from config).",
)
@click.option(
    "--repo",
    "repo_path",
    type=click.Path(file_okay=False),
    help="Git repository (default: the folder of the config file).",
)
@click.pass_context
def cli(
    ctx: click.Context, config_path: str | None, db_url: str | None, repo_path: str | None
) -> None:
    """Link deployments to customers.

    After every deploy, releasecare answers: which customers did this change touch,
    and what do we tell each of them, in their own words?

    \b
    A first run:
      releasecare init
      releasecare release scan
      releasecare customers import customers.json
      releasecare deploy record --env production-eu --version v2.4.0
      releasecare impact --env production-eu --version v2.4.0
      releasecare notes render --env production-eu --version v2.4.0 --format html --out notices/
    """
    ctx.obj = App(config_path=config_path, db_url=db_url, repo_path=repo_path)


def _register() -> None:
    from releasecare.cli import (
        components,
        customers,
        deploy,
        impact,
        incident,
        notes,
        notify,
        pipeline,
        release,
        report,
        setup,
        webhook,
    )

    for module in (
        setup,
        components,
        release,
        customers,
        deploy,
        impact,
        incident,
        notes,
        notify,
        pipeline,
        report,
        webhook,
    ):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="releasecare")
