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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
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


NOTE_SOURCES = ("subjects", "notes")
DEPENDENCY_MODES = ("collapse", "count")
# The one line that stands for every dependency and bot update in a notice.
DEPENDENCY_NOTE = "Security and dependency updates."


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

_REF = r"(?:[A-Z][A-Z0-9]+-\d+|GH-\d+|#\d+|https?://\S+?|[0-9a-f]{7,40})"
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
_INSIDE = (
    ("a link", _URL),
    ("an e-mail address", _EMAIL),
    ("a ticket", _TICKET),
    ("a package", _PACKAGE),
    ("a path", _PATH),
    ("a commit hash", _HASH),
    ("a code identifier", _CODE_IDENT),
    ("a tag", _TAG_IN_BRACKETS),
)


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
    for kind, pattern in _INSIDE:
        found = pattern.search(text)
        if found:
            return Cleaned(None, f"names {kind} {found.group(0).strip()!r}")
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


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    location: str
    suggestion: str | None = None
    text: str = ""  # the note (or commit subject) the finding is about


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


# What we changed in our own code and tools, which no customer sees.
_DEVELOPER_WORK = re.compile(
    r"\b(?:(?:unit |integration |e2e )?tests?|linters?|linting|code health|code ?base|"
    r"dead code|docstrings?|type hints?|typings?|ci|clean(?:ed)?[- ]?up|tech(?:nical)? debt)\b",
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
    work = _DEVELOPER_WORK.search(stripped)
    if work:
        findings.append(
            Finding(
                "developer-imperative",
                f"about our own code or tools ({work.group(0)!r}), not the customer",
                location,
                "leave it out of customer notes, or say what the customer notices",
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
