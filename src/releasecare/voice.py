"""The customer's voice: the note a customer reads for a change, and the lint rules.

A note comes from, in order: the ``Customer-Note:`` trailer, the note fragment, or
(for a visible change, with ``[notes] source = "subjects"``) the commit subject,
cleaned. The cleaner never cuts into a sentence: it takes off the type and scope
and the references around the subject (ticket keys, pull-request numbers, links in
brackets at either end); a subject that still names something internal (a path, a
package, a hash, a code identifier, a service id) or fails the voice lint is held
back, with the reason, and counted rather than shown. Dependency and bot updates
are never shown one by one: one line per notice says them all (or they are
counted, ``[notes] dependency_updates = "count"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from releasecare.domain import Change, Component
from releasecare.voicelint import DEFAULT_JARGON as DEFAULT_JARGON
from releasecare.voicelint import Finding as Finding
from releasecare.voicelint import VoiceOptions as VoiceOptions
from releasecare.voicelint import internal_word
from releasecare.voicelint import lint_note as lint_note
from releasecare.voicelint.wordlists import STANDARDS

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://[^\s)>\]]+")
_CONVENTIONAL = re.compile(r"^[a-zA-Z]+(?:\([^)]*\))?!?:\s*")

NOTE_SOURCES = ("subjects", "notes")
DEPENDENCY_MODES = ("collapse", "count")
# The one line that stands for every dependency and bot update in a notice.
DEPENDENCY_NOTE = "Security and dependency updates."


def customer_note(
    change: Change, components: Mapping[str, Component], options: VoiceOptions
) -> str | None:
    """What a customer reads for ``change``, or None when it is not for them."""
    if not change.visible:
        return None
    if change.customer_note:
        return _with_names(change.customer_note.strip(), components)
    if is_dependency_update(change):
        return DEPENDENCY_NOTE if options.dependency_updates == "collapse" else None
    if options.source != "subjects":
        return None
    cleaned = subject_note(change.summary, options)
    return _with_names(cleaned.text, components) if cleaned.text else None


def appears(change: Change, options: VoiceOptions) -> bool:
    """Whether ``change`` would appear in a customer's notice: the one test of whether
    a change is customer-facing (impact, render and delivery all use it)."""
    return customer_note(change, {}, options) is not None


def held_back(change: Change, options: VoiceOptions) -> str | None:
    """Why a visible change without a note shows nothing of its subject, if it does not."""
    if not change.visible or change.customer_note or is_dependency_update(change):
        return None
    if options.source != "subjects":
        return "no customer note (notes come only from Customer-Note, fragments, overrides)"
    return subject_note(change.summary, options).reason


# --- dependency and bot updates ------------------------------------------------------

_BOTS = re.compile(r"\b(renovate|dependabot|greenkeeper|snyk-bot|pre-commit-ci)\b", re.I)
_DEPENDENCY_SCOPE = re.compile(r"^\w+\((deps|deps-dev|dependencies|dev-deps)\)!?:", re.I)
_DEPENDENCY_SUBJECT = re.compile(
    r"^(?:\w+(?:\([^)]*\))?!?:\s*)?(?:"
    r"(?:bump|update|upgrade|pin|downgrade)\s+(?:dependency\s+|module\s+|the\s+)?\S+.*"
    r"\b(?:from|to)\s+v?[\w.-]*\d|"
    r"(?:update|upgrade|bump|pin)\s+(?:dependency|dependencies|deps|module|modules|"
    r"all\s+non-major\s+dependencies|.*\bdigest\b)|"
    r"lock\s+file\s+maintenance)",
    re.I,
)


def is_dependency_update(change: Change) -> bool:
    """A bump by a bot or by hand: Renovate, Dependabot, ``(deps)``, "bump x to y"."""
    subject = change.summary.strip()
    return bool(
        _BOTS.search(change.author_name)
        or _BOTS.search(change.author_email)
        or _DEPENDENCY_SCOPE.match(subject)
        or _DEPENDENCY_SUBJECT.match(subject)
    )


# --- commit subjects -------------------------------------------------------------

# A ticket key, but not a standard's name that looks like one ("UTF-8", "ISO-8601").
_NOT_TICKETS = "|".join(sorted(s.upper() for s in STANDARDS))
_REF = rf"(?:(?!(?:{_NOT_TICKETS})-)[A-Z][A-Z0-9]+-\d+|GH-\d+|#\d+|https?://\S+?|[0-9a-f]{{7,40}})"
_REF_WORDS = r"(?:(?:see|refs?|closes|fixes|fixed|resolves|related|part of|cf\.?)\s*:?\s*)"
_REF_LIST = rf"{_REF_WORDS}?{_REF}(?:\s*(?:[,;&]|and)\s*{_REF_WORDS}?{_REF})*"
_TRAILING_REFS = re.compile(
    rf"(?:\s*[(\[]\s*{_REF_LIST}(?:\s+for\s+details)?\s*[)\]]|\s+{_REF_LIST})\s*\.?\s*$",
    re.I,
)
_LEADING_REFS = re.compile(rf"^\s*(?:[(\[]\s*{_REF_LIST}\s*[)\]]|{_REF}\s*:)\s*", re.I)
_PACKAGE = re.compile(
    r"(?<!\w)@[\w.-]+/[\w.-]+|\b[\w-]+(?:\.[\w-]+)+/[\w./-]+|\b\w+(?:service|svc)\b"
)
_TAG_IN_BRACKETS = re.compile(r"\[[a-z][\w -]*\]", re.I)
# What a subject may not name anywhere but at its ends, in the order they are told.
# Tickets, paths, hashes and code identifiers are words as the lint reads them
# ("ISO-8601", "read/write", "GitHub" are none of them).
_INSIDE: tuple[tuple[str, Callable[[str], str | None]], ...] = (
    ("a link", lambda text: _found(_URL, text)),
    ("an e-mail address", lambda text: _found(_EMAIL, text)),
    ("a ticket", lambda text: internal_word(text, "ticket")),
    ("a package", lambda text: _found(_PACKAGE, text)),
    ("a path", lambda text: internal_word(text, "path")),
    ("a commit hash", lambda text: internal_word(text, "commit hash")),
    ("a code identifier", lambda text: internal_word(text, "code identifier")),
    ("a tag", lambda text: _found(_TAG_IN_BRACKETS, text)),
)


def _found(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(0) if match else None


@dataclass(frozen=True)
class Cleaned:
    """A subject made into a customer's sentence, or held back (``text`` None) and why
    (``reason``; the lint's ``findings`` when that is what held it back)."""

    text: str | None
    reason: str | None = None
    findings: tuple[Finding, ...] = ()


def subject_note(subject: str, options: VoiceOptions) -> Cleaned:
    """The commit subject as a whole sentence for customers, or held back with the reason.

    Only what stands around the subject is taken off: its type and scope, and
    references at either end. Anything internal left inside is never cut out (that
    leaves broken sentences): the subject is held back instead.
    """
    text = _CONVENTIONAL.sub("", subject.strip())
    while True:
        trimmed = _LEADING_REFS.sub("", _TRAILING_REFS.sub("", text)).strip(" -:;,")
        if trimmed == text:
            break
        text = trimmed
    if not text:
        return Cleaned(None, "nothing but references")
    for kind, find in _INSIDE:
        found = find(text)
        if found:
            return Cleaned(None, f"names {kind} {found.strip()!r}")
    text = text[0].upper() + text[1:]
    text = text if text[-1] in ".!?" else text + "."
    findings = lint_note(text, "", options)
    if findings:
        first = findings[0]
        return Cleaned(None, f"fails the voice lint: {first.rule}", tuple(findings))
    return Cleaned(text)


def clean_subject(subject: str, options: VoiceOptions) -> str:
    """The customer's sentence for ``subject``, or "" when it is held back."""
    return subject_note(subject, options).text or ""


def _with_names(text: str, components: Mapping[str, Component]) -> str:
    """Component ids in a note (``billing-svc``) become the names customers know. Only
    ids no one writes in prose are replaced: a plain word such as ``core`` or
    ``random`` is a word ("core dimensions"), not a component."""
    for key, component in components.items():
        if key.lower() != component.name.lower() and not key.isalpha():
            text = re.sub(rf"(?<![\w-]){re.escape(key)}(?![\w-])", component.name, text)
    return text


# --- lint -----------------------------------------------------------------------


def lint_changes(changes: Iterable[Change], options: VoiceOptions) -> list[Finding]:
    """Lint what customers would read for ``changes``, in a stable order.

    A note a person wrote is linted as it stands (it is sent as written: findings
    warn). A commit subject that would be cleaned into a note is held back when it
    fails: its findings, or the ``held-back`` reason, say why.
    """
    findings: list[Finding] = []
    for change in changes:
        if not change.visible or (is_dependency_update(change) and not change.customer_note):
            continue
        location = change.sha[:10]
        if change.note_source and change.note_source.startswith(("fragment:", "override:")):
            location = change.note_source.partition(":")[2] + ":1"
        if change.customer_note:
            text = change.customer_note.strip()
            found = lint_note(text, location, options)
        else:
            if options.source != "subjects":
                continue
            text = change.summary
            candidate = subject_note(text, options)
            found = list(candidate.findings)
            if not found and candidate.reason:
                found = [
                    Finding(
                        "held-back",
                        f"not shown to customers: {candidate.reason}",
                        location,
                        "add a Customer-Note trailer or a note fragment that says what "
                        "changes for the customer",
                    )
                ]
        findings.extend(replace(f, location=location, text=text) for f in found)
    return findings
