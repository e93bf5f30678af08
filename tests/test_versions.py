"""Version order of release tags: numeric parts, pre-releases before their release,
non-version tags first and in a fixed order."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from releasecare.versions import sort_versions, version_key


def test_versions_sort_as_versions() -> None:
    tags = [
        "v1.10.0",
        "v2.0.0",
        "v1.9.0",
        "v2.0.0-rc.1",
        "v2.0.0-beta.2",
        "2.0.0rc2",
        "v2.0.0-alpha",
        "v1.9.1",
        "v1.0",
    ]
    assert sort_versions(tags) == [
        "v1.0",
        "v1.9.0",
        "v1.9.1",
        "v1.10.0",
        "v2.0.0-alpha",
        "v2.0.0-beta.2",
        "v2.0.0-rc.1",
        "2.0.0rc2",
        "v2.0.0",
    ]


@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)),
        min_size=1,
        max_size=20,
    )
)
def test_version_order_matches_numeric_order(triples: list[tuple[int, int, int]]) -> None:
    tags = [f"v{a}.{b}.{c}" for a, b, c in triples]
    assert [version_key(t)[1][:3] for t in sort_versions(tags)] == sorted(triples)


def test_v1_10_after_v1_9_though_not_in_string_order() -> None:
    assert sorted(["v1.9.0", "v1.10.0"]) == ["v1.10.0", "v1.9.0"]
    assert sort_versions(["v1.9.0", "v1.10.0"]) == ["v1.9.0", "v1.10.0"]
    assert version_key("v1.10.0") > version_key("v1.9.0")


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("v1.9.0", "v1.10.0"),
        ("v1.2.9", "v1.2.10"),
        ("v9.0.0", "v10.0.0"),
        ("release-1.9", "release-2"),
        ("1.0", "1.0.1"),
    ],
)
def test_numeric_not_lexical(older: str, newer: str) -> None:
    assert version_key(older) < version_key(newer)
    assert sort_versions([newer, older]) == [older, newer]


@pytest.mark.parametrize(
    ("pre", "release"),
    [
        ("v2.0.0-rc.1", "v2.0.0"),
        ("v2.0.0rc1", "v2.0.0"),
        ("2.0.0a1", "2.0.0"),
        ("v2.0.0-beta", "v2.0.0"),
        ("v2.0.0.dev3", "v2.0.0"),
        ("v2.0.0-preview.4", "v2.0.0"),
    ],
)
def test_pre_release_before_its_release(pre: str, release: str) -> None:
    assert version_key(pre) < version_key(release)
    # ... and after the release before it.
    assert version_key("v1.99.99") < version_key(pre)


def test_pre_releases_in_stage_then_number_order() -> None:
    ordered = [
        "v3.0.0.dev1",
        "v3.0.0a1",
        "v3.0.0a2",
        "v3.0.0-alpha.10",
        "v3.0.0b1",
        "v3.0.0-rc.1",
        "v3.0.0-rc.2",
        "v3.0.0",
    ]
    shuffled = ordered[::-1]
    assert sort_versions(shuffled) == ordered


def test_pre_release_names_are_case_insensitive() -> None:
    assert version_key("v1.0.0-RC.1")[:4] == version_key("v1.0.0-rc.1")[:4]


def test_non_version_tags_first_by_name() -> None:
    tags = ["v1.0.0", "stable", "latest", "v0.1.0", "nightly"]
    assert sort_versions(tags) == ["latest", "nightly", "stable", "v0.1.0", "v1.0.0"]


def test_order_is_deterministic_whatever_the_input_order() -> None:
    tags = [
        "stable",
        "latest",
        "v1.0",
        "v1.0.0",
        "1.0.0",
        "v1.0.0+build.5",
        "v1.0.0-rc.1",
        "v1.0.0-RC.1",
        "deploy-1.0.0",
        "v2",
    ]
    expected = sort_versions(tags)
    rng = random.Random(1234)
    for _ in range(50):
        rng.shuffle(tags)
        assert sort_versions(tags) == expected
    # Equal versions are told apart by name, so no two tags share a key.
    assert len({version_key(t) for t in tags}) == len(tags)
    assert expected[:2] == ["latest", "stable"]
    assert expected[-1] == "v2"


@given(st.lists(st.text(max_size=12), max_size=15))
def test_any_tags_sort_the_same_from_any_order(tags: list[str]) -> None:
    expected = sort_versions(tags)
    assert sort_versions(reversed(tags)) == expected
    assert sort_versions(sorted(tags)) == expected


@pytest.mark.parametrize(
    ("tag", "version"),
    [
        ("v1.2.0", True),
        ("2024.05.1", True),
        ("v0.2.1-patch", True),
        ("3.1.0rc1", True),
        ("v0", False),
        ("v3-demo-concise", False),
        ("latest", False),
        ("2.2.x", False),  # flask's maintenance lines
        ("1.x", False),
        ("v2.*", False),
    ],
)
def test_what_reads_as_a_version(tag: str, version: bool) -> None:
    from releasecare.versions import is_version

    assert is_version(tag) is version
