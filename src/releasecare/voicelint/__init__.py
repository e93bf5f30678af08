"""The voice lint: what in a note is written from our side rather than the customer's.

Each rule reads the note as words in sentences (``notetext``): a word is matched
whole, with the endings it can take, and where it stands counts (the first word of a
sentence, the subject of a clause, the words after it). Each finding names the words
that tripped it (``span``) and a suggestion made from them.

Rules, in the order findings are given: our-side, third-person (``people``), jargon
(``wording``), internal-reference, technical-problem (``references``),
developer-imperative (``wording``), promise (``promises``), content-free
(``wording``), blame (``people``), then empty and too-long. The word lists are in
``wordlists``; authors' names in ``names``. The rules are loaded when a note is first
linted: the package itself, which every command's config imports for
``VoiceOptions``, stays light.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from releasecare.voicelint.findings import Finding, VoiceOptions
from releasecare.voicelint.names import names_a_person
from releasecare.voicelint.wordlists import DEFAULT_JARGON

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from releasecare.voicelint.notetext import Note

__all__ = [
    "DEFAULT_JARGON",
    "Finding",
    "VoiceOptions",
    "internal_word",
    "lint_note",
    "lint_sentence",
    "names_a_person",
    "rules",
]


class _Lint(NamedTuple):
    read_note: Callable[[str], Note]
    read_sentence: Callable[[str, str], Note]
    internal_word: Callable[[str, str], str | None]
    rules: tuple[Callable[[Note, VoiceOptions, date], list[Finding]], ...]


@cache
def _loaded() -> _Lint:
    """The note reader and the rules, loaded once, when a note is first linted (not
    with the package: every command reads ``VoiceOptions``, and an ``impact`` whose
    verdicts are remembered lints nothing)."""
    from releasecare.voicelint.notetext import read_note, read_sentence  # noqa: PLC0415
    from releasecare.voicelint.people import blame, our_side, third_person  # noqa: PLC0415
    from releasecare.voicelint.promises import promise  # noqa: PLC0415
    from releasecare.voicelint.references import (  # noqa: PLC0415
        internal_reference,
        internal_word,
        technical_problem,
    )
    from releasecare.voicelint.wording import (  # noqa: PLC0415
        content_free,
        developer_imperative,
        jargon,
    )

    rules = (
        our_side,
        third_person,
        jargon,
        internal_reference,
        technical_problem,
        developer_imperative,
        promise,
        content_free,
        blame,
    )
    return _Lint(read_note, read_sentence, internal_word, rules)


def rules() -> tuple[Callable[[Note, VoiceOptions, date], list[Finding]], ...]:
    """The rules in the order their findings are given."""
    return _loaded().rules


def internal_word(text: str, kind: str) -> str | None:
    """``references.internal_word``: the first word of ``text`` that is a ``kind``."""
    return _loaded().internal_word(text, kind)


def lint_note(
    text: str, location: str, options: VoiceOptions, today: datetime | None = None
) -> list[Finding]:
    """Every voice rule a note breaks, in rule order."""
    stripped = text.strip()
    if not stripped:
        return [
            Finding(
                "empty",
                "the note is empty",
                location,
                "say what changes for the customer, or mark the change internal",
            )
        ]
    lint = _loaded()
    return _findings(lint, lint.read_note(stripped), location, options, today)


def lint_sentence(
    text: str, sentence: str, options: VoiceOptions, today: datetime | None = None
) -> list[Finding]:
    """``lint_note(sentence, "", options, today)``, for the ``sentence`` a commit
    subject's trimmed ``text`` makes (a capital first, a full stop last): read on
    from ``text``'s reading, which the cleaner has made already."""
    if not sentence.strip():
        return lint_note(sentence, "", options, today)
    lint = _loaded()
    return _findings(lint, lint.read_sentence(text, sentence), "", options, today)


def _findings(
    lint: _Lint, note: Note, location: str, options: VoiceOptions, today: datetime | None
) -> list[Finding]:
    """Every rule's findings on ``note`` (read from stripped text), then too-long."""
    text = note.text
    day = (today or datetime.now(UTC)).date()
    findings = [finding for rule in lint.rules for finding in rule(note, options, day)]
    if len(text) > options.max_length:
        findings.append(
            Finding(
                "too-long",
                f"{len(text)} characters, more than {options.max_length}",
                "",
                "keep one change to a sentence or two",
                span=text[options.max_length :],
            )
        )
    return [replace(f, location=location, text=text) for f in findings]
