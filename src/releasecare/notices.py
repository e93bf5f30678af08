"""Compose the notice pipeline: deployment -> impact -> rendered files -> stored notices.

Every render also stores each customer's notice, in every format, as a notice
version (``store_versions``); delivery asks ``deliverable`` for what to send and
renders nothing itself."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from releasecare.affected import affected_customers
from releasecare.config import Config
from releasecare.domain import NOTICE_FORMATS, Component, Impact, Incident
from releasecare.errors import NotFound
from releasecare.impact import find_impact
from releasecare.render import (
    RenderedNotice,
    RenderOptions,
    build_contexts,
    render_documents,
    render_notices,
)
from releasecare.store import deployments as deployment_store
from releasecare.store import incidents as incident_store
from releasecare.store import notices as notice_store
from releasecare.store import noticeversions as version_store
from releasecare.store.noticeversions import NoticeVersion
from releasecare.templating import Templates
from releasecare.text import plural
from releasecare.voice import UNTYPED, HeldBack, held_back_changes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def render_deployment(
    session: Session,
    config: Config,
    *,
    deploy_id: int | None,
    environment: str | None,
    version: str | None,
    only: Sequence[str],
    formats: Sequence[str],
    out_dir: Path,
    feed: bool = False,
    overview_dir: Path | None = None,
) -> Rendered:
    """Render every affected customer's notice and remember each one, and say which
    changes to components no notice describes (held back: the release manager's to
    word with ``notes edit``, or to hide).

    A deploy that never reached customers (failed, in progress) gets no notice.
    """
    impact = find_impact(
        session, config, deploy_id=deploy_id, environment=environment, version=version
    )
    return render_impact(
        session,
        config,
        impact,
        only=only,
        formats=formats,
        out_dir=out_dir,
        feed=feed,
        overview_dir=overview_dir,
    )


def render_impact(
    session: Session,
    config: Config,
    impact: Impact,
    *,
    only: Sequence[str] = (),
    formats: Sequence[str],
    out_dir: Path,
    feed: bool = False,
    overview_dir: Path | None = None,
    generated_at: datetime | None = None,
) -> Rendered:
    """Render the notices of an impact already found (see ``render_deployment``).

    ``generated_at`` is the time the notices say they were made (default: now); a
    caller that must render the same files again (the CI step) gives a fixed one.
    """
    if impact.changed_nothing:
        return Rendered(impact)
    if only:
        unknown = set(only) - {ci.customer.id for ci in impact.customers}
        if unknown:
            raise NotFound(
                f"not affected by this deployment (or unknown): {', '.join(sorted(unknown))}"
            )
        impact = replace(
            impact, customers=tuple(ci for ci in impact.customers if ci.customer.id in set(only))
        )
    options = render_options(
        config, impact, formats, generated_at, feed=feed, overview_dir=overview_dir
    )
    held = held_back_changes(impact.added, options.voice)
    incidents = incidents_for(session, impact)
    written = render_notices(
        impact,
        config.components,
        out_dir,
        options,
        incidents=incidents,
        held={h.change.sha for h in held},
    )
    if impact.deployment is not None:
        notice_store.remember(session, impact.deployment.id, written)
        store_versions(session, config, impact, options, incidents, {h.change.sha for h in held})
    return Rendered(impact, written, held)


def render_options(
    config: Config,
    impact: Impact,
    formats: Sequence[str],
    generated_at: datetime | None,
    *,
    feed: bool = False,
    overview_dir: Path | None = None,
) -> RenderOptions:
    return RenderOptions(
        product=config.product,
        formats=tuple(formats),
        template_dir=config.templates,
        feed=feed,
        overview_dir=overview_dir,
        voice=config.voice_options(c.author_name for c in impact.changes),
        base_url=config.product_url,
        environment_names={key: env.name for key, env in config.environments.items()},
        generated_at=generated_at,
    )


def store_versions(
    session: Session,
    config: Config,
    impact: Impact,
    options: RenderOptions,
    incidents: Mapping[str, Sequence[Incident]],
    held: Collection[str],
) -> list[NoticeVersion]:
    """Each affected customer's notice in every format, rendered in memory and stored
    as their newest version of the deployment's notice, unless the newest stored one
    says the same (the moment it was made aside): a notice version grows only when
    what the customer reads changes."""
    assert impact.deployment is not None
    subject = f"deployment:{impact.deployment.id}"
    contexts = build_contexts(impact, config.components, options, incidents, held)
    documents: dict[str, dict[str, str]] = {}
    titles: dict[str, str] = {}
    fingerprints: dict[str, hashlib._Hash] = {}
    templates = Templates(options.template_dir)
    for context, fmt, text in render_documents(contexts, NOTICE_FORMATS, templates):
        customer_id = context["customer"]["id"]
        documents.setdefault(customer_id, {})[fmt] = text
        titles[customer_id] = str(context.get("title", ""))
        if customer_id not in fingerprints:
            same = {k: v for k, v in context.items() if k != "generated_at"}
            fingerprints[customer_id] = hashlib.sha256(
                json.dumps(same, sort_keys=True, ensure_ascii=False, default=str).encode()
            )
        if fmt != "json":
            fingerprints[customer_id].update(f"\0{fmt}\0{text}".encode())
    return [
        version_store.save(
            session,
            customer_id=customer_id,
            subject=subject,
            title=titles[customer_id],
            documents=docs,
            fingerprint=fingerprints[customer_id].hexdigest(),
            deployment_id=impact.deployment.id,
        )[0]
        for customer_id, docs in documents.items()
    ]


@dataclass(frozen=True)
class Deliverable:
    """What delivery may send for a deployment: its impact and each affected
    customer's newest notice version (``rendered``: how many had to be made now)."""

    impact: Impact
    versions: list[NoticeVersion] = field(default_factory=list)
    rendered: int = 0


def deliverable(
    session: Session,
    config: Config,
    deploy_id: int,
    *,
    only: Sequence[str] = (),
    store: bool = True,
) -> Deliverable:
    """The notice versions to send for deployment ``deploy_id``: for each customer it
    affects (or those of ``only``), the newest stored version; a customer with none
    yet gets one rendered in memory (and stored, unless ``store`` is false: a dry
    run). Nothing is rendered again when a version exists: what is sent is what was
    rendered, also on a machine without the repository's overrides or templates."""
    impact = find_impact(session, config, deploy_id=deploy_id)
    if impact.changed_nothing or impact.deployment is None:
        return Deliverable(impact)
    subject = f"deployment:{impact.deployment.id}"
    if only:
        unknown = set(only) - {ci.customer.id for ci in impact.customers}
        if unknown:
            raise NotFound(
                f"not affected by this deployment (or unknown): {', '.join(sorted(unknown))}"
            )
        impact = replace(
            impact, customers=tuple(ci for ci in impact.customers if ci.customer.id in set(only))
        )
    ids = [ci.customer.id for ci in impact.customers]
    stored = version_store.latest(session, subject, ids)
    missing = [i for i in ids if i not in stored]
    made = 0
    if missing:
        wanted = set(missing)
        rest = replace(
            impact, customers=tuple(c for c in impact.customers if c.customer.id in wanted)
        )
        options = render_options(config, rest, NOTICE_FORMATS, None)
        held = {h.change.sha for h in held_back_changes(rest.added, options.voice)}
        incidents = incidents_for(session, rest)
        if store:
            fresh = store_versions(session, config, rest, options, incidents, held)
        else:
            fresh = _unsaved(config, rest, options, incidents, held)
        stored.update({v.customer_id: v for v in fresh})
        made = len(fresh)
    return Deliverable(impact, [stored[i] for i in ids if i in stored], made)


def _unsaved(
    config: Config,
    impact: Impact,
    options: RenderOptions,
    incidents: Mapping[str, Sequence[Incident]],
    held: Collection[str],
) -> list[NoticeVersion]:
    """Versions as a dry run shows them: rendered, titled, not stored (id 0)."""
    assert impact.deployment is not None
    contexts = build_contexts(impact, config.components, options, incidents, held)
    return [
        NoticeVersion(
            id=0,
            customer_id=str(c["customer"]["id"]),
            subject=f"deployment:{impact.deployment.id}",
            version=1,
            fingerprint="",
            title=str(c.get("title", "")),
            documents={},
            deployment_id=impact.deployment.id,
        )
        for c in contexts
    ]


@dataclass(frozen=True)
class Rendered:
    """What ``notes render`` did: the impact, the files, and the changes no notice
    describes (counted in the notices, listed for the release manager)."""

    impact: Impact
    written: list[RenderedNotice] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)


# How many held-back changes a render lists on the terminal; ``--json`` has them all.
LISTED = 25


def held_back_report(
    held: Sequence[HeldBack], components: Mapping[str, Component], limit: int = LISTED
) -> list[str]:
    """The release manager's warning: how many changes no notice describes and why,
    what to do, and the changes themselves (sha, subject, components, reason)."""
    if not held:
        return []
    untyped = sum(1 for h in held if h.reason == UNTYPED)
    why = [
        f"{untyped} with no Conventional Commits type" if untyped else "",
        f"{len(held) - untyped} held back by the cleaner or the voice lint"
        if len(held) > untyped
        else "",
    ]
    lines = [
        f"warning: {plural(len(held), 'change')} to components {'is' if len(held) == 1 else 'are'}"
        f" in no notice ({', '.join(w for w in why if w)}); notices count them as not "
        'described. Word each with `releasecare notes edit SHA --text "..."`, or keep it '
        "out with `--hide`:"
    ]
    for h in held[:limit]:
        names = ", ".join(
            sorted(
                (components[k].name if k in components else k for k in h.change.components),
                key=str.lower,
            )
        )
        lines.append(f"  {h.change.sha[:10]}  {h.change.summary} ({names}): {h.reason}")
    if len(held) > limit:
        lines.append(f"  ... and {len(held) - limit} more (`--json` lists them all)")
    return lines


def incidents_for(session: Session, impact: Impact) -> dict[str, list[Incident]]:
    """Per customer, the incidents on the environment since its previous deployment that
    affected them (``affected``: fixed when an incident resolved)."""
    if impact.deployment is None:
        return {}
    before = deployment_store.previous_successful(
        session, impact.environment, before=impact.deployment
    )
    found = incident_store.during(
        session,
        impact.environment,
        before.deployed_at if before else None,
        impact.deployment.deployed_at,
    )
    hurt = {i.id: {row.customer_id for row in affected_customers(session, i)} for i in found}
    return {
        ci.customer.id: [i for i in found if ci.customer.id in hurt[i.id]]
        for ci in impact.customers
    }
