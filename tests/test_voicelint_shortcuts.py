"""The voice lint's shortcuts give the verdicts the full tests give.

The lint judges every visible commit subject of a deploy the first time it is seen
(`impact` on a fresh CI machine), so it skips work where the answer is known: words of
plain letters are never internal references, a phrase with a word the note lacks is
never looked for, and a jargon term none of the note's words can start is never tried.
Each shortcut is checked here against the plain way of asking.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from releasecare import voice
from releasecare.voicelint import VoiceOptions
from releasecare.voicelint.notetext import first_phrase, is_plain, read_note, read_sentence
from releasecare.voicelint.references import (
    is_code_identifier,
    is_hash,
    is_path,
    is_ticket,
)
from releasecare.voicelint.wording import _forms, _jargon_at, jargon
from releasecare.voicelint.wordlists import DEFAULT_JARGON, STANDARDS

TODAY = date(2026, 12, 3)
LETTERS = st.one_of(
    st.sampled_from(string.ascii_letters), st.characters(categories=("Lu", "Ll", "Lt", "Lo"))
)


@settings(max_examples=500, deadline=None)
@given(st.text(LETTERS, min_size=1, max_size=14))
def test_a_plain_word_is_no_internal_reference(word: str) -> None:
    if is_plain(word):
        assert not is_ticket(word)
        assert not is_hash(word)
        assert not is_path(word)
        assert not is_code_identifier(word)


def test_words_that_are_not_plain() -> None:
    for word in ("GitHub", "fooBar", "API", "MM-123", "a1b2c3d", "read/write", "x_y"):
        assert not is_plain(word), word
    for word in ("fix", "Export", "I", "café"):
        assert is_plain(word), word


def _naive_first(lows: Sequence[str], phrases: Sequence[Sequence[str]]) -> tuple[int, int] | None:
    for phrase in phrases:
        size = len(phrase)
        for i in range(len(lows) - size + 1):
            if list(lows[i : i + size]) == list(phrase):
                return i, i + size
    return None


VOCABULARY = st.sampled_from(["in", "the", "future", "race", "condition", "we", "will", "a"])


@settings(max_examples=500, deadline=None)
@given(
    st.lists(VOCABULARY, max_size=12),
    st.lists(st.lists(VOCABULARY, min_size=1, max_size=3).map(tuple), max_size=6),
)
def test_first_phrase_is_the_first_phrase_in_order_at_its_first_place(
    lows: list[str], phrases: list[tuple[str, ...]]
) -> None:
    assert first_phrase(lows, phrases) == _naive_first(lows, phrases)
    assert first_phrase(tuple(lows), phrases) == _naive_first(lows, phrases)


def _naive_jargon_spans(text: str, options: VoiceOptions) -> list[str]:
    """Every term tried at every word, as the rule read before it had an index."""
    note = read_note(text)
    allowed = {a.lower() for a in options.allow}
    terms = sorted(
        {t.lower() for t in options.jargon if t and t.lower() not in allowed},
        key=lambda t: (-len(t.split()), t),
    )
    words = tuple(w for w in note.words if not w.quoted)
    forms = [_forms(w) for w in words]
    taken: set[int] = set()
    found: list[tuple[int, str]] = []
    for term in terms:
        for i in range(len(words)):
            size = 0 if i in taken else _jargon_at(words, forms, i, term)
            if size:
                taken.update(range(i, i + size))
                found.append((i, note.text[words[i].start : words[i + size - 1].end]))
                break
    return [span for _, span in sorted(found)]


JARGON_WORDS = sorted({w for term in DEFAULT_JARGON for w in term.split()})
NOTE_WORDS = st.one_of(
    st.sampled_from(JARGON_WORDS),
    st.sampled_from(JARGON_WORDS).map(lambda w: w + "s"),
    st.sampled_from(JARGON_WORDS).map(lambda w: w + "ed"),
    st.sampled_from(["the", "export", "now", "works", "back-end", "re-factored", '"api"']),
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(NOTE_WORDS, min_size=1, max_size=10),
    st.lists(st.sampled_from(JARGON_WORDS), max_size=2),
)
def test_jargon_finds_what_trying_every_term_finds(words: list[str], allow: list[str]) -> None:
    text = " ".join(words) + "."
    options = VoiceOptions(allow=tuple(allow))
    assert [f.span for f in jargon(read_note(text), options, TODAY)] == _naive_jargon_spans(
        text, options
    )


SUBJECT_CHARS = st.sampled_from("ab fAF09١#-.)([]:/xKıİ\n\t") | st.characters()


REFERENCE_ENDS = st.tuples(
    st.text(SUBJECT_CHARS, max_size=15),
    st.sampled_from(
        [
            *("", " #12", " MM-123", " (#45)", " [abc1234]", " abc1234", " GH-9"),
            *(" https://x.io/a", " #١٢", " fixes #3", " refs: AB-1, AB-2", " ABCDEF0"),
        ]
    ),
    st.sampled_from(["", ".", " .", "..", " ", "\n"]),
).map("".join)


@settings(max_examples=600, deadline=None)
@given(REFERENCE_ENDS | st.text(SUBJECT_CHARS, max_size=30))
def test_the_cleaner_tries_the_trailing_references_wherever_they_can_match(text: str) -> None:
    from releasecare.voice import _TRAILING_REFS, _may_end_in_refs

    if _TRAILING_REFS.search(text):
        assert _may_end_in_refs(text)


# What a commit subject can start and end with: addresses, code, links, quotes,
# letters whose capital is two letters ("ß") or another letter ("ı"), and stops.
NOTE_HEADS = st.sampled_from(
    [
        *("", "http://x.io/a ", "https://x.io", "`code` ", "[link](http://x.io) ", '"Save" '),
        *("ß", "ı", "ǆ", "é", "ﬁ", "#12 ", "/usr/bin ", "~/x ", " ", "\t", "**bold** "),
    ]
)
NOTE_TAILS = st.sampled_from(["", ".", "!", "?", ";", " ", "`", "http://x.io/a", "a.b", ":"])
SENTENCE_SOURCES = st.tuples(NOTE_HEADS, st.text(SUBJECT_CHARS, max_size=20), NOTE_TAILS).map(
    "".join
)


@settings(max_examples=800, deadline=None)
@given(SENTENCE_SOURCES.filter(bool))
def test_a_subject_sentence_reads_as_the_sentence_read_afresh(text: str) -> None:
    """The lint reads the sentence a subject makes on from the subject's own reading
    (the cleaner read it already): the same tokens and sentences as reading it anew."""
    sentence = voice._sentence(text)
    assert read_sentence(text, sentence) == read_note(sentence.strip())


def _refs_with_the_exception_inside() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The cleaner's reference patterns as they were written before ``voice._cut``:
    the standards' exception inside every ticket they match, case ignored throughout
    (the plain way, twice the size)."""
    not_tickets = "|".join(sorted(s.upper() for s in STANDARDS))
    ticket = rf"(?!(?:{not_tickets})-)[A-Z][A-Z0-9]+-\d+"
    ref = rf"(?:{ticket}|GH-\d+|#\d+|https?://\S+?|[0-9a-f]{{7,40}})"
    words = r"(?:(?:see|refs?|closes|fixes|fixed|resolves|related|part of|cf\.?)\s*:?\s*)"
    refs = rf"{words}?{ref}(?:\s*(?:[,;&]|and)\s*{words}?{ref})*"
    trailing = rf"(?:\s*[(\[]\s*{refs}(?:\s+for\s+details)?\s*[)\]]|\s+{refs})\s*\.?\s*$"
    leading = rf"^\s*(?:[(\[]\s*{refs}\s*[)\]]|{ref}\s*:)\s*"
    return re.compile(trailing, re.I), re.compile(leading, re.I)


_PLAIN_TRAILING, _PLAIN_LEADING = _refs_with_the_exception_inside()
PIECES = [
    "UTF-8", "ISO-8601", "utf-8", "Rfc-9110", "JIRA-12", "MM-58087", "GH-7", "#41",
    "gh-26920", "https://example.com/x", "https://example.com/ISO-8601", "abc1234",
    "see", "refs:", "closes", "and", ",", ";", "&", "(", ")", "[", "]", ":", ".", " ",
    "for details", "For Details", "See", "AND", "HTTPS://EXAMPLE.COM/UTF-8", "ABC1234",
    "Fix", "dates", "seeUTF-8", "-",
]  # fmt: skip
REF_PIECES = st.sampled_from(PIECES)


@settings(max_examples=600, deadline=None)
@given(st.lists(REF_PIECES, max_size=9).map(" ".join), st.lists(REF_PIECES, max_size=5))
def test_references_are_cut_as_the_pattern_with_the_exception_inside_would(
    text: str, glued: list[str]
) -> None:
    for subject in (text, "".join(glued), "Fix dates " + text):
        assert voice._cut(voice._TRAILING_REFS, subject) == _PLAIN_TRAILING.sub("", subject)
        assert voice._cut(voice._LEADING_REFS, subject) == _PLAIN_LEADING.sub("", subject)


def test_a_standard_at_either_end_is_no_reference() -> None:
    assert voice._trimmed("fix: parse dates as ISO-8601") == "parse dates as ISO-8601"
    assert voice._trimmed("Save files as UTF-8 (JIRA-12)") == "Save files as UTF-8"
    assert voice._trimmed("Support ISO-8601, JIRA-12") == "Support ISO-8601"
    assert voice._trimmed("(UTF-8) names in exports") == "(UTF-8) names in exports"
    assert voice._trimmed("Links in exports (see https://example.com/ISO-8601)") == (
        "Links in exports"
    )
