"""The promise rule: a commitment about the future ("this will never happen again",
"we'll make our systems more robust", "99.9% uptime", "available in December").

Not a promise: a deadline the customer must act on ("the old export stops on 1 March;
switch before then", "will be removed on September 4, 2025"), a date in the past (the
year counts; without one, the tense does), "always" as what a setting does ("an
option to always open ..."), a percentage that reports what happened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from releasecare.voicelint.findings import Finding, VoiceOptions, hit
from releasecare.voicelint.notetext import Note, Token, first_phrase, span_text, words_of
from releasecare.voicelint.wordlists import words

# Notes are read in English, whatever the locale (``calendar``'s names follow it, and
# importing it costs more than the rest of this module).
_MONTH_NAMES = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
_MONTHS = {
    name: number for number, full in enumerate(_MONTH_NAMES, 1) for name in (full, full[:3])
} | {"sept": 9}
# Month names that are words too ("may", "march"): months only beside a day or year.
_ALSO_WORDS = frozenset({"may", "mar", "march", "jan", "dec", "oct", "sep", "aug", "jun"})
_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)$")
_QUARTER = re.compile(r"^q([1-4])$")


def _days_in(year: int, month: int) -> int:
    """How many days ``month`` of ``year`` has."""
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - timedelta(days=1)).day


_LEADS = words(
    "in by until before from after since on starting early late mid end this next of "
    "around during through"
)
_PAST = words(
    "was were had did occurred happened began started reached ended went became ago experienced saw"
)
# A date ahead is a promise when something is to arrive then ...
_ARRIVES = words(
    "available availability release released releasing launch launches launching ship "
    "ships shipping arrive arrives arriving coming upcoming expect expected plan planned "
    "planning ga introduce introducing deliver delivering"
)
# ... and not when something ends then, or the customer must act by then.
_DEADLINE = words(
    "remove removed removal removing stop stops stopped end ends ending deprecate "
    "deprecated deprecation deprecating sunset retire retired retirement discontinue "
    "discontinued disable disabled switch migrate until before effect expire expires "
    "expiry expired overridden replaced required require requires must need needs eol "
    "end-of-life last deadline unsupported"
)


def _dated(words: Sequence[Token], i: int, today: date, past: bool) -> tuple[int, date] | None:
    """The date written from ``words[i]`` on, as (words it takes, the day it names);
    without a year, the day is the next one ahead, or the last one for a sentence in
    the past tense. A month alone stands for its last day, a year for its 31 December."""
    low = words[i].low
    if low not in _MONTHS and not low[:1].isdigit() and low[:1] != "q":
        return None  # no ISO date, quarter, year or month starts here
    after = [w.low for w in words[i + 1 : i + 3]]
    iso = _ISO.match(low)
    if iso:
        try:
            return 1, date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    quarter = _QUARTER.match(low)
    if quarter and after and _YEAR.match(after[0]):
        return 2, date(int(after[0]), int(quarter[1]) * 3, 28)
    if _YEAR.match(low) and i and words[i - 1].low in _LEADS:
        return 1, date(int(low), 12, 31)
    if low not in _MONTHS:
        return None
    month = _MONTHS[low]
    day: int | None = None
    size = 1
    if after and _DAY.match(after[0]) and not _YEAR.match(after[0]):
        day, size = int(_DAY.match(after[0])[1]), 2  # type: ignore[index]
    elif i and _DAY.match(words[i - 1].low):
        day = int(_DAY.match(words[i - 1].low)[1])  # type: ignore[index]
    year_word = [w.low for w in words[i + size : i + size + 1]]
    year = int(year_word[0]) if year_word and _YEAR.match(year_word[0]) else None
    size += 1 if year else 0
    if day is None and year is None and (low in _ALSO_WORDS or not i):
        return None
    if day is None and year is None and words[i - 1].low not in _LEADS:
        return None
    last = _days_in(year or today.year, month)
    try:
        when = date(year or today.year, month, min(day or last, last))
    except ValueError:
        return None
    if year is None and when < today and not past:
        when = when.replace(year=today.year + 1)
    if year is None and when > today and past:
        when = when.replace(year=today.year - 1)
    return size, when


_RELATIVE = (
    ("next", "week"),
    ("next", "month"),
    ("next", "quarter"),
    ("next", "year"),
    ("later", "this"),
    ("the", "coming"),
    ("coming", "soon"),
    ("in", "the", "coming"),
)


def _date_ahead(note: Note, words: Sequence[Token], today: date) -> str | None:
    lows = [w.low for w in words]
    past = bool(_PAST & set(lows))
    for i in range(len(words)):
        found = _dated(words, i, today, past)
        if found and found[1] > today:
            return span_text(note, words[i : i + found[0]])
    relative = first_phrase(lows, _RELATIVE)
    if relative:
        return span_text(note, words[relative[0] : relative[1] + 1])
    return None


_GUARANTEES = words("guarantee guarantees guaranteed guaranteeing pledge pledges")
_FUTURE_WORDS = (
    ("will", "never"),
    ("won't", "happen", "again"),
    ("not", "happen", "again"),
    ("never", "happen"),
    ("from", "happening", "again"),
    ("going", "forward"),
    ("prevent", "similar"),
    ("prevent", "future"),
    ("prevent", "a", "recurrence"),
    ("prevent", "recurrence"),
    ("prevent", "this", "from"),
    ("prevent", "such"),
    ("avoid", "this", "class"),
    ("avoid", "similar"),
    ("avoid", "future"),
    ("future", "impact"),
    ("future", "incidents"),
    ("future", "issues"),
    ("future", "outages"),
    ("reduce", "the", "likelihood"),
)
_OUR_WORK = words("we we'll we're we've i i'll will working improve ensure prevent reduce")
_ANNOUNCED = words("remove deprecate stop end retire discontinue sunset disable drop delete")
_ALWAYS_STATES = words(
    "available online up safe secure reliable accessible running working fast work works"
)


# The words a commitment of ours starts with (each branch below asks for one).
_WE_WORDS = words("we'll i'll we i we're were i'm")


def _we_will(words: Sequence[Token]) -> tuple[int, int] | None:
    """ "we'll ...", "we will ...", "we are going to ...", "we can commit to ...",
    "we are working to ...": what we commit to; not "we will remove X" (a change
    the customer plans for)."""
    lows = [w.low for w in words]
    for i, low in enumerate(lows):
        if low not in _WE_WORDS:
            continue
        rest = lows[i + 1 : i + 5]
        if low in {"we'll", "i'll"}:
            verb = rest[:1]
        elif low in {"we", "i"} and rest[:1] == ["will"]:
            verb = rest[1:2]
        elif low in {"we", "we're", "were", "i'm"} and "going" in rest[:2] and "to" in rest[:3]:
            return i, i + rest.index("to") + 2
        elif low in {"we", "we're"} and (
            rest[:2] in (["can", "commit"], ["are", "committed"], ["are", "working"])
            or rest[:1] in (["committed"], ["working"], ["plan"], ["intend"], ["aim"])
        ):
            return i, i + 3
        else:
            continue
        if verb and verb[0] not in _ANNOUNCED:
            return i, i + 1 + (2 if low in {"we", "i"} else 1)
    return None


# "always" as what a setting does: "when enabled, the tab is always shown".
_SETTING = words("setting settings option options preference preferences enabled when if")


def _always(words: Sequence[Token]) -> tuple[int, int] | None:
    lows = [w.low for w in words]
    if _SETTING & set(lows):
        return None
    for i, low in enumerate(lows):
        if low != "always":
            continue
        before = set(lows[max(0, i - 4) : i])
        after = [w for w in lows[i + 1 : i + 3] if w not in {"be", "is", "are", "stay", "stays"}]
        if before & {"will", "we'll", "we", "guarantee", "you'll"} or (
            after[:1] and after[0] in _ALWAYS_STATES
        ):
            return i, i + 2
    return None


_PERCENT = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d+)?)\s?%")
_PERCENT_PROMISE = re.compile(
    r"^\s*(?:uptime|availability|available|of the time|online|up\b|guarantee|sla)", re.I
)
_PERCENT_CLAIM = words("safe secure reliable accurate sure guaranteed satisfaction")


def _percent(note: Note) -> str | None:
    if "%" not in note.text:
        return None
    for match in _PERCENT.finditer(note.text):
        value = float(match.group(1))
        after = note.text[match.end() : match.end() + 40]
        before = note.text[max(0, match.start() - 40) : match.start()].lower()
        words = re.findall(r"[\w']+", after.lower())
        if (
            _PERCENT_PROMISE.match(after)
            or re.search(r"\b(guarantee|commit|promise|ensure|sla)\w*", before)
            or (value >= 99 and words[:1] and words[0] in _PERCENT_CLAIM)
        ):
            return match.group(0)
    return None


def promise(note: Note, options: VoiceOptions, today: date) -> list[Finding]:
    for sentence in note.sentences:
        words = words_of(sentence)
        lows = [w.low for w in words]
        span = ""
        advice = "say what changed and what works now; leave out what we will do"
        for i, low in enumerate(lows):
            if low in _GUARANTEES or (low in {"promise", "promises"} and i and lows[i - 1] == "we"):
                span = words[i].text
                advice = "say what changed; a note cannot guarantee (link the SLA instead)"
                break
        if not span and "never" in lows and "again" in lows[lows.index("never") :]:
            start, end = lows.index("never"), len(lows) - lows[::-1].index("again")
            span = span_text(note, words[start:end])
        if not span:
            future = first_phrase(lows, _FUTURE_WORDS)
            if future:
                span = span_text(note, words[future[0] : future[1]])
        if not span and _OUR_WORK & set(lows):
            later = first_phrase(lows, (("in", "the", "future"),))
            if later:
                span = span_text(note, words[later[0] : later[1]])
        if not span:
            committed = _we_will(words) or _always(words)
            if committed:
                span = span_text(note, words[committed[0] : committed[1]])
        if not span:
            ahead = _date_ahead(note, words, today)
            if ahead and _ARRIVES & set(lows) and not _DEADLINE & set(lows):
                span = ahead
                advice = "announce it when it is true; until then say what works today"
        if span:
            message = f"a promise about the future ({span!r})"
            return [hit("promise", message, span, f"{span!r}: {advice}")]
    figure = _percent(note)
    if figure:
        return [
            hit(
                "promise",
                f"a figure promised for the future ({figure!r})",
                figure,
                "say what happened or what changed; link the SLA instead of promising a figure",
            )
        ]
    return []
