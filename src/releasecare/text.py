"""Small helpers for text a person reads."""

from __future__ import annotations

import re
from pathlib import Path

from releasecare.errors import InputError

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


def duration_text(seconds: float) -> str:
    """A length of time as a person says it: ``38 minutes``, ``2 hours 5 minutes``,
    ``1 day 3 hours`` (whole minutes, rounded; at most two units)."""
    minutes = int(max(seconds, 0) / 60 + 0.5)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    shown = [plural(n, word) for n, word in parts if n][:2]
    return " ".join(shown) if shown else "less than a minute"


def read_text_file(path: Path) -> str:
    """A text file a person wrote (a fragment, an override), as UTF-8; one that cannot
    be read, or is not UTF-8, is an ``InputError`` naming the file (and the line)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}:{line}: not UTF-8 text (byte {exc.start + 1})", hint="save it as UTF-8"
        ) from None
