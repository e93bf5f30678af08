"""Compose the notice pipeline: deployment -> impact -> rendered files -> stored notices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from releasecare.affected import affected_customers
from releasecare.config import Config
from releasecare.domain import Component, Impact, Incident
from releasecare.errors import NotFound
from releasecare.impact import find_impact
from releasecare.render import RenderedNotice, RenderOptions, render_notices
from releasecare.store import deployments as deployment_store
from releasecare.store import incidents as incident_store
from releasecare.store import notices as notice_store
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
    options = RenderOptions(
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
    held = held_back_changes(impact.added, options.voice)
    written = render_notices(
        impact,
        config.components,
        out_dir,
        options,
        incidents=incidents_for(session, impact),
        held={h.change.sha for h in held},
    )
    if impact.deployment is not None:
        notice_store.remember(session, impact.deployment.id, written)
    return Rendered(impact, written, held)


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
