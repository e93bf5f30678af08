"""``releasecare incident open|update|list|show``."""

from __future__ import annotations

from typing import Any

import click

from releasecare.cli.app import App, emit_json, info, json_option, parse_time, pass_app
from releasecare.domain import INCIDENT_STATUSES, SEVERITIES


@click.group()
def incident() -> None:
    """Record incidents, find the deploy behind them, see who was hurt and for how long."""


def _warn(findings: Any) -> None:
    from releasecare.annotations import plain

    for line in plain(findings, "warning"):
        info(line)


def _since(value: str | None) -> Any:
    """--since: a date (midnight UTC) or an ISO 8601 time with its offset."""
    from datetime import UTC, date, datetime

    if value is None:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return parse_time(value, "--since")
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@incident.command("open")
@click.option("--title", required=True, help="What went wrong, for us (internal).")
@click.option("--env", "environment", required=True, help="The environment it happens on.")
@click.option(
    "--component",
    "components",
    multiple=True,
    metavar="KEY",
    help="A component it affects (repeat; none: every customer on ENV).",
)
@click.option("--severity", type=click.Choice(SEVERITIES))
@click.option("--started-at", "started_at", metavar="ISO8601", help="When it began (default: now).")
@click.option(
    "--deploy",
    "deploy_id",
    type=int,
    metavar="ID",
    help="The suspect deployment, when known (else releasecare links one).",
)
@click.option(
    "--customer",
    "customers",
    multiple=True,
    metavar="ID",
    help="A customer it affects besides those using the components (repeat).",
)
@click.option("--message", help="The first customer-facing update.")
@click.option(
    "--id",
    "external_id",
    metavar="EXTERNAL_ID",
    help="Its id in your tool; opening it twice opens it once (in GitHub Actions or "
    "GitLab CI the default is one made of the run's id, ENV and the title, so a "
    "retried job opens it once).",
)
@click.option("--public-title", "public_title", help="The title customers read.")
@json_option
@pass_app
def open_(
    app: App,
    title: str,
    environment: str,
    components: tuple[str, ...],
    severity: str | None,
    started_at: str | None,
    deploy_id: int | None,
    customers: tuple[str, ...],
    message: str | None,
    external_id: str | None,
    public_title: str | None,
    as_json: bool,
) -> None:
    """Open an incident and print its id.

    Without --deploy, the suspect is the latest deploy to ENV before the start whose
    changes touch one of the components, within [incidents] lookback_hours (24); the
    line on stderr says which and why, or that there is none.

    \b
    Example:
      releasecare incident open --env production-eu --component checkout \\
          --severity major --title "Card payments failing (PSP timeouts)" \\
          --public-title "Card payments failing" \\
          --message "Card payments fail for some of you. We are investigating." \\
          --id "$CI_PIPELINE_ID"
    """
    import os
    from pathlib import Path

    from releasecare.ci import detect, run_key
    from releasecare.incidents import open_incident
    from releasecare.suspects import verdict

    if external_id is None:
        external_id = run_key(detect(os.environ, Path.cwd()), environment, title)
    with app.transaction() as session:
        opened = open_incident(
            session,
            app.config,
            title=title,
            environment=environment,
            components=components,
            severity=severity,
            started_at=parse_time(started_at, "--started-at"),
            deploy_id=deploy_id,
            customers=customers,
            message=message,
            external_id=external_id,
            public_title=public_title,
        )
    line = verdict(app.config, opened.linking) if opened.linking else None
    if as_json:
        from releasecare.documents import incident_open_json

        emit_json(incident_open_json(opened, line))
    else:
        click.echo(opened.incident.id)
    if not opened.created:
        info(f"incident {opened.incident.id} was opened already (--id {external_id})")
    elif line:
        info(line)
    _warn(opened.warnings)


@incident.command("update")
@click.argument("incident_id", type=int)
@click.option("--status", required=True, type=click.Choice(INCIDENT_STATUSES))
@click.option("--message", required=True, help="What customers read: what they see, now.")
@click.option("--at", "at", metavar="ISO8601", help="When (default: now).")
@click.option("--reopen", is_flag=True, help="Move a resolved incident back to an open state.")
@json_option
@pass_app
def update(
    app: App,
    incident_id: int,
    status: str,
    message: str,
    at: str | None,
    reopen: bool,
    as_json: bool,
) -> None:
    """Add an update to incident INCIDENT_ID and move it to --status.

    The status moves forward (investigating, identified, monitoring, resolved), or
    stays for another update; resolved sets the end and fixes the customers it
    affected. A resolved incident moves again only with --reopen. The message gets
    the incident voice rules, as warnings.

    \b
    Example:
      releasecare incident update 7 --status identified \\
          --message "Card payments fail for some of you. We have found why and are fixing it."
    """
    from releasecare.incidents import update_incident

    with app.transaction() as session:
        updated = update_incident(
            session,
            app.config,
            incident_id,
            status=status,
            message=message,
            at=parse_time(at, "--at"),
            reopen=reopen,
        )
    if as_json:
        from releasecare.documents import incident_update_json

        emit_json(incident_update_json(updated))
    else:
        click.echo(f"incident {updated.incident.id}: {updated.incident.status}")
    _warn(updated.warnings)


@incident.command("import")
@click.argument("source")
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["statuspage", "pagerduty"]),
    help="The tool the export comes from.",
)
@click.option(
    "--env",
    "environment",
    help="The environment the incidents are on (default: [incidents] import_env).",
)
@click.option(
    "--token-env",
    metavar="VAR",
    help="Environment variable holding the API token (default: [incidents.FORMAT] "
    "token_env, else PAGERDUTY_TOKEN or STATUSPAGE_TOKEN).",
)
@json_option
@pass_app
def import_(
    app: App, source: str, fmt: str, environment: str | None, token_env: str | None, as_json: bool
) -> None:
    """Import incidents from a Statuspage or PagerDuty export: a file, standard input
    (-) or the API's URL.

    Importing the same incidents again updates them and their updates, never stores
    one twice; the tool's history is kept as it was. Component and service names map
    to component keys through [incidents.component_map] (a component's key or name
    matches without it); unknown names are reported. A malformed export is refused
    whole (exit 2, naming the file and the JSON path); nothing is stored.

    \b
    Examples:
      releasecare incident import incidents.json --format statuspage --env production-eu
      curl -s https://status.example.com/api/v2/incidents.json \\
          | releasecare incident import - --format statuspage --env production-eu
      PAGERDUTY_TOKEN=... releasecare incident import --format pagerduty \\
          --env production-eu "https://api.pagerduty.com/incidents?since=2026-11-01"
    """
    from releasecare.incident_import import import_incidents

    with app.transaction() as session:
        result = import_incidents(
            session, app.config, source, fmt, environment=environment, token_env=token_env
        )
    if as_json:
        from releasecare.documents import incident_import_json

        emit_json(incident_import_json(result))
    else:
        for item in result.incidents:
            found = item.incident
            parts = f" [{', '.join(found.components)}]" if found.components else ""
            click.echo(
                f"{item.outcome:<9} incident {found.id} ({fmt} {found.external_id}): "
                f"{found.status}{parts}"
            )
        from releasecare.text import plural

        click.echo(
            f"read {plural(len(result.incidents), 'incident')}: {result.count('created')} new, "
            f"{result.count('updated')} updated, {result.count('unchanged')} unchanged"
        )
    for skipped in result.skipped:
        info(f"skipped {skipped.location}: {skipped.reason}")
    for item in result.incidents:
        for name in item.unknown_components:
            whole = (
                f"; it names no known component, so it counts for every customer on "
                f"{result.environment}"
                if not item.incident.components
                else ""
            )
            info(
                f"warning: incident {item.incident.id} ({fmt} {item.incident.external_id}): "
                f"unknown component {name!r}{whole}; map it in [incidents.component_map]"
            )
        if item.suspect_line and not as_json:
            info(f"incident {item.incident.id}: {item.suspect_line}")
        _warn(item.warnings)


@incident.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only incidents not resolved.")
@click.option("--env", "environment", help="Only this environment.")
@click.option("--since", metavar="DATE", help="Only incidents open at some point since DATE.")
@json_option
@pass_app
def list_(
    app: App, open_only: bool, environment: str | None, since: str | None, as_json: bool
) -> None:
    """Incidents, newest first, with their status and how long they lasted."""
    from releasecare.affected import incident_minutes
    from releasecare.incidents import list_incidents
    from releasecare.text import duration_text

    with app.transaction() as session:
        found = list_incidents(
            session,
            app.config,
            open_only=open_only,
            environment=environment,
            since=_since(since),
        )
    rows = [(i, incident_minutes(i)) for i in found]
    if as_json:
        from releasecare.documents import incidents_json

        emit_json(incidents_json(rows))
        return
    if not rows:
        click.echo("no incidents recorded")
        return
    for item, minutes in rows:
        parts = f" [{', '.join(item.components)}]" if item.components else ""
        length = duration_text(minutes * 60) + (" so far" if item.is_open else "")
        click.echo(
            f"#{item.id:<5} {item.started_at:%Y-%m-%d %H:%M}Z  {item.environment:<15} "
            f"{item.status:<13} {item.severity or '-':<8} {length:<24} {item.title}{parts}"
        )


@incident.command("show")
@click.argument("incident_id", type=int)
@json_option
@pass_app
def show(app: App, incident_id: int, as_json: bool) -> None:
    """One incident: its updates, the suspect deploy and why, the suspect's changes to
    the incident's components, failed deploys and rollbacks near it, and each
    affected customer with their impact minutes."""
    from releasecare.incidents import show_incident
    from releasecare.text import duration_text

    with app.transaction() as session:
        report = show_incident(session, app.config, incident_id)
    if as_json:
        from releasecare.documents import incident_show_json

        emit_json(incident_show_json(report))
        return
    item = report.incident
    click.echo(f"incident {item.id}: {item.title}")
    if item.public_title:
        click.echo(f"  customers read: {item.public_title}")
    click.echo(f"  status:      {item.status}   severity: {item.severity or '-'}")
    click.echo(f"  environment: {item.environment}")
    if item.source != "cli":
        click.echo(f"  imported:    {item.source} {item.external_id}")
    click.echo(f"  components:  {', '.join(item.components) or 'none named (all)'}")
    end = item.resolved_at.isoformat() if item.resolved_at else "still open"
    length = duration_text(report.minutes * 60) + (" so far" if item.is_open else "")
    click.echo(f"  from {item.started_at.isoformat()} to {end} ({length})")
    click.echo(f"  {report.verdict}")
    if len(report.candidates) > 1:
        click.echo("  candidates, nearest first:")
        for _, line in report.candidates:
            click.echo(f"    {line}")
    for _, line in report.nearby:
        click.echo(f"  nearby: {line}")
    for line in report.unreadable:
        click.echo(f"  {line}")
    if report.changes:
        click.echo("  the suspect's changes to these components:")
        for change in report.changes:
            click.echo(f"    {change.sha[:10]} {change.summary} [{', '.join(change.components)}]")
    fixed = "" if item.is_open else " (fixed when it resolved)"
    click.echo(f"  affected customers{fixed}:" if report.hurt else "  affected customers: none")
    for hurt in report.hurt:
        named = " (named)" if hurt.named else ""
        per = (
            " — " + ", ".join(f"{c} {duration_text(m * 60)}" for c, m in hurt.per_component)
            if report.own_times and hurt.per_component
            else ""
        )
        click.echo(
            f"    {hurt.customer_id:<20} {hurt.name:<30} {duration_text(hurt.minutes * 60)}"
            f"{named}{per}"
        )
    click.echo("  updates:" if item.updates else "  updates: none yet")
    for u in item.updates:
        click.echo(f"    {u.at.isoformat()}  {u.status:<13} {u.message}")


COMMANDS = [incident]
