"""``releasecare customers import|list|show``."""

from __future__ import annotations

import click

from releasecare.cli.app import App, emit_json, info, json_option, pass_app


@click.group()
def customers() -> None:
    """Import and inspect the customer registry."""


@customers.command("import")
@click.argument("source")
@click.option("--prune", is_flag=True, help="Remove stored customers missing from SOURCE.")
@click.option(
    "--force",
    is_flag=True,
    help="Let --prune remove all customers (or more than [customers] prune_limit).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Unknown environments or components are errors (exit 2), not warnings.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["toml", "json", "csv"]),
    help="Override the format detected from the file name or Content-Type.",
)
@json_option
@pass_app
def import_(
    app: App,
    source: str,
    prune: bool,
    force: bool,
    strict: bool,
    fmt: str | None,
    as_json: bool,
) -> None:
    """Import customers from a TOML, JSON or CSV file, standard input (-) or a URL.

    Customers are upserted by id; nothing is stored unless every row is valid.

    \b
    Examples:
      releasecare customers import customers.json
      releasecare customers import crm-export.csv --prune
      CRM_TOKEN=... releasecare customers import https://crm.example/api/customers.json
    """
    from releasecare.registry import import_customers

    with app.transaction() as session:
        imported = import_customers(
            session,
            app.config,
            source,
            fmt=fmt,
            prune=prune,
            strict=strict,
            force=force,
            warn=info,
        )
    result = imported.stored
    if as_json:
        from releasecare.documents import customers_import_json

        emit_json(customers_import_json(imported))
        return
    click.echo(
        f"imported {imported.read} customers: {result.created} new, "
        f"{result.updated} updated, {result.unchanged} unchanged"
        + (f", {result.pruned} removed" if prune else "")
    )


@customers.command("list")
@json_option
@pass_app
def list_(app: App, as_json: bool) -> None:
    """List customers with their environments and components."""
    from releasecare.store import customers as store

    with app.transaction(write=False) as session:
        rows = store.all_customers(session)
    if as_json:
        from releasecare.documents import customers_json

        emit_json(customers_json(rows))
        return
    if not rows:
        click.echo("no customers; import them with `releasecare customers import FILE`")
    for c in rows:
        click.echo(
            f"{c.id:<20} {c.name:<30} envs: {', '.join(c.environments):<30} "
            f"components: {', '.join(c.components)}"
        )


@customers.command("show")
@click.argument("customer_id")
@json_option
@pass_app
def show(app: App, customer_id: str, as_json: bool) -> None:
    """One customer, and the deployments and incidents that touched them, newest first."""
    from releasecare.errors import NotFound
    from releasecare.store import customers as store
    from releasecare.timeline import timeline

    with app.transaction(write=False) as session:
        customer = store.get(session, customer_id)
        if customer is None:
            raise NotFound(
                f"no customer with id {customer_id!r}",
                hint="`releasecare customers list` shows them",
            )
        events = timeline(
            session, customer, unmapped=app.config.unmapped, voice=app.config.voice_options()
        )
    if as_json:
        from releasecare.documents import customer_show_json

        emit_json(customer_show_json(customer, events))
        return
    click.echo(f"{customer.name} ({customer.id})")
    click.echo(f"  environments: {', '.join(customer.environments)}")
    click.echo(f"  components:   {', '.join(customer.components)}")
    click.echo(f"  time zone:    {customer.timezone}   locale: {customer.locale}")
    for window in customer.freeze:
        click.echo(
            f"  freeze:       {window.start.isoformat()} .. {window.end.isoformat()}"
            f" {window.reason or ''}"
        )
    click.echo("  timeline:" if events else "  timeline: nothing has touched them yet")
    for event in events:
        click.echo(f"    {event['at'][:16]}  {event['kind']:<10} {event['summary']}")


COMMANDS = [customers]
