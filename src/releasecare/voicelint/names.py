"""Authors' names in a note: no customer reads who wrote a change.

Light on purpose (no word lists, no rules): every visible subject of a deploy is
checked for its range's authors, also when its verdict is remembered and the lint's
rules are never loaded.
"""

from __future__ import annotations

import functools
import re


def names_a_person(text: str, names: tuple[str, ...]) -> bool:
    """Whether ``text`` (a stripped note) names one of ``names``: the one thing the
    lint reads ``VoiceOptions.author_names`` for (``references.internal_reference``), so
    a verdict without the names, and this, give the verdict with them.

    The same test as ``names_pattern`` (a name with a word boundary on each side),
    without compiling one pattern of a range's hundreds of authors (3-4 ms): only
    the names that can stand in the text are tried. A name that starts with a word
    character can only stand where the text has its first word whole (the boundary
    before it, and the name's own next character or boundary after that word).
    """
    by_first_word, others = _names_by_first_word(names)
    candidates = [
        *others,
        *(name for word in set(_RUN.findall(text)) for name in by_first_word.get(word, ())),
    ]
    return any(re.search(rf"\b{re.escape(name)}\b", text) for name in candidates if name in text)


_RUN = re.compile(r"\w+")


@functools.lru_cache(maxsize=8)
def _names_by_first_word(
    names: tuple[str, ...],
) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """``names`` by the word each starts with, and those that start with no word."""
    by_word: dict[str, list[str]] = {}
    others: list[str] = []
    for name in names:
        first = _RUN.match(name)
        if first:
            by_word.setdefault(first.group(0), []).append(name)
        elif name:
            others.append(name)
    return {word: tuple(listed) for word, listed in by_word.items()}, tuple(others)


@functools.lru_cache(maxsize=8)
def names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for all of ``names`` (a repository's authors are hundreds): a note
    is searched once, not once per name. Longest first, so that a name inside a
    longer one does not hide it."""
    listed = sorted({n for n in names if n}, key=len, reverse=True)
    if not listed:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in listed) + r")\b")
