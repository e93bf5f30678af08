"""``releasecare deploy record|ingest|list``."""

from __future__ import annotations

import click

from releasecare.cli.app import App, emit_json, info, json_option, parse_time, pass_app
from releasecare.domain import DEPLOY_STATUSES


@click.group()
def deploy() -> None:
    """Record and list deployments."""


@deploy.command("record")
@click.option("--env", "environment", required=True, help="Environment deployed to.")
@click.option(
    "--version",
    "version",
    required=True,
    help="Release tag that was deployed, or the commit (continuous deployment).",
)
@click.option(
    "--status", type=click.Choice(DEPLOY_STATUSES), default="succeeded", show_default=True
)
@click.option("--at", "at", metavar="ISO8601", help="When (default: now).")
@click.option(
    "--id",
    "external_id",
    metavar="EXTERNAL_ID",
    help="The deploy's id in your CI or deploy tool; recording it twice records once.",
)
@json_option
@pass_app
def record(
    app: App,
    environment: str,
    version: str,
    status: str,
    at: str | None,
    external_id: str | None,
    as_json: bool,
) -> None:
    """Record that VERSION reached ENV.

    Running the same step twice records once: the natural key is --id when given,
    else environment + version + --at, else "this version is already the latest
    deploy on ENV".

    \b
    Example:
      releasecare deploy record --env production-eu --version v2.4.0 --id pipeline-8812
    """
    from datetime import UTC, datetime

    from releasecare.deployments import record_deployment
    from releasecare.domain import DeployEvent

    moment = parse_time(at, "--at")
    event = DeployEvent(
        version=version,
        status=status,
        deployed_at=moment or datetime.now(UTC),
        environment=environment,
        external_id=external_id,
        source="cli",
    )
    with app.transaction() as session:
        deployment, created = record_deployment(
            session, app.config, event, at_given=moment is not None, repo=app.repo
        )
    if as_json:
        from releasecare.documents import record_json

        emit_json(record_json(deployment, created))
        return
    verb = "recorded" if created else "already recorded"
    click.echo(
        f"{verb} deployment {deployment.id}: {deployment.version} on "
        f"{deployment.environment} ({deployment.status}) at "
        f"{deployment.deployed_at.isoformat()}"
    )


@deploy.command("ingest")
@click.argument("source")
@click.option("--format", "fmt", required=True, help="Input format (jsonl, csv, helm, ...).")
@click.option("--env", "environment", help="Environment for formats without one, or override.")
@click.option("--timezone", help="IANA time zone of naive times in the source.")
@click.option("--skip-invalid", is_flag=True, help="Skip malformed records and report them.")
@click.option("--token-env", metavar="VAR", help="Environment variable holding the API token.")
@json_option
@pass_app
def ingest(
    app: App,
    source: str,
    fmt: str,
    environment: str | None,
    timezone: str | None,
    skip_invalid: bool,
    token_env: str | None,
    as_json: bool,
) -> None:
    """Read deployments from a deploy log, standard input (-) or a deploy API.

    One transaction: a malformed record stops the ingest (exit 2, naming the file,
    line and field) and nothing is stored, unless --skip-invalid. Ingesting the
    same source twice adds nothing twice.

    \b
    Examples:
      releasecare deploy ingest deploys.jsonl --format jsonl
      helm history shop -o json | releasecare deploy ingest - --format helm --env production-eu
      GITHUB_TOKEN=... releasecare deploy ingest \\
          https://api.github.com/repos/acme/shop/deployments --format github
    """
    from releasecare.deploylogs import ReadOptions, Skipped
    from releasecare.deployments import ingest_source

    options = ReadOptions(
        environment=environment, timezone=timezone, skip_invalid=skip_invalid, token_env=token_env
    )
    skipped: list[Skipped] = []
    with app.transaction() as session:
        summary = ingest_source(
            session, app.config, source, fmt, options, repo=app.repo, skipped=skipped
        )
    if as_json:
        from releasecare.documents import ingest_json

        emit_json(ingest_json(summary, skipped))
        return
    click.echo(
        f"read {summary.read} deployments: {summary.created} new, {summary.unchanged} already known"
    )
    if skipped:
        info(f"skipped {len(skipped)} invalid records:")
        for item in skipped:
            info(f"  {item.location}: {item.reason}")


@deploy.command("list")
@click.option("--env", "environment", help="Only this environment.")
@json_option
@pass_app
def list_(app: App, environment: str | None, as_json: bool) -> None:
    """Each environment's deployments in order, with status and the version before."""
    from releasecare.deployments import deployment_history

    if environment is not None:
        app.config.check_environment(environment)
    with app.transaction(write=False) as session:
        rows = deployment_history(session, environment)
    if as_json:
        from releasecare.documents import deployments_json

        emit_json(deployments_json(rows))
        return
    if not rows:
        click.echo("no deployments recorded")
        return
    marks = {
        "first": "  (first known here: what it had before is assumed)",
        "rollback": "  ROLLBACK",
        "redeploy": "  (same version again)",
        "failed": "  FAILED: nothing changed",
        "in_progress": "  (in progress: nothing changed yet)",
    }
    current = None
    for row in rows:
        deployment, previous = row.deployment, row.previous_version
        if deployment.environment != current:
            current = deployment.environment
            click.echo(f"{current}:")
        change = f"{previous} -> {deployment.version}" if previous else deployment.version
        click.echo(
            f"  #{deployment.id:<5} {deployment.deployed_at:%Y-%m-%d %H:%M}Z  "
            f"{change:<30} {deployment.status}{marks.get(row.kind, '')}"
        )


COMMANDS = [deploy]
