"""The stored commit graph: written by a scan, read a band of generations at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain
from operator import itemgetter

from sqlalchemy import select
from sqlalchemy.orm import Session

from releasecare.store import reads
from releasecare.store.engine import driver_cursor
from releasecare.store.models import CommitRow

BATCH = 2_000


def save_graph(session: Session, walked: Sequence[tuple[str, Sequence[str]]]) -> int:
    """Store ``(sha, parents)`` of the commits a walk listed, children before parents.

    A commit's generation is 1 + its parents' largest; parents outside this walk
    (stored by an earlier scan) are looked up. A commit already stored keeps its row:
    a sha's parents never change. Returns the number of commits given.
    """
    if not walked:
        return 0
    inside = set(map(itemgetter(0), walked))
    outside = set(chain.from_iterable(map(itemgetter(1), walked))).difference(inside)
    generation = generations(session, sorted(outside))
    known = generation.get
    rows = []
    for sha, parents in reversed(walked):  # most commits have one parent
        if len(parents) == 1:
            level = known(parents[0], 0) + 1
        else:
            level = max([known(p, 0) for p in parents], default=0) + 1
        generation[sha] = level
        rows.append((sha, level, " ".join(parents)))
    with driver_cursor(session) as (cursor, marker):
        for start in range(0, len(rows), BATCH * 10):
            cursor.executemany(
                f"INSERT INTO commits (sha, generation, parents) "
                f"VALUES ({marker}, {marker}, {marker}) ON CONFLICT DO NOTHING",
                rows[start : start + BATCH * 10],
            )
    return len(rows)


def generations(session: Session, shas: Iterable[str]) -> dict[str, int]:
    """sha -> generation of those stored."""
    with reads.reading(session) as reader:
        return reads.generations(reader, list(shas))


def band(session: Session, lo: int, hi: int) -> list[tuple[str, int, list[str]]]:
    """``(sha, generation, parents)`` of every stored commit with lo <= generation <= hi."""
    with reads.reading(session) as reader:
        return reads.band(reader, lo, hi)


def expand(session: Session, sha: str) -> str | None:
    """The stored commit a full or abbreviated ``sha`` names (None: none, or several)."""
    with reads.reading(session) as reader:
        return reads.expand(reader, sha)


def is_empty(session: Session) -> bool:
    return session.scalar(select(CommitRow.sha).limit(1)) is None
