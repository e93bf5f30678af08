"""Helpers for tests: a CLI runner in a project folder, and the small project's
config and customers (the ``project`` fixture in conftest.py builds it from them)."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from releasecare.cli import cli


def run_in_repo(repo: Path, *args: str) -> Result:
    """``releasecare --repo REPO --config REPO/releasecare.toml ARGS`` (no database
    given: the config's own)."""
    return CliRunner().invoke(
        cli, ["--repo", str(repo), "--config", str(repo / "releasecare.toml"), *args]
    )


@dataclass
class Runner:
    """Runs ``releasecare`` in a project folder against one database."""

    cwd: Path
    db_url: str

    def __call__(self, *args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        old = Path.cwd()
        os.chdir(self.cwd)
        try:
            return runner.invoke(
                cli, ["--db", self.db_url, *args], input=input, catch_exceptions=False
            )
        finally:
            os.chdir(old)

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, f"exit {result.exit_code}\n{result.output}"
        return result

    def json(self, *args: str) -> Any:
        result = self.ok(*args, "--json")
        return json.loads(result.stdout)

    def deploy(self, version: str, at: str, *extra: str, env: str = "production-eu") -> int:
        """Record a deploy at a given time; returns its id."""
        result = self.json(
            "deploy", "record", "--env", env, "--version", version, "--at", at, *extra
        )
        return int(result["deployment"]["id"])


CONFIG = """\
[product]
name = "Shopfront"

[release]
tag_pattern = "v*"

[components.checkout]
name = "Checkout"
paths = ["services/checkout/"]

[components.invoices]
name = "Invoices"
paths = ["services/invoices/"]

[components.search]
name = "Search"
paths = ["services/search/"]

[environments.production-eu]
name = "Europe"

[environments.staging]
name = "Staging"
"""

CUSTOMERS = [
    {
        "id": "acme",
        "name": "Acme GmbH",
        "environments": ["production-eu"],
        "components": ["checkout", "invoices"],
        "timezone": "Europe/Berlin",
        "locale": "de-DE",
        "freeze": [
            {
                "start": "2026-11-26T00:00:00+01:00",
                "end": "2026-12-01T00:00:00+01:00",
                "reason": "Black Friday",
            }
        ],
    },
    {
        "id": "globex",
        "name": "Globex Inc.",
        "environments": ["production-eu"],
        "components": ["search"],
        "timezone": "America/New_York",
        "locale": "en-US",
    },
    {
        "id": "initech",
        "name": "Initech",
        "environments": ["staging"],
        "components": "*",
        "timezone": "UTC",
        "locale": "en",
    },
]


@contextmanager
def drip_server(head: bytes, drip: bytes, interval: float) -> Iterator[int]:
    """A server on 127.0.0.1 (its port yielded) that answers each connection with
    ``head`` at once, then ``drip`` a byte every ``interval`` seconds: each byte within
    any read timeout, so only an overall deadline ends the wait."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                try:
                    conn.recv(65536)
                    conn.sendall(head)
                    for byte in drip:
                        if stop.wait(interval):
                            return
                        conn.sendall(bytes([byte]))
                except OSError:
                    continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(5)
