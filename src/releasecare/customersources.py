"""Fetch a customer registry from an HTTP(S) endpoint that returns JSON.

The token comes from an environment variable (never an argument) and never
appears in an error; every call has a timeout; 5xx and 429 are retried with
backoff, honouring ``Retry-After``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from releasecare.errors import InputError, NetworkError

if TYPE_CHECKING:
    from releasecare.customers import SourceOptions

MAX_WAIT = 60.0


def fetch_json(
    url: str, options: SourceOptions, sleep: Callable[[float], None] = time.sleep
) -> Any:
    import requests

    headers = {"Accept": "application/json"}
    if options.token_env:
        token = os.environ.get(options.token_env)
        if not token:
            raise InputError(
                f"the environment variable {options.token_env} (the token for {url}) is not set"
            )
        headers["Authorization"] = f"Bearer {token}"
    last = "no answer"
    for attempt in range(options.max_retries + 1):
        try:
            response = requests.get(url, headers=headers, timeout=options.timeout)
        except requests.RequestException as exc:
            last = type(exc).__name__
        else:
            if response.status_code == 200:
                try:
                    return response.json()
                except ValueError:
                    raise InputError(f"{url}: the answer is not JSON") from None
            last = f"HTTP {response.status_code}"
            if response.status_code in (401, 403):
                raise NetworkError(
                    f"{url}: {last}", hint=f"check the token in {options.token_env or 'token_env'}"
                )
            if response.status_code != 429 and response.status_code < 500:
                raise NetworkError(f"{url}: {last}")
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit() and attempt < options.max_retries:
                sleep(min(float(retry_after), MAX_WAIT))
                continue
        if attempt < options.max_retries:
            sleep(min(0.5 * 2**attempt, MAX_WAIT))
    raise NetworkError(f"{url}: {last} after {options.max_retries + 1} attempts")
