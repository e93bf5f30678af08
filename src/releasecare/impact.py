"""From a deployment to the customers it touched.

The change set of a deployment is what its environment had before (the previous
successful deployment there, or the release before when nothing is known) up to
what it has now. A deployment to an older version is a rollback: the same range,
reversed, whose changes were taken away.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from releasecare.config import Config
from releasecare.domain import Change, Customer, CustomerImpact, Deployment, Impact
from releasecare.errors import InputError, NotFound, nearest_tags_hint
from releasecare.store import customers as customer_store
from releasecare.store import deployments as deployment_store
from releasecare.store import releases as release_store
from releasecare.versions import in_order
from releasecare.voice import VoiceOptions, appears

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def version_range(
    positions: Mapping[str, int], version: str, previous: str | None
) -> tuple[int, int, bool]:
    """``(after, upto, rollback)``: the releases with ``after < position <= upto``.

    With no previous version, the range is the release itself (after = its
    predecessor's position).
    """
    target = positions[version]
    if previous is None:
        return target - 1, target, False
    before = positions[previous]
    if target >= before:
        return before, target, False
    return target, before, True


def require_release(positions: Mapping[str, int], version: str, what: str = "version") -> None:
    """Raise NotFound naming the nearest release tags when ``version`` is not a release."""
    if version in positions:
        return
    if not positions:
        raise InputError(
            f"no releases are known yet, so {what} {version!r} cannot be placed",
            hint="run `releasecare release scan` first",
        )
    raise NotFound(
        f"{what} {version!r} is not a scanned release",
        hint=nearest_tags_hint(in_order(positions), version),
    )


def find_impact(
    session: Session,
    config: Config,
    *,
    deploy_id: int | None = None,
    environment: str | None = None,
    version: str | None = None,
    at: datetime | None = None,
) -> Impact:
    """The impact of a recorded deployment (``deploy_id``), or for ``environment`` and
    ``version``: of the latest recorded deploy of that version there, else a preview
    of deploying it now (or ``at``; a time given always means a preview)."""
    unmapped, voice = config.unmapped, config.voice_options()
    if deploy_id is not None:
        if environment or version:
            raise InputError("give either a DEPLOY_ID or --env/--version, not both")
        deployment = deployment_store.get(session, deploy_id)
        if deployment is None:
            raise NotFound(
                f"no deployment with id {deploy_id}", hint="`releasecare deploy list` shows them"
            )
    elif not (environment and version):
        raise InputError("give a DEPLOY_ID, or --env and --version")
    else:
        config.check_environment(environment)
        deployment = None if at else deployment_store.latest(session, environment, version)
        if deployment is None:
            return preview(session, environment, version, at=at, unmapped=unmapped, voice=voice)
    return impact_of_deployment(session, deployment, unmapped=unmapped, voice=voice)


def impact_of_deployment(
    session: Session,
    deployment: Deployment,
    *,
    unmapped: str = "ignore",
    voice: VoiceOptions | None = None,
) -> Impact:
    """The impact of a recorded deployment; one that never reached customers (failed,
    in progress) changed nothing for anyone."""
    previous = deployment_store.previous_successful(
        session, deployment.environment, before=deployment
    )
    if not deployment.reached_customers:
        return Impact(
            environment=deployment.environment,
            version=deployment.version,
            previous_version=previous.version if previous else None,
            rollback=False,
            changes=(),
            components=(),
            customers=(),
            deployment=deployment,
        )
    return _impact(
        session,
        deployment.environment,
        deployment.version,
        previous.version if previous else None,
        deployment.deployed_at,
        deployment=deployment,
        unmapped=unmapped,
        voice=voice or VoiceOptions(),
    )


def preview(
    session: Session,
    environment: str,
    version: str,
    *,
    at: datetime | None = None,
    unmapped: str = "ignore",
    voice: VoiceOptions | None = None,
) -> Impact:
    """What deploying ``version`` to ``environment`` now (or ``at``) would change."""
    current = deployment_store.previous_successful(session, environment)
    return _impact(
        session,
        environment,
        version,
        current.version if current else None,
        at or datetime.now(UTC),
        deployment=None,
        unmapped=unmapped,
        voice=voice or VoiceOptions(),
    )


def _impact(
    session: Session,
    environment: str,
    version: str,
    previous: str | None,
    moment: datetime,
    *,
    deployment: Deployment | None,
    unmapped: str,
    voice: VoiceOptions,
) -> Impact:
    positions = release_store.positions(session)
    require_release(positions, version)
    if previous is not None:
        require_release(positions, previous, what="previous version")
    else:
        before = [tag for tag, pos in positions.items() if pos == positions[version] - 1]
        previous = before[0] if before else None
    after, upto, rollback = version_range(positions, version, previous)
    changes = release_store.changes_between(session, after, upto)
    if rollback:
        changes.reverse()
    mapped = [c for c in changes if c.components]
    unmapped_changes = tuple(c for c in changes if not c.components)
    components = tuple(sorted({key for c in mapped for key in c.components}))
    touched = customer_store.touched_by(session, environment, components)
    if unmapped == "everyone" and unmapped_changes:
        touched = _with_everyone(session, environment, touched)
    facing = {c.sha for c in changes if appears(c, voice)}
    customers = tuple(
        customer_impact(
            customer,
            used,
            changes,
            moment,
            include_unmapped=unmapped == "everyone",
            facing=facing.__contains__,
        )
        for customer, used in touched
    )
    return Impact(
        environment=environment,
        version=version,
        previous_version=previous,
        rollback=rollback,
        changes=tuple(changes),
        components=components,
        customers=tuple(c for c in customers if c.changes),
        deployment=deployment,
        unmapped_changes=unmapped_changes,
        touched_internally=tuple(c.customer.id for c in customers if not c.changes),
    )


def _with_everyone(
    session: Session, environment: str, touched: list[tuple[Customer, tuple[str, ...]]]
) -> list[tuple[Customer, tuple[str, ...]]]:
    known = {c.id for c, _ in touched}
    extra = [
        (c, ())
        for c in customer_store.all_customers(session)
        if c.lives_on(environment) and c.id not in known
    ]
    return sorted([*touched, *extra], key=lambda pair: pair[0].id)


def customer_impact(
    customer: Customer,
    used: Sequence[str],
    changes: Sequence[Change],
    moment: datetime,
    *,
    include_unmapped: bool = False,
    facing: Callable[[str], bool] = lambda sha: True,
) -> CustomerImpact:
    """The customer-facing changes that reach ``customer`` through the components they
    use (``facing`` tells a customer-facing change by its sha); a customer whose
    components only internal changes touched gets none, and is not affected."""
    used_set = set(used)
    theirs = tuple(
        c
        for c in changes
        if (used_set.intersection(c.components) or (include_unmapped and not c.components))
        and facing(c.sha)
    )
    conflicts = tuple(w for w in customer.freeze if w.contains(moment))
    return CustomerImpact(
        customer=customer,
        components=tuple(sorted(used_set)),
        changes=theirs,
        freeze_conflicts=conflicts,
    )
