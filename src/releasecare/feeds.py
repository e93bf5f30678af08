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

from releasecare.outdir import OutputFolder

STATE = ".feed.json"
FEED = "feed.atom"


def update_feed(
    out: OutputFolder,
    folder: Path,
    context: dict[str, Any],
    templates: Any,
    base_url: str | None = None,
) -> Path:
    """Add (or refresh) this notice's entry in the feed of ``folder`` (relative to
    ``out``'s root) and rewrite the feed; both files are written through ``out``."""
    entries = read_entries(out, folder / STATE)
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
    out.write(folder / STATE, json.dumps(entries, indent=1))
    return out.write(
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
    )


def read_entries(out: OutputFolder, path: Path) -> list[dict[str, Any]]:
    """The entries a run keeps beside its page (feed or index); none when unreadable."""
    try:
        entries = json.loads(out.read(path) or "[]")
    except ValueError:
        return []
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, dict)]


def _urn(text: str) -> str:
    return quote(text, safe="-._~")
