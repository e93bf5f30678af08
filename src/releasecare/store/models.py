"""SQLAlchemy models of what releasecare remembers.

Components are configuration, not data; everything else is stored here. Natural
unique keys (tag, sha, source + external id, customer id, idempotency key) make
every write idempotent. Times are stored as naive UTC and come back aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# How a time is stored, for SQL that bypasses SQLAlchemy's types (kept with the reads).
from releasecare.store.reads import driver_time as driver_time

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, naive UTC in the database.

    SQLite has no time zones; storing UTC everywhere keeps ordering and comparison
    right on both SQLite and PostgreSQL.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; attach a time zone first")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class ReleaseRow(Base):
    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(255), unique=True)
    sha: Mapped[str] = mapped_column(String(64))
    tagged_at: Mapped[datetime]
    message: Mapped[str | None] = mapped_column(Text)
    # Position in version order (0 = oldest); rewritten on every scan.
    position: Mapped[int] = mapped_column(Integer, index=True)
    previous_tag: Mapped[str | None] = mapped_column(String(255))
    scanned_at: Mapped[datetime | None]

    changes: Mapped[list[ChangeRow]] = relationship(back_populates="release")


class ChangeRow(Base):
    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha: Mapped[str] = mapped_column(String(64), unique=True)
    # None: a deployed commit no release tag contains yet (continuous deployment).
    release_id: Mapped[int | None] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), index=True
    )
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str | None] = mapped_column(String(32))
    scope: Mapped[str | None] = mapped_column(String(128))
    breaking: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_note: Mapped[str | None] = mapped_column(Text)
    note_source: Mapped[str | None] = mapped_column(String(512))
    impact: Mapped[str | None] = mapped_column(String(16))
    audience: Mapped[str] = mapped_column(String(16), default="customer")
    visible: Mapped[bool] = mapped_column(Boolean, default=True)
    author_name: Mapped[str] = mapped_column(String(255), default="")
    author_email: Mapped[str] = mapped_column(String(255), default="")
    authored_at: Mapped[datetime | None]
    # Position of the commit inside its release, oldest first.
    ordinal: Mapped[int] = mapped_column(Integer, default=0)

    release: Mapped[ReleaseRow | None] = relationship(back_populates="changes")
    files: Mapped[list[ChangeFileRow]] = relationship(cascade="all, delete-orphan")
    components: Mapped[list[ChangeComponentRow]] = relationship(cascade="all, delete-orphan")


class CommitRow(Base):
    """The commit graph: every commit a scan walked (merges too), with its parents.

    Kept so that a deploy's change set (commits reachable from B and not from A) is
    computed from the database alone: by a scheduled job or a release manager on a
    shared PostgreSQL without the repository. ``generation`` is 1 + the largest
    generation of the parents (roots: 1); a walk in decreasing generation visits a
    commit after every commit it is reachable from.
    """

    __tablename__ = "commits"

    sha: Mapped[str] = mapped_column(String(64), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, index=True)
    parents: Mapped[str] = mapped_column(Text, default="")  # space-separated shas


class SettingRow(Base):
    """What the stored data was made with (e.g. the scan's configuration fingerprint)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ChangeFileRow(Base):
    __tablename__ = "change_files"

    change_id: Mapped[int] = mapped_column(
        ForeignKey("changes.id", ondelete="CASCADE"), primary_key=True
    )
    path: Mapped[str] = mapped_column(Text, primary_key=True)
    status: Mapped[str] = mapped_column(String(2))
    old_path: Mapped[str | None] = mapped_column(Text)


class ChangeComponentRow(Base):
    __tablename__ = "change_components"

    change_id: Mapped[int] = mapped_column(
        ForeignKey("changes.id", ondelete="CASCADE"), primary_key=True
    )
    component: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)


class DeploymentRow(Base):
    __tablename__ = "deployments"
    __table_args__ = (
        # One CI run may deploy to several environments: the run's id is the key
        # together with the environment.
        UniqueConstraint("source", "external_id", "environment"),
        # Natural key, and (leading columns) the index for "history of environment E".
        UniqueConstraint("environment", "deployed_at", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    environment: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(255))
    sha: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    deployed_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(255), default="cli")
    external_id: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime]


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(35), default="en")
    tier: Mapped[str | None] = mapped_column(String(64))
    all_environments: Mapped[bool] = mapped_column(Boolean, default=False)
    all_components: Mapped[bool] = mapped_column(Boolean, default=False)
    contacts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]

    environments: Mapped[list[CustomerEnvironmentRow]] = relationship(cascade="all, delete-orphan")
    components: Mapped[list[CustomerComponentRow]] = relationship(cascade="all, delete-orphan")
    freeze: Mapped[list[FreezeWindowRow]] = relationship(
        cascade="all, delete-orphan", order_by="FreezeWindowRow.start"
    )


class CustomerEnvironmentRow(Base):
    __tablename__ = "customer_environments"

    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    environment: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)


class CustomerComponentRow(Base):
    __tablename__ = "customer_components"

    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    component: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)


class FreezeWindowRow(Base):
    __tablename__ = "freeze_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[datetime]
    end: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    environment: Mapped[str] = mapped_column(String(128), index=True)
    severity: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), default="investigating")
    started_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    suspect_deployment_id: Mapped[int | None] = mapped_column(
        ForeignKey("deployments.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(255), default="cli")
    external_id: Mapped[str | None] = mapped_column(String(255))
    # What customers read as the incident's name (the title is internal).
    public_title: Mapped[str | None] = mapped_column(Text)
    # The suspect was named with --deploy rather than found by linking.
    suspect_named: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    components: Mapped[list[IncidentComponentRow]] = relationship(cascade="all, delete-orphan")
    updates: Mapped[list[IncidentUpdateRow]] = relationship(
        cascade="all, delete-orphan", order_by="(IncidentUpdateRow.at, IncidentUpdateRow.id)"
    )
    customers: Mapped[list[IncidentCustomerRow]] = relationship(cascade="all, delete-orphan")


class IncidentComponentRow(Base):
    __tablename__ = "incident_components"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    component: Mapped[str] = mapped_column(String(128), primary_key=True)
    # The component's own times when the source gives them (None: the incident's).
    started_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]


class IncidentCustomerRow(Base):
    """A customer an incident affected: named at open (``named``), or, once it resolves,
    each customer the registry then said was affected, so that later changes to the
    registry do not rewrite history. No foreign key: a customer pruned later stays
    in the incidents that hurt them."""

    __tablename__ = "incident_customers"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[str] = mapped_column(String(255), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(Text, default="")
    # The incident's components the customer uses, space-separated.
    components: Mapped[str] = mapped_column(Text, default="")
    named: Mapped[bool] = mapped_column(Boolean, default=False)


class IncidentUpdateRow(Base):
    __tablename__ = "incident_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class NoticeRow(Base):
    """One rendered document for one customer about one deployment or incident."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("customer_id", "subject", "format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(255), index=True)
    # "deployment:<id>" or "incident:<id>": one column keeps the unique key simple.
    subject: Mapped[str] = mapped_column(String(64))
    deployment_id: Mapped[int | None] = mapped_column(
        ForeignKey("deployments.id", ondelete="CASCADE")
    )
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    rendered_at: Mapped[datetime]


class NoticeVersionRow(Base):
    """What one customer is told about one deployment or incident, in every format.

    ``version`` counts from 1 per (customer, subject) and grows when the rendered
    content changes (``fingerprint``: the content without the moment it was made);
    rendering the same content again adds none. Delivery reads the bodies from here,
    so a ``notify`` on another machine needs no output folder.
    """

    __tablename__ = "notice_versions"
    __table_args__ = (UniqueConstraint("customer_id", "subject", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(255), index=True)
    # "deployment:<id>" or "incident:<id>", as in ``notices``.
    subject: Mapped[str] = mapped_column(String(64), index=True)
    deployment_id: Mapped[int | None] = mapped_column(
        ForeignKey("deployments.id", ondelete="CASCADE")
    )
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    md: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    txt: Mapped[str] = mapped_column(Text)
    json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class DeliveryRow(Base):
    """The outbox: one notice version to one target of one channel, written before it
    is sent. ``message_id`` (the ``webhook-id``, the e-mail's ``Message-ID``) is the
    same for every attempt, so a receiver drops a repeat. The target is stored as it
    may be shown (a URL without its query, a variable's name): never a secret."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("notice_version_id", "channel", "target_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_version_id: Mapped[int] = mapped_column(
        ForeignKey("notice_versions.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[str] = mapped_column(String(255), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    target_key: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(128))
    # pending, sent, failed, given_up, unknown (see releasecare.delivery.outbox)
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_code: Mapped[int | None] = mapped_column(Integer)
    last_reply: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class DisabledTargetRow(Base):
    """A target the receiver said is gone (Slack's ``channel_not_found``, ...): nothing
    goes to it until the customer's contacts for it change (a new ``target_key``)."""

    __tablename__ = "disabled_targets"

    customer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    disabled_at: Mapped[datetime]


class DigestMarkRow(Base):
    """What a customer on a digest cadence was last told of an environment: the
    deployment their last digest (or notice sent at once) brought them up to. The
    next digest tells them the net difference from there."""

    __tablename__ = "digest_marks"

    customer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    environment: Mapped[str] = mapped_column(String(128), primary_key=True)
    # No foreign key: a pruned deployment leaves the mark, which then starts over.
    deployment_id: Mapped[int]
    updated_at: Mapped[datetime]
