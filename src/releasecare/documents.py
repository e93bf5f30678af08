"""The JSON documents pipelines depend on: one place for the public output contract.

Every ``--json`` output, and every JSON file releasecare writes for others to read,
is built here from the domain classes. Each document carries ``schema``: its kind
and version (``"impact/1"``). Keys are a public contract (README, "Command-line
contract"): add freely; renaming or removing one means a new version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasecare.domain import Change, Component, Customer, Deployment, Impact, Incident, Release

if TYPE_CHECKING:
    from releasecare.ci import CIRun
    from releasecare.components import CoverageReport
    from releasecare.delivery.plan import NotifyResult
    from releasecare.delivery.webhook import Verdict
    from releasecare.deploylogs import Skipped
    from releasecare.deployments import HistoryRow, IngestSummary
    from releasecare.incident_import import IncidentImport
    from releasecare.incidents import Opened, Report, Updated
    from releasecare.lint import CheckReport
    from releasecare.registry import ImportResult
    from releasecare.releases import ScanResult
    from releasecare.render import RenderedNotice
    from releasecare.report import Failure, Keys, ReliabilityReport, Spread
    from releasecare.store.deliveries import Delivery
    from releasecare.voice import Finding, HeldBack

VERSION = 1


def document(kind: str, **body: Any) -> dict[str, Any]:
    """A document of ``kind``: ``schema`` first, then its keys."""
    return {"schema": f"{kind}/{VERSION}", **body}


# --- the parts documents share ---------------------------------------------------


def change_json(
    change: Change, direction: str | None = None, appears: bool | None = None
) -> dict[str, Any]:
    """A change; in an impact, ``direction`` says whether the deploy added or removed it
    and ``appears`` whether it appears in customers' notices."""
    extra: dict[str, Any] = {} if direction is None else {"direction": direction}
    if appears is not None:
        extra["appears"] = appears
    return {
        "sha": change.sha,
        "summary": change.summary,
        "type": change.type,
        "scope": change.scope,
        "breaking": change.breaking,
        "components": list(change.components),
        "customer_note": change.customer_note,
        "audience": change.audience,
        "visible": change.visible,
        "release": change.release,
        **extra,
    }


def deployment_json(deployment: Deployment) -> dict[str, Any]:
    return {
        "id": deployment.id,
        "environment": deployment.environment,
        "version": deployment.version,
        "status": deployment.status,
        "deployed_at": deployment.deployed_at.isoformat(),
        "external_id": deployment.external_id,
        "source": deployment.source,
        "sha": deployment.sha,
    }


def customer_json(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "name": customer.name,
        "environments": list(customer.environments),
        "components": list(customer.components),
        "timezone": customer.timezone,
        "locale": customer.locale,
        "tier": customer.tier,
        "contacts": {
            "email": list(customer.contacts.email),
            "webhook_url": customer.contacts.webhook_url,
            "webhook_secret_env": customer.contacts.webhook_secret_env,
            "slack_url_env": customer.contacts.slack_url_env,
        },
        "freeze": [
            {"start": w.start.isoformat(), "end": w.end.isoformat(), "reason": w.reason}
            for w in customer.freeze
        ],
    }


def release_json(release: Release) -> dict[str, Any]:
    return {
        "tag": release.tag,
        "sha": release.sha,
        "date": release.date.isoformat(),
        "message": release.message,
    }


# --- documents -------------------------------------------------------------------


def impact_json(impact: Impact) -> dict[str, Any]:
    """``impact --json``: the deployment, its changes, components and customers."""
    deployment = impact.deployment
    return document(
        "impact",
        deployment={
            "id": deployment.id if deployment else None,
            "environment": impact.environment,
            "version": impact.version,
            "previous_version": impact.previous_version,
            "previous_assumed": impact.previous_assumed,
            "status": deployment.status if deployment else "preview",
            "deployed_at": deployment.deployed_at.isoformat() if deployment else None,
            "rollback": impact.rollback,
            "reached_customers": deployment.reached_customers if deployment else None,
        },
        changes=[
            change_json(c, impact.direction(c), c.sha in impact.facing)
            for c in impact.changes
            if c.components
        ],
        unmapped_changes=[
            change_json(c, impact.direction(c), c.sha in impact.facing)
            for c in impact.unmapped_changes
        ],
        lost=[c.sha for c in impact.lost],
        added=len(impact.added),
        removed=len(impact.removed),
        components=list(impact.components),
        customers=[
            {
                "id": ci.customer.id,
                "name": ci.customer.name,
                "components": list(ci.components),
                "changes": [c.sha for c in ci.changes],
                "freeze_conflicts": [
                    {"start": w.start.isoformat(), "end": w.end.isoformat(), "reason": w.reason}
                    for w in ci.freeze_conflicts
                ],
            }
            for ci in impact.customers
        ],
        freeze_conflicts=[ci.customer.id for ci in impact.customers if ci.freeze_conflicts],
        touched_internally=list(impact.touched_internally),
    )


def scan_json(result: ScanResult) -> dict[str, Any]:
    """``release scan --json``."""
    return document(
        "release-scan",
        releases=result.releases,
        skipped=result.skipped,
        scanned=[{"tag": t, "changes": n} for t, n in result.scanned],
        not_versions=result.not_versions,
        changes=result.changes,
        untyped_hidden=result.untyped_hidden,
        unknown_audiences=[
            {"sha": sha, "audience": value} for sha, value in result.unknown_audiences
        ],
        dropped=result.dropped,
    )


def release_show_json(release: Release, changes: Iterable[Change]) -> dict[str, Any]:
    """``release show --json``."""
    return document(
        "release",
        release=release_json(release),
        changes=[change_json(c) for c in changes],
    )


def releases_json(rows: Iterable[tuple[Release, int, bool]]) -> dict[str, Any]:
    """``release list --json``: each release with its change count and scanned flag."""
    return document(
        "releases",
        releases=[
            {
                "tag": r.tag,
                "sha": r.sha,
                "date": r.date.isoformat(),
                "changes": n,
                "scanned": scanned,
            }
            for r, n, scanned in rows
        ],
    )


def record_json(deployment: Deployment, created: bool) -> dict[str, Any]:
    """``deploy record --json``."""
    return document("deploy-record", deployment=deployment_json(deployment), created=created)


def ingest_json(summary: IngestSummary, skipped: Sequence[Skipped]) -> dict[str, Any]:
    """``deploy ingest --json``."""
    return document(
        "deploy-ingest",
        read=summary.read,
        created=summary.created,
        unchanged=summary.unchanged,
        skipped=[{"location": s.location, "reason": s.reason} for s in skipped],
    )


def deployments_json(rows: Iterable[HistoryRow]) -> dict[str, Any]:
    """``deploy list --json``: each deployment with the version its environment had,
    and its kind (first, update, rollback, redeploy, failed, in_progress)."""
    return document(
        "deployments",
        deployments=[
            deployment_json(row.deployment)
            | {
                "previous_version": row.previous_version,
                "kind": row.kind,
                "previous_assumed": row.kind == "first",
            }
            for row in rows
        ],
    )


def customers_import_json(imported: ImportResult) -> dict[str, Any]:
    """``customers import --json``."""
    stored = imported.stored
    return document(
        "customers-import",
        created=stored.created,
        updated=stored.updated,
        unchanged=stored.unchanged,
        pruned=stored.pruned,
        warnings=list(imported.warnings),
    )


def customers_json(customers: Iterable[Customer]) -> dict[str, Any]:
    """``customers list --json``."""
    return document("customers", customers=[customer_json(c) for c in customers])


def customer_show_json(customer: Customer, timeline: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``customers show --json``: the customer and what touched them, newest first."""
    return document("customer", customer=customer_json(customer), timeline=list(timeline))


def notices_json(
    written: Iterable[RenderedNotice], held_back: Iterable[HeldBack] = ()
) -> dict[str, Any]:
    """``notes render --json``: every file written, with its digest, and the changes to
    components that no notice describes, with the reason and the words that held each
    back (``span``)."""
    return document(
        "notices",
        notices=[
            {"customer": n.customer_id, "format": n.format, "path": str(n.path), "sha256": n.sha256}
            for n in written
        ],
        held_back=[
            {
                "sha": h.change.sha,
                "summary": h.change.summary,
                "components": list(h.change.components),
                "reason": h.reason,
                "span": h.span,
            }
            for h in held_back
        ],
    )


def findings_json(findings: Iterable[Finding]) -> dict[str, Any]:
    """``notes lint --json``."""
    return document(
        "lint",
        findings=[
            {
                "rule": f.rule,
                "location": f.location,
                "text": f.text,
                "span": f.span,
                "message": f.message,
                "suggestion": f.suggestion,
            }
            for f in findings
        ],
    )


def check_json(report: CheckReport) -> dict[str, Any]:
    """``notes check --json``: errors and warnings between the base and HEAD."""
    return document(
        "notes-check",
        base=report.base,
        changes=report.changes,
        errors=findings_json(report.errors)["findings"],
        warnings=findings_json(report.warnings)["findings"],
        waived=report.waived,
    )


def note_edit_json(path: Path, findings: Iterable[Finding]) -> dict[str, Any]:
    """``notes edit --json``: the override written and what the lint says of its text."""
    return document("note-edit", path=str(path), findings=findings_json(findings)["findings"])


def components_json(
    components: Iterable[Component], report: CoverageReport, *, check: bool
) -> dict[str, Any]:
    """``components --json``: each component with its file count; with ``check``, the
    coverage report (uncovered files, dead patterns, overlaps) instead of counts."""
    coverage = report.to_json()
    if check:
        return document(
            "components",
            components=[{"key": c.key, "name": c.name, "paths": list(c.paths)} for c in components],
            **coverage,
        )
    return document(
        "components",
        components=[
            {
                "key": c.key,
                "name": c.name,
                "paths": list(c.paths),
                "files": coverage["files_per_component"].get(c.key, 0),
            }
            for c in components
        ],
    )


def ci_step_json(
    kind: str,
    *,
    run: CIRun,
    impact: Impact,
    warnings: Sequence[Finding],
    outputs: Mapping[str, str],
    deployment: Deployment | None = None,
    created: bool = False,
    written: Iterable[RenderedNotice] = (),
    out_dir: Path | None = None,
) -> dict[str, Any]:
    """``after-deploy --json`` and ``before-deploy --json``: the CI run, the deployment
    (None before it), the impact document as ``impact --json`` prints it, the notices
    written, the warnings, and the step outputs given to the CI."""
    return document(
        kind,
        ci={"provider": run.provider, "run_id": run.run_id, "attempt": run.attempt},
        deployment=None
        if deployment is None
        else deployment_json(deployment) | {"created": created},
        impact=impact_json(impact),
        notices=notices_json(written)["notices"],
        out_dir=None if out_dir is None else str(out_dir),
        warnings=[
            {"rule": w.rule, "message": w.message, "location": w.location, "text": w.text}
            | {"suggestion": w.suggestion}
            for w in warnings
        ],
        outputs=dict(outputs),
    )


def webhook_verify_json(verdict: Verdict) -> dict[str, Any]:
    """``webhook verify --json``: whether the request verifies, and what it claims."""
    return document(
        "webhook-verify",
        verified=verdict.verified,
        reason=verdict.reason,
        webhook_id=verdict.message_id,
        signed_at=verdict.signed_at.isoformat() if verdict.signed_at else None,
    )


# --- incidents -------------------------------------------------------------------


def incident_json(incident: Incident) -> dict[str, Any]:
    """An incident as stored: ``title`` is internal, ``public_title`` what customers read."""
    return {
        "id": incident.id,
        "title": incident.title,
        "public_title": incident.public_title,
        "environment": incident.environment,
        "status": incident.status,
        "severity": incident.severity,
        "started_at": incident.started_at.isoformat(),
        "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
        "components": list(incident.components),
        "component_times": [
            {
                "component": s.component,
                "started_at": s.started_at.isoformat() if s.started_at else None,
                "resolved_at": s.resolved_at.isoformat() if s.resolved_at else None,
            }
            for s in incident.spans
        ],
        "suspect_deployment_id": incident.suspect_deployment_id,
        "suspect_named": incident.suspect_named,
        "source": incident.source,
        "external_id": incident.external_id,
        "updates": [
            {"status": u.status, "message": u.message, "at": u.at.isoformat()}
            for u in incident.updates
        ],
    }


def incident_open_json(opened: Opened, verdict: str | None) -> dict[str, Any]:
    """``incident open --json``: the whole record, with ``id``; ``created`` False when the
    external id was known (a retried step); the suspect's line; the voice warnings."""
    return document(
        "incident-open",
        id=opened.incident.id,
        created=opened.created,
        incident=incident_json(opened.incident),
        suspect=verdict,
        warnings=findings_json(opened.warnings)["findings"],
    )


def incident_update_json(updated: Updated) -> dict[str, Any]:
    """``incident update --json``."""
    return document(
        "incident-update",
        id=updated.incident.id,
        incident=incident_json(updated.incident),
        warnings=findings_json(updated.warnings)["findings"],
    )


def incident_import_json(result: IncidentImport) -> dict[str, Any]:
    """``incident import --json``: per incident its id, its id in the tool, whether it
    was created, updated or unchanged, and the tool's component names no component
    key matched (also listed once for the whole import)."""
    return document(
        "incident-import",
        source=result.source,
        format=result.format,
        environment=result.environment,
        created=result.count("created"),
        updated=result.count("updated"),
        unchanged=result.count("unchanged"),
        unknown_components=list(result.unknown_components),
        skipped=[{"location": s.location, "reason": s.reason} for s in result.skipped],
        incidents=[
            {
                "id": item.incident.id,
                "external_id": item.incident.external_id,
                "outcome": item.outcome,
                "status": item.incident.status,
                "components": list(item.incident.components),
                "unknown_components": list(item.unknown_components),
                "suspect_deployment_id": item.incident.suspect_deployment_id,
                "suspect": item.suspect_line,
            }
            for item in result.incidents
        ],
    )


def incidents_json(incidents: Iterable[tuple[Incident, int]]) -> dict[str, Any]:
    """``incident list --json``: each incident with its minutes (so far, while open)."""
    return document(
        "incidents",
        incidents=[incident_json(i) | {"minutes": minutes} for i, minutes in incidents],
    )


def incident_show_json(report: Report) -> dict[str, Any]:
    """``incident show --json``: the incident, its suspect and the candidates, the
    failed deploys and rollbacks near it, and each affected customer's minutes."""
    return document(
        "incident",
        incident=incident_json(report.incident),
        minutes=report.minutes,
        suspect={
            "deployment": deployment_json(report.suspect) if report.suspect else None,
            "named": report.incident.suspect_named,
            "explanation": report.verdict,
            "changes": [change_json(c) for c in report.changes],
        },
        candidates=[
            {
                "deployment": deployment_json(c.deployment),
                "components": list(c.components),
                "minutes_before": round(c.before.total_seconds() / 60),
                "rollback": c.rollback,
                "explanation": line,
            }
            for c, line in report.candidates
        ],
        nearby=[
            {
                "deployment": deployment_json(n.deployment),
                "kind": n.kind,
                "minutes_after_start": round(n.offset.total_seconds() / 60),
                "explanation": line,
            }
            for n, line in report.nearby
        ],
        unreadable=list(report.unreadable),
        customers=[
            {
                "id": h.customer_id,
                "name": h.name,
                "components": list(h.components),
                "named": h.named,
                "minutes": h.minutes,
                "component_minutes": dict(h.per_component),
            }
            for h in report.hurt
        ],
        customers_fixed=not report.incident.is_open,
    )


def notify_json(result: NotifyResult) -> dict[str, Any]:
    """``notify --json``: per customer and channel, what became of the notice (``state``:
    sent, skipped, waiting, failed, given_up, unknown; would_send in a dry run)."""
    return document(
        "notify",
        deployment=None if result.deployment is None else deployment_json(result.deployment),
        incident=None if result.incident is None else result.incident.id,
        dry_run=result.dry_run,
        baseline=result.baseline,
        nothing_changed=result.nothing_changed,
        unreachable=result.unreachable,
        counts=result.counts,
        deliveries=[
            {
                "customer": t.customer_id,
                "channel": t.channel,
                "target": t.target,
                "state": t.state,
                "reason": t.reason,
                "attempts": t.attempts,
                "code": t.code,
                "message_id": t.message_id,
                "notice_version": t.version,
            }
            for t in result.told
        ],
    )


def deliveries_json(rows: Iterable[Delivery]) -> dict[str, Any]:
    """``deliveries --json``: the outbox, newest first."""
    return document(
        "deliveries",
        deliveries=[
            {
                "id": d.id,
                "customer": d.customer_id,
                "subject": d.subject,
                "notice_version": d.version,
                "channel": d.channel,
                "target": d.target,
                "state": d.state,
                "attempts": d.attempts,
                "last_code": d.last_code,
                "last_reply": d.last_reply,
                "next_attempt_at": d.next_attempt_at.isoformat() if d.next_attempt_at else None,
                "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                "message_id": d.message_id,
            }
            for d in rows
        ],
    )


# --- the reliability report ------------------------------------------------------


def _spread_json(spread: Spread) -> dict[str, Any]:
    return {
        "n": spread.n,
        "enough": spread.enough,
        "median_seconds": spread.median,
        "p90_seconds": spread.p90,
    }


def _failure_json(failure: Failure) -> dict[str, Any]:
    return {
        "deployment": deployment_json(failure.deployment),
        "reasons": list(failure.reasons),
        "incidents": list(failure.incidents),
        "rolled_back_by": failure.rolled_back_by,
        "started_at": failure.started_at.isoformat(),
        "recovered_at": failure.recovered_at.isoformat() if failure.recovered_at else None,
        "recovered_by": failure.recovered_by,
        "recovery_seconds": failure.recovery_seconds,
    }


def _keys_json(keys: Keys) -> dict[str, Any]:
    return {
        "key": keys.key,
        "name": keys.name,
        "deployment_frequency": {
            "n": keys.deploys,
            "per_day": round(keys.per_day, 4),
            "per_week": round(keys.per_week, 4),
        },
        "lead_time": _spread_json(keys.lead_time),
        "change_failure_rate": {
            "n": keys.attempts,
            "enough": keys.failure_rate is not None,
            "failed": len(keys.failures),
            "rate": keys.failure_rate,
        },
        "recovery_time": _spread_json(keys.recovery) | {"unrecovered": keys.unrecovered},
        "failures": [_failure_json(f) for f in keys.failures],
    }


def report_json(report: ReliabilityReport) -> dict[str, Any]:
    """``report --json``: the four keys per environment and component, every customer
    worst first, the weeks, and with ``--customer`` that customer's timeline."""
    return document(
        "report",
        period={
            "since": report.period.since.isoformat(),
            "until": report.period.until.isoformat(),
            "days": report.period.days,
        },
        environment=report.environment,
        component=report.component,
        customer=report.customer.customer_id if report.customer else None,
        min_sample=report.min_sample,
        empty=report.empty,
        deploys=report.deploys,
        incidents=report.incidents,
        unknown_changes=report.unknown_changes,
        environments=[_keys_json(k) for k in report.environments],
        components=[_keys_json(k) for k in report.components],
        customers=[
            {
                "id": row.customer_id,
                "name": row.name,
                "deploys": row.deploys,
                "changes_added": row.added,
                "changes_removed": row.removed,
                "incidents": row.incidents,
                "impact_minutes": row.impact_minutes,
                "notices_sent": row.notices,
            }
            for row in report.customers
        ],
        weeks=[
            {"start": w.start.isoformat(), "deploys": w.deploys, "failures": w.failures}
            for w in report.weeks
        ],
        timeline=[
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "title": e.title,
                "detail": e.detail,
                "environment": e.environment,
                "id": e.ref,
                "minutes": e.minutes,
            }
            for e in report.timeline
        ],
    )
