"""``releasecare impact``: who a deployment touches, before or after it happens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import click

from releasecare.cli.app import (
    App,
    emit_json,
    json_option,
    nothing_changed,
    parse_time,
    pass_app,
)

if TYPE_CHECKING:
    from releasecare.domain import Component, Impact


@click.command()
@click.argument("deploy_id", required=False, type=int)
@click.option("--env", "environment", help="Environment (with --version: a preview).")
@click.option("--version", "version", help="Version to deploy or deployed.")
@click.option("--at", "at", metavar="ISO8601", help="Preview as of this time (default: now).")
@click.option("--strict", is_flag=True, help="Exit 1 when the deploy falls in a customer's freeze.")
@json_option
@pass_app
def impact(
    app: App,
    deploy_id: int | None,
    environment: str | None,
    version: str | None,
    at: str | None,
    strict: bool,
    as_json: bool,
) -> None:
    """Which customers a deployment touches, through which components and changes.

    Give a recorded DEPLOY_ID, or --env and --version. With --env/--version a
    recorded deployment of that version is used when there is one; otherwise it is
    a preview of what deploying it now would change.

    \b
    Examples:
      releasecare impact 7 --json
      releasecare impact --env production-eu --version v2.4.0 --strict
    """
    from releasecare.documents import impact_json
    from releasecare.errors import CheckFailed
    from releasecare.impact import find_impact, freeze_conflicts

    with app.reading() as db:
        result = find_impact(
            db,
            app.config,
            deploy_id=deploy_id,
            environment=environment,
            version=version,
            at=parse_time(at, "--at"),
        )
    if as_json:
        emit_json(impact_json(result))
    else:
        click.echo(impact_text(result, app.config.components))
    conflicts = freeze_conflicts(result)
    if strict and conflicts:
        raise CheckFailed(
            f"{len(conflicts)} customer(s) are in a change freeze: "
            + ", ".join(c.customer.id for c in conflicts)
        )


def impact_text(impact: Impact, components: Mapping[str, Component]) -> str:
    """A compact report: the range, then per component, then per customer."""
    from releasecare.text import plural

    deployment = impact.deployment
    if deployment is not None and impact.changed_nothing:
        return (
            f"{nothing_changed(deployment)} ({impact.environment} still runs "
            f"{impact.previous_version or 'what it ran before'})"
        )
    head = (f"deployment #{deployment.id}: " if deployment else "preview: ") + (
        f"{impact.previous_version or '(nothing)'} -> {impact.version} on {impact.environment}"
    )
    if impact.previous_assumed:
        head += f"  (before: assumed {impact.previous_version}, the first deploy recorded there)"
    lines = [head + ("  [ROLLBACK: these changes are taken away]" if impact.rollback else "")]
    mapped = [c for c in impact.changes if c.components]
    counted = plural(len(impact.changes), "change")
    if impact.removed and impact.added:
        counted = f"{len(impact.added)} added, {len(impact.removed)} removed"
    lines.append(
        f"{counted}: {len(mapped)} touch components, "
        f"{len(impact.unmapped_changes)} touch none; "
        f"{plural(len(impact.customers), 'customer')} affected"
    )
    lost = impact.lost
    if lost and impact.added and not impact.rollback:
        # Across release branches: the new version lacks what the environment had
        # (a change picked to both branches under the same subject is not lost).
        telling = sum(1 for c in lost if c.sha in impact.facing)
        lines += [
            "",
            f"warning: {impact.version} lacks {plural(len(lost), 'change')} that "
            f"{impact.environment} had with {impact.previous_version} "
            f"({telling} of them customer-facing); customers lose them:",
            *(f"  {c.sha[:10]} {c.summary}" for c in lost[:20]),
        ]
        if len(lost) > 20:
            lines.append(f"  ... and {len(lost) - 20} more (--json lists them all)")
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


COMMANDS = [impact]
