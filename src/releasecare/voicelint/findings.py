"""What the voice lint reports, and the options it reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from releasecare.voicelint.wordlists import DEFAULT_JARGON


@dataclass(frozen=True)
class VoiceOptions:
    internal_hosts: tuple[str, ...] = ()
    jargon: tuple[str, ...] = DEFAULT_JARGON
    allow: tuple[str, ...] = ()
    max_length: int = 280
    # "subjects": a cleaned subject that passes the lint may reach customers;
    # "notes": only notes written for them (trailers, fragments, overrides) do.
    source: str = "subjects"
    dependency_updates: str = "collapse"
    author_names: tuple[str, ...] = ()

    def with_authors(self, names: Iterable[str]) -> VoiceOptions:
        """These options, with ``names`` counted as people's names too."""
        known = dict.fromkeys([*self.author_names, *(n for n in names if n)])
        return replace(self, author_names=tuple(known))


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    location: str
    suggestion: str | None = None
    text: str = ""  # the note (or commit subject) the finding is about
    span: str = ""  # the words in it that tripped the rule


def hit(rule: str, message: str, span: str, suggestion: str) -> Finding:
    """A finding of ``rule`` about ``span`` (located by the caller)."""
    return Finding(rule, message, "", suggestion, span=span)
