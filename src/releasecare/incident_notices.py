"""Incident notices: one per affected customer, a new version with every update.

What a customer reads: the incident's public title (never the internal one; without
one, "A problem with <their components>"), its status in plain words, when it
started and ended in their time zone and date format and how long it lasted, which
of their components it affected by the names they know, and every update, newest
first. Nothing else of ours: no internal title, no suspect deploy, no other customer.

Each update makes a new version: the file names carry it
(``2026-10-22-production-eu-incident-4-u3.md``), earlier versions stay, and the
customer's index and feed list every version in order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasecare.affected import Hurt, hurt
from releasecare.config import Config
from releasecare.domain import NOTICE_FORMATS, Component, Customer, Incident
from releasecare.errors import NotFound
from releasecare.feeds import update_feed
from releasecare.incidents import require
from releasecare.outdir import OutputFolder
from releasecare.render import (
    RenderedNotice,
    RenderOptions,
    customer_context,
    format_time,
    index_files,
    published_url,
)
from releasecare.slugs import safe_slug
from releasecare.store import customers as customer_store
from releasecare.store import notices as notice_store
from releasecare.store import noticeversions as version_store
from releasecare.store.noticeversions import NoticeVersion
from releasecare.templating import Templates
from releasecare.text import duration_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# The status as a customer reads it.
STATUS_TEXT = {
    "investigating": "We are looking into it",
    "identified": "We know what is wrong and are fixing it",
    "monitoring": "Fixed; we are making sure it stays fixed",
    "resolved": "Resolved",
    # An imported Statuspage update after the resolution: the write-up of what happened.
    "postmortem": "Resolved; what happened is written up",
}


def incident_stem(incident: Incident) -> str:
    """The file name (without extension) of one version of an incident's notices."""
    day = incident.started_at.astimezone(UTC).strftime("%Y-%m-%d")
    return safe_slug(
        f"{day}-{incident.environment}-incident-{incident.id}-u{len(incident.updates)}"
    )


def customer_title(incident: Incident, names: Sequence[str], product: str) -> str:
    """The public title, else what was hit: the internal title never reaches a customer."""
    return incident.public_title or f"A problem with {', '.join(names) or product}"


def incident_context(
    incident: Incident,
    customer: Customer,
    affected: Hurt,
    components: Mapping[str, Component],
    options: RenderOptions,
    now: datetime,
) -> dict[str, Any]:
    """What the incident templates get for one customer: plain, pre-sorted data."""

    def when(moment: datetime) -> str:
        return format_time(moment, customer.timezone, customer.locale)

    names = sorted(
        (components[k].name if k in components else k for k in affected.components),
        key=str.lower,
    )
    title = customer_title(incident, names, options.product)
    latest = incident.updates[-1].at if incident.updates else incident.started_at
    length = duration_text(affected.minutes * 60)
    environment = options.environment_names.get(incident.environment, incident.environment)
    status = STATUS_TEXT.get(incident.status, incident.status)
    return {
        "kind": "incident",
        "product": options.product,
        "customer": customer_context(customer),
        "lang": "en",
        "title": f"{options.product}: {title}",
        "headline": f"{options.product}, {environment}: "
        + (f"resolved, after {length}." if not incident.is_open else f"{status.lower()}."),
        "incident": {
            "id": incident.id,
            "title": title,
            "status": incident.status,
            "status_text": status,
            "started_at": when(incident.started_at),
            "started_at_iso": incident.started_at.astimezone(UTC).isoformat(),
            "resolved_at": when(incident.resolved_at) if incident.resolved_at else None,
            "resolved_at_iso": (
                incident.resolved_at.astimezone(UTC).isoformat() if incident.resolved_at else None
            ),
            "length": length,
            "minutes": affected.minutes,
            "components": names,
            "updates": [
                {
                    "at": when(u.at),
                    "at_iso": u.at.astimezone(UTC).isoformat(),
                    "status": u.status,
                    "status_text": STATUS_TEXT.get(u.status, u.status),
                    "message": u.message,
                }
                for u in reversed(incident.updates)
            ],
        },
        "update_number": len(incident.updates),
        # What the customer's index and feed show for this version.
        "entry": {
            "at_iso": latest.astimezone(UTC).isoformat(),
            "at": when(latest),
            "label": f"{title} (update {len(incident.updates)})" if incident.updates else title,
            "summary": f"{status}; {length}" + (" so far" if incident.is_open else ""),
        },
        "environment_name": environment,
        "generated_at": when(now),
    }


def render_incident(
    session: Session,
    config: Config,
    incident_id: int,
    *,
    only: Sequence[str],
    formats: Sequence[str],
    out_dir: Path,
    feed: bool = False,
    now: datetime | None = None,
) -> tuple[Incident, list[RenderedNotice]]:
    """Write this version of the incident's notice for every affected customer (or
    ``only`` those), their index and feed, and remember each file; each customer's
    notice in every format is stored as a notice version too (what ``notify
    --incident`` sends)."""
    incident, contexts, options = _contexts(
        session, config, incident_id, only=only, formats=formats, feed=feed, now=now
    )
    written = write_incident_notices(contexts, incident_stem(incident), out_dir, options)
    notice_store.remember_incident(session, incident.id, len(incident.updates), written)
    _store_versions(session, incident, contexts, options)
    return incident, written


@dataclass(frozen=True)
class IncidentDeliverable:
    """What delivery may send for an incident: each affected customer's newest notice
    version, and the customers as the registry holds them now (their contacts)."""

    incident: Incident
    versions: list[NoticeVersion] = field(default_factory=list)
    customers: Mapping[str, Customer] = field(default_factory=dict)


def deliverable_incident(
    session: Session,
    config: Config,
    incident_id: int,
    *,
    only: Sequence[str] = (),
    store: bool = True,
    now: datetime | None = None,
) -> IncidentDeliverable:
    """The incident's notice as it stands now, for every affected customer (or
    ``only`` those): the stored version when its content is the same, else the next
    version, stored unless ``store`` is false (a dry run). Each update (a status, a
    message, the end) is a new version; the passing of time alone is not."""
    incident, contexts, options = _contexts(
        session, config, incident_id, only=only, formats=NOTICE_FORMATS, now=now
    )
    customers = {
        str(c["customer"]["id"]): customer_store.get(session, str(c["customer"]["id"]))
        for c in contexts
    }
    present = {key: c for key, c in customers.items() if c is not None}
    if store:
        versions = _store_versions(session, incident, contexts, options)
    else:
        stored = version_store.latest(session, f"incident:{incident.id}", list(customers))
        versions = [
            stored.get(str(c["customer"]["id"]))
            or NoticeVersion(
                id=0,
                customer_id=str(c["customer"]["id"]),
                subject=f"incident:{incident.id}",
                version=1,
                fingerprint="",
                title=str(c["title"]),
                documents={},
                incident_id=incident.id,
            )
            for c in contexts
        ]
    return IncidentDeliverable(incident, versions, present)


def _contexts(
    session: Session,
    config: Config,
    incident_id: int,
    *,
    only: Sequence[str],
    formats: Sequence[str],
    feed: bool = False,
    now: datetime | None = None,
) -> tuple[Incident, list[dict[str, Any]], RenderOptions]:
    moment = now or datetime.now(UTC)
    incident = require(session, incident_id)
    affected = hurt(session, incident, moment)
    if only:
        unknown = set(only) - {h.customer_id for h in affected}
        if unknown:
            raise NotFound(
                f"not affected by incident {incident_id} (or unknown): {', '.join(sorted(unknown))}"
            )
        affected = [h for h in affected if h.customer_id in set(only)]
    options = RenderOptions(
        product=config.product,
        formats=tuple(formats),
        template_dir=config.templates,
        feed=feed,
        base_url=config.product_url,
        environment_names={key: env.name for key, env in config.environments.items()},
        generated_at=moment,
    )
    contexts = []
    for item in affected:
        # A customer removed from the registry since keeps the incident, in UTC.
        customer = customer_store.get(session, item.customer_id) or Customer(
            item.customer_id, item.name
        )
        contexts.append(
            incident_context(incident, customer, item, config.components, options, moment)
        )
    return incident, contexts, options


# What changes with the clock alone while an incident is open: not a new version.
_CLOCK_FIELDS = ("length", "minutes")


def _fingerprint(context: Mapping[str, Any]) -> str:
    same = {k: v for k, v in context.items() if k not in ("generated_at", "entry", "headline")}
    same["incident"] = {k: v for k, v in context["incident"].items() if k not in _CLOCK_FIELDS}
    if context["incident"]["resolved_at"]:
        same["length"] = context["incident"]["length"]
    return hashlib.sha256(
        json.dumps(same, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _store_versions(
    session: Session,
    incident: Incident,
    contexts: Sequence[Mapping[str, Any]],
    options: RenderOptions,
) -> list[NoticeVersion]:
    """Each customer's notice in every format, stored as their newest version of the
    incident's notice unless the newest one says the same."""
    templates = Templates(options.template_dir)
    versions = []
    for context in contexts:
        documents = {
            fmt: (
                json.dumps(context, indent=2, ensure_ascii=False) + "\n"
                if fmt == "json"
                else templates.render(f"incident.{fmt}.j2", context)
            )
            for fmt in NOTICE_FORMATS
        }
        version, _ = version_store.save(
            session,
            customer_id=str(context["customer"]["id"]),
            subject=f"incident:{incident.id}",
            title=str(context["title"]),
            documents=documents,
            fingerprint=_fingerprint(context),
            incident_id=incident.id,
        )
        versions.append(version)
    return versions


def write_incident_notices(
    contexts: Sequence[dict[str, Any]], stem: str, out_dir: Path, options: RenderOptions
) -> list[RenderedNotice]:
    """Render every file first, then write them in one batch (as deploy notices are):
    a template that fails for one customer leaves no notice behind."""
    out = OutputFolder(out_dir, option="--out")
    templates = Templates(options.template_dir)
    files: list[tuple[Path, str]] = []
    notices: list[tuple[str, str, int]] = []  # (customer, format, index in files)
    for context in contexts:
        customer_id = context["customer"]["id"]
        folder = out.folder_for_customer(customer_id)
        for fmt in options.formats:
            text = (
                json.dumps(context, indent=2, ensure_ascii=False) + "\n"
                if fmt == "json"
                else templates.render(f"incident.{fmt}.j2", context)
            )
            notices.append((customer_id, fmt, len(files)))
            files.append((folder / f"{stem}.{fmt}", text))
        files += index_files(
            out, folder, context, templates, stem, options.formats, own=context["entry"]
        )
        if options.feed:
            files += update_feed(
                out,
                folder,
                {**context, "notice_file": f"{stem}.html"},
                templates,
                published_url(options.base_url, folder),
            )
    paths = out.write_all(files)
    return [
        RenderedNotice(c, fmt, paths[n], hashlib.sha256(files[n][1].encode()).hexdigest())
        for c, fmt, n in notices
    ]
