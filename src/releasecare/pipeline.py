"""The CI steps around a deploy: ``after-deploy`` and ``before-deploy``.

``after_deploy`` is the one line a pipeline runs after its deploy: it refuses a
clone that cannot place the deploy (exit 3) before anything is written, then, in
one transaction, scans the releases, imports the customers, records the
deployment, finds its impact, renders every notice format and ``impact.json`` into
the output folder; a failure on the way leaves the database and the folder as they
were. The same run (and environment) records once and renders the same files, so
a retried or re-run job changes nothing, except that a failed attempt retried and
shipped moves to succeeded and then tells its customers.

Whatever looks off (no customers, nobody affected by customer-facing changes,
changes that touch no component, a change freeze, the voice lint) is a warning, on
the CI's terms too (``ci``, ``jobsummary``); with ``--strict`` the CLI exits 1
after all of it is recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from releasecare import ci
from releasecare.annotations import github as github_annotations
from releasecare.config import Config
from releasecare.deployments import record_deployment
from releasecare.documents import impact_json
from releasecare.domain import NOTICE_FORMATS, DeployEvent, Deployment, Impact
from releasecare.errors import InputError
from releasecare.impact import find_impact, freeze_conflicts
from releasecare.jobsummary import summary_lines
from releasecare.notices import render_impact
from releasecare.outdir import OutputFolder, customer_folder
from releasecare.outundo import OutputUndo
from releasecare.registry import ImportResult, import_customers
from releasecare.releases import ScanResult, check_full_clone, scan
from releasecare.render import RenderedNotice
from releasecare.store import customers as customer_store
from releasecare.text import plural
from releasecare.voice import UNTYPED, Finding, held_back_changes, lint_changes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DEFAULT_OUT = "releasecare-notices"
IMPACT_FILE = "impact.json"
Transaction = Callable[[], AbstractContextManager["Session"]]


@dataclass(frozen=True)
class AfterDeployRequest:
    """The options of ``after-deploy``; None: from the CI, else the default."""

    environment: str | None = None
    version: str | None = None
    status: str | None = None
    out_dir: Path = Path(DEFAULT_OUT)
    customers: str | None = None
    notify: bool = False
    run_id: str | None = None


@dataclass(frozen=True)
class StepResult:
    """What a CI step did: the deploy (None before it), its impact, the files, and
    every warning, with the annotations and outputs the CI was given."""

    run: ci.CIRun
    impact: Impact
    warnings: list[Finding]
    deployment: Deployment | None = None
    created: bool = False
    written: list[RenderedNotice] = field(default_factory=list)
    out_dir: Path | None = None
    impact_path: Path | None = None
    scan: ScanResult | None = None
    imported: ImportResult | None = None
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def annotations(self) -> list[str]:
        """``::warning::`` workflow commands on GitHub (at most ten, then a count)."""
        if self.run.provider != ci.GITHUB:
            return []
        return github_annotations(self.warnings, "warning")


def after_deploy(
    config: Config,
    repo: Path,
    transaction: Transaction,
    request: AfterDeployRequest,
    environ: Mapping[str, str],
    cwd: Path,
) -> StepResult:
    """Record one deploy and tell its customers, idempotently (see the module)."""
    run = ci.detect(environ, cwd)
    environment = _environment(config, request.environment, run)
    version = _version(request.version, run)
    status = ci.deploy_status(request.status, run)
    out = OutputFolder(request.out_dir)  # a file named as the folder: exit 2 now
    source = request.customers or config.customers_source
    check_full_clone(config, repo)
    undo = OutputUndo(request.out_dir)
    try:
        with transaction() as session:
            scanned = scan(config, repo, lambda: nullcontext(session))
            imported = import_customers(session, config, source) if source else None
            event = DeployEvent(
                version=version,
                status=status,
                deployed_at=datetime.now(UTC),
                environment=environment,
                external_id=request.run_id or run.run_id,
                source=run.source,
            )
            deployment, created = record_deployment(
                session, config, event, at_given=False, repo=repo
            )
            impact = find_impact(session, config, deploy_id=deployment.id)
            warnings = step_warnings(session, config, impact, scanned, imported)
            undo.keep(names=[IMPACT_FILE])
            for affected in impact.customers:
                undo.keep(customer_folder(affected.customer.id))
            written = render_impact(
                session,
                config,
                impact,
                formats=NOTICE_FORMATS,
                out_dir=request.out_dir,
                generated_at=deployment.finished_at or deployment.deployed_at,
            ).written
            document = json.dumps(impact_json(impact), indent=2, ensure_ascii=False) + "\n"
            impact_path = out.write(IMPACT_FILE, document)
    except BaseException:
        undo.restore()
        raise
    undo.forget()
    result = StepResult(
        run=run,
        impact=impact,
        warnings=warnings,
        deployment=deployment,
        created=created,
        written=written,
        out_dir=request.out_dir,
        impact_path=impact_path,
        scan=scanned,
        imported=imported,
        outputs=_outputs(deployment, impact, request.out_dir, impact_path),
    )
    _publish(config, result)
    return result


def before_deploy(
    config: Config,
    repo: Path,
    transaction: Transaction,
    environ: Mapping[str, str],
    cwd: Path,
    *,
    environment: str | None,
    version: str | None,
    customers: str | None = None,
    at: datetime | None = None,
) -> StepResult:
    """The gate before a deploy: what deploying ``version`` now would change, for whom,
    and every warning (a change freeze among them); the releases are scanned and the
    customers imported (``customers`` or ``[customers] source``) first."""
    run = ci.detect(environ, cwd)
    environment = _environment(config, environment, run)
    version = _version(version, run)
    source = customers or config.customers_source
    check_full_clone(config, repo)
    with transaction() as session:
        scanned = scan(config, repo, lambda: nullcontext(session))
        imported = import_customers(session, config, source) if source else None
        impact = find_impact(
            session, config, environment=environment, version=version, at=at or datetime.now(UTC)
        )
        warnings = step_warnings(session, config, impact, scanned, imported)
    outputs = {
        "affected-customers": str(len(impact.customers)),
        "affected-customer-ids": ",".join(c.customer.id for c in impact.customers),
        "freeze-conflicts": ",".join(c.customer.id for c in freeze_conflicts(impact)),
    }
    result = StepResult(
        run=run,
        impact=impact,
        warnings=warnings,
        scan=scanned,
        imported=imported,
        outputs=outputs,
    )
    _publish(config, result)
    return result


def _environment(config: Config, given: str | None, run: ci.CIRun) -> str:
    environment = given or run.environment
    if not environment:
        raise InputError(
            "--env: which environment was deployed to is not known",
            hint="give --env (on GitLab CI, `environment:` on the job sets it)",
        )
    config.check_environment(environment)
    return environment


def _version(given: str | None, run: ci.CIRun) -> str:
    version = given or run.version
    if not version:
        raise InputError(
            "--version: which version was deployed is not known",
            hint="give --version (a release tag, or the commit); on GitHub Actions and "
            "GitLab CI it defaults to the run's tag, else its commit",
        )
    return version


def step_warnings(
    session: Session,
    config: Config,
    impact: Impact,
    scanned: ScanResult | None,
    imported: ImportResult | None,
) -> list[Finding]:
    """Everything a release manager should hear of, each once; never silent."""
    found: list[Finding] = []

    def warn(rule: str, message: str, suggestion: str | None = None) -> None:
        found.append(Finding(rule, message, "", suggestion))

    for line in imported.warnings if imported else ():
        warn("customers", line)
    if scanned is not None and scanned.not_versions:
        warn(
            "not-versions",
            f"{plural(len(scanned.not_versions), 'tag')} match {config.tag_pattern!r} but "
            f"are no versions: {_listed(scanned.not_versions)}",
            "narrow [release] tag_pattern, e.g. 'v[0-9]*.*'",
        )
    registry = customer_store.count(session)
    if not registry:
        warn(
            "no-customers",
            "the customer registry is empty: no customer is told about this deploy",
            "import them: --customers FILE or URL, or [customers] source in releasecare.toml",
        )
    if impact.changed_nothing:
        return found
    env = impact.environment
    facing = [c for c in impact.changes if c.sha in impact.facing and c.components]
    if registry and facing and not impact.customers:
        parts = sorted({k for c in facing for k in c.components})
        warn(
            "nobody-affected",
            f"{plural(len(facing), 'customer-facing change')} touch {', '.join(parts)}, "
            f"but no customer on {env} uses them: nobody is told",
            "check the customers' environments and components (`releasecare customers list`)",
        )
    unmapped = [c for c in impact.unmapped_changes if c.sha in impact.facing]
    if unmapped:
        warn(
            "unmapped-changes",
            f"{plural(len(unmapped), 'customer-facing change')} touch no component, so no "
            f"customer hears of them: {_listed([_short(c.sha, c.summary) for c in unmapped])}",
            "map their files to components in releasecare.toml (`releasecare components --check`)",
        )
    for affected in freeze_conflicts(impact):
        windows = ", ".join(
            f"{w.reason or 'freeze'} until {w.end.isoformat()}" for w in affected.freeze_conflicts
        )
        warn(
            "freeze",
            f"{'deployed' if impact.deployment else 'deploying'} to {env} inside the change "
            f"freeze of customer {affected.customer.id} ({windows})",
            "talk to them before the notice goes out" if impact.deployment else "wait, or agree",
        )
    lost = impact.lost
    if lost and impact.added and not impact.rollback:
        warn(
            "lost-changes",
            f"{impact.version} lacks {plural(len(lost), 'change')} that {env} had with "
            f"{impact.previous_version}; customers lose {'it' if len(lost) == 1 else 'them'}: "
            + _listed([_short(c.sha, c.summary) for c in lost]),
            "ship them again in a release of this branch",
        )
    voice = config.voice_options(c.author_name for c in impact.changes)
    untyped = [h.change for h in held_back_changes(impact.added, voice) if h.reason == UNTYPED]
    if untyped:
        warn(
            "untyped-changes",
            f"{plural(len(untyped), 'change')} to components without a Conventional "
            "Commits type, which no notice describes: "
            + _listed([_short(c.sha, c.summary) for c in untyped]),
            'word each with `releasecare notes edit SHA --text "..."`, or keep it out with --hide',
        )
    found += lint_changes([c for c in impact.changes if c.components and c.visible], voice)
    return found


def _short(sha: str, summary: str) -> str:
    return f"{sha[:10]} {summary}"


def _listed(items: Iterable[str], limit: int = 5) -> str:
    shown = list(items)
    text = "; ".join(shown[:limit])
    return text + (f"; and {len(shown) - limit} more" if len(shown) > limit else "")


def _outputs(
    deployment: Deployment, impact: Impact, out_dir: Path, impact_path: Path
) -> dict[str, str]:
    return {
        "deployment-id": str(deployment.id),
        "affected-customers": str(len(impact.customers)),
        "affected-customer-ids": ",".join(c.customer.id for c in impact.customers),
        "notices-dir": str(out_dir),
        "impact-json": str(impact_path),
    }


def _publish(config: Config, result: StepResult) -> None:
    """Tell the CI: GitHub's job summary and step outputs, GitLab's dotenv report."""
    run = result.run
    if run.summary_path is not None:
        lines = summary_lines(
            config,
            run=run,
            impact=result.impact,
            warnings=result.warnings,
            deployment=result.deployment,
            written=result.written,
            out_dir=result.out_dir,
        )
        ci.append_summary(run.summary_path, lines)
    if run.output_path is not None:
        ci.append_outputs(run.output_path, result.outputs)
    if run.dotenv_path is not None and result.deployment is not None:
        ci.write_dotenv(
            run.dotenv_path,
            {
                "RELEASECARE_DEPLOYMENT_ID": result.outputs["deployment-id"],
                "RELEASECARE_AFFECTED_CUSTOMERS": result.outputs["affected-customers"],
                "RELEASECARE_NOTICES_DIR": result.outputs["notices-dir"],
                "RELEASECARE_IMPACT_JSON": result.outputs["impact-json"],
            },
        )
