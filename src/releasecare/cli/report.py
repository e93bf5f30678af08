"""``releasecare report``: the reliability report (DORA's four keys and the customer view)."""

from __future__ import annotations

import click

from releasecare.cli.app import App, emit_json, info, json_option, pass_app


@click.command()
@click.option("--since", metavar="DATE", help="Start: a date (00:00 UTC) or an ISO 8601 time.")
@click.option(
    "--until", metavar="DATE", help="End: a date (through the end of that day, UTC) or a time."
)
@click.option("--env", "environment", help="Only this environment.")
@click.option("--component", help="Only deploys, changes and customers of this component.")
@click.option(
    "--customer", "customer_id", metavar="ID", help="One customer's period, as a timeline."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["txt", "md", "html"]),
    default="txt",
    show_default=True,
    help="Plain text, Markdown (a wiki) or HTML with charts.",
)
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@json_option
@pass_app
def report(
    app: App,
    since: str | None,
    until: str | None,
    environment: str | None,
    component: str | None,
    customer_id: str | None,
    fmt: str,
    out: str | None,
    as_json: bool,
) -> None:
    """How reliable deploys were, and what each customer went through.

    DORA's four keys per environment and per component (deployment frequency, lead
    time for changes, change failure rate counting failed, rolled-back and
    incident-suspect deploys, recovery time), each with the number of deploys,
    changes or failures it rests on; then every customer, worst first (impact
    minutes, incidents, changes taken away). The period defaults to the last 90
    days. Works from the database alone.

    \b
    Examples:
      releasecare report
      releasecare report --since 2026-07-01 --until 2026-09-30 --env production-eu
      releasecare report --customer acme --format md
      releasecare report --format html --out reliability.html
    """
    from datetime import UTC, datetime

    from releasecare.render import render_report
    from releasecare.report import build_report, day_or_time, period_of
    from releasecare.reportview import report_context, write_report

    now = datetime.now(UTC)
    period = period_of(day_or_time(since, "--since"), day_or_time(until, "--until", end=True), now)
    with app.reading() as db:
        result = build_report(
            db,
            app.config,
            period,
            environment=environment,
            component=component,
            customer_id=customer_id,
            now=now,
        )
    text = render_report(report_context(result, app.config.product, fmt), fmt, app.config.templates)
    if out is not None:
        info(f"wrote {write_report(out, text)}")
    if as_json:
        from releasecare.documents import report_json

        emit_json(report_json(result))
    elif out is None:
        click.echo(text, nl=False)


COMMANDS = [report]
