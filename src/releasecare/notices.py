"""Compose the notice pipeline: deployment -> impact -> rendered files -> stored notices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from releasecare.config import Config
from releasecare.domain import Impact, Incident
from releasecare.errors import NotFound
from releasecare.impact import find_impact
from releasecare.render import RenderedNotice, RenderOptions, render_notices
from releasecare.store import deployments as deployment_store
from releasecare.store import incidents as incident_store
from releasecare.store import notices as notice_store

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
) -> tuple[Impact, list[RenderedNotice]]:
    """Render every affected customer's notice and remember each one.

    A deploy that never reached customers (failed, in progress) gets no notice.
    """
    impact = find_impact(
        session, config, deploy_id=deploy_id, environment=environment, version=version
    )
    return impact, render_impact(
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
) -> list[RenderedNotice]:
    """Render the notices of an impact already found (see ``render_deployment``).

    ``generated_at`` is the time the notices say they were made (default: now); a
    caller that must render the same files again (the CI step) gives a fixed one.
    """
    if impact.changed_nothing:
        return []
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
    written = render_notices(
        impact, config.components, out_dir, options, incidents=incidents_for(session, impact)
    )
    if impact.deployment is not None:
        notice_store.remember(session, impact.deployment.id, written)
    return written


def incidents_for(session: Session, impact: Impact) -> dict[str, list[Incident]]:
    """Per customer, the incidents on the environment since its previous deployment that
    touched a component they use (an incident naming no component touched everyone)."""
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
    return {
        ci.customer.id: [
            i for i in found if not i.components or set(i.components) & set(ci.components)
        ]
        for ci in impact.customers
    }
