"""Rules about the words themselves: engineering jargon, lines about our code and its
dependencies (developer-imperative), and lines that say nothing (content-free)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date

import releasecare.voicelint.wordlists as wl
from releasecare.voicelint.findings import Finding, VoiceOptions, hit
from releasecare.voicelint.notetext import Note, Token, span_text
from releasecare.voicelint.wordlists import words

# --- jargon ----------------------------------------------------------------------------


def _forms(word: Token) -> set[str]:
    """A word as jargon may be written: "back-end" is "backend"; "init/import" is two."""
    return {word.low, word.low.replace("-", ""), *word.low.split("/")}


@functools.cache
def _term_forms(term: str) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    """A jargon term's words, the forms of its last word, and its one-word forms, with
    their endings ("refactor" -> "refactored", "back end" -> "backend", "back-end")."""
    parts = tuple(term.split())
    ends = wl.JARGON_ENDINGS
    tail = frozenset(parts[-1] + e for e in ends)
    joined = {term.replace(" ", ""), term.replace(" ", "-")}
    return parts, tail, frozenset(j + e for j in joined for e in ends)


def _jargon_at(words: Sequence[Token], forms: Sequence[set[str]], i: int, term: str) -> int:
    """How many words from ``words[i]`` on say ``term`` (0 when they do not)."""
    parts, tail, joined = _term_forms(term)
    if len(parts) > 1 and i + len(parts) <= len(words):
        head = all(words[i + k].low == parts[k] for k in range(len(parts) - 1))
        if head and forms[i + len(parts) - 1] & tail:
            return len(parts)
    return 1 if forms[i] & joined else 0


@functools.lru_cache(maxsize=16)
def _jargon_index(
    jargon: tuple[str, ...], allow: tuple[str, ...]
) -> tuple[tuple[str, ...], dict[str, frozenset[int]]]:
    """The terms looked for, longest first, and which of them (by place in that order)
    each written form of a word can start: a note's words pick its few candidates
    instead of every term being tried on every note."""
    allowed = {a.lower() for a in allow}
    terms = tuple(
        sorted(
            {t.lower() for t in jargon if t and t.lower() not in allowed},
            key=lambda t: (-len(t.split()), t),
        )
    )
    starts: dict[str, set[int]] = {}
    for place, term in enumerate(terms):
        parts, tail, joined = _term_forms(term)
        for form in joined | (tail if len(parts) > 1 else frozenset()):
            starts.setdefault(form, set()).add(place)
    return terms, {form: frozenset(places) for form, places in starts.items()}


def jargon(note: Note, options: VoiceOptions, today: date) -> list[Finding]:
    terms, starts = _jargon_index(options.jargon, options.allow)
    words = tuple(w for w in note.words if not w.quoted)
    forms = [_forms(w) for w in words]  # each word's forms, once per note
    candidates = sorted({p for form in set().union(*forms) for p in starts.get(form, ())})
    taken: set[int] = set()
    found: list[tuple[int, Finding]] = []
    for term in (terms[p] for p in candidates):
        for i in range(len(words)):
            size = 0 if i in taken else _jargon_at(words, forms, i, term)
            if not size:
                continue
            taken.update(range(i, i + size))
            span = span_text(note, words[i : i + size])
            plain = wl.PLAIN_WORDS.get(term)
            advice = f"instead of {span!r}: {plain}" if plain else f"{span!r}: what they notice"
            found.append(
                (
                    i,
                    hit(
                        "jargon",
                        f"engineering word {span!r}",
                        span,
                        f"say it in the customer's words ({advice}), or add it to "
                        "[voice] allow if your customers use it",
                    ),
                )
            )
            break
    return [f for _, f in sorted(found, key=lambda pair: pair[0])]


# --- developer-imperative --------------------------------------------------------------

_VERSION = re.compile(r"^v?\d+(?:\.\d+)+[\w.+-]*$|^v\d+$")
# "Minor version upgrade of Electron to 29.3.0", "dependency bump".
_BUMP_NOUNS = words("upgrade update bump downgrade")
_BUMP_KINDS = words("version dependency minor major patch security")


def _versions(words: Sequence[Token], bump: bool = False) -> list[int]:
    """Where the version numbers a change goes from or to stand ("from 1.2.0 to 1.3.0",
    "to Electron v18"; after "bump" any version), not "support for macOS 14.2"."""
    lows = [w.low for w in words]
    return [
        i
        for i, w in enumerate(words)
        if _may_be_version(w.text)
        and _VERSION.match(w.text)
        and (bump or {"to", "from"} & set(lows[max(0, i - 2) : i]))
    ]


def _may_be_version(text: str) -> bool:
    """Whether ``_VERSION`` can match: it starts with "v" or a digit."""
    return text[:1] == "v" or text[:1].isdecimal()


def _code_noun(words: Sequence[Token]) -> int | None:
    """Where the object of the first word (within four words after it) is code."""
    lows = [w.low for w in words[:5]]
    for i in range(1, len(lows)):
        if tuple(lows[i : i + 2]) in wl.CODE_PHRASES:
            return i + 1
        if lows[i] in wl.CODE_NOUNS:
            return i
    return None


# Words before "upgraded to v2" that make it the customer's doing ("after upgrading").
_THEIRS = words("after when before if once you please until")


def _bumped(words: Sequence[Token]) -> tuple[int, int] | None:
    """ "... was upgraded to v31.0.1", "... bumped to 2.4": a version change anywhere."""
    lows = [w.low for w in words]
    if wl.BUMP_VERBS.isdisjoint(lows):
        return None
    for i, low in enumerate(lows):
        if low not in wl.BUMP_VERBS or (i and lows[i - 1] in _THEIRS):
            continue
        for k in range(i + 1, min(i + 5, len(words))):
            if lows[k - 1] in {"to", "from"} and _VERSION.match(words[k].text):
                return i, k + 1
    return None


# What a developer word or phrase starts with ("CI" is "ci" in lower case).
_DEVELOPER_STARTS = wl.DEVELOPER_WORDS | {phrase[0] for phrase in wl.DEVELOPER_PHRASES} | {"ci"}


def _work_on_code(words: Sequence[Token]) -> tuple[int, int, str] | None:
    """(start, end, what) of the words saying what we changed in code or dependencies."""
    if not words:
        return None
    first = words[0].low
    versions = _versions(words, bump=first in {"bump", "bumped", "bumps", "pin", "pinned"})
    lows = [w.low for w in words]
    if first in wl.BUMP_VERBS and versions:
        return 0, versions[-1] + 1, "a version change"
    for i in range(len(lows) - 1):
        if lows[i] in _BUMP_KINDS and lows[i + 1] in _BUMP_NOUNS and versions:
            return i, max(versions[-1], i + 1) + 1, "a version change"
    bumped = _bumped(words)
    if bumped:
        return bumped[0], bumped[1], "a version change"
    if first in wl.DEPENDENCY_VERBS:
        for i, low in enumerate(lows):
            if low in wl.DEPENDENCY_NOUNS or (low == "requirements" and len(words) <= 4):
                return 0, i + 1, "a dependency change"
    if first in wl.CODE_VERBS:
        noun = _code_noun(words)
        if noun is not None:
            return 0, noun + 1, "work on our code"
    if _DEVELOPER_STARTS.isdisjoint(lows):
        return None
    for i, low in enumerate(lows):
        pair = tuple(lows[i : i + 2])
        if pair in wl.DEVELOPER_PHRASES:
            return i, i + 2, "work on our code"
        if low in wl.DEVELOPER_WORDS or (words[i].text == "CI"):
            return i, i + 1, "work on our code"
    return None


def developer_imperative(note: Note, options: VoiceOptions, today: date) -> list[Finding]:
    body = note.body
    if body.commit_prefix:
        prefix = body.commit_prefix
        return [
            hit(
                "developer-imperative",
                f"written as a commit message ({prefix!r})",
                prefix,
                "write what changes for the customer, or leave the change out of the "
                "notice (a commit message is for developers)",
            )
        ]
    found = _work_on_code(body.words)
    if not found:
        return []
    start, end, what = found
    span = span_text(note, body.words[start:end])
    suggestion = (
        "leave it out: dependency and version updates reach customers as one line "
        '("Security and dependency updates."), or say what changes for them'
        if what != "work on our code"
        else "leave it out of customer notes, or say what the customer notices"
    )
    return [hit("developer-imperative", f"{what} ({span!r}), not the customer's", span, suggestion)]


# --- content-free ----------------------------------------------------------------------

_REFERENCE = re.compile(r"^#\d+$|^[A-Z][A-Z0-9]+-\d+$")
_FIRST_PERSON = words("we i our")
_SAYS_NOTHING = wl.VAGUE_WORDS | wl.STOP_WORDS


def content_free(note: Note, options: VoiceOptions, today: date) -> list[Finding]:
    words = [w for w in note.body.words if not _REFERENCE.match(w.text)]
    if not words or any(w.low in _FIRST_PERSON for w in words):
        return []
    if any(w.low not in _SAYS_NOTHING for w in words):
        return []
    span = span_text(note, words)
    return [
        hit(
            "content-free",
            f"says nothing the customer can use ({span!r})",
            span,
            "say what the customer notices: which part, what works now "
            '("Exports of large accounts no longer time out."), or leave it out',
        )
    ]
