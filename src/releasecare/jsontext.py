"""JSON written by others: one parser whose every failure is a ``JsonProblem``.

``json.loads`` fails in more ways than ``JSONDecodeError``: an array nested a few
thousand levels deep raises ``RecursionError``, and an integer of more than 4,300
digits a bare ``ValueError`` (Python's limit on integer conversion). Each caller
names the file, line or URL around the problem this module describes.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

_NUMBER_TOO_LONG = re.compile(rf"\d{{{(sys.get_int_max_str_digits() or 4300) + 1},}}")
_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class JsonProblem(ValueError):
    """Text that is no JSON releasecare reads; ``line`` where it goes wrong (1-based)."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def loads(text: str) -> Any:
    """``json.loads(text)``; any failure is a ``JsonProblem`` with its line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonProblem(f"not valid JSON ({exc.msg} at column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise JsonProblem("not valid JSON here: nested too deeply", _deepest_line(text)) from None
    except ValueError:  # the limit on integer digits
        found = _NUMBER_TOO_LONG.search(text)
        line = text.count("\n", 0, found.start()) + 1 if found else 1
        raise JsonProblem("not valid JSON here: a number with too many digits", line) from None


def _deepest_line(text: str) -> int:
    """The line where ``text`` is nested deepest (strings skipped)."""
    depth = deepest = where = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
        elif token in "]}":
            depth -= 1
    return text.count("\n", 0, where) + 1
