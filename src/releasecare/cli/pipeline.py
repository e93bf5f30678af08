"""``releasecare after-deploy`` and ``before-deploy``: the CI steps around a deploy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from releasecare.cli.app import App, emit_json, info, json_option, nothing_changed, pass_app

if TYPE_CHECKING:
    from releasecare.pipeline import StepResult
    from releasecare.voice import Finding


@click.command("after-deploy")
@click.option("--env", "environment", help="Environment deployed to (GitLab: CI_ENVIRONMENT_NAME).")
@click.option(
    "--version",
    "version",
    help="Release tag or commit deployed (default: the CI's tag, else its commit).",
)
@click.option(
    "--status",
    metavar="STATUS",
    help="How the deploy ended, in the CI's words (success, failure, cancelled, failed, "
    "canceled, skipped, ...) or releasecare's (default: succeeded; GitLab after_script: "
    "CI_JOB_STATUS).",
)
@click.option(
    "--out",
    "out_dir",
    default="releasecare-notices",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the notices (every format) and impact.json.",
)
@click.option(
    "--customers",
    "customers",
    metavar="SOURCE",
    help="Import the customers from this file or URL first (default: [customers] source).",
)
@click.option(
    "--notify", is_flag=True, help="Then deliver the notices (as `releasecare notify` does)."
)
@click.option(
    "--allow-insecure-localhost",
    is_flag=True,
    help="With --notify: allow http:// targets on this machine (tests, a local relay).",
)
@click.option(
    "--run-id",
    metavar="ID",
    help="The CI run's id, so a re-run records once (default: GITHUB_RUN_ID, CI_PIPELINE_ID).",
)
@click.option("--strict", is_flag=True, help="Exit 1 after recording when anything warned.")
@json_option
@pass_app
def after_deploy(
    app: App,
    environment: str | None,
    version: str | None,
    status: str | None,
    out_dir: str,
    customers: str | None,
    notify: bool,
    allow_insecure_localhost: bool,
    run_id: str | None,
    strict: bool,
    as_json: bool,
) -> None:
    """The CI step after a deploy: record it and write every affected customer's notice.

    In one command and one transaction: scan the releases, import the customers,
    record the deployment, find its impact, render the notices (md, html, txt, json)
    and impact.json into --out. A shallow clone or one without tags is exit 3 before
    anything is written. The same run and environment records once: a retried job
    changes nothing, except that a failed attempt retried and shipped now tells its
    customers. A failed deploy is recorded and tells no one.

    On GitHub Actions it appends a job summary, prints warnings as annotations and
    sets the step outputs deployment-id, affected-customers, affected-customer-ids,
    notices-dir and impact-json; on GitLab CI it writes the dotenv report
    releasecare.env.

    \b
    Examples:
      releasecare after-deploy --env production-eu --status "${{ job.status }}"
      releasecare after-deploy --env production-eu --version v2.4.0 --run-id 8812 --strict
    """
    import os
    from pathlib import Path

    from releasecare.pipeline import AfterDeployRequest, after_deploy

    request = AfterDeployRequest(
        environment=environment,
        version=version,
        status=status,
        out_dir=Path(out_dir),
        customers=customers,
        notify=notify,
        run_id=run_id,
    )
    result = after_deploy(app.config, app.repo, app.transaction, request, os.environ, Path.cwd())
    deployment = result.deployment
    assert deployment is not None
    delivered = None
    if notify:
        # After the step's own transaction: delivery commits each send as it goes.
        from releasecare.delivery.outbox import notify as run_notify
        from releasecare.delivery.plan import NotifyRequest

        delivered = run_notify(
            app.engine,
            app.config,
            NotifyRequest(
                deploy_id=deployment.id, allow_insecure_localhost=allow_insecure_localhost
            ),
        )
    if as_json:
        from releasecare.documents import ci_step_json, notify_json

        document = ci_step_json(
            "after-deploy",
            run=result.run,
            impact=result.impact,
            warnings=result.warnings,
            outputs=result.outputs,
            deployment=deployment,
            created=result.created,
            written=result.written,
            out_dir=result.out_dir,
        )
        if delivered is not None:
            from releasecare.cli.notify import report_errors

            document["notify"] = notify_json(delivered)
            report_errors(delivered)
        emit_json(document)
    else:
        from releasecare.text import plural

        verb = "recorded" if result.created else "already recorded"
        run = f", run {deployment.external_id}" if deployment.external_id else ""
        click.echo(
            f"{verb} deployment #{deployment.id}: {deployment.version} on "
            f"{deployment.environment} ({deployment.status}{run})"
        )
        impact = result.impact
        if impact.changed_nothing:
            click.echo(f"{nothing_changed(deployment)}; no notices written, no one is told")
        else:
            click.echo(
                f"{impact.previous_version or '(nothing known)'}"
                f"{' (assumed: first deploy recorded here)' if impact.previous_assumed else ''}"
                f" -> {impact.version}: "
                f"{len(impact.added)} added, {len(impact.removed)} removed; "
                f"{plural(len(impact.customers), 'customer')} affected"
                + ("  [ROLLBACK: these changes are taken away]" if impact.rollback else "")
            )
            customers_told = len({n.customer_id for n in result.written})
            click.echo(
                f"wrote {plural(len(result.written), 'file')} for "
                f"{plural(customers_told, 'customer')} to {result.out_dir}"
                if result.written
                else "no customer is affected by this deployment; no notices written"
            )
        if delivered is not None:
            from releasecare.cli.notify import print_report

            print_report(delivered)
    _finish(result, strict, as_json)
    if delivered is not None and delivered.exit_code:
        raise SystemExit(delivered.exit_code)


@click.command("before-deploy")
@click.option(
    "--env", "environment", help="Environment to deploy to (GitLab: CI_ENVIRONMENT_NAME)."
)
@click.option("--version", "version", help="Version to deploy (default: the CI's tag or commit).")
@click.option(
    "--customers",
    "customers",
    metavar="SOURCE",
    help="Import the customers from this file or URL first (default: [customers] source).",
)
@click.option(
    "--strict", is_flag=True, help="Exit 1 when the deploy would fall in a customer's freeze."
)
@json_option
@pass_app
def before_deploy(
    app: App,
    environment: str | None,
    version: str | None,
    customers: str | None,
    strict: bool,
    as_json: bool,
) -> None:
    """The gate before a deploy: who deploying VERSION to ENV now would touch, and
    every warning (a customer's change freeze, changes lost across branches, the
    voice lint). Scans the releases (and imports the customers) first; records no
    deployment. --strict fails on a freeze only.

    On GitHub Actions: the same job summary and annotations as after-deploy, and
    the outputs affected-customers, affected-customer-ids and freeze-conflicts.

    \b
    Example:
      releasecare before-deploy --env production-eu --version v2.4.0 --strict
    """
    import os
    from pathlib import Path

    from releasecare.pipeline import before_deploy as gate

    result = gate(
        app.config,
        app.repo,
        app.transaction,
        os.environ,
        Path.cwd(),
        environment=environment,
        version=version,
        customers=customers,
    )
    if as_json:
        from releasecare.documents import ci_step_json

        emit_json(
            ci_step_json(
                "before-deploy",
                run=result.run,
                impact=result.impact,
                warnings=result.warnings,
                outputs=result.outputs,
            )
        )
    else:
        from releasecare.cli.impact import impact_text

        click.echo(impact_text(result.impact, app.config.components))
    # The gate fails on a freeze only; everything else it says is advice.
    _finish(result, strict, as_json, failing=[w for w in result.warnings if w.rule == "freeze"])


def _finish(
    result: StepResult, strict: bool, as_json: bool, failing: list[Finding] | None = None
) -> None:
    """Warnings on stderr; GitHub annotations on stdout (stderr with --json, whose
    stdout is one document); with ``strict``, exit 1 when any of ``failing`` (default:
    every warning) is there."""
    from releasecare.errors import CheckFailed

    for warning in result.warnings:
        text = f"{warning.message}: {warning.text}" if warning.text else warning.message
        where = f"{warning.location}: " if warning.location else ""
        info(f"warning: {where}{warning.rule}: {text}")
        if warning.suggestion:
            info(f"  hint: {warning.suggestion}")
    for line in result.annotations:
        click.echo(line, err=as_json)
    failing = result.warnings if failing is None else failing
    if strict and failing:
        kept = " (the deployment is recorded)" if result.deployment is not None else ""
        what = "warning(s)" if result.deployment is not None else "freeze conflict(s)"
        raise CheckFailed(f"{len(failing)} {what}{kept}")


COMMANDS = [after_deploy, before_deploy]
