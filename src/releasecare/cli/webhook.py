"""``releasecare webhook verify``: the receiver's side of a signed notice."""

from __future__ import annotations

import sys

import click

from releasecare.cli.app import emit_json, json_option, parse_time


@click.group()
def webhook() -> None:
    """Webhooks as a customer receives them."""


@webhook.command("verify")
@click.argument("request", required=False, metavar="[REQUEST]")
@click.option(
    "--secret-env",
    "secret_env",
    required=True,
    metavar="VAR",
    help="Environment variable holding the secret (whsec_...; several: space-separated).",
)
@click.option("--headers-file", metavar="FILE", help="The headers alone (Name: value lines).")
@click.option("--body-file", metavar="FILE", help="The body alone, byte for byte.")
@click.option("--at", "at", metavar="ISO8601", help="Check the timestamp as of this time.")
@click.option(
    "--any-age", is_flag=True, help="Skip the timestamp check (a request saved for a test)."
)
@json_option
def verify(
    request: str | None,
    secret_env: str,
    headers_file: str | None,
    body_file: str | None,
    at: str | None,
    any_age: bool,
    as_json: bool,
) -> None:
    """Say whether a webhook request verifies against the secret.

    REQUEST is a file holding the request as received (headers, a blank line, the
    body; `-` reads stdin); or give --headers-file and --body-file. Exit 0 when it
    verifies, 1 when it does not, 2 for unreadable input.

    \b
    Example:
      WEBHOOK_SECRET=whsec_... releasecare webhook verify request.http --secret-env WEBHOOK_SECRET
    """
    from releasecare.delivery.webhook import (
        TOLERANCE,
        read_headers,
        read_request,
        secrets_from_env,
    )
    from releasecare.delivery.webhook import verify as check
    from releasecare.errors import CheckFailed, InputError

    keys = secrets_from_env(secret_env)
    if request is not None and (headers_file or body_file):
        raise InputError("give REQUEST, or --headers-file and --body-file, not both")
    if request is not None:
        headers, body = read_request(_read(request), request)
    elif headers_file and body_file:
        headers, body = read_headers(_read(headers_file), headers_file), _read(body_file)
    else:
        raise InputError(
            "nothing to verify", hint="give REQUEST, or both --headers-file and --body-file"
        )
    verdict = check(
        keys, headers, body, now=parse_time(at, "--at"), tolerance=None if any_age else TOLERANCE
    )
    if as_json:
        from releasecare.documents import webhook_verify_json

        emit_json(webhook_verify_json(verdict))
    elif verdict.verified:
        click.echo(
            f"verified: webhook-id {verdict.message_id}, signed at "
            f"{verdict.signed_at.isoformat() if verdict.signed_at else '?'}"
        )
    if not verdict.verified:
        raise CheckFailed(f"does not verify: {verdict.reason}")


def _read(name: str) -> bytes:
    from releasecare.errors import InputError

    if name == "-":
        return sys.stdin.buffer.read()
    try:
        with open(name, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror}") from None


COMMANDS = [webhook]
