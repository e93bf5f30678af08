"""From a deployment to the customers it touched.

The change set of a deployment is git's difference between the commit its
environment had before (A: the previous successful deployment there, or the
release before when nothing is known) and the commit it has now (B): *added* is
what B has and A lacks, *removed* what A had and B lacks, from the commit graph
stored at scan time (``ancestry``). Each deployment keeps its own commit, so its
range never changes when a tag moves or is deleted. A deploy that only removes is
a rollback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from releasecare.ancestry import difference
from releasecare.config import Config
from releasecare.domain import Change, Customer, CustomerImpact, Deployment, Impact
from releasecare.errors import InputError, NotFound, nearest_tags_hint
from releasecare.overrides import Override
from releasecare.overrides import apply as apply_overrides
from releasecare.store import reads
from releasecare.store.reads import Reader, collector_paused, reading
from releasecare.versions import in_order
from releasecare.voice import VoiceOptions, appears

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


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
    db: Session | Reader,
    config: Config,
    *,
    deploy_id: int | None = None,
    environment: str | None = None,
    version: str | None = None,
    at: datetime | None = None,
) -> Impact:
    """The impact of a recorded deployment (``deploy_id``), or for ``environment`` and
    ``version``: of the latest recorded deploy of that version there, else a preview
    of deploying it now (or ``at``; a time given always means a preview).

    ``db`` is the command's session, or a store Reader (``impact`` on a SQLite file
    reads through the driver alone); both read the same queries.
    """
    # Thousands of plain objects (rows, changes, files), none in a cycle: the
    # collector would only walk them again and again.
    with reading(db) as reader, collector_paused():
        return _find(reader, config, deploy_id, environment, version, at)


def _find(
    reader: Reader,
    config: Config,
    deploy_id: int | None,
    environment: str | None,
    version: str | None,
    at: datetime | None,
) -> Impact:
    unmapped, voice, edits = config.unmapped, config.voice_options(), config.overrides()
    if deploy_id is not None:
        if environment or version:
            raise InputError("give either a DEPLOY_ID or --env/--version, not both")
        deployment = reads.deployment(reader, deploy_id)
        if deployment is None:
            raise NotFound(
                f"no deployment with id {deploy_id}", hint="`releasecare deploy list` shows them"
            )
    elif not (environment and version):
        raise InputError("give a DEPLOY_ID, or --env and --version")
    else:
        config.check_environment(environment)
        deployment = None if at else reads.latest_deployment(reader, environment, version)
        if deployment is None:
            return preview(
                reader, environment, version, at=at, unmapped=unmapped, voice=voice, edits=edits
            )
    return impact_of_deployment(reader, deployment, unmapped=unmapped, voice=voice, edits=edits)


def impact_of_deployment(
    db: Session | Reader,
    deployment: Deployment,
    *,
    unmapped: str = "ignore",
    voice: VoiceOptions | None = None,
    edits: Mapping[str, Override] | None = None,
) -> Impact:
    """The impact of a recorded deployment; one that never reached customers (failed,
    in progress) changed nothing for anyone."""
    with reading(db) as reader:
        return _of_deployment(reader, deployment, unmapped, voice, edits)


def _of_deployment(
    reader: Reader,
    deployment: Deployment,
    unmapped: str,
    voice: VoiceOptions | None,
    edits: Mapping[str, Override] | None,
) -> Impact:
    previous = reads.previous_successful(reader, deployment.environment, deployment)
    if not deployment.reached_customers:
        return Impact(
            environment=deployment.environment,
            version=deployment.version,
            previous_version=previous.version if previous else None,
            added=(),
            removed=(),
            components=(),
            customers=(),
            deployment=deployment,
        )
    return _impact(
        reader,
        deployment.environment,
        (deployment.version, deployment.sha),
        previous,
        deployment.deployed_at,
        deployment=deployment,
        unmapped=unmapped,
        voice=voice or VoiceOptions(),
        edits=edits or {},
    )


def impact_between(
    db: Session | Reader,
    earlier: Deployment,
    later: Deployment,
    *,
    voice: VoiceOptions | None = None,
) -> Impact:
    """The net difference an environment went through from ``earlier`` to ``later``
    (two deployments that reached customers), as if one deploy had made it: a change
    added and rolled back in between is in neither ``added`` nor ``removed``. A
    customer on a digest hears this since what they were last told."""
    with reading(db) as reader:
        return _impact(
            reader,
            later.environment,
            (later.version, later.sha),
            earlier,
            later.deployed_at,
            deployment=later,
            unmapped="ignore",
            voice=voice or VoiceOptions(),
            edits={},
        )


def preview(
    db: Session | Reader,
    environment: str,
    version: str,
    *,
    at: datetime | None = None,
    unmapped: str = "ignore",
    voice: VoiceOptions | None = None,
    edits: Mapping[str, Override] | None = None,
) -> Impact:
    """What deploying ``version`` to ``environment`` now (or ``at``) would change."""
    with reading(db) as reader:
        return _impact(
            reader,
            environment,
            (version, None),
            reads.previous_successful(reader, environment),
            at or datetime.now(UTC),
            deployment=None,
            unmapped=unmapped,
            voice=voice or VoiceOptions(),
            edits=edits or {},
        )


def _impact(
    reader: Reader,
    environment: str,
    target: tuple[str, str | None],
    previous: Deployment | None,
    moment: datetime,
    *,
    deployment: Deployment | None,
    unmapped: str,
    voice: VoiceOptions,
    edits: Mapping[str, Override],
) -> Impact:
    """The impact of ``target`` (version, commit if known) after ``previous``."""
    positions = reads.positions(reader)
    version, sha = target
    new = _deployed_commit(reader, positions, version, sha, "version")
    old: str | None = None
    if previous is not None:
        previous_version: str | None = previous.version
        old = _deployed_commit(
            reader, positions, previous.version, previous.sha, "previous version"
        )
    else:
        # Nothing known before: assume the release before this one.
        previous_version = _release_before(positions, version)
        if previous_version is not None:
            old = _release_commit(reader, positions, previous_version)
    tips = [new] if old is None else [new, old]
    diff = difference(new, old, reads.generations(reader, tips), partial(reads.band, reader))
    # The release manager's overrides in the working tree win over what was stored.
    # Components were mapped from the files, and notes taken from the message, at scan
    # time; nothing after impact reads a change's files or body, so neither is loaded
    # (the files were a tenth of a long range's time, the bodies a twentieth).
    added = apply_overrides(reads.changes_of(reader, diff.added[::-1], full=False), edits)
    removed = apply_overrides(reads.changes_of(reader, diff.removed, full=False), edits)
    changes = [*added, *removed]
    mapped = [c for c in changes if c.components]
    unmapped_changes = tuple(c for c in changes if not c.components)
    components = tuple(sorted({key for c in mapped for key in c.components}))
    touched = reads.touched_by(reader, environment, components)
    if unmapped == "everyone" and unmapped_changes:
        touched = _with_everyone(reader, environment, touched)
    # Authors' names never reach a customer: a subject naming one is held back here
    # as in the notice.
    voice = voice.with_authors(c.author_name for c in changes)
    facing = unpaired({c.sha for c in changes if appears(c, voice)}, added, removed)
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
        previous_version=previous_version,
        added=tuple(added),
        removed=tuple(removed),
        components=components,
        customers=tuple(c for c in customers if c.changes),
        deployment=deployment,
        unmapped_changes=unmapped_changes,
        touched_internally=tuple(c.customer.id for c in customers if not c.changes),
        facing=frozenset(facing),
        previous_assumed=previous is None and previous_version is not None,
        backwards=previous_version is not None
        and version in positions
        and previous_version in positions
        and positions[version] < positions[previous_version],
    )


def unpaired(facing: set[str], added: Sequence[Change], removed: Sequence[Change]) -> set[str]:
    """``facing`` without the pairs of a removed change and an added one that says the
    same (a cherry-pick to the other branch): the customer had it and still has it."""

    def said(change: Change) -> tuple[str, str | None, str | None]:
        return (change.summary, change.customer_note, change.type)

    lost = {said(c): c.sha for c in removed if c.sha in facing}
    if not lost:
        return facing
    paired = set()
    for change in added:
        if change.sha in facing and (sha := lost.pop(said(change), None)) is not None:
            paired |= {sha, change.sha}
    return facing - paired


def _deployed_commit(
    reader: Reader, positions: Mapping[str, int], version: str, sha: str | None, what: str
) -> str:
    """The commit a deployment recorded when the stored history has it, else its release's."""
    if sha:
        found = reads.expand(reader, sha.lower())
        if found is not None:
            return found
    return _release_commit(reader, positions, version, what)


def _release_commit(
    reader: Reader, positions: Mapping[str, int], version: str, what: str = "version"
) -> str:
    """The commit of release ``version``; NotFound naming the nearest release tags."""
    require_release(positions, version, what)
    release = reads.release(reader, version)
    assert release is not None  # positions come from the same table
    return release.sha


def _release_before(positions: Mapping[str, int], version: str) -> str | None:
    if version not in positions:
        return None
    before = [tag for tag, pos in positions.items() if pos == positions[version] - 1]
    return before[0] if before else None


def _with_everyone(
    reader: Reader, environment: str, touched: list[tuple[Customer, tuple[str, ...]]]
) -> list[tuple[Customer, tuple[str, ...]]]:
    known = {c.id for c, _ in touched}
    extra = [
        (c, ())
        for c in reads.all_customers(reader)
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


def freeze_conflicts(impact: Impact) -> list[CustomerImpact]:
    """The affected customers whose change freeze the deploy falls in (``impact
    --strict``, ``after-deploy`` and ``before-deploy`` ask this one question)."""
    return [c for c in impact.customers if c.freeze_conflicts]
