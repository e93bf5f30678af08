"""Read a large deploy log in a second process while the first one writes.

Reading a log (parsing JSON or CSV, checking each record, building the rows) and
writing the rows into the database cost about the same per event, and both are
Python work that one process can only do one after the other. Here a forked child
reads, checks and builds rows, and sends them in batches through a pipe; the
parent only writes. The child ends with the first bad record, and the parent
raises the same error, so nothing changes for the caller but the time it takes.

Rows, not events, cross the pipe: a tuple of strings pickles several times faster
than a dataclass.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasecare.errors import EnvironmentProblem, ReleasecareError

if TYPE_CHECKING:
    from releasecare.deploylogs import ReadOptions, Skipped
    from releasecare.deployments import RowContext
    from releasecare.store.deployments import Row

# Below this a second process costs more than it saves (about 60,000 JSONL events).
BACKGROUND_FROM_BYTES = 8 * 1024 * 1024


def worth_a_second_process(source: str) -> bool:
    """A regular file big enough, on a system that can fork (Linux, the BSDs)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if source == "-" or "://" in source:
        return False
    try:
        return os.path.getsize(source) >= BACKGROUND_FROM_BYTES and Path(source).is_file()
    except OSError:
        return False  # the reader says what is wrong with it


def read_rows_in_background(
    source: str,
    fmt: str,
    options: ReadOptions,
    context: RowContext,
    skipped: list[Skipped] | None = None,
) -> Iterator[list[Row]]:
    """Batches of rows from ``source``, read by a forked child process."""
    # fork: the child has every module and argument already, and never touches the
    # parent's database connection (it only reads the file and ends with os._exit).
    forking = multiprocessing.get_context("fork")
    receiver, sender = forking.Pipe(duplex=False)
    child = forking.Process(
        target=_read_rows,
        args=(sender, source, fmt, options, context),
        name="releasecare-reader",
        daemon=True,
    )
    child.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                child.join(5)
                raise EnvironmentProblem(
                    f"{source}: the process reading it stopped unexpectedly "
                    f"(exit code {child.exitcode})",
                    hint="was it killed, e.g. for lack of memory?",
                ) from None
            if kind == "rows":
                yield payload
            elif kind == "done":
                if skipped is not None:
                    skipped.extend(payload)
                return
            elif kind == "error":
                raise payload
            else:
                raise RuntimeError(f"reading {source} failed: {payload}")
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _read_rows(
    sender: Connection, source: str, fmt: str, options: ReadOptions, context: RowContext
) -> None:
    from releasecare.deploylogs import read_events
    from releasecare.deployments import rows_from_events

    skipped: list[Skipped] = []
    message: tuple[str, Any]
    try:
        for rows in rows_from_events(read_events(source, fmt, options, skipped), context):
            sender.send(("rows", rows))
        message = ("done", skipped)
    except ReleasecareError as error:
        message = ("error", error)
    except BaseException as error:  # a bug: the parent reports it as one
        if os.environ.get("RELEASECARE_DEBUG"):
            traceback.print_exc()
        message = ("crash", f"{type(error).__name__}: {error}")
    try:
        sender.send(message)
    except (BrokenPipeError, OSError):
        pass  # the parent stopped listening (it failed, or was interrupted)
    finally:
        sender.close()
