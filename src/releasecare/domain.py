"""Plain data that flows between the stages: git -> changes -> impact -> notices.

Frozen dataclasses only; no SQLAlchemy, Jinja or click here, so every stage can be
built and tested without the others. Times are timezone-aware (UTC unless said).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DEPLOY_STATUSES = ("succeeded", "failed", "rolled_back", "in_progress")
# What a status means, once: succeeded reached customers; rolled_back reached them
# and was undone later by another deploy (that one is the rollback); failed and
# in_progress never reached anyone and change nothing.
REACHED_CUSTOMERS = ("succeeded", "rolled_back")
# How a stored deploy's status may move when the same deploy is reported again: an
# in-progress one reaches its outcome; a failed one is retried within the same run
# (a CI job's later attempt) and ships. Nothing else moves back: a later failing
# attempt does not take back what reached customers.
STATUS_MOVES: dict[str, frozenset[str]] = {
    "in_progress": frozenset({"succeeded", "failed", "rolled_back"}),
    "failed": frozenset({"in_progress", "succeeded"}),
}
CHANGE_IMPACTS = ("none", "low", "high")
ALL = "*"
NOTICE_FORMATS = ("md", "html", "txt", "json")
# A commit as deploy tools name it: 7 to 40 hex digits.
SHA_TEXT = r"[0-9a-f]{7,40}"
# The longest text the store keeps in each field that names something (the size of
# its column); input longer than this is refused, naming the field.
NAME_LIMITS = {
    "version": 255,
    "environment": 128,
    "external_id": 255,
    "sha": 64,
    "source": 255,
    "id": 255,  # a customer's
    "tier": 64,
    "locale": 35,
    "key": 128,  # an environment or component a customer names
    "tag": 255,
    "type": 32,  # a change's Conventional Commits type
    "scope": 128,
    "author": 255,  # an author's name or e-mail address
    "note_source": 512,
}


@dataclass(frozen=True)
class FileChange:
    """One file a commit touched. ``status`` is git's letter: A, M, D, R, C, T.

    For a rename or copy ``old_path`` is the source; both paths count for mapping.
    """

    path: str
    status: str = "M"
    old_path: str | None = None

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if self.old_path is None else (self.old_path, self.path)


@dataclass(frozen=True)
class Commit:
    """A commit as git reports it, before any interpretation."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored_at: datetime
    subject: str
    body: str
    files: tuple[FileChange, ...] = ()


@dataclass(frozen=True)
class Release:
    """A git tag that matches the release pattern."""

    tag: str
    sha: str
    date: datetime
    message: str | None = None
    annotated: bool = False


@dataclass(frozen=True)
class Change:
    """A commit in a release range, interpreted: conventional type, trailers, note, visibility.

    ``customer_note`` is the text meant for customers, or None (then the change is
    described by its cleaned-up summary when visible). ``audience`` is "customer"
    or "internal".
    """

    sha: str
    summary: str
    body: str = ""
    type: str | None = None
    scope: str | None = None
    breaking: bool = False
    customer_note: str | None = None
    impact: str | None = None
    audience: str = "customer"
    visible: bool = True
    components: tuple[str, ...] = ()
    files: tuple[FileChange, ...] = ()
    author_name: str = ""
    author_email: str = ""
    authored_at: datetime | None = None
    release: str | None = None
    note_source: str | None = None  # "trailer", "fragment:<path>", or None


@dataclass(frozen=True)
class Component:
    """A part of the product as customers know it, with the paths that belong to it."""

    key: str
    name: str
    description: str = ""
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeployEvent:
    """One deploy as a source (log file, API) reports it; what ``deploy ingest`` stores.

    ``location`` says where it came from ("deploys.jsonl:12") for error messages.
    ``environment`` may be None when the format has none (then ``--env`` supplies it).
    """

    version: str
    status: str
    deployed_at: datetime
    environment: str | None = None
    external_id: str | None = None
    sha: str | None = None
    finished_at: datetime | None = None
    source: str = "cli"
    location: str = ""
    description: str | None = None


@dataclass(frozen=True)
class Deployment:
    """A stored deployment: version V reached environment E at time T with a status."""

    id: int
    environment: str
    version: str
    status: str
    deployed_at: datetime
    external_id: str | None = None
    source: str = "cli"
    sha: str | None = None
    finished_at: datetime | None = None

    @property
    def reached_customers(self) -> bool:
        """Whether this deploy reached customers (see ``REACHED_CUSTOMERS``)."""
        return self.status in REACHED_CUSTOMERS


@dataclass(frozen=True)
class FreezeWindow:
    start: datetime
    end: datetime
    reason: str | None = None

    def contains(self, moment: datetime) -> bool:
        """Inclusive at the start, exclusive at the end, like a calendar entry."""
        return self.start <= moment < self.end


# How often a customer is told: every notice at once, or a digest a day or a week
# (what needs action, rollbacks that take something away and incidents go at once).
CADENCES = ("immediate", "daily", "weekly")


@dataclass(frozen=True)
class Contacts:
    email: tuple[str, ...] = ()
    webhook_url: str | None = None
    webhook_secret_env: str | None = None
    slack_url_env: str | None = None
    cadence: str = "immediate"

    def as_json(self) -> dict[str, Any]:
        """How the store keeps them (``Contacts.from_json`` reads it back)."""
        return {
            "email": list(self.email),
            "webhook_url": self.webhook_url,
            "webhook_secret_env": self.webhook_secret_env,
            "slack_url_env": self.slack_url_env,
            "cadence": self.cadence,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Contacts:
        data = data or {}
        return cls(
            email=tuple(data.get("email") or ()),
            webhook_url=data.get("webhook_url"),
            webhook_secret_env=data.get("webhook_secret_env"),
            slack_url_env=data.get("slack_url_env"),
            cadence=data.get("cadence") or "immediate",
        )


@dataclass(frozen=True)
class Customer:
    """A customer. ``environments``/``components`` hold keys, or ("*",) for all."""

    id: str
    name: str
    environments: tuple[str, ...] = (ALL,)
    components: tuple[str, ...] = (ALL,)
    timezone: str = "UTC"
    locale: str = "en"
    tier: str | None = None
    contacts: Contacts = field(default_factory=Contacts)
    freeze: tuple[FreezeWindow, ...] = ()

    def uses(self, component: str) -> bool:
        return ALL in self.components or component in self.components

    def lives_on(self, environment: str) -> bool:
        return ALL in self.environments or environment in self.environments


@dataclass(frozen=True)
class CustomerImpact:
    """How one deployment touches one customer."""

    customer: Customer
    components: tuple[str, ...]
    changes: tuple[Change, ...]
    freeze_conflicts: tuple[FreezeWindow, ...] = ()


# An incident's lifecycle, in order; at the CLI the status moves forward only (any
# state may go to resolved), and a resolved incident moves again only when reopened.
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
SEVERITIES = ("minor", "major", "critical")


@dataclass(frozen=True)
class IncidentUpdate:
    status: str
    message: str
    at: datetime


@dataclass(frozen=True)
class ComponentSpan:
    """One component an incident affected, from when to when when the source says
    (an importer's per-component times); None: the incident's own start or end."""

    component: str
    started_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class Incident:
    """Something that went wrong for customers. ``title`` is internal; customers read
    ``public_title`` (None: only the updates' messages), never the title."""

    id: int
    title: str
    environment: str
    status: str
    started_at: datetime
    resolved_at: datetime | None = None
    severity: str | None = None
    components: tuple[str, ...] = ()
    suspect_deployment_id: int | None = None
    updates: tuple[IncidentUpdate, ...] = ()
    public_title: str | None = None
    source: str = "cli"
    external_id: str | None = None
    # The suspect was named (``--deploy``), not found by linking.
    suspect_named: bool = False
    spans: tuple[ComponentSpan, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"


@dataclass(frozen=True)
class Impact:
    """What one deployment (or a preview of one) changed, and for whom.

    ``previous_version`` is what the environment had before (None: nothing known).
    ``added`` are the commits the new version has and the old lacked, oldest first;
    ``removed`` those the old had and the new lacks (a rollback, or a hotfix that a
    version from another branch does not contain), newest first. Their components
    were mapped from their files when they were scanned; the files themselves are not
    loaded (``files`` is empty).
    """

    environment: str
    version: str
    previous_version: str | None
    added: tuple[Change, ...]
    removed: tuple[Change, ...]
    components: tuple[str, ...]
    customers: tuple[CustomerImpact, ...]
    deployment: Deployment | None = None
    unmapped_changes: tuple[Change, ...] = ()
    # Customers whose components only internal changes touched: not affected.
    touched_internally: tuple[str, ...] = ()
    # The changes that appear in a customer's notice (the one customer-facing test).
    facing: frozenset[str] = frozenset()
    # The version sorts before the one the environment had.
    backwards: bool = False
    # No deploy that reached customers is recorded before: ``previous_version`` is the
    # release before this one, assumed (the first deploy of an environment).
    previous_assumed: bool = False

    @property
    def changes(self) -> tuple[Change, ...]:
        return self.added + self.removed

    @property
    def rollback(self) -> bool:
        """Back to an earlier version, or a deploy that only takes changes away."""
        return self.backwards or (bool(self.removed) and not self.added)

    @property
    def lost(self) -> tuple[Change, ...]:
        """Removed changes the new version has no counterpart of (a cherry-pick with
        the same subject is one): what customers really lose."""
        kept = {c.summary for c in self.added}
        return tuple(c for c in self.removed if c.summary not in kept)

    @functools.cached_property
    def _removed_shas(self) -> frozenset[str]:
        return frozenset(c.sha for c in self.removed)

    def direction(self, change: Change) -> str:
        """``added`` or ``removed``."""
        return "removed" if change.sha in self._removed_shas else "added"

    @property
    def changed_nothing(self) -> bool:
        """A recorded deploy that never reached customers (failed, in progress)."""
        return self.deployment is not None and not self.deployment.reached_customers
