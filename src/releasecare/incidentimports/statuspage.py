"""Atlassian Statuspage incidents: the public ``/api/v2/incidents.json``
(``{"page": ..., "incidents": [...]}``) and the management API's incident objects
(a list of them, or one).

An incident's ``name`` is what customers read (its public title, and its title);
each update's ``body`` is its customer-facing message, at its ``display_at`` (the
time the page shows; ``created_at`` when there is none). ``postmortem`` resolves the
incident and stays ``postmortem`` in the update history. ``impact`` none, minor,
major or critical is the severity (none: no severity).

Components: each update's ``affected_components`` (``{code, name, old_status,
new_status}``) give every component its own times: affected from the first update
where it is not ``operational``, to the update where it is operational again (the
incident's resolution when it never is); one that recovers and falls again counts
from its first fall to its last recovery (a component has one span). The incident's
``components`` that no update names are affected for the whole incident.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from releasecare.deploylogs import Skipped
from releasecare.incidentimports import ImportedComponent, ImportedIncident, ImportedUpdate, Node

STATUSES = {
    "investigating": "investigating",
    "identified": "identified",
    "monitoring": "monitoring",
    "resolved": "resolved",
    "postmortem": "resolved",
}
# An update keeps the tool's word: a postmortem is a postmortem in the history.
UPDATE_STATUSES = {key: key for key in STATUSES}
IMPACTS: dict[str, str | None] = {
    "none": None,
    "minor": "minor",
    "major": "major",
    "critical": "critical",
}
OPERATIONAL = "operational"
RESOLVING = ("resolved", "postmortem")
# The management API lists scheduled maintenances among the incidents: not incidents.
MAINTENANCE = ("scheduled", "in_progress", "verifying", "completed")


def parse(document: Any, where: str) -> list[ImportedIncident | Skipped]:
    root = Node(document, where)
    if isinstance(document, dict) and "incidents" in document:
        nodes = root.items("incidents")
    elif isinstance(document, list):
        nodes = root.elements()
    elif isinstance(document, dict) and "id" in document:
        nodes = [root]
    else:
        raise root.fail(
            'expected Statuspage incidents: {"incidents": [...]}, a list of incidents, '
            "or one incident object"
        )
    return [_incident(node) for node in nodes]


def _incident(node: Node) -> ImportedIncident | Skipped:
    status = node.text("status")
    if status in MAINTENANCE:
        return Skipped(
            f"{node.where}: {node.path or '$'}",
            f"a scheduled maintenance ({status}), not an incident",
        )
    external_id = node.identifier("id")
    name = node.text("name")
    assert external_id is not None and name is not None
    lifecycle = node.choice("status", STATUSES)
    severity = node.choice("impact", IMPACTS, required=False)
    created = node.time("created_at")
    started = node.time("started_at", required=False) or created
    assert started is not None
    # The API lists updates newest first; oldest first (the same time: as listed).
    listed = node.items("incident_updates", required=False)
    read = [_update(u) for u in reversed(listed)]
    seen: set[str | None] = set()
    for item, (update, _) in zip(listed, reversed(read), strict=True):
        if update.external_id in seen:
            raise item.fail(f"{update.external_id!r} is listed twice in this incident", "id")
        seen.add(update.external_id)
    read.sort(key=lambda pair: pair[0].at)
    updates = tuple(update for update, _ in read)
    resolved_at = None
    if lifecycle == "resolved":
        resolved_at = node.time("resolved_at", required=False) or next(
            (u.at for u in updates if u.status in RESOLVING), None
        )
        if resolved_at is None:
            raise node.fail("missing: a resolved incident needs its resolved_at", "resolved_at")
    return ImportedIncident(
        external_id=external_id,
        title=name,
        public_title=name,
        status=lifecycle,
        severity=severity,
        started_at=started,
        resolved_at=resolved_at,
        components=_components(node, read, resolved_at),
        updates=updates,
        location=f"{node.where}: {node.path or '$'}",
    )


def _update(node: Node) -> tuple[ImportedUpdate, list[tuple[str, str]]]:
    """The update, and each component it names with its new status."""
    at = node.time("display_at", required=False) or node.time("created_at")
    assert at is not None
    update = ImportedUpdate(
        status=node.choice("status", UPDATE_STATUSES),
        message=node.body("body"),
        at=at,
        external_id=node.identifier("id"),
    )
    changes = []
    for item in node.items("affected_components", required=False):
        component = item.text("name")
        new_status = item.text("new_status")
        assert component is not None and new_status is not None
        changes.append((component, new_status))
    return update, changes


def _components(
    node: Node,
    read: list[tuple[ImportedUpdate, list[tuple[str, str]]]],
    resolved_at: datetime | None,
) -> tuple[ImportedComponent, ...]:
    start: dict[str, datetime] = {}
    end: dict[str, datetime] = {}
    for update, changes in read:
        for name, new_status in changes:
            if new_status != OPERATIONAL:
                start.setdefault(name, update.at)
                end.pop(name, None)  # affected again
            elif name in start:
                end[name] = update.at
    spans = {
        name: ImportedComponent(name, at, end.get(name, resolved_at)) for name, at in start.items()
    }
    for item in node.items("components", required=False):
        listed = item.text("name")
        assert listed is not None
        spans.setdefault(listed, ImportedComponent(listed))
    return tuple(spans.values())
