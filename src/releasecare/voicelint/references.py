"""Rules about what only we can follow: internal references (tickets, hashes, paths,
code identifiers, handles, our hosts and source links) and technical problems (what
the code did wrong, or why, instead of what the customer saw)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

import releasecare.voicelint.wordlists as wl
from releasecare.voicelint.findings import Finding, VoiceOptions, hit
from releasecare.voicelint.names import names_pattern
from releasecare.voicelint.notetext import (
    Note,
    Token,
    first_phrase,
    is_plain,
    read_note,
    span_text,
    words_of,
)
from releasecare.voicelint.wordlists import words

_TICKET = re.compile(r"^(?P<key>[A-Z][A-Z0-9]{1,9})-\d+$|^#\d+$")
_HASH = re.compile(r"^(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_FILE = re.compile(r"^[\w.-]*\w\.(?P<ext>[a-z0-9]+)$", re.IGNORECASE)
_SERVICE = re.compile(r"^[a-z]{3,}(?:service|svc)$")
_NOT_SERVICES = words("microservice webservice selfservice")
_MENTIONS = words("@channel @here @all @everyone")
_KEYS = words("ctrl cmd shift alt option esc enter tab return space fn")


def is_ticket(word: str) -> bool:
    """``MM-58087``, ``#25496``; not a standard's name (``ISO-8601``, ``UTF-8``)."""
    found = _TICKET.match(word)
    if not found:
        return False
    key = found.group("key")
    return key is None or key.lower() not in wl.STANDARDS


def is_hash(word: str) -> bool:
    return bool(_HASH.match(word))


def is_path(word: str) -> bool:
    """A file path: absolute (``/var/log/x``), relative (``./x``), of three or more
    parts (``src/app/main``), or ending in a code file's name (``docs/guide.md``,
    ``a.py``). Pairs (``read/write``, ``Europe/Berlin``, ``HTTP/2``) are no paths."""
    if word.startswith(("./", "../", "~/")):
        return True
    parts = word.split("/")
    if word.startswith("/") and len(parts) >= 3 and all(parts[1:]):
        return True
    found = _FILE.match(parts[-1])
    if found and found.group("ext").lower() in wl.CODE_EXTENSIONS:
        stem = parts[-1].rsplit(".", 1)[0]
        # "Node.js", "Vue.js" are products, not files.
        return len(parts) > 1 or not stem[:1].isupper() or "_" in stem or "-" in stem
    if len(parts) < 3 or not all(parts) or all(p[:1].isupper() for p in parts):
        return False
    # "on/off/auto" is a choice; "src/app/main", "a/b_c/d" are folders.
    return len(parts) >= 4 or parts[0] in _FOLDERS or any(re.search(r"[._\d-]", p) for p in parts)


_FOLDERS = words("src lib bin usr etc var opt home docs app api config tests test")


_SNAKE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_CAMEL = re.compile(r"[a-z]{2,}[A-Z][A-Za-z0-9]*")
_PASCAL = re.compile(r"(?:[A-Z][a-z0-9]{2,}){2,}")


def is_code_identifier(word: str, allowed: Iterable[str] = ()) -> bool:
    """camelCase, PascalCase of two or more real words, snake_case, ``a.b()``,
    ``std::x``; never a product's name (GitHub, iPhone, macOS, PostgreSQL, IdP)."""
    low = word.lower()
    if low in wl.BRANDS or low in {a.lower() for a in allowed}:
        return False
    if word.endswith("()") or "::" in word:
        return True
    if "/" in word:
        return any(is_code_identifier(p, allowed) for p in word.split("/") if p)
    if _SNAKE.fullmatch(word):
        return True
    if _DOTTED.fullmatch(word):
        # "notifications.flashWindow", "ServiceSettings.EnableLinkPreviews"; not "e.g".
        return any(is_code_identifier(p, allowed) for p in word.split("."))
    if _CAMEL.fullmatch(word):
        return not word.endswith("OS")  # macOS, iPadOS, watchOS
    if _PASCAL.fullmatch(word):
        return not low.endswith(wl.BRAND_ENDINGS)
    return False


def _code_span_kind(inner: str, allowed: Iterable[str]) -> str | None:
    """What a code span names when it is ours: a path, a code identifier, an option.
    Keys (``Ctrl+Tab``), slash commands (``/invite``), mentions and labels are not."""
    if is_path(inner):
        return "file path"
    if " " in inner or "+" in inner or inner.startswith(("/", "@")) or len(inner) < 2:
        return None
    if is_code_identifier(inner, allowed) or _SERVICE.match(inner):
        return "code identifier"
    if inner.startswith("-") and not inner.strip("-").count("-"):
        return "command-line option"
    if re.fullmatch(r"[a-z][a-z0-9_.]*", inner) and inner not in _KEYS:
        return "code identifier"
    return None


def _link_kind(url: str, options: VoiceOptions) -> str | None:
    host = re.sub(r"^\w+://", "", url).split("/", 1)[0].lower()
    path = [p for p in re.sub(r"^\w+://[^/]+", "", url).split("/") if p]
    if any(h and h.lower() in host for h in options.internal_hosts):
        return "internal host"
    if any(t in host for t in wl.TICKET_HOSTS) or "browse" in path:
        return "link to a ticket"
    if host.removeprefix("www.") in wl.SOURCE_HOSTS and len(path) >= 2:
        return "link to our source code"
    return None


def _word_kind(word: str, options: VoiceOptions) -> str | None:
    word = word.strip("'’")
    plain = is_plain(word)
    if not plain:
        if is_ticket(word):
            return "ticket key"
        if is_hash(word):
            return "commit hash"
        if is_path(word):
            return "file path"
        if word.startswith("@") and word.lower() not in _MENTIONS and "/" not in word:
            return "person's handle"
    if _SERVICE.match(word) and word not in _NOT_SERVICES:
        return "service name"
    if not plain and is_code_identifier(word, options.allow):
        return "code identifier"
    return None


_ADVICE = {
    "ticket key": "take out {span!r}: customers cannot open our tickets",
    "commit hash": "take out the commit hash {span!r}",
    "file path": "take out {span!r}, or name the part of the product it belongs to",
    "code identifier": "say what {span!r} is in the product's words (the setting's or "
    "the screen's name), or leave it out",
    "command-line option": "say what the option {span!r} does, in words",
    "e-mail address": "take out {span!r}, or give the support address customers use",
    "person's handle": "leave people ({span!r}) out of customer notes",
    "person's name": "leave people ({span!r}) out of customer notes",
    "service name": "name the part of the product customers know instead of {span!r}",
    "internal host": "take out the link to {span!r}",
    "link to a ticket": "take out the link to the ticket",
    "link to our source code": "take out the link to our source code",
}


def internal_reference(note: Note, options: VoiceOptions, today: date) -> list[Finding]:
    found: list[tuple[str, str]] = []
    for token in note.tokens:
        if token.kind == "url":
            kind = _link_kind(token.text, options)
        elif token.kind == "code":
            kind = _code_span_kind(token.text, options.allow)
        else:
            kind = _word_kind(token.text, options)
        if kind:
            found.append((kind, token.text))
    if "@" in note.text:
        found.extend(("e-mail address", m.group(0)) for m in _EMAIL.finditer(note.text))
    for host in options.internal_hosts:
        pattern = rf"(?<![\w.-]){re.escape(host)}(?![\w-])"
        named = any(kind == "internal host" for kind, _ in found)
        if host and not named and re.search(pattern, note.text, re.I):
            found.append(("internal host", host))
    names = names_pattern(options.author_names)
    if names is not None:
        # In the order the names are listed, as each would be found alone.
        seen = {m.group(0) for m in names.finditer(note.text)}
        found.extend(("person's name", n) for n in options.author_names if n in seen)
    return [
        hit("internal-reference", f"{kind} {span!r}", span, _ADVICE[kind].format(span=span))
        for kind, span in dict.fromkeys(found)
    ]


_NAMED = {
    "ticket": is_ticket,
    "path": is_path,
    "commit hash": is_hash,
    "code identifier": is_code_identifier,
}


def internal_word(text: str, kind: str) -> str | None:
    """The first word of ``text`` that is a ``kind`` ("ticket", "path", "commit hash",
    "code identifier"), read as the lint reads it: a commit subject that names one is
    held back."""
    test = _NAMED[kind]
    for token in read_note(text).unplain:
        if token.kind == "code" and kind == "code identifier":
            return token.text
        if token.kind == "word" and test(token.text):
            return token.text
    return None


# --- technical-problem -----------------------------------------------------------------

_CAUSE = (
    ("was", "due", "to"),
    ("were", "due", "to"),
    ("is", "due", "to"),
    ("are", "due", "to"),
    ("root", "cause"),
    ("determined", "that"),
    ("identified", "that"),
    ("discovered", "that"),
    ("uncovered", "that"),
    ("revealed", "that"),
    ("code", "change"),
    ("configuration", "change"),
    ("config", "change"),
    ("traced", "to"),
    ("traced", "back", "to"),
    ("stemmed", "from"),
    ("resulted", "from"),
)
# "caused by a configuration change": the cause, when it is one of ours.
_CAUSED_BY = words(
    "change bug misconfiguration configuration config deploy deployment update defect "
    "failure faulty recent code issue problem timeout race deadlock regression "
    "misconfigured missing invalid incorrect memory database cache upstream provider "
    "network load disk certificate capacity outage dependency"
)


_CAUSE_STARTS = words("caused triggered due")


def _caused_by(lows: Sequence[str]) -> tuple[int, int] | None:
    """ "caused by a configuration change", "failed due to a timeout", "triggered by a
    recent deployment": a cause of ours
    (not "Due to moving to a new version, ..." at the start, which is a reason)."""
    if _CAUSE_STARTS.isdisjoint(lows):
        return None
    for i in range(len(lows) - 2):
        pair = lows[i : i + 2]
        if pair in (["caused", "by"], ["triggered", "by"]) or (i and pair == ["due", "to"]):
            for k in range(i + 2, min(i + 6, len(lows))):
                if lows[k] in _CAUSED_BY:
                    return i, k + 1
    return None


def _because(words: Sequence[Token]) -> tuple[int, int] | None:
    """ "... would not load because dry run results were tied to ...": the cause told
    as what our systems' parts did."""
    lows = [w.low for w in words]
    if "because" not in lows and "result" not in lows:
        return None
    for i, low in enumerate(lows):
        if low != "because" and lows[i : i + 3] != ["as", "a", "result"]:
            continue
        for k in range(i + 1, min(i + 7, len(words))):
            if words[k].clause_break:
                break
            if lows[k] in wl.SYSTEM_NOUNS:
                return i, k + 1
    return None


def _defect(words: Sequence[Token]) -> tuple[int, int] | None:
    """Where the sentence names a defect in code terms: "race condition", "nil value",
    "a Javascript error", "returned duplicate results"."""
    lows = [w.low for w in words]
    found = first_phrase(lows, wl.DEFECT_PHRASES)
    if found:
        return found
    if _DEFECT_STARTS.isdisjoint(lows):
        return None
    for i, low in enumerate(lows):
        after = lows[i + 1] if i + 1 < len(lows) else ""
        if low in wl.DEFECT_WORDS and not (low == "exception" and after == "of"):
            return i, i + 1
        if low in wl.DEFECT_ADJECTIVES and after in wl.DEFECT_NOUNS:
            return i, i + 2
        if after in {"error", "errors", "exception"} and low in wl.ERROR_KINDS:
            return i, i + 2
        if low in {"returned", "returns", "return"} and after in _RETURNED:
            for k in range(i + 2, min(i + 4, len(lows))):
                if lows[k] in {"results", "values", "records", "rows", "response", "responses"}:
                    return i, k + 1
    return None


_RETURNED = words("duplicate duplicated stale null empty invalid undefined")
# One of these stands in every defect the loop of _defect finds.
_DEFECT_STARTS = (
    wl.DEFECT_WORDS | wl.DEFECT_ADJECTIVES | words("error errors exception returned returns return")
)
_SECRETS = words("credential credentials password passwords secret secrets token tokens")
_LOGS = words("log logs logged logging logfile logfiles")
# Logs the customer reads themselves: "the audit log", "your activity log".
_THEIR_LOGS = words("audit activity access event events sign-in login security history your")


def _secrets_in_logs(words: Sequence[Token]) -> tuple[int, int] | None:
    """ "Hide DB credentials from logs": what our systems wrote to our logs, an
    internal detail (not "Passwords no longer appear in the audit log")."""
    lows = [w.low for w in words]
    secret = next((i for i, low in enumerate(lows) if low in _SECRETS), None)
    if secret is None:
        return None
    for i, low in enumerate(lows):
        if low in _LOGS and not _THEIR_LOGS.intersection(lows[max(0, i - 2) : i]):
            return min(secret, i), max(secret, i) + 1
    return None


def technical_problem(note: Note, options: VoiceOptions, today: date) -> list[Finding]:
    for sentence in note.sentences:
        words = words_of(sentence)
        lows = [w.low for w in words]
        cause = first_phrase(lows, _CAUSE) or _caused_by(lows) or _because(words)
        if cause:
            span = span_text(note, words[cause[0] : cause[1]])
            return [
                hit(
                    "technical-problem",
                    f"explains the cause in our systems' terms ({span!r})",
                    span,
                    "say what the customer saw and that it works again, and leave the "
                    'cause out: "Some sign-ins failed between 10:00 and 10:40 UTC; '
                    'they work again."',
                )
            ]
        logged = _secrets_in_logs(words)
        if logged:
            span = span_text(note, words[logged[0] : logged[1]])
            return [
                hit(
                    "technical-problem",
                    f"tells what our systems logged ({span!r}), an internal detail",
                    span,
                    "leave how our systems keep their logs out; say what changes for the "
                    "customer, if anything (often nothing: keep the change internal)",
                )
            ]
        defect = _defect(words)
        if defect:
            span = span_text(note, words[defect[0] : defect[1]])
            return [
                hit(
                    "technical-problem",
                    f"describes what the code did ({span!r}), not what the customer saw",
                    span,
                    f"say what the customer saw instead of {span!r} (an error message, a "
                    "blank page, a lost change) and that it is fixed",
                )
            ]
    return []
