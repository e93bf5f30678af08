"""Git's difference from the stored commit graph: what B has that A lacks, and back.

``added`` are the commits reachable from B and not from A (``git rev-list A..B``),
``removed`` those reachable from A and not from B (``git rev-list B..A``). The walk
paints each commit with where it is reachable from, in decreasing generation (a
commit comes after every commit it is reachable from, so its paint is final when
it is taken), and stops once every commit still waiting is reachable from both:
everything below them is. The graph is read a band of generations at a time, so a
walk costs about what the range holds, not the whole history. Many walks over one
history (a report's thousands of deploys) share one ``Graph``: each band is read
once, by the first walk that needs it.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from releasecare.errors import EnvironmentProblem

FROM_NEW, FROM_OLD, FROM_BOTH = 1, 2, 3
FIRST_BAND = 512

# (sha, generation, parents) of every stored commit with lo <= generation <= hi.
Band = Callable[[int, int], Iterable[tuple[str, int, Sequence[str]]]]


@dataclass(frozen=True)
class Difference:
    added: tuple[str, ...]  # newest first (decreasing generation)
    removed: tuple[str, ...]


class IncompleteHistory(EnvironmentProblem):
    """A commit the walk needs is not in the stored graph."""


class Graph:
    """The stored commit graph as far down as walks have read it: every commit with a
    generation from ``lo`` to ``top``, read a band at a time (each band twice the one
    before), and kept for the next walk."""

    def __init__(self, band: Band, top: int) -> None:
        self.band = band
        self.top = top
        self.lo = top + 1
        self.size = FIRST_BAND
        self.nodes: dict[str, tuple[int, Sequence[str]]] = {}

    def cover(self, top: int) -> None:
        """Read the generations above ``top`` not read yet (a tip above the others)."""
        if top > self.top:
            self._read(self.top + 1, top)
            self.top = top

    def read_next(self) -> bool:
        """Read the next band down; False when the roots are read already."""
        if self.lo <= 1:
            return False
        hi = self.lo - 1
        self.lo = max(1, hi - self.size + 1)
        self.size *= 2
        self._read(self.lo, hi)
        return True

    def _read(self, lo: int, hi: int) -> None:
        for sha, generation, parents in self.band(lo, hi):
            self.nodes[sha] = (generation, parents)


def difference(
    new: str,
    old: str | None,
    generations: Mapping[str, int],
    band: Band,
    graph: Graph | None = None,
) -> Difference:
    """``added``/``removed`` between ``old`` (None: nothing before) and ``new``.

    ``generations`` holds the generation of ``new`` and ``old``; ``band(lo, hi)``
    reads the stored commits of a range of generations (``graph``: the bands read
    by earlier walks, kept; then ``band`` is not used).
    """
    tips = {new: FROM_NEW} if old is None else {new: FROM_NEW, old: FROM_OLD}
    if old == new:
        return Difference((), ())
    for sha in tips:
        if sha not in generations:
            raise _missing(sha)
    top = max(generations[sha] for sha in tips)
    if graph is None:
        graph = Graph(band, top)
    graph.cover(top)
    walk = _Walk(graph)
    for sha, paint in tips.items():
        walk.reach(sha, paint, generations[sha])
    walk.run()
    return Difference(tuple(walk.added), tuple(walk.removed))


class _Walk:
    def __init__(self, graph: Graph) -> None:
        self.read = graph  # every stored commit with a generation from read.lo up is read
        self.graph = graph.nodes
        self.paint: dict[str, int] = {}  # every commit reached so far
        self.queue: list[tuple[int, str]] = []  # (-generation, sha), generation known
        self.below: set[str] = set()  # reached, below the generations read so far
        self.one_sided = 0  # reached, not yet taken, and painted from one side only
        self.added: list[str] = []
        self.removed: list[str] = []

    def reach(self, sha: str, paint: int, generation: int | None) -> None:
        before = self.paint.get(sha)
        if before is None:
            self.paint[sha] = paint
            self.one_sided += paint != FROM_BOTH
            if generation is None:
                self.below.add(sha)
            else:
                heapq.heappush(self.queue, (-generation, sha))
        elif before | paint != before:
            self.paint[sha] = FROM_BOTH
            self.one_sided -= 1

    def run(self) -> None:
        while self.one_sided:
            if not self.queue or -self.queue[0][0] < self.read.lo:
                # The next commit to take may lie in generations not read yet.
                self._read_next()
                continue
            _, sha = heapq.heappop(self.queue)
            node = self.graph.get(sha)
            if node is None:
                raise _missing(sha)
            paint = self.paint[sha]
            if paint != FROM_BOTH:
                self.one_sided -= 1
                (self.added if paint == FROM_NEW else self.removed).append(sha)
            for parent in node[1]:
                known = self.graph.get(parent)
                self.reach(parent, paint, None if known is None else known[0])

    def _read_next(self) -> None:
        """Read the next band of generations down; place the commits waiting there."""
        if not self.read.read_next():
            raise _missing(min(self.below) if self.below else "?")
        for sha in [s for s in self.below if s in self.graph]:
            self.below.discard(sha)
            heapq.heappush(self.queue, (-self.graph[sha][0], sha))


def _missing(sha: str) -> IncompleteHistory:
    return IncompleteHistory(
        f"commit {sha[:12]} is not in the stored history",
        hint="run `releasecare release scan --rescan` in a full clone",
    )
