"""Compose the notice pipeline: deployment -> impact -> rendered files -> stored notices.

Also composes ``notes lint`` over a release, a git range or fragment files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from releasecare.config import Config
from releasecare.domain import Change, Impact, Incident
from releasecare.errors import NotFound

if TYPE_CHECKING:
    from releasecare.render import RenderedNotice
    from releasecare.voice import Finding, VoiceOptions


def voice_options(config: Config, authors: Sequence[str] = ()) -> VoiceOptions:
    """``[voice]`` config as voice options; only keys given override the defaults."""
    from dataclasses import replace

    from releasecare.voice import VoiceOptions

    settings = config.voice  # validated by the config schema: lists of str, int, bool
    defaults = VoiceOptions()
    return replace(
        defaults,
        internal_hosts=tuple(settings.get("internal_hosts", defaults.internal_hosts)),
        jargon=tuple(settings.get("jargon", defaults.jargon)),
        allow=tuple(settings.get("allow", defaults.allow)),
        max_length=int(settings.get("max_length", defaults.max_length)),
        subject_fallback=bool(settings.get("subject_fallback", defaults.subject_fallback)),
        author_names=tuple(sorted({a for a in authors if a})),
    )


def render_deployment(
    session: Session,
    config: Config,
    *,
    deploy_id: int | None,
    environment: str | None,
    version: str | None,
    only: Sequence[str],
    formats: Sequence[str],
    out_dir: Path,
    feed: bool = False,
    overview_dir: Path | None = None,
) -> list[RenderedNotice]:
    """Render every affected customer's notice and remember each one."""
    from dataclasses import replace

    from releasecare.impact import find_impact
    from releasecare.render import RenderOptions, render_notices
    from releasecare.store import notices as notice_store

    impact = find_impact(
        session, config, deploy_id=deploy_id, environment=environment, version=version
    )
    if only:
        unknown = set(only) - {ci.customer.id for ci in impact.customers}
        if unknown:
            raise NotFound(
                f"not affected by this deployment (or unknown): {', '.join(sorted(unknown))}"
            )
        impact = replace(
            impact, customers=tuple(ci for ci in impact.customers if ci.customer.id in set(only))
        )
    options = RenderOptions(
        product=config.product,
        formats=tuple(formats),
        template_dir=config.templates,
        feed=feed,
        overview_dir=overview_dir,
        voice=voice_options(config, [c.author_name for c in impact.changes]),
    )
    written = render_notices(
        impact, config.components, out_dir, options, incidents=incidents_for(session, impact)
    )
    if impact.deployment is not None:
        notice_store.remember(session, impact.deployment.id, written)
    return written


def incidents_for(session: Session, impact: Impact) -> dict[str, list[Incident]]:
    """Per customer, the incidents on the environment since its previous deployment that
    touched a component they use (an incident naming no component touched everyone)."""
    from releasecare.store import deployments as deployment_store
    from releasecare.store import incidents as incident_store

    if impact.deployment is None:
        return {}
    before = deployment_store.previous_successful(
        session, impact.environment, before=impact.deployment
    )
    found = incident_store.during(
        session,
        impact.environment,
        before.deployed_at if before else None,
        impact.deployment.deployed_at,
    )
    return {
        ci.customer.id: [
            i for i in found if not i.components or set(i.components) & set(ci.components)
        ]
        for ci in impact.customers
    }


def lint_target(config: Config, repo: Path, target: str | None) -> list[Finding]:
    """Lint the notes of a release tag, a ``A..B`` range, or fragment files/folders."""
    from releasecare.voice import lint_changes, lint_note

    candidate = Path(target) if target else None
    if candidate is not None and candidate.exists():
        files = sorted(candidate.rglob("*.md")) if candidate.is_dir() else [candidate]
        findings: list[Finding] = []
        options = voice_options(config)
        for path in files:
            text = _fragment_body(path.read_text(encoding="utf-8", errors="replace"))
            findings.extend(lint_note(text, str(path), options))
        return findings
    changes = _changes_for(config, repo, target)
    return lint_changes(
        [c for c in changes if c.visible], voice_options(config, [c.author_name for c in changes])
    )


def _fragment_body(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            return text[end + 4 :].lstrip("\n")
    return text


def _changes_for(config: Config, repo: Path, target: str | None) -> list[Change]:
    from releasecare import gitrepo
    from releasecare.changes import changes_in_range
    from releasecare.components import ComponentMatcher
    from releasecare.releases import change_options

    releases = gitrepo.list_releases(repo, config.tag_pattern, order=config.release_order)
    tags = [r.tag for r in releases]
    if target and ".." in target:
        since, until = target.split("..", 1)
        since_rev: str | None = since or None
        until = until or "HEAD"
    else:
        until = target or (tags[-1] if tags else "HEAD")
        if until in tags:
            index = tags.index(until)
            since_rev = tags[index - 1] if index else None
        else:
            gitrepo.resolve(repo, until)
            since_rev = tags[-1] if tags and until == "HEAD" else None
    matcher = ComponentMatcher(config.components)
    return changes_in_range(repo, until, since_rev, matcher, change_options(config))
