"""A note as the voice lint reads it: words with their position and shape, in sentences.

Markdown is read, not matched: a code span (`` `x` ``) is one token of kind "code",
a link's address is one token of kind "url" (its text is words, marked ``in_link``),
and a bare address is a "url" token too, so nothing inside an address is taken for a
path or a ticket. Words keep what joins them (``ISO-8601``, ``read/write``,
``v5.0.3``, ``std::isinf`` are one token each), so a rule looks at a whole word and
its shape, never at part of one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

from releasecare.voicelint.wordlists import COMMIT_TYPES

_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]+)\)")
_BARE_URL = re.compile(r"\bhttps?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]")
# A word, with what joins its parts; a path keeps its leading "/", "./" or "~/".
_WORD = re.compile(
    r"(?:(?<![\w.~/])(?:\.{1,2}|~)?/(?=\w))?"
    r"[#@]?\w+(?:['’]\w+)*(?:(?:[-./+]|::)\w+(?:['’]\w+)*)*(?:\(\))?"
)
# Quotation marks and bold: a label the customer sees ("Merge pull request").
_QUOTED = re.compile(r'"[^"\n]{1,80}"|“[^”\n]{1,80}”|\*\*[^*\n]{1,80}\*\*')
# Where one sentence ends: a full stop, question or exclamation mark or semicolon
# before white space (or the end), or a line break.
_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$)|\n+")


class Token(NamedTuple):
    """A word, code span or address of a note (a tuple: a note has dozens, read fast)."""

    text: str  # as written; for "code" and "url" tokens, what is inside
    start: int
    end: int
    kind: str  # "word", "code" (a code span) or "url"
    before: str  # what stands between the previous token and this one
    in_link: bool  # a word of a Markdown link's text
    quoted: bool  # inside quotation marks or **bold**: a label the customer sees
    low: str  # lower case, with typographic apostrophes made plain (we’re -> we're)

    @property
    def is_word(self) -> bool:
        return self.kind == "word"

    @property
    def clause_break(self) -> bool:
        """Whether punctuation (a comma, a dash, a colon, a bracket) stands before it."""
        return any(c in self.before for c in ",;:()[]—–") or " - " in self.before


@dataclass(frozen=True)
class Note:
    text: str
    tokens: tuple[Token, ...]
    sentences: tuple[tuple[Token, ...], ...]

    @cached_property
    def words(self) -> tuple[Token, ...]:
        return tuple(t for t in self.tokens if t.is_word)

    @cached_property
    def unplain(self) -> tuple[Token, ...]:
        """The tokens that are not plain words (``is_plain``): the only ones that can
        be tickets, hashes, paths or code."""
        return tuple(t for t in self.tokens if not (t.is_word and is_plain(t.text)))

    @cached_property
    def body(self) -> Body:
        """What follows the marks, area or commit type before the first word (read
        once: two rules ask)."""
        return body_of(self)


@lru_cache(maxsize=4096)
def read_note(text: str) -> Note:
    """``text`` as tokens and sentences (read once: a subject is read by several rules,
    and a Note is never changed)."""
    spans: list[tuple[int, int, str, str]] = []  # start, end, kind, inner text
    links: list[tuple[int, int]] = []  # where a link's text stands
    masked = text

    def mask(start: int, end: int) -> None:
        # Masked with a character no pattern matches: no word, no sentence end.
        nonlocal masked
        masked = masked[:start] + "\0" * (end - start) + masked[end:]

    # Each pattern only where its first mark is (most notes have none of them).
    if "`" in text:
        for match in _CODE_SPAN.finditer(text):
            spans.append((match.start(), match.end(), "code", match.group(2).strip()))
            mask(match.start(), match.end())
    if "](" in masked:
        for match in _LINK.finditer(masked):
            url_start = match.start(2) - 2  # from the "]" on: "](address)"
            spans.append((url_start, match.end(), "url", match.group(2)))
            links.append((match.start(1), match.end(1)))
            mask(url_start, match.end())
            mask(match.start(), match.start() + 1)
    if "://" in masked:
        for match in _BARE_URL.finditer(masked):
            spans.append((match.start(), match.end(), "url", match.group(0)))
            mask(match.start(), match.end())
    for match in _WORD.finditer(masked):
        at = match.start()
        in_link = bool(links) and any(s <= at < e for s, e in links)
        spans.append((at, match.end(), "link-word" if in_link else "word", match[0]))
    spans.sort()
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    tokens: list[Token] = []
    previous_end = 0
    for start, end, kind, inner in spans:
        if start < previous_end:
            continue
        tokens.append(
            Token(
                inner,
                start,
                end,
                "word" if kind == "link-word" else kind,
                text[previous_end:start],
                kind == "link-word",
                bool(quoted) and any(s <= start < e for s, e in quoted),
                _low(inner),
            )
        )
        previous_end = end
    ends = [m.end() for m in _SENTENCE_END.finditer(masked)]
    sentences: list[list[Token]] = [[]]
    for token in tokens:
        while ends and token.start >= ends[0]:
            ends.pop(0)
            if sentences[-1]:
                sentences.append([])
        sentences[-1].append(token)
    return Note(text, tuple(tokens), tuple(tuple(s) for s in sentences if s))


@lru_cache(maxsize=4096)
def read_sentence(text: str, sentence: str) -> Note:
    """``read_note(sentence)``, where ``sentence`` is ``text`` with a capital first and
    a full stop added (a commit subject made a sentence: the cleaner has read ``text``
    already). Only the first word differs, so the sentence is read on from ``text``'s
    reading; anything else (a letter whose capital is two, an address at the start,
    white space at either end) is read afresh."""
    first, capital = text[:1], sentence[:1]
    if (
        not text
        or text != text.strip()
        or sentence[1:] not in (text[1:], text[1:] + ".")
        or len(capital) != 1
        or (capital != first and capital != first.upper())
    ):
        return read_note(sentence.strip())
    note = read_note(text)
    tokens = note.tokens
    if capital != first:
        # Only a word can start with a letter whose case changes; an address
        # ("http://") would not be one once it starts with a capital.
        head = tokens[0] if tokens else None
        if head is None or head.start != 0 or head.kind != "word":
            return read_note(sentence.strip())
        word = capital + head.text[1:]
        renamed = head._replace(text=word, low=_low(word))
        tokens = (renamed, *tokens[1:])
        sentences = ((renamed, *note.sentences[0][1:]), *note.sentences[1:])
        return Note(sentence, tokens, sentences)
    # A full stop after the last token starts no sentence and joins no word.
    return Note(sentence, tokens, note.sentences)


def _low(text: str) -> str:
    """A token's ``low``: lower case, typographic apostrophes made plain."""
    return text.lower().replace("’", "'")


def is_plain(word: str) -> bool:
    """Letters only, all small or a capital first ("fix", "Export"): no ticket, hash,
    path, handle or code identifier, each of which needs a digit, a mark, or a capital
    inside. Most words of most notes, so their tests are spared for them."""
    return word.isalpha() and (word.islower() or word.istitle())


def words_of(tokens: Iterable[Token]) -> list[Token]:
    return [t for t in tokens if t.is_word]


def first_phrase(lows: Sequence[str], phrases: Iterable[Sequence[str]]) -> tuple[int, int] | None:
    """Where the first of ``phrases`` (in their order) that the words ``lows`` (lower
    case) say first stands in a row: (start, end), or None. A phrase with a word the
    note does not have is passed over at once (most phrases, most notes)."""
    present = set(lows)
    for phrase in phrases:
        if not present.issuperset(phrase):
            continue
        size = len(phrase)
        for i in range(len(lows) - size + 1):
            if lows[i] == phrase[0] and all(lows[i + k] == phrase[k] for k in range(1, size)):
                return i, i + size
    return None


def span_text(note: Note, tokens: Sequence[Token]) -> str:
    """The words of ``tokens`` as the note writes them (from the first to the last)."""
    if not tokens:
        return ""
    return note.text[tokens[0].start : tokens[-1].end]


# --- where the note's own words start ------------------------------------------------

_LEADING_MARKS = re.compile(r"^\s*(?:(?:\[[^\]]{0,12}\]|\((?:\*\*)?\w+(?:\*\*)?\))\s*)*")
_PREFIX = re.compile(r"^(?P<type>[A-Za-z][\w-]*)(?:\((?P<scope>[^)]*)\))?!?:\s+")
_AREA = re.compile(r"^[A-Z]\w*(?: \w+){0,2}:\s+")


@dataclass(frozen=True)
class Body:
    """The note after what stands before its first word: marks such as ``[*]`` or
    ``(**crash**)``, a product area ("Calls: "), or a commit type ("chore(deps): ")."""

    commit_prefix: str | None
    words: tuple[Token, ...]


def body_of(note: Note) -> Body:
    text = note.text
    marks = _LEADING_MARKS.match(text)
    start = marks.end() if marks else 0
    prefix: str | None = None
    found = _PREFIX.match(text, start)
    if found:
        kind = found.group("type")
        if kind.lower() in COMMIT_TYPES or kind[0].islower() or found.group("scope"):
            prefix = text[found.start() : found.end()].strip()
        start = found.end()
    else:
        area = _AREA.match(text, start)
        if area:
            start = area.end()
    return Body(prefix, tuple(w for w in note.words if w.start >= start))
