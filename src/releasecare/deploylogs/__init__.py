"""Deploy log readers: one module per input format, each yielding ``DeployEvent``.

A registry maps format names to readers, so a new format is one new module and
one line here. Readers stream their input, and raise ``RecordError`` naming the
file, the line (or JSON path) and the field of a malformed record, or, with
``skip_invalid``, report it in ``skipped`` and go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from importlib import import_module

from releasecare import http
from releasecare.domain import DeployEvent
from releasecare.errors import InputError, RecordError, did_you_mean


@dataclass(frozen=True)
class Skipped:
    location: str
    reason: str


@dataclass(frozen=True)
class ReadOptions:
    environment: str | None = None
    timezone: str | None = None
    skip_invalid: bool = False
    token_env: str | None = None
    timeout: float = http.DEFAULT_TIMEOUT
    max_retries: int = http.DEFAULT_RETRIES

    def client(
        self,
        default_token_env: str,
        headers: dict[str, str],
        *,
        token_header: str = "Authorization",
        token_prefix: str = "Bearer ",
    ) -> http.Client:
        """An HTTP client for an API format. The token variable named with
        ``--token-env`` must be set; the format's default one (GITHUB_TOKEN) may be
        unset, for public repositories."""
        return http.Client(
            token_env=self.token_env or default_token_env,
            token_optional=self.token_env is None,
            headers=headers,
            options=http.Options.of(self.timeout, self.max_retries),
            token_header=token_header,
            token_prefix=token_prefix,
        )


Reader = Callable[[str, ReadOptions], Iterator[DeployEvent | Skipped]]

# name -> "module:function", imported on use so one format's needs never slow another.
FORMATS: dict[str, str] = {
    "jsonl": "releasecare.deploylogs.jsonl:read",
    "csv": "releasecare.deploylogs.csvlog:read",
    "capistrano": "releasecare.deploylogs.capistrano:read",
    "helm": "releasecare.deploylogs.helm:read",
    "heroku": "releasecare.deploylogs.heroku:read",
    "argocd": "releasecare.deploylogs.argocd:read",
    "github": "releasecare.deploylogs.github:read",
    "gitlab": "releasecare.deploylogs.gitlab:read",
}


def reader_for(fmt: str) -> Reader:
    target = FORMATS.get(fmt)
    if target is None:
        hint = did_you_mean(fmt, FORMATS)
        raise InputError(
            f"unknown deploy log format {fmt!r}",
            hint=hint or f"known formats: {', '.join(sorted(FORMATS))}",
        )
    module, _, function = target.partition(":")
    reader: Reader = getattr(import_module(module), function)
    return reader


def read_events(
    source: str, fmt: str, options: ReadOptions, skipped: list[Skipped] | None = None
) -> Iterator[DeployEvent]:
    """Stream the events of ``source`` (a file, ``-`` for stdin, or a URL for API formats).

    ``options.environment`` supplies the environment where a record has none, and
    overrides it where it has one.
    """
    reader = reader_for(fmt)
    for item in reader(source, options):
        if isinstance(item, Skipped):
            if not options.skip_invalid:
                raise RecordError(item.location, item.reason)
            if skipped is not None:
                skipped.append(item)
            continue
        if options.environment is not None and item.environment != options.environment:
            item = replace(item, environment=options.environment)
        yield item
