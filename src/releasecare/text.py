"""Small helpers for text a person reads."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """``1 change``, ``2 changes``."""
    return f"{count} {word}" + ("" if count == 1 else "s")
