"""``releasecare impact``: who a deployment touches, before or after it happens."""

from __future__ import annotations

import click

from releasecare.cli.app import App, emit_json, json_option, parse_time, pass_app


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
    from releasecare.errors import CheckFailed
    from releasecare.impact import find_impact
    from releasecare.report import impact_json, impact_text

    with app.transaction() as session:
        result = find_impact(
            session,
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
    conflicts = [c for c in result.customers if c.freeze_conflicts]
    if strict and conflicts:
        raise CheckFailed(
            f"{len(conflicts)} customer(s) are in a change freeze: "
            + ", ".join(c.customer.id for c in conflicts)
        )


COMMANDS = [impact]
