"""Untrusted text as inert Markdown: commit subjects, notes and customer names in the
``.md`` notices, job summaries and reports (the ``md`` filter of every template)."""

from __future__ import annotations

import re


def md_escape(text: object) -> str:
    """Untrusted text as inert Markdown on one line, escaping only what Markdown would
    read as syntax where it stands, so that the raw ``.md`` reads cleanly in a plain
    text mail client ("Müller & Söhne", "[security]", "snake_case" stay as written)
    while it still renders as exactly this text (CommonMark and GitHub's extensions:
    no link, image, HTML, autolink, entity, emphasis, code, strikethrough, heading,
    list, quote or rule)."""
    line = " ".join(str(text).split())
    escape = _inline_escapes(line) | _block_escapes(line)
    return "".join(f"\\{c}" if i in escape else c for i, c in enumerate(line))


# What Markdown reads as an escape: a backslash before any ASCII punctuation.
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
_TAG_START = re.compile(r"<[A-Za-z/!?]")


def _inline_escapes(line: str) -> set[int]:
    """Positions of characters that would be syntax mid-line."""
    escape: set[int] = set()
    pairs: dict[str, list[int]] = {"*": [], "_": [], "~": [], "`": []}
    for i, c in enumerate(line):
        before = line[i - 1] if i else " "
        after = line[i + 1] if i + 1 < len(line) else " "
        if c == "\\" and (after in _PUNCTUATION or i + 1 == len(line)):
            escape.add(i)  # "\." would hide the dot; a trailing one may meet one
        elif c == "]" and after in "([:":
            escape.add(i)  # a link, an image, a reference or its definition
        elif c == "<" and _TAG_START.match(line, i):
            escape.add(i)  # HTML or an autolink
        elif c == "&" and _ENTITY.match(line, i):
            escape.add(i)  # "&copy;" would show as ©
        elif c == "`":
            pairs[c].append(i)  # a code span needs two
        elif c in "*~" and not (before.isspace() and after.isspace()):
            pairs[c].append(i)  # could open or close emphasis, strikethrough
        elif (
            c == "_"
            and not (before.isspace() and after.isspace())
            and not (before.isalnum() and after.isalnum())
        ):
            pairs[c].append(i)  # as above; "snake_case" never emphasises
    for found in pairs.values():
        if len(found) > 1:  # one alone opens nothing
            escape.update(found)
    return escape


_LIST_OR_HEADING = re.compile(r"(?:#{1,6}|[-+*>]|\[[ xX]\])(?=\s|$)|>")
_ORDERED = re.compile(r"\d{1,9}([.)])(?=\s|$)")
_RULE = re.compile(r"([-*_=])(?:\s*\1){2,}\s*$")
_CLOSING_HASHES = re.compile(r"\s(#+)$")


def _block_escapes(line: str) -> set[int]:
    """Positions that would start a block at the start of a line (a heading, a list, a
    task box, a quote, a rule) or close a heading at its end (" #")."""
    escape: set[int] = set()
    if _LIST_OR_HEADING.match(line) or _RULE.match(line):
        escape.add(0)
    ordered = _ORDERED.match(line)
    if ordered:
        escape.add(ordered.start(1))
    closing = _CLOSING_HASHES.search(line)
    if closing:
        escape.add(closing.start(1))
    return escape
