"""PagerDuty REST API v2 incidents: ``{"incidents": [...], "limit", "offset", "more",
"total"}`` (a list's pages), ``{"incident": {...}}`` (one), or a list of them.

Status triggered, acknowledged and resolved are investigating, identified and
resolved; urgency high is a major incident, low a minor one; ``service.summary``
names the component. The title is internal: PagerDuty shows customers nothing, so
an imported incident has no public title, and its updates no message (customers
read the status; the release manager adds words with ``incident update``).

The history, as the incident object tells it: triggered at ``created_at``, each
acknowledgement at its ``at``, a re-trigger (triggered again after an acknowledgement)
at ``last_status_change_at``, resolved at ``resolved_at`` (or
``last_status_change_at``). PagerDuty drops acknowledgements once an incident is
resolved or re-triggered; a re-import keeps the ones an earlier import recorded.
"""

from __future__ import annotations

from typing import Any

from releasecare.deploylogs import Skipped
from releasecare.incidentimports import ImportedComponent, ImportedIncident, ImportedUpdate, Node

STATUSES = {"triggered": "investigating", "acknowledged": "identified", "resolved": "resolved"}
URGENCIES = {"high": "major", "low": "minor"}


def parse(document: Any, where: str) -> list[ImportedIncident | Skipped]:
    root = Node(document, where)
    if isinstance(document, dict) and "incidents" in document:
        nodes = root.items("incidents")
    elif isinstance(document, dict) and "incident" in document:
        nodes = [root.get("incident")]
    elif isinstance(document, list):
        nodes = root.elements()
    else:
        raise root.fail(
            'expected PagerDuty incidents: {"incidents": [...]}, {"incident": {...}} '
            "or a list of incidents"
        )
    return [_incident(node) for node in nodes]


def _incident(node: Node) -> ImportedIncident:
    external_id = node.identifier("id")
    title = node.text("title", required=not node.has("summary")) or node.text("summary")
    assert external_id is not None and title is not None
    status = node.choice("status", {raw: raw for raw in STATUSES})
    created = node.time("created_at")
    assert created is not None
    changed = node.time("last_status_change_at", required=False)
    resolved_at = None
    if status == "resolved":
        resolved_at = node.time("resolved_at", required=False) or changed
        if resolved_at is None:
            raise node.fail(
                "missing: a resolved incident needs resolved_at or last_status_change_at",
                "resolved_at",
            )
    updates = [ImportedUpdate("investigating", "", created)]
    acknowledged = [ack.time("at") for ack in node.items("acknowledgements", required=False)]
    updates += [ImportedUpdate("identified", "", at) for at in acknowledged if at is not None]
    if status == "acknowledged" and not acknowledged and changed is not None:
        updates.append(ImportedUpdate("identified", "", changed))
    if status == "triggered" and changed is not None and changed > created:
        updates.append(ImportedUpdate("investigating", "", changed))  # triggered again
    if resolved_at is not None:
        updates.append(ImportedUpdate("resolved", "", resolved_at))
    components: tuple[ImportedComponent, ...] = ()
    if node.has("service"):
        service = node.get("service").text("summary")
        assert service is not None
        components = (ImportedComponent(service),)
    return ImportedIncident(
        external_id=external_id,
        title=title,
        status=STATUSES[status],
        severity=node.choice("urgency", URGENCIES, required=False),
        started_at=created,
        resolved_at=resolved_at,
        components=components,
        updates=tuple(sorted(updates, key=lambda u: u.at)),
        location=f"{node.where}: {node.path or '$'}",
    )
