"""ISO 8601 times from users, logs and files, with one policy for naive times.

A time without a UTC offset is ambiguous: it is read in the time zone the caller
names (a customer's zone, ``--timezone``), and refused when none is named. ``Z``
means UTC. Errors are ``ValueError`` with a short message; each caller names the
file, line or option around it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from releasecare.errors import InputError, did_you_mean, shown

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

EXAMPLE = "2026-11-20T09:14:00+01:00"
# A time must be one every time zone can show (offsets are under a day either way),
# and one the databases store: years 1 to 9999 once in UTC, with a day to spare.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


class UnknownZone(ValueError):
    """A time zone name that the IANA database does not know."""


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; ``UnknownZone`` when there is no such zone."""
    # zoneinfo finds its database through sysconfig (2 ms): loaded when a zone is used.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: PLC0415

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownZone(f"unknown time zone {name!r}") from None


def check_zone(name: str) -> None:
    """``UnknownZone`` unless ``name`` is an IANA time zone; "UTC", the default of every
    environment and customer, is known without opening the database."""
    if name != "UTC":
        zone(name)


def zone_hint(name: str) -> str | None:
    """ "did you mean 'Europe/Berlin'?" for a near spelling of a zone name, or None."""
    from zoneinfo import available_timezones  # noqa: PLC0415

    return did_you_mean(name, available_timezones())


def parse_time(value: object, *, timezone: str | None = None, naive_hint: str = "") -> datetime:
    """``value`` (an ISO 8601 string, or a datetime from TOML) as an aware datetime.

    A naive time is read in ``timezone``; without one it is refused, and the
    message ends with ``naive_hint`` (say how to name a zone).
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise ValueError(f"{shown(value)} is not an ISO 8601 time") from None
    else:
        raise ValueError("must be an ISO 8601 time string")
    if moment.tzinfo is None:
        if timezone is None:
            raise ValueError(f"{shown(value)} has no UTC offset" + naive_hint)
        moment = moment.replace(tzinfo=zone(timezone))
    return in_range(moment, value)


def in_range(moment: datetime, value: object = None) -> datetime:
    """``moment`` if it lies within EARLIEST..LATEST; else a ValueError naming ``value``."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        shown_value = shown(moment.isoformat() if value is None else value)
        raise ValueError(f"{shown_value} is out of range (years 1 to 9999 in UTC)")
    return moment


def seconds_from_env(name: str, default: float) -> float:
    """A duration in seconds from the environment variable ``name`` (``default`` when
    it is unset or empty); anything but a positive number is an ``InputError`` naming
    the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (0 < value < float("inf")):
        raise InputError(
            f"the environment variable {name} must be a number of seconds above 0 "
            f"(got {shown(raw)})",
            hint=f"e.g. export {name}=60, or unset it for the default ({default:g} s)",
        )
    return value
