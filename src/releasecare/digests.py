"""Digests: what a customer on a daily or weekly cadence is told, and when.

A customer whose contacts say ``cadence = "daily"`` (or ``"weekly"``) is not sent
each deploy's notice: it waits (an outbox row in state ``waiting``) for the next
``notify --digest``, which tells them the **net difference** on each environment
from what they were last told (their *mark*) to what it runs now. A change added and
rolled back in between is not mentioned; the rollback of a change they never heard
of is no news.

Some news cannot wait, and goes at once (``decide``): a change that needs their
action, and a rollback that takes away something they were told of, both judged on
the net difference from their mark. When nothing waits on that environment, the
deploy's own notice goes; when something does, a digest goes at once instead (one
message that tells the whole net difference, so nothing is told twice or out of
order). Incidents always go at once (``notify --incident``).

This module composes; it sends nothing (``delivery/outbox`` does).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from releasecare.config import Config
from releasecare.domain import Customer, Deployment
from releasecare.impact import impact_between
from releasecare.notices import render_options
from releasecare.render import build_contexts, customer_context, format_time
from releasecare.store import deliveries as outbox_store
from releasecare.store import deployments as deployment_store
from releasecare.store import digests as mark_store
from releasecare.store import noticeversions as version_store
from releasecare.store.noticeversions import NoticeVersion
from releasecare.templating import Templates
from releasecare.voice import held_back_changes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SUBJECT = "digest"
# A scheduled job runs a little early or late: a digest is due an hour before its day
# or week has quite passed since the last one.
DUE_AFTER = {"daily": timedelta(hours=23), "weekly": timedelta(days=7, hours=-1)}
# What makes a notice urgent for a customer on a digest: these sections.
URGENT_SECTIONS = ("action", "removed")


def on_digest(customer: Customer) -> bool:
    return customer.contacts.cadence != "immediate"


def urgent(context: Mapping[str, Any]) -> bool:
    """A notice that says the customer must act, or loses something they were told of."""
    return any(section["key"] in URGENT_SECTIONS for section in context.get("sections", ()))


@dataclass(frozen=True)
class Decision:
    """What to do with a deploy notice for a customer on a digest: ``send`` it now,
    let it ``wait`` for the digest, send a ``digest`` now instead, or nothing
    (``covered``: a digest already told them of a later state)."""

    action: str
    reason: str


def decide(
    session: Session,
    config: Config,
    customer: Customer,
    deployment: Deployment,
    version: NoticeVersion,
) -> Decision:
    """See the module's text. Asked too of a customer now on ``immediate`` whose news
    still waits from a digest cadence before: one digest of all of it goes now."""
    if not on_digest(customer):
        return Decision("digest", "news waited from the cadence before: a summary goes now")
    marks = mark_store.marks(session, customer.id)
    previous = deployment_store.previous_successful(
        session, deployment.environment, before=deployment
    )
    mark = marks.get(deployment.environment)
    told = deployment_store.get(session, mark) if mark is not None else previous
    if told is not None and told.id != getattr(previous, "id", None):
        if told.deployed_at >= deployment.deployed_at:
            return Decision("covered", f"a digest already told of {told.version}")
        part = _part(session, config, customer, told, deployment, datetime.now(UTC))
        if part is not None and urgent(part):
            return Decision("digest", "needs their attention: a digest goes now")
        return Decision("wait", f"waits for the {customer.contacts.cadence} digest")
    data = json.loads(version.documents.get("json") or "{}") if version.documents else {}
    if urgent(data):
        return Decision("send", "needs their attention: sent at once")
    return Decision("wait", f"waits for the {customer.contacts.cadence} digest")


def mark_told(
    session: Session, customer: Customer, deployment: Deployment, *, baseline: bool = False
) -> None:
    """The customer knows ``deployment``'s environment as of it (``baseline``: as of the
    deploy before it, set once when their first notice there waits)."""
    if baseline:
        previous = deployment_store.previous_successful(
            session, deployment.environment, before=deployment
        )
        if previous is not None:
            mark_store.set_mark(
                session, customer.id, deployment.environment, previous.id, only_new=True
            )
        return
    mark_store.set_mark(session, customer.id, deployment.environment, deployment.id, only_new=False)


@dataclass(frozen=True)
class Digest:
    """One customer's digest as planned: its stored version (None: the net difference
    was nothing to tell), what it covers, and the waiting rows it settles."""

    customer: Customer
    version: NoticeVersion | None
    covers: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    settled: Sequence[int] = ()


def due(session: Session, customer: Customer, now: datetime) -> datetime | None:
    """None when a digest is due for ``customer``, else when the next one is."""
    last = version_store.latest(session, SUBJECT, [customer.id]).get(customer.id)
    if last is None or last.created_at is None:
        return None
    wait = DUE_AFTER.get(customer.contacts.cadence, timedelta(0))
    next_at = last.created_at.astimezone(UTC) + wait
    return None if now >= next_at else next_at


def compose(
    session: Session,
    config: Config,
    customer: Customer,
    *,
    store: bool = True,
    now: datetime | None = None,
) -> Digest | None:
    """The customer's digest now: for each environment they have a mark on and that
    has moved on since, the net difference, rendered in every format and stored as
    their next digest version (unless ``store`` is false); the marks move to what
    each environment runs and the waiting rows are settled. None when no environment
    moved (nothing to tell, nothing to settle)."""
    moment = now or datetime.now(UTC)
    covers: dict[str, tuple[int, int]] = {}
    parts: list[dict[str, Any]] = []
    since: list[datetime] = []
    for environment, mark in sorted(mark_store.marks(session, customer.id).items()):
        current = deployment_store.previous_successful(session, environment)
        if current is None or current.id == mark:
            continue
        told = deployment_store.get(session, mark)
        if told is None or told.deployed_at >= current.deployed_at:
            # A pruned deployment, or a mark ahead of the environment: start over.
            covers[environment] = (mark, current.id)
            continue
        covers[environment] = (told.id, current.id)
        since.append(told.deployed_at)
        part = _part(session, config, customer, told, current, moment)
        if part is not None:
            parts.append(part)
    if not covers:
        return None
    ends = {env: deployment_store.get(session, upto) for env, (_, upto) in covers.items()}
    waiting = outbox_store.waiting(session, customer.id)
    settled = [row.id for row in waiting if _covered(session, row.deployment_id, ends)]
    version = None
    if parts:
        documents, title, fingerprint = _render(config, customer, parts, covers, since, moment)
        if store:
            version, _ = version_store.save(
                session,
                customer_id=customer.id,
                subject=SUBJECT,
                title=title,
                documents=documents,
                fingerprint=fingerprint,
            )
        else:
            version = NoticeVersion(0, customer.id, SUBJECT, 0, fingerprint, title, documents)
    if store:
        for environment, (_, upto) in covers.items():
            mark_store.set_mark(session, customer.id, environment, upto, only_new=False)
        outbox_store.settle(
            session,
            settled,
            f"told in digest version {version.version}"
            if version is not None
            else "nothing left to tell: what it brought was taken back before the digest",
        )
    return Digest(customer, version, covers, settled)


def _covered(
    session: Session, deployment_id: int | None, ends: Mapping[str, Deployment | None]
) -> bool:
    """Whether a waiting notice of ``deployment_id`` is told by a digest that brings
    each environment up to ``ends`` (a pruned deployment has nothing left to tell)."""
    if deployment_id is None:
        return False
    deployment = deployment_store.get(session, deployment_id)
    if deployment is None:
        return True
    if deployment.environment not in ends:
        return False
    end = ends[deployment.environment]
    return end is None or deployment.deployed_at <= end.deployed_at


def _part(
    session: Session,
    config: Config,
    customer: Customer,
    earlier: Deployment,
    later: Deployment,
    moment: datetime,
) -> dict[str, Any] | None:
    """One environment's net difference for ``customer``, as a notice's context."""
    impact = impact_between(session, earlier, later, voice=config.voice_options())
    theirs = tuple(ci for ci in impact.customers if ci.customer.id == customer.id)
    if not theirs:
        return None
    # The customer as the registry holds them now (their name, zone, components).
    mine = replace(impact, customers=(replace(theirs[0], customer=customer),))
    options = render_options(config, mine, ("json",), moment)
    held = {h.change.sha for h in held_back_changes(mine.added, options.voice)}
    (context,) = build_contexts(mine, config.components, options, {}, held)
    return context


def _render(
    config: Config,
    customer: Customer,
    parts: Sequence[Mapping[str, Any]],
    covers: Mapping[str, tuple[int, int]],
    since: Sequence[datetime],
    moment: datetime,
) -> tuple[dict[str, str], str, str]:
    """The digest in every format, its title, and a fingerprint of what it says and
    covers (two digests saying the same of different deploys are two versions)."""

    def when(at: datetime) -> str:
        return format_time(at, customer.timezone, customer.locale)

    cadence = customer.contacts.cadence
    # A customer moved to "immediate" gets one summary of what waited, then notices.
    summary = f"{cadence} summary" if cadence != "immediate" else "summary"
    title = f"{config.product}: your {summary} for {customer.name}"
    components = sorted({name for part in parts for name in part["components"]}, key=str.lower)
    context = {
        "kind": "digest",
        "product": config.product,
        "customer": customer_context(customer),
        "lang": "en",
        "title": title,
        "cadence": cadence,
        "summary_name": summary,
        "headline": f"What changed in {config.product} for you since {when(min(since))}",
        "since": when(min(since)),
        "since_iso": min(since).astimezone(UTC).isoformat(),
        "parts": list(parts),
        "components": components,
        "covers": {env: {"from": a, "to": b} for env, (a, b) in sorted(covers.items())},
        "generated_at": when(moment),
    }
    templates = Templates(config.templates)
    documents = {
        fmt: templates.render(f"digest.{fmt}.j2", context) for fmt in ("md", "html", "txt")
    }
    documents["json"] = json.dumps(context, indent=2, ensure_ascii=False) + "\n"
    same = {k: v for k, v in context.items() if k not in ("generated_at", "parts")}
    same["parts"] = [{k: v for k, v in p.items() if k != "generated_at"} for p in parts]
    fingerprint = hashlib.sha256(
        json.dumps(same, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    return documents, title, fingerprint
