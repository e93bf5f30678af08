"""Impact as the release manager reads it: JSON for pipelines, text for people.

The JSON keys are the public contract of DESIGN.md; add freely, rename nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from releasecare.domain import Change, Component, Impact


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def change_json(change: Change) -> dict[str, Any]:
    return {
        "sha": change.sha,
        "summary": change.summary,
        "type": change.type,
        "scope": change.scope,
        "breaking": change.breaking,
        "components": list(change.components),
        "customer_note": change.customer_note,
        "visible": change.visible,
        "release": change.release,
    }


def impact_json(impact: Impact) -> dict[str, Any]:
    deployment = impact.deployment
    return {
        "deployment": {
            "id": deployment.id if deployment else None,
            "environment": impact.environment,
            "version": impact.version,
            "previous_version": impact.previous_version,
            "status": deployment.status if deployment else "preview",
            "deployed_at": deployment.deployed_at.isoformat() if deployment else None,
            "rollback": impact.rollback,
        },
        "changes": [change_json(c) for c in impact.changes if c.components],
        "unmapped_changes": [change_json(c) for c in impact.unmapped_changes],
        "components": list(impact.components),
        "customers": [
            {
                "id": ci.customer.id,
                "name": ci.customer.name,
                "components": list(ci.components),
                "changes": [c.sha for c in ci.changes],
                "freeze_conflicts": [
                    {"start": w.start.isoformat(), "end": w.end.isoformat(), "reason": w.reason}
                    for w in ci.freeze_conflicts
                ],
            }
            for ci in impact.customers
        ],
        "freeze_conflicts": [ci.customer.id for ci in impact.customers if ci.freeze_conflicts],
    }


def impact_text(impact: Impact, components: Mapping[str, Component]) -> str:
    """A compact report: the range, then per component, then per customer."""
    deployment = impact.deployment
    head = (f"deployment #{deployment.id}: " if deployment else "preview: ") + (
        f"{impact.previous_version or '(nothing)'} -> {impact.version} on {impact.environment}"
    )
    lines = [head + ("  [ROLLBACK: these changes are taken away]" if impact.rollback else "")]
    mapped = [c for c in impact.changes if c.components]
    lines.append(
        f"{plural(len(impact.changes), 'change')}: {len(mapped)} touch components, "
        f"{len(impact.unmapped_changes)} touch none; "
        f"{plural(len(impact.customers), 'customer')} affected"
    )
    if impact.components:
        lines += ["", "components:"]
        for key in impact.components:
            name = components[key].name if key in components else key
            count = sum(1 for c in mapped if key in c.components)
            users = sum(1 for ci in impact.customers if key in ci.components)
            lines.append(
                f"  {key:<16} {name:<24} {plural(count, 'change'):>12}  "
                f"{plural(users, 'customer'):>14}"
            )
    if impact.customers:
        lines += ["", "customers:"]
        for ci in impact.customers:
            freeze = ""
            if ci.freeze_conflicts:
                reasons = ", ".join(w.reason or "freeze" for w in ci.freeze_conflicts)
                freeze = f"  FREEZE: {reasons}"
            lines.append(
                f"  {ci.customer.id:<20} {plural(len(ci.changes), 'change'):>12} via "
                f"{', '.join(ci.components) or '(unmapped changes)'}{freeze}"
            )
    if impact.unmapped_changes:
        lines += ["", "changes that touch no component (see `releasecare components --check`):"]
        lines += [f"  {c.sha[:10]} {c.summary}" for c in impact.unmapped_changes[:20]]
        if len(impact.unmapped_changes) > 20:
            lines.append(f"  ... and {len(impact.unmapped_changes) - 20} more")
    return "\n".join(lines)
