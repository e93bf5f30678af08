"""Rules about who a note speaks of: us (our-side), the reader as "users"
(third-person), and the reader as the one at fault (blame)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import date

import releasecare.voicelint.wordlists as wl
from releasecare.voicelint.findings import Finding, VoiceOptions, hit
from releasecare.voicelint.notetext import Note, Token, span_text, words_of
from releasecare.voicelint.wordlists import words

# --- our-side --------------------------------------------------------------------------

_FIRST_PERSON = words("we we've we're we'll we'd i i've i'm i'd i'll")
_SUBORDINATORS = words(
    "as while when if because since until once after before that whether than where how "
    "what why ensure ensuring though although unless so"
)
_COORDINATORS = words("and but then now today first also yesterday finally")
_AUXILIARIES = words(
    "now also still just already then currently actively really very truly deeply have "
    "has had are am is was were will would can could do did been being be not"
)
# What we say for the customer's sake: "We now support ...", "we recommend ...".
_FOR_THE_CUSTOMER = words(
    "support supports recommend suggest encourage apologize apologise sorry regret "
    "appreciate thank hope invite welcome love want know excited happy pleased glad "
    "thrilled proud"
)
# A result told in the present perfect ("We've fixed ...") is what the customer has
# now; the same verb in the past tense ("We fixed ...") tells the story of our work.
_RESULTS = words(
    "added introduced resolved fixed improved made released launched updated enabled "
    "redesigned changed removed"
)
# A change the customer must plan for ("we will remove X in 3.15").
_ANNOUNCED = words("remove deprecate stop end retire discontinue sunset disable drop delete")
# "The team is investigating", "The engineers rolled back ...".
_US = words("team engineers engineering")
_APOLOGY = words("sorry apologize apologise apologies apology")
_THANKS = {("thank", "you"), ("thanks", "for"), ("appreciate", "your"), ("thank", "for")}


def _is_apology(lows: Sequence[str]) -> bool:
    """A sentence that apologises or thanks the reader speaks to them, "we" or not."""
    return bool(_APOLOGY & set(lows)) or bool(_THANKS & set(itertools.pairwise(lows)))


def _main_subject(words: Sequence[Token], i: int) -> bool:
    """Whether ``words[i]`` is the subject of a main clause ("Since the last update, we
    moved ...", "This month we ..."), not of "if we ...", "as we worked"."""
    if i == 0:
        return True
    before = words[i - 1].low
    if before in _SUBORDINATORS:
        return False
    if before in _COORDINATORS or words[i].clause_break:
        return True
    return i <= 3 and not any(w.low in _SUBORDINATORS for w in words[:i])


def _we_did(note: Note, words: Sequence[Token], i: int) -> Finding | None:
    lows = [w.low for w in words]
    j = i + 1
    while j < len(words) and words[j].low in _AUXILIARIES:
        j += 1
    if j >= len(words):
        return None
    verb = lows[j]
    perfect = lows[i].endswith("'ve") or "have" in lows[i + 1 : j]
    future = lows[i].endswith("'ll") or "will" in lows[i + 1 : j]
    for_them = (
        verb in _FOR_THE_CUSTOMER
        or (verb in {"add", "added", "introduced"} and lows[j + 1 : j + 2] == ["support"])
        or (perfect and verb in _RESULTS)
        or (future and verb in _ANNOUNCED)
    )
    # "... by provisioning new servers": how we did it, whatever the verb.
    by_our_means = any(
        a == "by" and len(b) > 4 and b.endswith("ing") for a, b in itertools.pairwise(lows)
    )
    if for_them and not by_our_means:
        return None
    span = span_text(note, words[i : j + 1])
    return hit(
        "our-side",
        f"tells what we did ({span!r}), not what the customer gets",
        span,
        f"instead of {span!r}, say what the customer can do or sees now "
        '("You can now ...", "... works again")',
    )


def _our_things(note: Note, words: Sequence[Token], i: int) -> Finding | None:
    for k in range(i + 1, min(i + 4, len(words))):
        if words[k].low in wl.NOT_OUR_THINGS:
            return None
        if words[k].low in wl.OUR_THINGS:
            span = span_text(note, words[i : k + 1])
            return hit(
                "our-side",
                f"about our side ({span!r}), not the customer's",
                span,
                f"leave {span!r} out; say what the customer saw and what works for them now",
            )
    return None


def our_side(note: Note, options: VoiceOptions, today: date) -> list[Finding]:
    for sentence in note.sentences:
        words = words_of(sentence)
        if _is_apology([w.low for w in words]):
            continue
        for i, word in enumerate(words):
            found = None
            if word.low in _FIRST_PERSON and _main_subject(words, i):
                found = _we_did(note, words, i)
            elif word.low == "our":
                found = _our_things(note, words, i)
            elif i == 0 and word.low == "the" and words[1:2] and words[1].low in _US:
                found = _we_did(note, words, 1)
            if found:
                return [found]
    return []


# --- third-person ---------------------------------------------------------------------

_READERS = words("users customers merchants shoppers buyers subscribers")
_READER = words("user customer merchant shopper buyer subscriber")
_DETERMINERS = words("the a an each every any")
_QUANTIFIERS = {"some": "some of you", "many": "many of you", "all": "all of you"}
_READER_SKIP = words("still also now worldwide sometimes often then not already only")
_READER_VERBS = words(
    "can can't cannot could couldn't will won't would wouldn't may might should shouldn't "
    "must are aren't were weren't was wasn't is isn't have haven't had hadn't has hasn't "
    "do don't did didn't does doesn't need needed get got who no"
)
_ACTIONS = words(
    "taps clicks enters opens selects types presses tries attempts logs signs wants needs "
    "sees receives chooses changes adds removes deletes uploads downloads navigates "
    "switches scrolls leaves joins sends creates edits visits goes gets has is was does"
)
_LETS = words(
    "allow allows allowing allowed let lets letting enable enables enabling enabled help "
    "helps helping instruct instructs instructing ask asks asking asked prompt prompts "
    "prompting prompted require requires requiring force forces forcing forced notify "
    "notifies notifying notified remind reminds reminding give gives giving show shows "
    "showing tell tells telling warn warns warning warned invite invites inviting cause "
    "causes causing caused prevent prevents preventing prevented make makes making made "
    "redirect redirects redirected send sends sending sent log logs logged sign signed "
    "kick kicked lock locks locked take takes took"
)
_TO_YOU = {"is": "are", "was": "were", "has": "have", "doesn't": "don't", "isn't": "aren't"}
_TO_YOUR = {"their": "your", "them": "you", "themselves": "yourselves", "they": "you"}


_SUBJECT_BEFORE = words("where when if that so because and but while once after before unless")
_AHEAD = words(
    "can can't cannot could couldn't will won't would wouldn't may might should must are "
    "were was is have had has need needed no"
)


def _reader_at(words: Sequence[Token], i: int) -> tuple[int, int] | None:
    """Where the words naming the reader at ``words[i]`` start and end, when the note
    speaks of them rather than to them ("users could not", "allows users to", "users
    with an admin role can"); never a thing of theirs ("user avatar", "user input")."""
    low = words[i].low
    plural = low in _READERS
    if not plural and low not in _READER:
        return None
    start = i - 1 if i and (words[i - 1].low in _DETERMINERS | set(_QUANTIFIERS)) else i
    if start and words[start - 1].low in _LETS and (plural or start < i):
        return start, i + 1
    j = i + 1
    while j < len(words) and words[j].low in _READER_SKIP:
        j += 1
    if j >= len(words) or (words[i + 1 : i + 2] and words[i + 1].before.startswith("'")):
        return None  # "users' profile pictures": a thing of theirs
    after = words[j].low
    past = len(after) > 4 and after.endswith("ed")
    if plural and (after in _READER_VERBS or past):
        return start, i + 1
    if not plural and (after in _READER_VERBS | _ACTIONS or (start < i and past)):
        return start, i + 1
    # The subject of its clause, with words between it and its verb.
    subject = start == 0 or words[start].clause_break or words[start - 1].low in _SUBJECT_BEFORE
    if plural and subject:
        for k in range(i + 1, min(i + 6, len(words))):
            if words[k].clause_break:
                break
            if words[k].low in _AHEAD:
                return start, i + 1
    return None


def _as_you(note: Note, sentence: Sequence[Token], start: int, end: int) -> str:
    """The sentence with the reader at ``start:end`` (of its words) made "you", the verb
    after it agreeing ("the user taps" -> "you tap") and "their" made "your"."""
    words = words_of(sentence)
    out = note.text[sentence[0].start : words[start].start]
    out += _QUANTIFIERS.get(words[start].low, "you")
    position = words[end - 1].end
    for k in range(end, len(words)):
        word = words[k]
        new = word.text
        if k == end and word.low in _TO_YOU:
            new = _TO_YOU[word.low]
        elif k == end and word.low in _ACTIONS:
            new = re.sub(r"ies$", "y", re.sub(r"(?<=[sc]h|ss)es$|(?<!ie)s$", "", word.text))
        elif word.low in _TO_YOUR:
            new = _TO_YOUR[word.low]
        out += note.text[position : word.start] + new
        position = word.end
    rest = note.text[position:]
    tail = re.match(r"[^.!?;]*[.!?;]?", rest)
    return out + (tail.group(0) if tail else "")


def third_person(note: Note, options: VoiceOptions, today: date) -> list[Finding]:
    for sentence in note.sentences:
        words = words_of(sentence)
        for i in range(len(words)):
            found = _reader_at(words, i)
            if found:
                start, end = found
                span = span_text(note, words[start:end])
                return [
                    hit(
                        "third-person",
                        f"talks about the reader in the third person ({span!r})",
                        span,
                        _as_you(note, sentence, start, end),
                    )
                ]
    return []


# --- blame -----------------------------------------------------------------------------

_WHEN = words("when if on with after whenever once by")
_SHOWN = words(
    "showed shows show shown displayed displays returned returns sent opened picked "
    "loaded used chose selected for appeared appears"
)


def _blamed_input(words: Sequence[Token], k: int) -> tuple[int, int, str] | None:
    """The words (start, end, input noun) around ``words[k]`` that call the customer's
    input wrong: "an invalid URL", "the password wrong", "entered the coupon wrongly"."""
    low = words[k].low
    if low in wl.BLAME_ADJECTIVES:
        for n in range(k + 1, min(k + 4, len(words))):
            if words[n].low in wl.INPUT_NOUNS:
                return k, n + 1, words[n].low
        for n in range(max(0, k - 3), k):
            if words[n].low in wl.INPUT_NOUNS and words[n + 1 : k + 1]:
                between = {w.low for w in words[n + 1 : k]}
                if between <= {"is", "are", "was", "were", "their", "his", "her", "its"}:
                    return n, k + 1, words[n].low
    if low in wl.BLAME_ADVERBS:
        for n in range(max(0, k - 4), k):
            if words[n].low in wl.INPUT_VERBS:
                noun = next((w.low for w in words[n + 1 : k] if w.low in wl.INPUT_NOUNS), "entry")
                return n, k + 1, noun
    return None


# A title that says what the change does about the input: "Handle invalid URLs".
_FIXES = words("fix fixed fixes fixing handle handled handles handling prevent make")


def blame(note: Note, options: VoiceOptions, today: date) -> list[Finding]:
    for sentence in note.sentences:
        words = words_of(sentence)
        lows = [w.low for w in words]
        for k in range(len(words)):
            found = _blamed_input(words, k)
            if not found:
                continue
            start, end, noun = found
            before = lows[max(0, start - 6) : start]
            framed = start == 0 or bool(set(before) & (_WHEN | wl.INPUT_VERBS))
            framed = framed or (bool(lows) and lows[0] in _FIXES)
            # "showed the wrong file name", "the wrong name was displayed": our output.
            shown = bool(set(before[-2:]) & _SHOWN) or bool(
                set(lows[end : end + 3]) & (_SHOWN - {"for"})
            )
            if lows[start] in wl.INPUT_VERBS:
                framed, shown = True, False
            if framed and not shown:
                span = span_text(note, words[start:end])
                return [
                    hit(
                        "blame",
                        f"puts the failure on the customer ({span!r})",
                        span,
                        "say what happens now, not that the customer got it wrong: "
                        f'"If a {noun} can\'t be used, you now see a message that says why."',
                    )
                ]
    return []
