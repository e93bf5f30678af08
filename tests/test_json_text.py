"""``--json`` output is written by ``documents.as_text``, which must equal
``json.dumps(indent=2, ensure_ascii=False, default=str)`` character for character
(scripts diff and parse it). Budget: 300 derandomised hypothesis examples, ~1 s."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasecare.jsonout import as_text


def standard(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


class Label(str):
    """A str subclass: json writes it as a string."""


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.builds(Label, st.text(max_size=5))
    | st.just(datetime(2026, 12, 2, 9, 14, tzinfo=UTC))  # default=str
)
keys = st.text(max_size=8) | st.integers() | st.booleans() | st.none() | st.floats()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(keys, inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(values)
def test_as_text_equals_json_dumps_with_an_indent(value: Any) -> None:
    assert as_text(value) == standard(value)


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        {"a": [], "b": {}, "c": [[]], "d": [{}]},
        {"é": "naïve – “quoted” \n\t\x00 \u2028 😀"},
        [math.nan, math.inf, -math.inf, -0.0, 1e300, 5e-324],
        {3: "int key", 2.5: "float key", True: "bool key", False: "no", None: "null key"},
        "just a string",
        7,
    ],
)
def test_as_text_on_the_edges(value: Any) -> None:
    assert as_text(value) == standard(value)


def test_a_key_json_refuses_is_refused() -> None:
    with pytest.raises(TypeError):
        as_text({(1, 2): "tuple key"})
