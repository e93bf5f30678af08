"""Each deploy of a report's period as the report sees it: its change set (git's
difference from what its environment ran before, from the stored commit graph, over
one ``Graph`` shared by every walk), whether it went back, the deploy that followed
it, the incidents that suspect it, its components and its customer-facing changes.

A failed deploy gets the change set it would have brought: its components are the
ones whose deploy failed. A deploy whose commit the stored history lacks is kept,
with no changes (``known`` False), and counted by the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from releasecare.ancestry import Graph, IncompleteHistory, difference
from releasecare.config import Config
from releasecare.domain import Change, Deployment, Incident
from releasecare.impact import unpaired
from releasecare.overrides import apply as apply_overrides
from releasecare.store import reads
from releasecare.store import reports as store
from releasecare.store.reads import Reader
from releasecare.voice import appears


@dataclass
class Facts:
    """One deploy of the period with an outcome, as the report sees it."""

    deployment: Deployment
    added: tuple[str, ...] = ()  # what it brought (for a failed one: would have)
    removed: tuple[str, ...] = ()
    rollback: bool = False  # it went back (the deploy before it was rolled back)
    rolled_back_by: int | None = None
    next_reached: Deployment | None = None
    incidents: list[Incident] = field(default_factory=list)
    components: frozenset[str] = frozenset()
    facing: frozenset[str] = frozenset()
    known: bool = True


def deploy_facts(
    reader: Reader, since: datetime, until: datetime, environment: str | None
) -> tuple[list[Facts], int]:
    """The period's deploys with an outcome, each with its change set (from what its
    environment ran before it), whether it went back, and what followed it."""
    deploys = store.deployments_between(reader, since, until, environment)
    before, after = store.around(reader, since, until, environment)
    releases = store.release_commits(reader)
    positions = {tag: position for tag, (position, _) in releases.items()}
    by_position = {position: tag for tag, position in positions.items()}
    everything = [*deploys, *before, *after]
    recorded = {d.sha.lower() for d in everything if d.sha and len(d.sha) == 40}
    tips = recorded | {sha for _, sha in releases.values()}
    generations = reads.generations(reader, sorted(tips))
    band = partial(reads.band, reader)
    # Made at the first walk, from its tips down; a later, higher tip reads only the
    # generations above (deploys come in time order): the period's part of history.
    graph: Graph | None = None

    def commit(deployment: Deployment) -> str | None:
        sha = (deployment.sha or "").lower()
        if sha in generations:
            return sha
        if sha and len(sha) < 40:
            found = reads.expand(reader, sha)
            if found is not None:
                generations.update(reads.generations(reader, [found]))
                return found
        release = releases.get(deployment.version)
        return release[1] if release else None

    def versions_back(new: str, old: str) -> bool:
        return new in positions and old in positions and positions[new] < positions[old]

    facts: list[Facts] = []
    unknown = 0
    anchors = {d.environment: d for d in before}
    following = {d.environment: d for d in after}
    by_env: dict[str, list[Deployment]] = {}
    for deployment in deploys:
        if deployment.status != "in_progress":
            by_env.setdefault(deployment.environment, []).append(deployment)
    for env, history in by_env.items():
        previous = anchors.get(env)
        chain: list[Facts] = []
        for deployment in [*history, *([following[env]] if env in following else [])]:
            fact = Facts(deployment)
            old_version = previous.version if previous else None
            old = commit(previous) if previous else None
            if previous is None and deployment.version in positions:
                # Nothing known before: the release before, as impact assumes.
                old_version = by_position.get(positions[deployment.version] - 1)
                old = releases[old_version][1] if old_version in releases else None
            new = commit(deployment)
            ends = [new] if old is None else [new, old]
            if new is None or any(t not in generations for t in ends):
                fact.known = False
            else:
                if graph is None:
                    graph = Graph(band, max(generations[t] for t in ends if t))
                try:
                    diff = difference(new, old, generations, band, graph)
                    fact.added, fact.removed = diff.added, diff.removed
                except IncompleteHistory:
                    fact.known = False
            if deployment.reached_customers:
                back = old_version is not None and versions_back(deployment.version, old_version)
                fact.rollback = back or (bool(fact.removed) and not fact.added)
                previous = deployment
            chain.append(fact)
        _link(chain)
        facts += chain[: len(history)]
        unknown += sum(not f.known for f in chain[: len(history)])
    return facts, unknown


def _link(chain: Sequence[Facts]) -> None:
    """Each deploy's next one that reached customers; a deploy that reached them is
    rolled back by the next one that reached them when that one went back."""
    following: Deployment | None = None
    for fact in reversed(chain):
        fact.next_reached = following
        if fact.deployment.reached_customers:
            following = fact.deployment
    last: Facts | None = None
    for fact in chain:
        if fact.deployment.reached_customers:
            if last is not None and fact.rollback:
                last.rolled_back_by = fact.deployment.id
            last = fact


def changes_of(reader: Reader, config: Config, facts: list[Facts]) -> dict[str, Change]:
    """Every change the period's deploys added or removed (the release manager's
    overrides applied, as impact does), and each deploy's components and
    customer-facing changes (``impact``'s one test, cherry-picks paired)."""
    shas = sorted({sha for f in facts for sha in (*f.added, *f.removed)})
    found = store.changes(reader, shas)
    edits = config.overrides()
    if edits:
        found = {c.sha: c for c in apply_overrides(list(found.values()), edits)}
    voice = config.voice_options(c.author_name for c in found.values())
    facing = {sha for sha, c in found.items() if appears(c, voice)}
    for fact in facts:
        added = [found[s] for s in fact.added if s in found]
        removed = [found[s] for s in fact.removed if s in found]
        fact.components = frozenset(k for c in (*added, *removed) for k in c.components)
        if fact.deployment.reached_customers:
            mine = {c.sha for c in (*added, *removed) if c.sha in facing}
            fact.facing = frozenset(unpaired(mine, added, removed) if mine else ())
    return found
