"""Our JSON documents as text: ``json.dumps(indent=2, ensure_ascii=False)`` character
for character, faster (``documents`` builds them; ``jsontext`` reads others' JSON)."""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

_INDENT = "  "
# A string as json writes it with ensure_ascii=False (its C version when there is one).
_string: Callable[[str], str] = encode_basestring


def as_text(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False, default=str)``, character for
    character, in a third of the time: with an indent, the standard library falls
    back to its pure-Python encoder, a generator per container (for ``impact --json``
    of a numpy minor release, 0.5 MB, more time than every query of the command)."""
    out: list[str] = []
    _encode(value, "\n", out)
    return "".join(out)


def _encode(value: Any, newline: str, out: list[str]) -> None:
    """Append ``value`` encoded at the indent ``newline`` holds (json's own order of
    type tests: str, None, True, False, int, float, list/tuple, dict, then str())."""
    if isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + _INDENT
        separator = "{" + inner
        for key, item in value.items():
            head = separator + (_string(key) if type(key) is str else _key(key)) + ": "
            separator = "," + inner
            kind = type(item)
            if kind is str:  # the common cases first, as one piece each
                out.append(head + _string(item))
            elif item is None:
                out.append(head + "null")
            elif kind is bool:
                out.append(head + ("true" if item else "false"))
            elif kind is int:
                out.append(head + int.__repr__(item))
            else:
                out.append(head)
                _scalar_or(item, inner, out)
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + _INDENT
        separator = "[" + inner
        for item in value:
            if type(item) is str:
                out.append(separator + _string(item))
            else:
                out.append(separator)
                _scalar_or(item, inner, out)
            separator = "," + inner
        out.append(newline + "]")
    else:
        _scalar_or(value, newline, out)


def _scalar_or(value: Any, newline: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, list | tuple | dict):
        _encode(value, newline, out)
    else:
        _encode(str(value), newline, out)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return _string(key)
    if isinstance(key, float):
        return _string(_float(key))
    if key is True or key is False or key is None:
        return _string({True: "true", False: "false", None: "null"}[key])
    if isinstance(key, int):
        return _string(int.__repr__(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)
