"""``helm history RELEASE -o json``: one entry per revision.

    [{"revision": 3, "updated": "2026-11-20T09:14:00.123456+01:00", "status": "deployed",
      "chart": "shop-1.4.0", "app_version": "v1.4.0", "description": "Upgrade complete"}]

superseded and deployed revisions were live (succeeded), failed ones failed, and
pending-install/upgrade/rollback ones are in progress. A rollback is a revision of
its own ("Rollback to 3"), deploying the older version again. Helm knows no
environment: ``--env`` names it.
"""

from __future__ import annotations

from collections.abc import Iterator

from releasecare.deploylogs import ReadOptions, Skipped
from releasecare.deploylogs._json import Bad, Fields, load_document, records
from releasecare.domain import DeployEvent
from releasecare.errors import shown

STATUSES = {
    "deployed": "succeeded",
    "superseded": "succeeded",
    "failed": "failed",
    "pending-install": "in_progress",
    "pending-upgrade": "in_progress",
    "pending-rollback": "in_progress",
}


def read(source: str, options: ReadOptions) -> Iterator[DeployEvent | Skipped]:
    # Revisions are numbered per Helm release, and a release serves one environment.
    identity = f"helm:{options.environment or source}"
    for location, record in records(load_document(source), source):
        try:
            event = _event(Fields(record, location, options), identity)
        except Bad as bad:
            yield bad.skipped
            continue
        if event is not None:
            yield event


def _event(fields: Fields, identity: str) -> DeployEvent | None:
    status = fields.text("status")
    if status in ("uninstalled", "uninstalling"):
        return None  # an uninstall removes the release; it deploys no version
    if status not in STATUSES:
        raise Bad(f"{fields.location}.status", f"unknown helm status {shown(status)}")
    revision = fields.text("revision", numbers=True)
    version = fields.text("app_version", required=False)
    if not version:
        chart = fields.text("chart")
        version = chart.rsplit("-", 1)[-1] if chart and "-" in chart else chart
    description = fields.text("description", required=False)
    return DeployEvent(
        version=version or "",
        status=STATUSES[status],
        deployed_at=fields.time("updated"),
        external_id=revision,
        source=identity,
        location=fields.location,
        description=description,
    )
