"""Each customer's Atom feed: entries accumulate across runs, ids stay stable.

The entries live in a small JSON file beside the feed, so a run adds or refreshes
its own entry and rewrites the feed from all of them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from releasecare.errors import InputError
from releasecare.outdir import OutputFolder

STATE = ".feed.json"
FEED = "feed.atom"
# What each entry of the state file holds (the feed template reads all of them).
FEED_KEYS = ("id", "title", "updated", "published", "summary", "link")


def update_feed(
    out: OutputFolder,
    folder: Path,
    context: dict[str, Any],
    templates: Any,
    base_url: str | None = None,
) -> list[tuple[Path, str]]:
    """This notice's entry added to (or refreshed in) the feed of ``folder`` (relative
    to ``out``'s root): the state file and the feed, as ``(path, text)`` for the caller
    to write through ``out`` with the rest of its files."""
    entries = read_entries(out, folder / STATE, FEED_KEYS)
    customer = context["customer"]["id"]
    # One entry per deployment (its notice's name names it): the same deploy again
    # refreshes its entry, another deploy of the same version gets its own.
    entry_id = f"urn:releasecare:{_urn(customer)}:{_urn(context['notice_file'].rsplit('.', 1)[0])}"
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    # An incident notice says its own title, summary and time (``entry``).
    own = context.get("entry")
    summary = (
        own["summary"]
        if own
        else "; ".join(item["text"] for section in context["sections"] for item in section["items"])
    )
    entry = {
        "id": entry_id,
        "title": own["label"] if own else f"{context['product']} {context['version']}",
        "updated": now,
        "published": own["at_iso"] if own else context["deployed_at_iso"],
        "summary": summary,
        "link": context["notice_file"],
    }
    old = next((e for e in entries if e["id"] == entry_id), None)
    if old is not None:
        entry["published"] = old.get("published", entry["published"])
        if old.get("summary") == summary:
            entry["updated"] = old["updated"]
    entries = [e for e in entries if e["id"] != entry_id] + [entry]
    entries.sort(key=lambda e: e["published"], reverse=True)
    return [
        (folder / STATE, json.dumps(entries, indent=1)),
        (
            folder / FEED,
            templates.render(
                "feed.atom.j2",
                {
                    "feed_id": f"urn:releasecare:{_urn(customer)}:feed",
                    "title": f"{context['product']} for {context['customer']['name']}",
                    "updated": max(e["updated"] for e in entries),
                    "entries": entries,
                    "base_url": base_url or "",
                },
            ),
        ),
    ]


def read_entries(out: OutputFolder, path: Path, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """The entries a run keeps beside its page (feed or index), none when there is no
    such file. Each entry is an object with a string under every one of ``keys``;
    a file that is anything else was not written by releasecare as it is (damaged,
    or edited) and is refused, naming it: removing it starts the page afresh."""
    try:
        text = out.read(path)
    except UnicodeDecodeError:
        raise _damaged(out, path, "not UTF-8 text") from None
    if text is None:
        return []
    try:
        entries = json.loads(text)
    except ValueError as exc:
        raise _damaged(out, path, f"not JSON ({exc})") from None
    if not isinstance(entries, list):
        raise _damaged(out, path, "not a list of entries")
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise _damaged(out, path, f"entry [{n}] is not an object")
        for key in keys:
            if not isinstance(entry.get(key), str):
                raise _damaged(out, path, f"entry [{n}] has no text under {key!r}")
    return entries


def _damaged(out: OutputFolder, path: Path, problem: str) -> InputError:
    return InputError(
        f"{out.path(path)}: {problem}; this file keeps the page's entries across runs",
        hint="remove it to start the page afresh with this run's notice (older notices "
        "stay, but leave the page), or restore it from a backup",
    )


def _urn(text: str) -> str:
    return quote(text, safe="-._~")
