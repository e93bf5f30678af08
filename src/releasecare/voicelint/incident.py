"""The voice rules for an incident's customer-facing messages (warnings, never a block).

An incident update is told from our side, and that is right: "We are investigating
failed card payments" takes responsibility, so the release notes' ``our-side`` rule
does not apply. Every other rule does (internal references and people's names,
promises, blame, jargon, ...), and three of the incident's own:

* ``what-you-see``: a message must say what the customer sees (a symptom, or the
  product part by the customer's name), not only that we are at work;
* ``cause-too-early``: while the status is ``investigating``, no cause is named:
  we do not know it yet, and must not make one up. A heuristic over cause words
  ("caused by", "due to", "because", "root cause", "a bug", "a deploy", ...): it
  finds the usual ways a cause is told, not every one ("the database went down
  and took checkout with it" names a cause without a cause word), and it flags a
  cause word used for something else ("because of the outage you may see ...");
* the names in ``[incidents] people`` and the git authors count as people's names
  (``internal-reference``, "person's name").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from releasecare.voicelint import Finding, VoiceOptions, lint_note
from releasecare.voicelint.findings import hit
from releasecare.voicelint.notetext import Note, read_note
from releasecare.voicelint.wordlists import words

# What a customer sees go wrong, or go right again.
_SYMPTOMS = words(
    "fail fails failed failing failure failures error errors slow slower slowly slowness "
    "delay delays delayed unavailable down outage outages cannot can't couldn't unable "
    "timeout timeouts missing degraded interruption interruptions intermittent "
    "intermittently broken blank stuck lost loading load loads declined rejected "
    "duplicate duplicated wrong incorrect incomplete disconnected disconnects offline "
    "restored recovered normally normal again back operational "
    "available reachable unreachable affected inaccessible"
)
# Two-word ways of telling a cause; and single words that name one.
_CAUSE_PHRASES = (
    ("caused", "by"),
    ("due", "to"),
    ("because", "of"),
    ("result", "of"),
    ("triggered", "by"),
    ("traced", "to"),
    ("root", "cause"),
    ("the", "cause"),
    ("was", "caused"),
    ("is", "caused"),
    ("stems", "from"),
    ("originated", "in"),
)
_CAUSE_WORDS = words(
    "because bug bugs misconfiguration misconfigured regression deploy deployed deployment "
    "deployments release released rollout ddos attack"
)


# "We are working on a fix" tells what happens now; "we are working to ..." still
# commits to something (the promise rule).
_AT_WORK = re.compile(r"\bwe(?: are|'re|’re) working on\b", re.I)
_WE_WORKING = re.compile(r"we(?: are|'re|’re) working", re.I)


def _cause(note: Note) -> str | None:
    lows = [w.low for w in note.words]
    for i in range(len(lows) - 1):
        if (lows[i], lows[i + 1]) in _CAUSE_PHRASES:
            return f"{note.words[i].text} {note.words[i + 1].text}"
    for word in note.words:
        if word.low in _CAUSE_WORDS:
            return word.text
    return None


def _says_what_they_see(note: Note, component_names: Iterable[str]) -> bool:
    lows = {w.low for w in note.words}
    if lows & _SYMPTOMS:
        return True
    text = note.text.lower()
    return any(name and name.lower() in text for name in component_names)


def lint_incident_message(
    text: str,
    status: str,
    location: str,
    options: VoiceOptions,
    *,
    component_names: Sequence[str] = (),
    today: datetime | None = None,
) -> list[Finding]:
    """Every rule an incident message breaks: the voice lint's, but ``our-side``, and
    the incident's own."""
    stripped = text.strip()
    at_work = _AT_WORK.search(stripped) is not None
    found = [
        f
        for f in lint_note(stripped, location, options, today or datetime.now(UTC))
        if f.rule != "our-side"
        and not (f.rule == "promise" and at_work and _WE_WORKING.fullmatch(f.span))
    ]
    if not stripped:
        return found
    note = read_note(stripped)
    own = []
    if not _says_what_they_see(note, component_names):
        own.append(
            hit(
                "what-you-see",
                "the message does not say what the customer sees",
                "",
                "say what does not work for them (\u201cCard payments fail\u201d), and where",
            )
        )
    if status == "investigating" and (cause := _cause(note)) is not None:
        own.append(
            hit(
                "cause-too-early",
                f"names a cause ({cause!r}) while the status is still investigating",
                cause,
                "say what customers see; name the cause once it is identified",
            )
        )
    return found + [
        Finding(f.rule, f.message, location, f.suggestion, stripped, f.span) for f in own
    ]
