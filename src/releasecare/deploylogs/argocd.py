"""Argo CD application history: ``argocd app history APP -o json``, or an Application
resource (``kubectl get application APP -o json``) whose ``.status.history`` it is.

    [{"id": 7, "revision": "9fceb02...", "deployedAt": "2026-11-20T08:14:00Z",
      "deployStartedAt": "2026-11-20T08:13:10Z", "source": {"targetRevision": "v2.4.0"}}]

Each entry is a sync that reached the cluster. The version is the target revision
when it names a tag, else the synced commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from releasecare.deploylogs import ReadOptions, Skipped
from releasecare.deploylogs._json import Bad, Fields, load_document, records
from releasecare.domain import SHA_TEXT, DeployEvent

_MOVING = {"HEAD", "main", "master", "trunk"}
_SHA = re.compile(f"^{SHA_TEXT}$")


def read(source: str, options: ReadOptions) -> Iterator[DeployEvent | Skipped]:
    document = load_document(source)
    path = "$"
    name = None
    if isinstance(document, dict):
        metadata, status = document.get("metadata"), document.get("status")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        document = status.get("history") if isinstance(status, dict) else None
        path = "$.status.history"
        if not isinstance(name, str):
            name = None
    identity = f"argocd:{name or options.environment or source}"
    for location, record in records(document, source, path):
        try:
            fields = Fields(record, location, options)
            revision = fields.text("revision")
            target = None
            spec = record.get("source")
            if isinstance(spec, dict) and isinstance(spec.get("targetRevision"), str):
                target = spec["targetRevision"]
            version = (
                target if target and target not in _MOVING and not _SHA.match(target) else revision
            )
            yield DeployEvent(
                version=version or "",
                sha=revision,
                status="succeeded",
                deployed_at=fields.time("deployedAt"),
                external_id=fields.text("id", numbers=True),
                source=identity,
                location=location,
            )
        except Bad as bad:
            yield bad.skipped
