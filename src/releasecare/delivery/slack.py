"""The Slack channel's message: a notice as Block Kit, within Slack's limits.

Built from the JSON notice (the ``json`` format ``notes render`` writes), so that
what Slack shows is what the other formats say. Text is Slack's ``mrkdwn``, in
which only ``&``, ``<`` and ``>`` are escaped: a commit subject holding
``<!channel>`` or ``<https://evil|a link>`` shows as written and pings or links
nobody. Slack takes at most 50 blocks, 3,000 characters in a section's text and 150
in a header; a notice that does not fit ends with how many items were left out and
the link to the full notice. The top-level ``text`` is always there: it is what a
notification and a screen reader show.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from releasecare.delivery.outcome import Outcome, http_outcome
from releasecare.delivery.targets import Notice, Sending, Target, target_key, url_problem
from releasecare.domain import Customer
from releasecare.errors import NetworkError

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_TEXT = 3000  # the fallback: Slack cuts it around 4,000; it says the gist


def escape(text: str) -> str:
    """``text`` as literal mrkdwn: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(notice: Mapping[str, Any], link: str | None = None) -> dict[str, Any]:
    """The Slack message for one notice: ``text`` and ``blocks``; ``link`` is the full
    notice's address, when the notices are published."""
    headline = str(notice.get("headline") or notice.get("title") or "")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(headline, MAX_HEADER)}}
    ]
    intro = [notice.get("rollback_text")]
    blocks += [_section(escape(str(t))) for t in intro if t]
    sections = list(notice.get("sections") or [])
    for incident in notice.get("incidents") or []:
        title = incident.get("title") if isinstance(incident, Mapping) else None
        if title:
            sections.append({"title": "Incidents that affected you", "items": [{"text": title}]})
    endings = [notice.get(k) for k in ("unlisted_text", "elsewhere_text") if notice.get(k)]
    tail = [_context(escape(str(t))) for t in endings]
    if link:
        tail.append(_section(f"<{_link_target(link)}|Read the full notice>"))
    room = MAX_BLOCKS - len(blocks) - len(tail) - 1  # one kept for "... more"
    body, left_out = _sections(sections, room)
    blocks += body
    if left_out:
        more = f"{left_out} more item{'s' if left_out != 1 else ''} are in the full notice"
        blocks.append(_context(more + ("." if not link else ":")))
    blocks += tail
    return {"text": _fallback(headline, sections, notice), "blocks": blocks}


def _sections(sections: Sequence[Mapping[str, Any]], room: int) -> tuple[list[dict[str, Any]], int]:
    """Each notice section as section blocks (split to fit), and how many items did not
    fit in ``room`` blocks."""
    blocks: list[dict[str, Any]] = []
    items_total = sum(len(s.get("items") or []) for s in sections)
    shown = 0
    for section in sections:
        for chunk, count in _chunks(section):
            if len(blocks) == room:
                return blocks, items_total - shown
            blocks.append(_section(chunk))
            shown += count
    return blocks, items_total - shown


def _chunks(section: Mapping[str, Any]) -> Iterator[tuple[str, int]]:
    """A section's title and bullet lines, in texts of at most MAX_SECTION characters,
    each with how many items it holds. An item longer than a section is cut."""
    title = f"*{escape(str(section.get('title', '')))}*"
    lines: list[str] = [title]
    size, count = len(title), 0
    for item in section.get("items") or []:
        line = "• " + escape(str(item.get("text", "")))
        parts = item.get("components") or []
        if parts:
            line += f" _({escape(', '.join(str(p) for p in parts))})_"
        line = _cut(line, MAX_SECTION - len(title) - 1)
        if size + 1 + len(line) > MAX_SECTION and count:
            yield "\n".join(lines), count
            lines, size, count = [title], len(title), 0
        lines.append(line)
        size += 1 + len(line)
        count += 1
    if count:
        yield "\n".join(lines), count


def _fallback(
    headline: str, sections: Sequence[Mapping[str, Any]], notice: Mapping[str, Any]
) -> str:
    counts = [
        f"{section.get('title')}: {len(section.get('items') or [])}"
        for section in sections
        if section.get("items")
    ]
    text = headline + (f" ({', '.join(counts)})" if counts else "")
    if notice.get("rollback_text"):
        text += " " + str(notice["rollback_text"])
    return _cut(escape(text), MAX_TEXT)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, MAX_SECTION)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(text, MAX_SECTION)}]}


def _link_target(url: str) -> str:
    # Inside <url|label>, a "|" or ">" in the address would end it early.
    return url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, never ending inside an escape such as ``&amp;``."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    amp = head.rfind("&", len(head) - 5)
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    return head.rstrip() + "…"


# --- the channel: an incoming webhook named by a variable, a notice as a message ----

# What Slack answers when the webhook can never work again as it is: nothing more is
# sent to it until the customer's contacts (or the URL its variable holds) change.
GONE = frozenset(
    {"no_service", "channel_not_found", "channel_is_archived", "invalid_token", "no_team"}
)


def targets(customer: Customer) -> list[Target]:
    """The customer's Slack webhook, when their contacts name its variable. The URL is
    a secret: the target is shown by the variable's name."""
    variable = customer.contacts.slack_url_env
    if not variable:
        return []
    url = os.environ.get(variable, "").strip()
    return [
        Target(
            customer_id=customer.id,
            channel="slack",
            key=target_key("slack", variable, url),
            shown=f"${variable}",
            secret_env=variable,
        )
    ]


def message_id_for(notice_key: str, target: Target, sending: Sending) -> str:
    """Slack has no idempotency key; the id names the message in the delivery log."""
    digest = hashlib.sha256(f"{notice_key}\0{target.key}".encode()).hexdigest()
    return f"slack_{digest[:32]}"


def deliver(target: Target, notice: Notice, message_id: str, sending: Sending) -> Outcome:
    """POST the Block Kit message to the URL the target's variable holds. Slack drops no
    repeat, so a timeout after sending is ``unknown``, never sent again blindly."""
    variable = target.secret_env or ""
    url = os.environ.get(variable, "").strip()
    label = f"Slack webhook ${variable}"
    if not url:
        return Outcome("failed", f"environment variable {variable} (the Slack webhook) is not set")
    problem = url_problem(url, sending.allow_insecure_localhost)
    if problem:
        return Outcome("failed", f"{label}: {problem}")
    try:
        sending.client().post(url, json_body=message(notice.data), label=label)
    except NetworkError as exc:
        said = (exc.reply or "").strip()
        if exc.status is not None and said in GONE:
            return Outcome(
                "failed",
                f"{label}: Slack says {said}; nothing more goes there until the contact changes",
                exc.status,
                disable=True,
            )
        return http_outcome(exc, repeats_dropped=False)
    return Outcome("sent", "ok", 200)
