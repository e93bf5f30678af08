"""A customer's timeline: the deployments that touched them and the incidents that hurt
them, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from releasecare.affected import incident_events
from releasecare.domain import Customer
from releasecare.impact import impact_of_deployment
from releasecare.store import deployments as deployment_store
from releasecare.store import releases as release_store
from releasecare.text import plural
from releasecare.voice import VoiceOptions

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def timeline(
    session: Session,
    customer: Customer,
    *,
    unmapped: str = "ignore",
    voice: VoiceOptions | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Deployments on the customer's environments whose customer-facing changes
    touched them, and the incidents that affected them, newest first."""
    known = release_store.positions(session)
    events: list[dict[str, Any]] = []
    newest_first = sorted(
        deployment_store.history(session), key=lambda d: (d.deployed_at, d.id), reverse=True
    )
    for deployment in newest_first:
        if len(events) >= limit:
            break
        if not customer.lives_on(deployment.environment) or deployment.version not in known:
            continue
        if not deployment.reached_customers:
            continue
        impact = impact_of_deployment(session, deployment, unmapped=unmapped, voice=voice)
        mine = next((ci for ci in impact.customers if ci.customer.id == customer.id), None)
        if mine is None:
            continue
        word = "rolled back to" if impact.rollback else "deployed"
        events.append(
            {
                "at": deployment.deployed_at.isoformat(),
                "kind": "deployment",
                "deployment_id": deployment.id,
                "environment": deployment.environment,
                "version": deployment.version,
                "previous_version": impact.previous_version,
                "rollback": impact.rollback,
                "components": list(mine.components),
                "changes": len(mine.changes),
                "summary": f"{word} {deployment.version} on {deployment.environment}: "
                f"{plural(len(mine.changes), 'change')} via {', '.join(mine.components)}",
            }
        )
    events.extend(incident_events(session, customer.id, customer.environments))
    events.sort(key=lambda e: str(e["at"]), reverse=True)
    return events[:limit]
