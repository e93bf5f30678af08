"""The voice lint: what in a note is written from our side rather than the customer's.

Each rule reads the note as words in sentences (``notetext``): a word is matched
whole, with the endings it can take, and where it stands counts (the first word of a
sentence, the subject of a clause, the words after it). Each finding names the words
that tripped it (``span``) and a suggestion made from them.

Rules, in the order findings are given: our-side, third-person (``people``), jargon
(``wording``), internal-reference, technical-problem (``references``),
developer-imperative (``wording``), promise (``promises``), content-free
(``wording``), blame (``people``), then empty and too-long. The word lists are in
``wordlists``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from releasecare.voicelint.findings import Finding, VoiceOptions
from releasecare.voicelint.notetext import read_note
from releasecare.voicelint.people import blame, our_side, third_person
from releasecare.voicelint.promises import promise
from releasecare.voicelint.references import (
    internal_reference,
    internal_word,
    names_a_person,
    technical_problem,
)
from releasecare.voicelint.wording import content_free, developer_imperative, jargon
from releasecare.voicelint.wordlists import DEFAULT_JARGON

__all__ = [
    "DEFAULT_JARGON",
    "Finding",
    "VoiceOptions",
    "internal_word",
    "lint_note",
    "names_a_person",
]

RULES = (
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
    note = read_note(stripped)
    day = (today or datetime.now(UTC)).date()
    findings = [finding for rule in RULES for finding in rule(note, options, day)]
    if len(stripped) > options.max_length:
        findings.append(
            Finding(
                "too-long",
                f"{len(stripped)} characters, more than {options.max_length}",
                "",
                "keep one change to a sentence or two",
                span=stripped[options.max_length :],
            )
        )
    return [replace(f, location=location, text=stripped) for f in findings]
