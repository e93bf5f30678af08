"""Capistrano 3's ``revisions.log``: one line per deploy or rollback.

    Branch main (at 1a2b3c4) deployed as release 20261120091400 by alice
    alice rolled back to release 20261119083000

A release name is its UTC timestamp. A rollback runs the older release again, so it
is recorded as a deploy of that release's commit. Capistrano knows no environment
name: ``--env`` gives it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from releasecare import times
from releasecare.deploylogs import ReadOptions, Skipped
from releasecare.deploylogs._lines import numbered_lines, open_source
from releasecare.domain import SHA_TEXT, DeployEvent
from releasecare.errors import InputError, shown

_DEPLOY = re.compile(
    rf"^Branch (?P<branch>\S+) \(at (?P<sha>{SHA_TEXT})\) deployed as "
    r"release (?P<release>\d{14}) by (?P<user>.+)$"
)
_ROLLBACK = re.compile(r"^(?P<user>.+) rolled back to release (?P<release>\d{14})$")


def read(source: str, options: ReadOptions) -> Iterator[DeployEvent | Skipped]:
    identity = f"capistrano:{options.environment or source}"
    try:
        zone = times.zone(options.timezone) if options.timezone else UTC
    except times.UnknownZone as exc:
        raise InputError(f"--timezone: {exc}") from None
    commits: dict[str, str] = {}
    latest = datetime.min.replace(tzinfo=UTC)
    with open_source(source) as stream:
        for location, text, problem in numbered_lines(source, stream):
            if text is None:
                yield Skipped(location, problem)
                continue
            line = text.strip()
            if not line:
                continue
            deployed = _DEPLOY.match(line)
            rolled = _ROLLBACK.match(line)
            if deployed:
                release, sha = deployed["release"], deployed["sha"]
                try:
                    moment = datetime.strptime(release, "%Y%m%d%H%M%S").replace(tzinfo=zone)
                except ValueError:
                    yield Skipped(location, f"release {shown(release)} is not a timestamp")
                    continue
                try:
                    times.in_range(moment, release)
                except ValueError as exc:
                    yield Skipped(location, f"release {exc}")
                    continue
                commits[release] = sha
                external_id, description = release, f"deployed {deployed['branch']}"
            elif rolled:
                release = rolled["release"]
                if release not in commits:
                    yield Skipped(
                        location, f"rollback to release {release}, which no earlier line deployed"
                    )
                    continue
                sha = commits[release]
                # The line carries no time: it happened after the line before it.
                moment = latest + timedelta(seconds=1)
                external_id = f"rollback:{release}:{location.rsplit(':', 1)[-1]}"
                description = f"rollback to release {release} (time from the log's order)"
            else:
                yield Skipped(location, "not a Capistrano revisions.log line")
                continue
            latest = max(latest, moment)
            yield DeployEvent(
                version=sha,
                sha=sha,
                status="succeeded",
                deployed_at=moment,
                external_id=external_id,
                source=identity,
                location=location,
                description=description,
            )
