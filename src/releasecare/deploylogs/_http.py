"""HTTP for the deploy API formats: a session, Link pagination, retries, no leaked token.

The token comes from an environment variable, never from an argument, and never
appears in an error. Every call has a timeout and verifies TLS. 5xx answers and
rate limits (429, or 403 with X-RateLimit-Remaining: 0) are retried with
exponential backoff, honouring Retry-After and X-RateLimit-Reset.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from releasecare.deploylogs import ReadOptions
from releasecare.errors import InputError, NetworkError

MAX_WAIT = 60.0
# Replaced by tests so that retries do not sleep for real.
sleep: Callable[[float], None] = time.sleep


def token_from(options: ReadOptions, default_env: str) -> tuple[str, str]:
    name = options.token_env or default_env
    token = os.environ.get(name, "")
    return name, token


def get_pages(
    url: str, headers: dict[str, str], options: ReadOptions, token_env: str
) -> Iterator[tuple[str, Any]]:
    """``(url, parsed JSON)`` for ``url`` and every page its Link headers lead to."""
    import requests

    with requests.Session() as session:
        session.headers.update(headers)
        next_url: str | None = url
        while next_url:
            response = get(session, next_url, options, token_env)
            try:
                document = response.json()
            except ValueError:
                raise InputError(f"{_safe(next_url)}: the answer is not JSON") from None
            yield next_url, document
            next_url = response.links.get("next", {}).get("url")


def get(session: Any, url: str, options: ReadOptions, token_env: str) -> Any:
    import requests

    last = "no answer"
    for attempt in range(options.max_retries + 1):
        wait = min(0.5 * 2**attempt, MAX_WAIT)
        try:
            response = session.get(url, timeout=options.timeout)
        except requests.RequestException as exc:
            last = type(exc).__name__
        else:
            status = response.status_code
            if status < 300:
                return response
            last = f"HTTP {status}"
            limited = status == 429 or (
                status == 403 and response.headers.get("X-RateLimit-Remaining") == "0"
            )
            if status in (401, 403) and not limited:
                raise NetworkError(
                    f"{_safe(url)}: {last}",
                    hint=f"check the token in the environment variable {token_env}",
                )
            if not limited and status < 500:
                raise NetworkError(f"{_safe(url)}: {last}")
            wait = _server_wait(response.headers, wait)
        if attempt < options.max_retries:
            sleep(wait)
    raise NetworkError(f"{_safe(url)}: {last} after {options.max_retries + 1} attempts")


def _server_wait(headers: Any, fallback: float) -> float:
    retry_after = headers.get("Retry-After", "")
    if retry_after.isdigit():
        return min(float(retry_after), MAX_WAIT)
    reset = headers.get("X-RateLimit-Reset", "")
    if reset.isdigit():
        return min(max(float(reset) - time.time(), 0.0), MAX_WAIT)
    return fallback


def _safe(url: str) -> str:
    """The URL without a query string (where some APIs accept tokens)."""
    return url.split("?", 1)[0]
