"""``releasecare customers import|list|show``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from releasecare.customers import SourceOptions

from releasecare.cli.app import App, emit_json, info, json_option, pass_app


@click.group()
def customers() -> None:
    """Import and inspect the customer registry."""


@customers.command("import")
@click.argument("source")
@click.option("--prune", is_flag=True, help="Remove stored customers missing from SOURCE.")
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
    app: App, source: str, prune: bool, strict: bool, fmt: str | None, as_json: bool
) -> None:
    """Import customers from a TOML, JSON or CSV file, standard input (-) or a URL.

    Customers are upserted by id; nothing is stored unless every row is valid.

    \b
    Examples:
      releasecare customers import customers.json
      releasecare customers import crm-export.csv --prune
      CRM_TOKEN=... releasecare customers import https://crm.example/api/customers.json
    """
    from releasecare.customers import check_references, read_customers
    from releasecare.errors import InputError
    from releasecare.http import redact
    from releasecare.store import customers as store

    config = app.config
    shown = redact(source)
    records = read_customers(source, _source_options(config.customers, fmt))
    warnings = check_references(records, config.environments, config.components)
    if warnings and strict:
        raise InputError(
            f"{shown}: {warnings[0]}"
            + (f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else "")
        )
    for warning in warnings:
        info(f"warning: {shown}: {warning}")
    with app.transaction() as session:
        if prune:
            missing = store.count_missing(session, (c.id for c in records))
            if missing:
                info(f"--prune: removing {missing} customer(s) not in {shown}")
        result = store.upsert(session, records, prune=prune)
    if as_json:
        emit_json(
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "pruned": result.pruned,
                "warnings": warnings,
            }
        )
        return
    click.echo(
        f"imported {len(records)} customers: {result.created} new, "
        f"{result.updated} updated, {result.unchanged} unchanged"
        + (f", {result.pruned} removed" if prune else "")
    )


@customers.command("list")
@json_option
@pass_app
def list_(app: App, as_json: bool) -> None:
    """List customers with their environments and components."""
    from releasecare.store import customers as store

    with app.transaction() as session:
        rows = store.all_customers(session)
    if as_json:
        emit_json({"customers": [customer_json(c) for c in rows]})
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
    """One customer, and the deployments that touched them, newest first."""
    from releasecare.errors import NotFound
    from releasecare.store import customers as store
    from releasecare.timeline import timeline

    with app.transaction() as session:
        customer = store.get(session, customer_id)
        if customer is None:
            raise NotFound(
                f"no customer with id {customer_id!r}",
                hint="`releasecare customers list` shows them",
            )
        events = timeline(session, customer, unmapped=app.config.unmapped)
    if as_json:
        emit_json({"customer": customer_json(customer), "timeline": events})
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


def _source_options(settings: Mapping[str, object], fmt: str | None) -> SourceOptions:
    """``[customers]`` config (CSV column names, token variable) as reader options."""
    from dataclasses import fields

    from releasecare.customers import CsvColumns
    from releasecare.errors import ConfigError

    columns = settings.get("csv_columns") or {}
    assert isinstance(columns, dict)
    known = {f.name for f in fields(CsvColumns)}
    for key, value in columns.items():
        if key not in known or not isinstance(value, str):
            raise ConfigError(
                "config",
                f"customers.csv_columns.{key}",
                "unknown column key" if key not in known else "must be a string",
            )
    token_env = settings.get("token_env")
    from releasecare.customers import SourceOptions

    return SourceOptions(
        csv_columns=CsvColumns(**columns),
        token_env=token_env if isinstance(token_env, str) else None,
        format=fmt,
    )


def customer_json(c: object) -> dict[str, object]:
    from releasecare.domain import Customer

    assert isinstance(c, Customer)
    return {
        "id": c.id,
        "name": c.name,
        "environments": list(c.environments),
        "components": list(c.components),
        "timezone": c.timezone,
        "locale": c.locale,
        "tier": c.tier,
        "contacts": {
            "email": list(c.contacts.email),
            "webhook_url": c.contacts.webhook_url,
            "webhook_secret_env": c.contacts.webhook_secret_env,
            "slack_url_env": c.contacts.slack_url_env,
        },
        "freeze": [
            {"start": w.start.isoformat(), "end": w.end.isoformat(), "reason": w.reason}
            for w in c.freeze
        ],
    }


COMMANDS = [customers]
