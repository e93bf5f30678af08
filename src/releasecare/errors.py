"""The exception hierarchy. Each class carries its exit code; only the CLI prints them.

Exit codes follow the command-line contract (README): 1 a check failed where the
command was asked to be strict, 2 bad usage or bad input, 3 an environment problem
(database, git, network).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


class ReleasecareError(Exception):
    """Base of every error releasecare reports to a user without a traceback."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle only their args; ours keep more (hint, location, field),
        # and travel whole from the process that reads a log to the one that writes.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


def _rebuild(cls: type[ReleasecareError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class CheckFailed(ReleasecareError):
    """A strict check (lint, coverage, freeze) found something."""

    exit_code = 1


class InputError(ReleasecareError):
    """Bad usage or bad input. The message names the file, line or field."""

    exit_code = 2


class ConfigError(InputError):
    """The configuration file is wrong; names the file and the key."""

    def __init__(self, path: object, key: str | None, problem: str, *, hint: str | None = None):
        where = f"{path}: key {key!r}" if key else f"{path}"
        super().__init__(f"{where}: {problem}", hint=hint)
        self.path = path
        self.key = key
        self.problem = problem


class RecordError(InputError):
    """One record of an input file is malformed.

    ``location`` is "FILE:LINE" or "FILE: JSON path"; ``field`` the field at fault.
    """

    def __init__(self, location: str, problem: str, *, field: str | None = None):
        text = (
            f"{location}: {problem}" if field is None else f"{location}: field {field!r}: {problem}"
        )
        super().__init__(text)
        self.location = location
        self.problem = problem
        self.field = field


class NotFound(InputError):
    """Something named on the command line does not exist (a tag, a deployment, a customer)."""


class EnvironmentProblem(ReleasecareError):
    """The world around us failed: database, git, network."""

    exit_code = 3


class GitError(EnvironmentProblem):
    """git failed, or the repository lacks history we need (shallow clone)."""


class DatabaseError(EnvironmentProblem):
    """The database cannot be reached or is at an unknown schema revision."""


class OutputError(EnvironmentProblem):
    """An output folder cannot be written: full disk, no permission, a read-only
    file system, a link to nowhere."""


class NetworkError(EnvironmentProblem):
    """A remote source or delivery target could not be reached, or said no.

    What delivery needs to decide on a retry: the HTTP ``status`` of the last answer
    (None: no answer), the server's ``Retry-After`` in seconds, the start of its
    ``reply`` (Slack says why in the body), and whether the request ``maybe_sent``
    (a timeout after sending: it may have arrived)."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        reply: str | None = None,
        maybe_sent: bool = False,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.retry_after = retry_after
        self.reply = reply
        self.maybe_sent = maybe_sent


def near_spellings(
    word: str, choices: Iterable[str], *, n: int = 1, cutoff: float = 0.6
) -> list[str]:
    """The choices spelled most like ``word``, closest first (at most ``n``)."""
    # Imported here: only a mistake needs it, and every command imports this module.
    import difflib  # noqa: PLC0415

    return difflib.get_close_matches(word, list(choices), n=n, cutoff=cutoff)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """Return a "did you mean X?" hint for a near spelling of ``word``, or None."""
    close = near_spellings(word, choices)
    return f"did you mean {close[0]!r}?" if close else None


def nearest_tags_hint(tags_in_order: Sequence[str], name: str) -> str | None:
    """ "nearest release tags: ..." for a tag that is not there: its near spellings,
    else the newest three of ``tags_in_order`` (oldest first); None with no tags."""
    near = near_spellings(name, tags_in_order, n=3, cutoff=0.3) or list(tags_in_order[-3:][::-1])
    if not near:
        return None
    hint = f"nearest release tags: {', '.join(near)}"
    dashed = next((tag for tag in near if tag.startswith("-")), None)
    if dashed is not None:
        # Without it the command line would read the tag as an option.
        hint += f" (name a tag that starts with '-' after `--`: `-- {dashed}`)"
    return hint


def shown(value: object, limit: int = 40) -> str:
    """A value quoted for an error message, cut short: a log line may hold megabytes."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "...'"
