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
            translated = _translate(exc)
            if translated is not None:
                _fail(exc, str(translated), translated.exit_code)
            _fail(
                exc,
                f"unexpected error: {type(exc).__name__}: {exc}\n"
                "  hint: this is a bug in releasecare; RELEASECARE_DEBUG=1 shows the "
                "traceback, please include it in a report",
                INTERNAL_ERROR_EXIT,
            )


def _translate(exc: Exception) -> ReleasecareError | None:
    """Map errors of the libraries below us to releasecare errors (exit 3)."""
    from releasecare.errors import DatabaseError, EnvironmentProblem, GitError

    if isinstance(exc, ModuleNotFoundError):
        # An install that lacks a declared dependency (an upgrade not reinstalled).
        return EnvironmentProblem(
            f"releasecare's installation is incomplete: module {exc.name!r} is missing",
            hint="reinstall releasecare (`pip install --upgrade releasecare`)",
        )
    module = type(exc).__module__
    if module.startswith("sqlalchemy"):
        orig = getattr(exc, "orig", None)
        return DatabaseError(f"database error: {orig or exc}")
    if module.startswith("git"):
        return GitError(f"git failed: {exc}")
    return None


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
    type=click.Path(dir_okay=False),
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
        notes,
        pipeline,
        release,
        setup,
    )

    for module in (setup, components, release, customers, deploy, impact, notes, pipeline):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="releasecare")
