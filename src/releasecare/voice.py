"""The customer's voice: the note a customer reads for a change, and the lint rules.

A note comes from, in order: the ``Customer-Note:`` trailer, the note fragment, or
(for a visible change, when allowed) the commit subject cleaned of everything
internal: type and scope, ticket keys, hashes, paths, e-mails, internal URLs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from releasecare.domain import Change, Component

DEFAULT_JARGON = (
    "refactor",
    "endpoint",
    "null pointer",
    "npe",
    "stack trace",
    "stacktrace",
    "microservice",
    "pod",
    "migration",
    "hotfix",
    "merge",
    "race condition",
    "deadlock",
    "regression",
    "backend",
    "frontend",
    "mutex",
    "segfault",
    "exception",
    "cron",
    "kubernetes",
    "k8s",
    "deploy",
    "rollout",
    "repo",
)

_TICKET = re.compile(r"\b[A-Z][A-Z0-9]+-\d+\b|(?<![\w&])#\d+\b|\bGH-\d+\b")
_HASH = re.compile(r"\b[0-9a-f]{7,40}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://[^\s)>\]]+")
_PATH = re.compile(
    r"(?<![\w/])(?:[\w.-]+/)+[\w.-]+|\b[\w-]+\.(?:py|ts|tsx|js|go|rb|java|kt|"
    r"yaml|yml|json|toml|sql|sh|rs|php|cs|css|html)\b"
)
_CONVENTIONAL = re.compile(r"^[a-zA-Z]+(?:\([^)]*\))?!?:\s*")
_EMPTY_BRACKETS = re.compile(
    r"[(\[](?:\s|[,;:]|\b(?:see|cf|ref|refs|closes|fixes|resolves|re|and)\b)*[)\]]", re.IGNORECASE
)
_CODE_IDENT = re.compile(r"\b[a-z]+[A-Z]\w*\b|\b[A-Z][a-z]+[A-Z]\w*\b|\b\w+_\w+\b|\w+\(\)")


@dataclass(frozen=True)
class VoiceOptions:
    internal_hosts: tuple[str, ...] = ()
    jargon: tuple[str, ...] = DEFAULT_JARGON
    allow: tuple[str, ...] = ()
    max_length: int = 280
    subject_fallback: bool = True
    author_names: tuple[str, ...] = ()


def customer_note(
    change: Change, components: Mapping[str, Component], options: VoiceOptions
) -> str | None:
    """What a customer reads for ``change``, or None when it is not for them."""
    if not change.visible:
        return None
    if change.customer_note:
        return _with_names(change.customer_note.strip(), components)
    if not options.subject_fallback:
        return None
    cleaned = clean_subject(change.summary, options)
    return _with_names(cleaned, components) if cleaned else None


def appears(change: Change, options: VoiceOptions) -> bool:
    """Whether ``change`` would appear in a customer's notice: the one test of whether
    a change is customer-facing (impact, render and delivery all use it)."""
    return customer_note(change, {}, options) is not None


def clean_subject(subject: str, options: VoiceOptions) -> str:
    """A commit subject with everything internal taken out, capitalised, with a full stop."""
    text = _CONVENTIONAL.sub("", subject.strip())
    text = _URL.sub("", text)
    text = _EMAIL.sub("", text)
    text = _TICKET.sub("", text)
    text = _HASH.sub("", text)
    text = _PATH.sub("", text)
    # What is left of brackets that held references: "(, see )", "[]".
    text = _EMPTY_BRACKETS.sub("", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text).strip(" -:;,")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _with_names(text: str, components: Mapping[str, Component]) -> str:
    """Component keys in a note become the names customers know."""
    for key, component in components.items():
        # "invoices" -> "Invoices" would only change case in ordinary prose.
        if key.lower() != component.name.lower():
            text = re.sub(rf"(?<![\w-]){re.escape(key)}(?![\w-])", component.name, text)
    return text


# --- lint -----------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    location: str
    suggestion: str | None = None


_OUR_SIDE = re.compile(r"^\s*(we|we've|we're|our team|our|i|i've)\b", re.IGNORECASE)
_WE_WORDS = re.compile(r"\b(we|our|us|ours|i)\b", re.IGNORECASE)
_THIRD_PERSON = re.compile(
    r"\b(users|customers|clients|the user|the customer|merchants)\s+(can|will|may|should|"
    r"must|are|have|now)\b",
    re.IGNORECASE,
)
_TECHNICAL = re.compile(
    r"\b(fix(?:ed|es)?|resolv(?:e|ed|es)|handl(?:e|ed|es))\b.*\b(race condition|null|npe|"
    r"exception|deadlock|overflow|leak|segfault|timeout in|crash in|bug in)\b|"
    r"\b(race condition|null pointer|exception|deadlock)\s+in\s+\w+",
    re.IGNORECASE,
)
_PROMISE = re.compile(
    r"\b(guarantee[sd]?|never again|100\s?%|always|forever|will never|"
    r"promise[sd]?)\b",
    re.IGNORECASE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"\b(20\d\d-\d\d-\d\d)\b|\b(?:by|on|in|from|until|before|after)\s+(?:"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+20\d\d)?|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?"
    rf"(?:,?\s+20\d\d)?|q[1-4]\s+20\d\d|next (?:week|month|quarter|year))",
    re.IGNORECASE,
)


def lint_note(
    text: str, location: str, options: VoiceOptions, today: datetime | None = None
) -> list[Finding]:
    """Every voice rule a note breaks, in rule order."""
    findings: list[Finding] = []
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
    words = re.findall(r"\w+", stripped)
    if _OUR_SIDE.match(stripped) or (
        len(words) >= 4 and len(_WE_WORDS.findall(stripped)) * 5 > len(words)
    ):
        findings.append(
            Finding(
                "our-side",
                "speaks from our side, not the customer's",
                location,
                'start with what the customer can do now: "You can now ..."',
            )
        )
    third = _THIRD_PERSON.search(stripped)
    if third:
        findings.append(
            Finding(
                "third-person",
                f"talks about the reader in the third person ({third.group(0)!r})",
                location,
                _THIRD_PERSON.sub(lambda m: f"you {m.group(2).lower()}", stripped, 1),
            )
        )
    allowed = {a.lower() for a in options.allow}
    for term in options.jargon:
        if term.lower() in allowed:
            continue
        if re.search(rf"\b{re.escape(term)}\w*\b", stripped, re.IGNORECASE):
            findings.append(
                Finding(
                    "jargon",
                    f"internal jargon: {term!r}",
                    location,
                    "describe what the customer notices instead",
                )
            )
    for kind, pattern in (
        ("ticket key", _TICKET),
        ("commit hash", _HASH),
        ("file path", _PATH),
        ("e-mail address", _EMAIL),
    ):
        match = pattern.search(stripped)
        if match:
            findings.append(
                Finding(
                    "internal-reference",
                    f"{kind} {match.group(0)!r}",
                    location,
                    "remove it; customers cannot follow it",
                )
            )
    for host in options.internal_hosts:
        if host and host.lower() in stripped.lower():
            findings.append(
                Finding(
                    "internal-reference", f"internal host {host!r}", location, "remove the link"
                )
            )
    for name in options.author_names:
        if name and re.search(rf"\b{re.escape(name)}\b", stripped):
            findings.append(
                Finding(
                    "internal-reference",
                    f"a person's name ({name!r})",
                    location,
                    "leave people out of customer notes",
                )
            )
    if _TECHNICAL.search(stripped) or _CODE_IDENT.search(stripped):
        findings.append(
            Finding(
                "technical-problem",
                "describes a technical problem, not what the customer saw",
                location,
                "say what went wrong for the customer and that it "
                'works now: "Some orders were charged twice; ..."',
            )
        )
    promise = _PROMISE.search(stripped)
    if promise:
        findings.append(
            Finding(
                "promise",
                f"a promise that cannot be kept ({promise.group(0)!r})",
                location,
                "say what changed, not what will never happen",
            )
        )
    date = _DATE.search(stripped)
    if date and _is_future(date.group(0), today or datetime.now(UTC)):
        findings.append(
            Finding(
                "promise",
                f"a future date ({date.group(0).strip()!r})",
                location,
                "announce it when it is true",
            )
        )
    if len(stripped) > options.max_length:
        findings.append(
            Finding(
                "too-long",
                f"{len(stripped)} characters, more than {options.max_length}",
                location,
                "keep one change to a sentence or two",
            )
        )
    return findings


def _is_future(text: str, today: datetime) -> bool:
    iso = re.search(r"20\d\d-\d\d-\d\d", text)
    if iso:
        try:
            return datetime.fromisoformat(iso.group(0)).date() > today.date()
        except ValueError:
            return False
    # "by March 3", "Q1 2027", "next month": a date stated ahead is a promise.
    return True


def lint_changes(changes: Iterable[Change], options: VoiceOptions) -> list[Finding]:
    """Lint the notes customers would read for ``changes``, in a stable order."""
    findings: list[Finding] = []
    for change in changes:
        note = customer_note(change, {}, options)
        if note is None:
            continue
        location = change.sha[:10]
        if change.note_source and change.note_source.startswith("fragment:"):
            location = change.note_source.removeprefix("fragment:") + ":1"
        findings.extend(lint_note(note, location, options))
    return findings
