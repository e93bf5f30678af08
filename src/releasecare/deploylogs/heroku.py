"""``heroku releases --json``: one entry per release of a Heroku app.

    [{"id": "0c2f...", "version": 42, "status": "succeeded", "created_at": "...Z",
      "description": "Deploy 1a2b3c4", "current": true},
     {"version": 43, "description": "Rollback to v41", ...}]

A deploy's version is the commit in its description ("Deploy 1a2b3c4"); a rollback
("Rollback to v41") deploys release 41's commit again, and so does a retry
(``heroku releases:retry``: "Retry of v41: Deploy 1a2b3c4"). Heroku knows no
environment name: ``--env`` gives it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from releasecare.deploylogs import ReadOptions, Skipped
from releasecare.deploylogs._json import Bad, Fields, load_document, records
from releasecare.domain import SHA_TEXT, DeployEvent
from releasecare.errors import shown

STATUSES = {"succeeded": "succeeded", "failed": "failed", "pending": "in_progress"}
_DEPLOY = re.compile(rf"^Deploy ({SHA_TEXT})\b")
_ROLLBACK = re.compile(r"^Rollback to v(\d+)\b")
_RETRY = re.compile(r"^Retry of v(\d+)\b:?\s*")


def read(source: str, options: ReadOptions) -> Iterator[DeployEvent | Skipped]:
    identity = f"heroku:{options.environment or source}"
    document = load_document(source)
    listed = list(records(document, source))
    commits: dict[int, str] = {}
    # Oldest first, so a rollback finds the release it returns to.
    listed.sort(
        key=lambda item: (
            item[1].get("version", 0)
            if isinstance(item[1], dict) and isinstance(item[1].get("version"), int)
            else 0
        )
    )
    for location, record in listed:
        try:
            fields = Fields(record, location, options)
            number = record.get("version")
            if not isinstance(number, int) or isinstance(number, bool):
                raise Bad(f"{location}.version", "must be the release number")
            description = fields.text("description") or ""
            status = fields.text("status")
            if status not in STATUSES:
                raise Bad(f"{location}.status", f"unknown heroku status {shown(status)}")
            retry = _RETRY.match(description)
            what = description[retry.end() :] if retry else description
            deployed = _DEPLOY.match(what)
            rollback = _ROLLBACK.match(what)
            if deployed:
                commits[number] = deployed.group(1)
            elif rollback and int(rollback.group(1)) in commits:
                commits[number] = commits[int(rollback.group(1))]
            elif retry and int(retry.group(1)) in commits:
                commits[number] = commits[int(retry.group(1))]
            else:
                continue  # config changes, add-on attachments: no new code
            yield DeployEvent(
                version=commits[number],
                sha=commits[number],
                status=STATUSES[status],
                deployed_at=fields.time("created_at"),
                external_id=fields.text("id", numbers=True) or str(number),
                source=identity,
                location=location,
                description=description,
            )
        except Bad as bad:
            yield bad.skipped
