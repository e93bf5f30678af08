"""``releasecare notify`` and ``releasecare deliveries``: notices to customers' contacts,
and the log of what became of each."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from releasecare.cli.app import App, emit_json, info, json_option, nothing_changed, pass_app

if TYPE_CHECKING:
    from releasecare.delivery.plan import NotifyResult

CHANNEL_NAMES = ("webhook", "slack", "email")  # releasecare.delivery.CHANNELS
STATE_NAMES = ("pending", "sent", "failed", "given_up", "unknown", "waiting", "digested")


@click.command("notify")
@click.argument("deploy_id", type=int, required=False)
@click.option(
    "--incident",
    "incident_id",
    type=int,
    metavar="ID",
    help="An incident's notice instead (each update is a new version, sent at once).",
)
@click.option(
    "--digest",
    is_flag=True,
    help="The digests that are due: customers on a daily or weekly cadence, told the net "
    "difference since they were last told.",
)
@click.option(
    "--channel",
    "channels",
    multiple=True,
    type=click.Choice(CHANNEL_NAMES),
    help="Only this channel (repeatable; default: every channel a customer has).",
)
@click.option("--customer", "customers", multiple=True, metavar="ID", help="Only these customers.")
@click.option("--dry-run", is_flag=True, help="Say what would go to whom; send nothing.")
@click.option(
    "--resend",
    is_flag=True,
    help="Send a notice that changed since it was sent, and retry failed or unknown ones.",
)
@click.option(
    "--notify-first",
    is_flag=True,
    help="Send for the first deploy recorded on an environment too (by default a baseline).",
)
@click.option(
    "--allow-insecure-localhost",
    is_flag=True,
    help="Allow plain http:// targets on a loopback address (tests).",
)
@json_option
@pass_app
def notify(
    app: App,
    deploy_id: int | None,
    incident_id: int | None,
    digest: bool,
    channels: tuple[str, ...],
    customers: tuple[str, ...],
    dry_run: bool,
    resend: bool,
    notify_first: bool,
    allow_insecure_localhost: bool,
    as_json: bool,
) -> None:
    """Deliver a deployment's (or an incident's) notices to each affected customer's
    contacts.

    Webhooks are signed (Standard Webhooks), Slack gets a Block Kit message, e-mail
    goes through the [delivery.email] SMTP server. Each notice version goes to each
    target once; a run sends what is not delivered yet and the retries that are due.
    Exit 0: delivered, skipped or waiting; 1: something failed or was given up;
    3: every target was unreachable.

    \b
    Examples:
      releasecare notify 7 --dry-run
      releasecare notify 7 --channel webhook --customer acme --json
      releasecare notify --incident 3
      releasecare notify --digest          # from a daily scheduled job
    """
    from releasecare.delivery.plan import NotifyRequest
    from releasecare.errors import InputError

    if [deploy_id is not None, incident_id is not None, digest].count(True) != 1:
        raise InputError("give a DEPLOY_ID, --incident ID or --digest (one of them)")
    from releasecare.delivery.outbox import notify as run_notify

    result = run_notify(
        app.engine,
        app.config,
        NotifyRequest(
            deploy_id=deploy_id,
            incident_id=incident_id,
            digest=digest,
            channels=channels,
            customers=customers,
            dry_run=dry_run,
            resend=resend,
            notify_first=notify_first,
            allow_insecure_localhost=allow_insecure_localhost,
        ),
    )
    if as_json:
        from releasecare.documents import notify_json

        emit_json(notify_json(result))
        report_errors(result)
    else:
        print_report(result, dry_run=dry_run)
    if result.exit_code:
        raise SystemExit(result.exit_code)


@click.command("deliveries")
@click.option("--customer", "customer", metavar="ID", help="Only this customer's deliveries.")
@click.option("--state", "state", type=click.Choice(STATE_NAMES), help="Only this state.")
@json_option
@pass_app
def deliveries(app: App, customer: str | None, state: str | None, as_json: bool) -> None:
    """List the delivery log: each notice version to each target, newest first.

    \b
    Examples:
      releasecare deliveries --state failed
      releasecare deliveries --customer acme --json
    """
    from releasecare.store import deliveries as outbox_store

    with app.transaction(write=False) as session:
        rows = outbox_store.listing(session, customer_id=customer, state=state)
    if as_json:
        from releasecare.documents import deliveries_json

        emit_json(deliveries_json(rows))
        return
    if not rows:
        click.echo("no deliveries")
        return
    for d in rows:
        when = (d.sent_at or d.updated_at).isoformat(timespec="seconds")
        said = f"  {d.last_reply}" if d.last_reply and d.state != "sent" else ""
        click.echo(
            f"{when}  {d.customer_id}  {d.subject} v{d.version}  {d.channel}  {d.target}  "
            f"{d.state} ({d.attempts} attempt{'s' if d.attempts != 1 else ''}){said}"
        )


COMMANDS = [notify, deliveries]


def print_report(result: NotifyResult, *, dry_run: bool = False) -> None:
    """What a notify run did, a line per target; errors on stderr (``after-deploy
    --notify`` prints the same)."""
    what = result.what
    if result.nothing_changed and result.deployment is not None:
        click.echo(f"{nothing_changed(result.deployment)}; nothing to send")
    elif result.baseline:
        click.echo(
            f"{what} is the first recorded on its environment: a baseline, "
            "nothing sent (--notify-first sends it)"
        )
    elif not result.told and result.digest:
        click.echo("no digest to send: nobody on a daily or weekly cadence has news waiting")
    elif not result.told:
        click.echo("no customer to tell: nobody affected has a contact for these channels")
    else:
        counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in result.counts.items())
        click.echo(f"{what}{' (dry run)' if dry_run else ''}: {counts}")
        for t in result.told:
            why = f": {t.reason}" if t.reason and t.state != "sent" else ""
            click.echo(
                f"  {t.customer_id}  {t.channel}  {t.target}  {t.state.replace('_', ' ')}{why}"
            )
    report_errors(result)


def report_errors(result: NotifyResult) -> None:
    if result.unreachable:
        info("error: every target was unreachable; nothing was delivered (try again later)")
    elif result.exit_code:
        failed = sorted({t.customer_id for t in result.told if t.state in ("failed", "given_up")})
        info(f"error: not delivered to {', '.join(failed)}")
