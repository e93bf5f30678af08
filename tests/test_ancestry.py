"""Git's difference from a stored graph, against reachability computed the plain way."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasecare.ancestry import FIRST_BAND, IncompleteHistory, difference

Graph = dict[str, tuple[str, ...]]  # sha -> parents


def generations(graph: Graph) -> dict[str, int]:
    levels: dict[str, int] = {}

    def level(sha: str) -> int:
        if sha not in levels:
            levels[sha] = 1 + max((level(p) for p in graph[sha] if p in graph), default=0)
        return levels[sha]

    for sha in graph:
        level(sha)
    return levels


def banded(graph: Graph, reads: list[tuple[int, int]] | None = None) -> object:
    levels = generations(graph)

    def band(lo: int, hi: int) -> Iterator[tuple[str, int, Sequence[str]]]:
        if reads is not None:
            reads.append((lo, hi))
        for sha, parents in graph.items():
            if lo <= levels[sha] <= hi:
                yield sha, levels[sha], parents

    return band


def reachable(graph: Graph, tip: str | None) -> set[str]:
    seen: set[str] = set()
    todo = [tip] if tip else []
    while todo:
        sha = todo.pop()
        if sha not in seen:
            seen.add(sha)
            todo += graph[sha]
    return seen


def diff(graph: Graph, new: str, old: str | None) -> tuple[set[str], set[str]]:
    result = difference(new, old, generations(graph), banded(graph))  # type: ignore[arg-type]
    assert len(set(result.added)) == len(result.added)
    return set(result.added), set(result.removed)


def chain(names: str, parent: str | None = None) -> Graph:
    graph: Graph = {}
    for name in names:
        graph[name] = (parent,) if parent else ()
        parent = name
    return graph


def test_a_forward_deploy_adds_what_lies_between() -> None:
    graph = chain("abcde")
    assert diff(graph, "e", "b") == ({"c", "d", "e"}, set())


def test_a_rollback_only_removes() -> None:
    graph = chain("abcde")
    assert diff(graph, "b", "e") == (set(), {"c", "d", "e"})


def test_the_same_commit_again_changes_nothing() -> None:
    assert diff(chain("abc"), "c", "c") == (set(), set())


def test_nothing_before_means_everything_reachable() -> None:
    assert diff(chain("abc"), "c", None) == ({"a", "b", "c"}, set())


def test_across_a_release_branch_a_hotfix_is_lost() -> None:
    """v0.10.5 is a hotfix branched from v0.10.4; v0.10.6 comes from main without it."""
    graph = chain("abc")  # c = v0.10.4
    graph |= {"h": ("c",)}  # the hotfix on release/v0.10.5 (v0.10.5 = h)
    graph |= {"d": ("c",), "e": ("d",)}  # main, e = v0.10.6
    assert diff(graph, "e", "h") == ({"d", "e"}, {"h"})


def test_a_merge_brings_its_branch_and_itself() -> None:
    graph = chain("ab")
    graph |= {"x": ("a",), "y": ("x",), "m": ("b", "y")}
    assert diff(graph, "m", "b") == ({"x", "y", "m"}, set())


def test_a_long_range_reads_the_graph_in_growing_bands() -> None:
    graph = chain([f"c{i}" for i in range(FIRST_BAND * 5)])  # type: ignore[arg-type]
    reads: list[tuple[int, int]] = []
    result = difference("c2559", "c2", generations(graph), banded(graph, reads))  # type: ignore[arg-type]
    assert len(result.added) == 2557
    assert len(reads) <= 4  # 512, 1024, 2048: not one read per commit


def test_a_commit_missing_from_the_stored_graph_is_an_error_that_says_so() -> None:
    graph = chain("abc")
    with pytest.raises(IncompleteHistory, match="not in the stored history"):
        difference("c", "zz", generations(graph), banded(graph))  # type: ignore[arg-type]
    broken = {"c": ("b",), "b": ("a",)}  # a is referenced but not stored
    levels = {"c": 3, "b": 2}

    def band(lo: int, hi: int) -> Iterator[tuple[str, int, Sequence[str]]]:
        return ((s, levels[s], p) for s, p in broken.items() if lo <= levels[s] <= hi)

    with pytest.raises(IncompleteHistory):
        difference("c", None, levels, band)


@st.composite
def histories(draw: st.DrawFn) -> tuple[Graph, str, str | None]:
    """A random DAG: each commit has one parent, two (a merge) or none (a new root)."""
    count = draw(st.integers(1, 60))
    graph: Graph = {}
    names = [f"n{i}" for i in range(count)]
    for i, name in enumerate(names):
        if i == 0:
            graph[name] = ()
            continue
        kind = draw(st.sampled_from(["one", "one", "one", "merge", "root"]))
        first = names[draw(st.integers(max(0, i - 8), i - 1))]
        if kind == "merge" and i > 1:
            second = names[draw(st.integers(0, i - 1))]
            graph[name] = (first, second) if second != first else (first,)
        elif kind == "root":
            graph[name] = ()
        else:
            graph[name] = (first,)
    new = draw(st.sampled_from(names))
    old = draw(st.one_of(st.none(), st.sampled_from(names)))
    return graph, new, old


@settings(max_examples=300, deadline=None)
@given(histories())
def test_equals_plain_reachability_on_random_histories(case: tuple[Graph, str, str | None]) -> None:
    graph, new, old = case
    added, removed = diff(graph, new, old)
    assert added == reachable(graph, new) - reachable(graph, old)
    assert removed == reachable(graph, old) - reachable(graph, new)


def test_stored_generations_increase_along_every_edge_across_two_scans(tmp_path: object) -> None:
    """The walk's order rests on it: a commit's generation exceeds its parents', also
    when its parents were stored by an earlier scan."""
    from pathlib import Path

    from releasecare.store import commits as commit_store
    from releasecare.store import open_engine, transaction

    engine = open_engine(f"sqlite:///{Path(str(tmp_path)) / 'g.db'}")
    first = [("c", ("b",)), ("b", ("a",)), ("a", ())]  # children first, as a scan walks
    later = [("m", ("c", "x")), ("x", ("a",))]
    with transaction(engine) as session:
        commit_store.save_graph(session, first)
    with transaction(engine) as session:
        commit_store.save_graph(session, later)
        graph = dict(first + later)
        levels = commit_store.generations(session, graph)
    assert all(levels[s] > levels[p] for s, parents in graph.items() for p in parents)
    assert levels == {"a": 1, "b": 2, "c": 3, "x": 2, "m": 4}
    engine.dispose()
