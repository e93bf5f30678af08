"""The webhook channel's signature, per the Standard Webhooks specification.

A request carries three headers: ``webhook-id`` (the message's id: stable for one
notice version to one target, the receiver's idempotency key), ``webhook-timestamp``
(whole seconds since the epoch) and ``webhook-signature``: ``v1,<base64 HMAC-SHA256>``
of ``"<id>.<timestamp>.<body>"``, one for each secret in use, separated by spaces (a
secret rotation signs with the old and the new secret at once). A secret is written
``whsec_<base64 of its bytes>``. Any Standard Webhooks library verifies what ``sign``
makes, and ``verify`` is the receiver's side of it (``releasecare webhook verify``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from releasecare.delivery.outcome import Outcome, http_outcome
from releasecare.delivery.targets import Notice, Sending, Target, target_key, url_problem
from releasecare.domain import Customer
from releasecare.errors import InputError, NetworkError, RecordError
from releasecare.http import redact

SECRET_PREFIX = "whsec_"
# How far a request's timestamp may stand from the receiver's clock (the spec's
# suggestion): an older request may be a replay.
TOLERANCE = timedelta(minutes=5)
HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def secrets_from_env(variable: str) -> list[bytes]:
    """The signing keys held by the environment variable ``variable``.

    It may hold several secrets separated by spaces (during a rotation). A secret is
    never shown, in errors either: only the variable's name and the secret's place.
    """
    value = os.environ.get(variable)
    if value is None or not value.strip():
        raise InputError(
            f"environment variable {variable} is not set or empty",
            hint="it holds the webhook secret (whsec_...), several separated by spaces",
        )
    keys = []
    for place, secret in enumerate(value.split(), start=1):
        encoded = secret.removeprefix(SECRET_PREFIX)
        try:
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if not key:
            raise InputError(
                f"environment variable {variable}: secret {place} is not whsec_ followed by base64",
                hint="a Standard Webhooks secret is whsec_ and the base64 of 24 to 64 random bytes",
            )
        keys.append(key)
    return keys


def signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` signature of the request."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def sign(keys: Sequence[bytes], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers that sign ``body``, with one signature per key."""
    if not keys:
        raise ValueError("signing needs at least one key")
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(k, message_id, timestamp, body) for k in keys),
    }


@dataclass(frozen=True)
class Verdict:
    """Whether a request verifies, and why not; what it claims either way."""

    verified: bool
    reason: str
    message_id: str | None = None
    signed_at: datetime | None = None


def verify(
    keys: Sequence[bytes],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
    tolerance: timedelta | None = TOLERANCE,
) -> Verdict:
    """Check a received request as a Standard Webhooks receiver does.

    ``tolerance`` None skips the timestamp check (a request saved for a test); the
    signature is checked in any case, in constant time.
    """
    lower = {name.lower(): value.strip() for name, value in headers.items()}
    missing = [name for name in HEADERS if not lower.get(name)]
    if missing:
        return Verdict(False, f"missing header(s): {', '.join(missing)}")
    message_id, stamp = lower["webhook-id"], lower["webhook-timestamp"]
    if not stamp.isdigit() or len(stamp) > 12:
        return Verdict(False, f"webhook-timestamp is not whole seconds: {stamp[:20]!r}", message_id)
    signed_at = datetime.fromtimestamp(int(stamp), UTC)
    if tolerance is not None:
        moment = now or datetime.now(UTC)
        if signed_at < moment - tolerance:
            return Verdict(False, _age("too old", moment - signed_at), message_id, signed_at)
        if signed_at > moment + tolerance:
            return Verdict(
                False, _age("from the future", signed_at - moment), message_id, signed_at
            )
    expected = [signature(k, message_id, int(stamp), body).encode() for k in keys]
    offered = [s.encode() for s in lower["webhook-signature"].split() if s.startswith("v1,")]
    if not offered:
        return Verdict(False, "no v1 signature in webhook-signature", message_id, signed_at)
    for candidate in offered:
        if any(hmac.compare_digest(candidate, e) for e in expected):
            return Verdict(True, "signature matches", message_id, signed_at)
    return Verdict(
        False,
        "no signature matches the secret (a wrong secret, or the body was changed)",
        message_id,
        signed_at,
    )


def _age(what: str, by: timedelta) -> str:
    return (
        f"webhook-timestamp is {what} by {int(by.total_seconds())} s "
        f"(more than {int(TOLERANCE.total_seconds())} s: a replay, or a clock off)"
    )


def read_request(data: bytes, location: str) -> tuple[dict[str, str], bytes]:
    """Headers and body of a saved HTTP request: an optional request line, header
    lines, a blank line, then the body exactly as sent (its bytes are signed)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, body = data.partition(separator)
        if found:
            break
    else:
        raise RecordError(location, "no blank line between the headers and the body")
    headers = read_headers(head, location)
    return headers, body


def read_headers(data: bytes, location: str) -> dict[str, str]:
    """``Name: value`` lines (a request line first is skipped); names case-insensitive."""
    headers: dict[str, str] = {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(location, f"headers are not UTF-8 (byte {exc.start})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if number == 1 and " HTTP/" in line:
            continue  # the request line, "POST /hooks HTTP/1.1"
        if not colon or not name.strip() or " " in name.strip():
            raise RecordError(f"{location}:{number}", "not a header line (Name: value)")
        headers[name.strip().lower()] = value.strip()
    return headers


# --- the channel: a customer's webhook as a target, a notice as a signed POST ------


def targets(customer: Customer) -> list[Target]:
    """The customer's webhook, when their contacts name one."""
    contacts = customer.contacts
    if not contacts.webhook_url:
        return []
    return [
        Target(
            customer_id=customer.id,
            channel="webhook",
            key=target_key("webhook", contacts.webhook_url),
            shown=redact(contacts.webhook_url),
            address=contacts.webhook_url,
            secret_env=contacts.webhook_secret_env,
        )
    ]


def message_id_for(notice_key: str, target: Target, sending: Sending) -> str:
    """``msg_<hex>``: the same for one notice version to one target, on every attempt."""
    digest = hashlib.sha256(f"{notice_key}\0{target.key}".encode()).hexdigest()
    return f"msg_{digest[:32]}"


def body(notice: Notice, message_id: str, when: datetime) -> bytes:
    """The JSON the receiver gets: the Standard Webhooks envelope (``type``,
    ``timestamp``, ``data``) around the notice's metadata, its Markdown and its HTML."""
    data = {key: value for key, value in notice.data.items() if key not in ("lang", "generated_at")}
    document = {
        "type": "notice." + notice.subject.partition(":")[0],
        "timestamp": when.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": {
            "id": message_id,
            "notice": {"subject": notice.subject, "version": notice.version},
            **data,
            "markdown": notice.documents.get("md", ""),
            "html": notice.documents.get("html", ""),
        },
    }
    return json.dumps(document, ensure_ascii=False).encode()


def deliver(target: Target, notice: Notice, message_id: str, sending: Sending) -> Outcome:
    """POST the signed notice through the one HTTP client; never raises for what the
    receiver or the network does (receivers drop a repeat by ``webhook-id``)."""
    problem = url_problem(target.address, sending.allow_insecure_localhost)
    if problem:
        return Outcome("failed", f"{target.shown}: {problem}")
    if not target.secret_env:
        return Outcome("failed", f"{target.shown}: contacts.webhook names no secret_env")
    try:
        keys = secrets_from_env(target.secret_env)
    except InputError as exc:
        return Outcome("failed", exc.message)
    now = datetime.now(UTC)
    payload = body(notice, message_id, now)
    headers = {
        **sign(keys, message_id, int(now.timestamp()), payload),
        "Content-Type": "application/json",
    }
    try:
        answer = sending.client().post(target.address, data=payload, headers=headers)
    except NetworkError as exc:
        return http_outcome(exc, repeats_dropped=True)
    except InputError as exc:  # an answer too large: it was received
        return Outcome("sent", exc.message, 200)
    return Outcome("sent", f"HTTP {answer.status}", answer.status)
