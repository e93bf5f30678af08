"""``notes edit``: a release manager's wording for a change, kept in the repository.

An override is a Markdown file under ``<changes_dir>/overrides/`` that names the
commit it overrides in its front matter (unlike a note fragment, which is the note of
the commit that adds it)::

    ---
    overrides: 3f2a9c1e0b7d...
    ---
    Invoices now show the order number.

or, to keep a change out of every notice, ``hide: true`` and no text. Overrides are
read from the working tree whenever changes are read for customers (impact, notices,
lint, ``release show``), so one survives rescans, re-renders and a new database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from releasecare.domain import Change
from releasecare.errors import InputError
from releasecare.text import front_matter, read_text_file

FOLDER = "overrides"
_SHA = re.compile(r"^[0-9a-f]{7,40}$")


@dataclass(frozen=True)
class Override:
    sha: str  # full or abbreviated, as the file names it
    text: str | None  # None: hide the change
    path: str


def load(folder: Path) -> dict[str, Override]:
    """Every override under ``folder`` by the sha it names; an unreadable one is an
    error naming its file (a broken override must not silently let a change through)."""
    if not folder.is_dir():
        return {}
    found: dict[str, Override] = {}
    for path in sorted(folder.glob("*.md")):
        text = read_text_file(path)
        override = parse(path.relative_to(folder.parent.parent).as_posix(), text)
        found[override.sha] = override
    return found


def parse(path: str, text: str) -> Override:
    meta, body = front_matter(text)
    body = body.strip()
    sha = meta.get("overrides", "").lower()
    if not _SHA.match(sha):
        raise InputError(
            f"{path}:2: an override names the commit it overrides: `overrides: <sha>`",
            hint="write it with `releasecare notes edit SHA --text ...`",
        )
    hide = meta.get("hide", "").lower() in ("true", "yes")
    if not hide and not body:
        raise InputError(f"{path}: an override needs the note's text, or `hide: true`")
    return Override(sha=sha, text=None if hide else body, path=path)


def apply(changes: Iterable[Change], overrides: Mapping[str, Override]) -> list[Change]:
    """``changes`` with each override's wording (or hidden); the rest as they are."""
    if not overrides:
        return list(changes)
    return [_applied(change, overrides) for change in changes]


def _applied(change: Change, overrides: Mapping[str, Override]) -> Change:
    override = overrides.get(change.sha) or next(
        (o for sha, o in overrides.items() if change.sha.startswith(sha)), None
    )
    if override is None:
        return change
    if override.text is None:
        # impact "none": the release manager's word, as ``Customer-Note: none`` is the
        # author's; nothing counts the change as held back, no bump line takes it.
        return replace(change, visible=False, customer_note=None, note_source=None, impact="none")
    return replace(
        change,
        customer_note=override.text,
        note_source=f"override:{override.path}",
        visible=True,
        audience="customer",
    )


def write(folder: Path, sha: str, text: str | None) -> Path:
    """Write (or replace) the override of commit ``sha``; ``text`` None hides it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha[:12]}.md"
    body = "hide: true\n---\n" if text is None else f"---\n{' '.join(text.split())}\n"
    content = f"---\noverrides: {sha}\n{body}"
    # Imported here: tempfile pulls in random, shutil, bz2 and lzma (6 ms), and every
    # command that reads overrides (impact) would pay for what only `notes edit` does.
    import tempfile  # noqa: PLC0415

    handle, temp = tempfile.mkstemp(dir=folder, prefix=".override-")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(content)
    os.replace(temp, path)
    return path
