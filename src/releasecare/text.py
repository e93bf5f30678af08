"""Small helpers for text a person reads."""

from __future__ import annotations

import re

# C0 and C1 control characters but tab and newline (ESC, NUL, CSI, BEL, DEL...):
# text from others (commits, deploy logs, customer names) never carries them to a
# terminal, a file or a notice, where they could clear a screen or hide a link.
# Lone surrogates (JSON's "\ud800", bytes git could not decode) are no text either:
# no file or database can encode them.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def inert(text: str) -> str:
    """``text`` without control characters (tab and newline kept; CR as a newline)."""
    if text.isprintable():
        return text
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def has_controls(text: str) -> bool:
    return _CONTROLS.search(text) is not None


def plural(count: int, word: str) -> str:
    """``1 change``, ``2 changes``."""
    return f"{count} {word}" + ("" if count == 1 else "s")


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """A Markdown file's ``---`` front matter (lower-case keys) and the text after it."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end == -1:
        return {}, text
    meta = {}
    for line in text[4:end].splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip()
    return meta, text[end + 4 :].lstrip("\n")
