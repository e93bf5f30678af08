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
from datetime import datetime

from releasecare import verdicts
from releasecare.domain import Change, Component
from releasecare.voicelint import DEFAULT_JARGON as DEFAULT_JARGON
from releasecare.voicelint import Finding as Finding
from releasecare.voicelint import VoiceOptions as VoiceOptions
from releasecare.voicelint import internal_word, lint_sentence, names_a_person
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
    if is_dependency_update(change) and not change.customer_note:
        # A bump joins the one dependency line whatever its type: bots type runtime
        # updates (base images, security fixes) ``chore(deps)`` as often as ``fix``.
        # Only an author's or release manager's word keeps it out.
        if change.audience != "customer" or change.impact == "none":
            return None
        if not (change.visible or change.components):
            return None
        return DEPENDENCY_NOTE if options.dependency_updates == "collapse" else None
    if not change.visible:
        return None
    if change.customer_note:
        return _with_names(change.customer_note.strip(), components)
    if options.source != "subjects":
        return None
    text = subject_text(change.summary, options)
    return _with_names(text, components) if text else None


def appears(change: Change, options: VoiceOptions) -> bool:
    """Whether ``change`` would appear in a customer's notice: the one test of whether
    a change is customer-facing (impact, render and delivery all use it)."""
    return customer_note(change, {}, options) is not None


UNTYPED = "no Conventional Commits type"


def held_back(change: Change, options: VoiceOptions) -> Cleaned | None:
    """Why a change that may matter to customers shows nothing of itself in a notice:
    a visible change whose subject the cleaner or the lint held back (or, with
    ``source = "notes"``, that has no note), or a change to a component with no
    Conventional Commits type. None for a change that is shown, that is internal by
    its type or by someone's word (``Audience``, ``Customer-Note: none``, ``notes
    edit --hide``), and for dependency updates."""
    if change.customer_note or change.audience != "customer" or change.impact == "none":
        return None
    if is_dependency_update(change):
        return None
    if not change.visible:
        return Cleaned(None, UNTYPED) if change.type is None and change.components else None
    if options.source != "subjects":
        return Cleaned(
            None, "no customer note (notes come only from Customer-Note, fragments, overrides)"
        )
    cleaned = subject_note(change.summary, options)
    return None if cleaned.text else cleaned


def held_back_changes(changes: Iterable[Change], options: VoiceOptions) -> list[HeldBack]:
    """The changes to components that :func:`held_back` keeps out of notices, in order."""
    found = []
    for change in changes:
        cleaned = held_back(change, options) if change.components else None
        if cleaned is not None:
            found.append(HeldBack(change, cleaned.reason or "", cleaned.span))
    return found


@dataclass(frozen=True)
class HeldBack:
    """A change customers may care about that no notice describes, and why."""

    change: Change
    reason: str
    span: str = ""  # the words of its subject that held it back


# --- dependency and bot updates ------------------------------------------------------

_BOTS = re.compile(r"\b(renovate|dependabot|greenkeeper|snyk-bot|pre-commit-ci)\b", re.I)
_DEPENDENCY_SCOPE = re.compile(r"^\w+\((deps|deps-dev|dependencies|dev-deps)\)!?:", re.I)
_DEPENDENCY_SUBJECT = re.compile(
    r"^(?:\w+(?:\([^)]*\))?!?:\s*)?(?:"
    r"(?:bump|update|upgrade|pin|downgrade)\s+(?:dependency\s+|module\s+|the\s+)?\S+.*"
    r"\b(?:from|to)\s+v?[\w.-]*\d|"
    r"(?:update|upgrade|bump|pin)\s+(?:dependency|dependencies|deps|module|modules|"
    r"all\s+non-major\s+dependencies|.*\bdigest\b)|"
    r"(?:update|upgrade|bump)\s+(?:\S+\s+){0,2}(?:deps|dependencies|base\s+images?)\b|"
    r"(?:bundle\s+of\s+)?dependency\s+updates\b|"
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

# References as a subject writes them at either end. A standard's name looks like a
# ticket key ("UTF-8", "ISO-8601"): ``_cut`` refuses a cut that takes one for a ticket.
# (The patterns could refuse it themselves, at twice their size; and they spell out
# where case does not matter rather than ignore it everywhere: what every command
# that reads a config pays to compile them is a third of what it was.)
_REF = r"(?:[A-Za-z][A-Za-z0-9]+-\d+|(?i:gh)-\d+|#\d+|(?i:https?)://\S+?|[0-9a-fA-F]{7,40})"
_REF_WORDS = r"(?i:(?:see|refs?|closes|fixes|fixed|resolves|related|part of|cf\.?)\s*:?\s*)"
_REF_LIST = rf"{_REF_WORDS}?{_REF}(?:\s*(?:[,;&]|(?i:and))\s*{_REF_WORDS}?{_REF})*"
_TRAILING_REFS = re.compile(
    rf"(?:\s*[(\[]\s*{_REF_LIST}(?i:\s+for\s+details)?\s*[)\]]|\s+{_REF_LIST})\s*\.?\s*$"
)
_LEADING_REFS = re.compile(rf"^\s*(?:[(\[]\s*{_REF_LIST}\s*[)\]]|{_REF}\s*:)\s*")
# Where ``_REF`` takes a word for a ticket key: outside links (a link's lazy end may
# grow over any character but a space), a key before "-" and a digit.
_LINK = re.compile(r"https?://\S+", re.I)
_KEY = re.compile(r"(?<![\w-])([A-Za-z][A-Za-z0-9]+)-\d")
_PACKAGE = re.compile(r"(?<!\w)@[\w.-]+/[\w.-]+|\b[\w-]+(?:\.[\w-]+)+/[\w./-]+")
_SERVICE_ID = re.compile(r"\b\w+(?:service|svc)\b")
_TAG_IN_BRACKETS = re.compile(r"\[[a-z][\w -]*\]", re.I)
# What a subject may not name anywhere but at its ends, in the order they are told.
# Tickets, paths, hashes and code identifiers are words as the lint reads them
# ("ISO-8601", "read/write", "GitHub" are none of them).
_INSIDE: tuple[tuple[str, Callable[[str], str | None]], ...] = (
    ("a link", lambda text: _found(_URL, text, "://")),
    ("an e-mail address", lambda text: _found(_EMAIL, text, "@")),
    ("a ticket", lambda text: internal_word(text, "ticket")),
    ("a package", lambda text: _found(_PACKAGE, text, "/")),
    ("a service id", lambda text: _found(_SERVICE_ID, text, "service", "svc")),
    ("a path", lambda text: internal_word(text, "path")),
    ("a commit hash", lambda text: internal_word(text, "commit hash")),
    ("a code identifier", lambda text: internal_word(text, "code identifier")),
    ("a tag", lambda text: _found(_TAG_IN_BRACKETS, text, "[")),
)


def _found(pattern: re.Pattern[str], text: str, *marks: str) -> str | None:
    """What ``pattern`` finds in ``text``; nothing without one of ``marks``, one of
    which every match holds (most subjects have no "@", "/" or "[": no search)."""
    if not any(mark in text for mark in marks):
        return None
    match = pattern.search(text)
    return match.group(0) if match else None


@dataclass(frozen=True)
class Cleaned:
    """A subject made into a customer's sentence, or held back (``text`` None) and why
    (``reason``; the lint's ``findings`` when that is what held it back)."""

    text: str | None
    reason: str | None = None
    findings: tuple[Finding, ...] = ()
    span: str = ""  # the words of the subject that held it back


def subject_note(subject: str, options: VoiceOptions) -> Cleaned:
    """The commit subject as a whole sentence for customers, or held back with the reason.

    Only what stands around the subject is taken off: its type and scope, and
    references at either end. Anything internal left inside is never cut out (that
    leaves broken sentences): the subject is held back instead.
    """
    text = _trimmed(subject)
    if not text:
        return Cleaned(None, "nothing but references", span=subject.strip())
    inside = _inside(text)
    if inside:
        return Cleaned(None, inside[0], span=inside[1])
    sentence = _sentence(text)
    findings = lint_sentence(text, sentence, options)
    if findings:
        first = findings[0]
        return Cleaned(
            None, f"fails the voice lint: {first.rule}", tuple(findings), span=first.span
        )
    return Cleaned(sentence)


def subject_text(subject: str, options: VoiceOptions) -> str | None:
    """``subject_note(subject, options).text``, its verdict remembered (``verdicts``):
    what ``appears`` and ``customer_note`` ask for every change of a deploy.

    The sentence is made afresh (cheap); what is remembered is whether it names
    something internal or fails the lint, which reads every word. Authors' names,
    which change with every range, are looked for afresh too.
    """
    text = _trimmed(subject)
    if not text:
        return None
    sentence = _sentence(text)
    if options.author_names and names_a_person(sentence.strip(), options.author_names):
        return None
    return sentence if verdicts.remembered(text, options, _shown) else None


def _shown(text: str, options: VoiceOptions, now: datetime) -> bool:
    """Whether trimmed subject ``text`` reaches customers (``options`` without names)."""
    return not _inside(text) and not lint_sentence(text, _sentence(text), options, now)


def _trimmed(subject: str) -> str:
    """The subject without its type and scope and the references at either end."""
    text = _CONVENTIONAL.sub("", subject.strip())
    while True:
        cut = _cut(_TRAILING_REFS, text) if _may_end_in_refs(text) else text
        trimmed = _cut(_LEADING_REFS, cut).strip(" -:;,")
        if trimmed == text:
            return text
        text = trimmed


def _cut(pattern: re.Pattern[str], text: str) -> str:
    """``text`` without the references ``pattern`` finds first, where none is a
    standard's name taken for a ticket key; as the pattern would cut with the
    exception written into every ticket it matches (a match that takes one for a
    ticket fails at its place: the next place is tried)."""
    at = 0
    while found := pattern.search(text, at):
        words = _LINK.sub(" ", found.group(0))
        if not any(key.lower() in STANDARDS for key in _KEY.findall(words)):
            return text[: found.start()] + text[found.end() :]
        at = found.start() + 1
    return text


def _may_end_in_refs(text: str) -> bool:
    """Whether ``_TRAILING_REFS`` can match ``text`` (its search tries every place, the
    slowest step of the cleaner): references at the end close with a bracket, a
    digit (tickets, "#12") or a hex digit (hashes), before at most one full stop,
    or are a link."""
    tail = text.rstrip()
    tail = tail[:-1].rstrip() if tail.endswith(".") else tail
    last = tail[-1:]
    return bool(last) and (last in ")]abcdefABCDEF" or last.isdecimal() or "://" in text)


def _inside(text: str) -> tuple[str, str] | None:
    """Why the trimmed subject is held back for what it names inside, if it is, and
    the words that name it."""
    for kind, find in _INSIDE:
        found = find(text)
        if found:
            return f"names {kind} {found.strip()!r}", found.strip()
    return None


def _sentence(text: str) -> str:
    """The trimmed subject as a sentence: a capital first, a full stop last."""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def clean_subject(subject: str, options: VoiceOptions) -> str:
    """The customer's sentence for ``subject``, or "" when it is held back."""
    return subject_text(subject, options) or ""


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
                        "changes for the customer, or word it now with `releasecare notes "
                        f'edit {change.sha[:10]} --text "..."` (or `--hide`)',
                        span=candidate.span,
                    )
                ]
        findings.extend(
            replace(f, location=location, text=text, span=_span_in(text, f.span)) for f in found
        )
    return findings


def _span_in(text: str, span: str) -> str:
    """``span`` as ``text`` writes it: a subject's finding was made on its cleaned form
    ("Refactor ..." for "refactor ...")."""
    at = text.lower().find(span.lower()) if span else -1
    return text[at : at + len(span)] if at >= 0 else span
