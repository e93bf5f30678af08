"""Run an iterator in a forked child process and stream what it yields back.

For work that is Python on both sides and costs about the same on each (reading a
large log while the parent writes it into the database): the child produces, the
parent consumes, and together they take about half as long. The child is forked,
so it has every module and argument already and pickles nothing but what it
yields; it never touches the parent's database connection (it ends with
``os._exit``). A ``ReleasecareError`` in the child is raised again in the parent,
whole; a bug is reported as one line; a child that dies (killed for lack of
memory, say) is an ``EnvironmentProblem``.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from releasecare.errors import EnvironmentProblem, ReleasecareError

T = TypeVar("T")


def can_fork() -> bool:
    """Whether this system forks (Linux, the BSDs; not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def iterate_in_child(produce: Callable[[], Iterable[T]], *, label: str) -> Iterator[T]:
    """What ``produce()`` yields, produced in a forked child; ``label`` names the work in
    errors (a file name, say)."""
    forking = multiprocessing.get_context("fork")
    receiver, sender = forking.Pipe(duplex=False)
    child = forking.Process(
        target=_produce, args=(sender, produce), name="releasecare-child", daemon=True
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
                    f"{label}: the process reading it stopped unexpectedly "
                    f"(exit code {child.exitcode})",
                    hint="was it killed, e.g. for lack of memory?",
                ) from None
            if kind == "item":
                yield payload
            elif kind == "done":
                return
            elif kind == "error":
                raise payload
            else:
                raise RuntimeError(f"{label}: {payload}")
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _produce(sender: Connection, produce: Callable[[], Iterable[Any]]) -> None:
    message: tuple[str, Any]
    try:
        for item in produce():
            sender.send(("item", item))
        message = ("done", None)
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
