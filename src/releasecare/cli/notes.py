"""``releasecare notes render|lint``: the notices customers read, and their voice."""

from __future__ import annotations

from pathlib import Path

import click

from releasecare.cli.app import App, emit_json, info, json_option, nothing_changed, pass_app
from releasecare.domain import NOTICE_FORMATS


@click.group()
def notes() -> None:
    """Render per-customer notices and check notes for the customer's voice."""


@notes.command("render")
@click.argument("deploy_id", required=False, type=int)
@click.option("--env", "environment", help="Environment (with --version).")
@click.option("--version", "version", help="Version deployed (with --env).")
@click.option(
    "--incident",
    "incident_id",
    type=int,
    metavar="ID",
    help="An incident's notice instead (a new version with every update).",
)
@click.option(
    "--customer", "only", multiple=True, metavar="ID", help="Only these customers (repeatable)."
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(NOTICE_FORMATS),
    default=("md",),
    show_default=True,
    help="Output format (repeatable).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the notices to (one sub-folder per customer).",
)
@click.option("--feed", is_flag=True, help="Also update each customer's Atom feed.")
@click.option(
    "--overview",
    "overview_dir",
    type=click.Path(file_okay=False),
    help="Write an operator overview of every notice here (never publish it).",
)
@json_option
@pass_app
def render(
    app: App,
    deploy_id: int | None,
    environment: str | None,
    version: str | None,
    incident_id: int | None,
    only: tuple[str, ...],
    formats: tuple[str, ...],
    out_dir: str,
    feed: bool,
    overview_dir: str | None,
    as_json: bool,
) -> None:
    """Write one notice per affected customer, in their words and time zone.

    With --incident, each update of the incident yields a new version of its notice
    (the file names carry it); earlier versions are kept.

    \b
    Examples:
      releasecare notes render 7 --format html --format md --out notices/
      releasecare notes render --env production-eu --version v2.4.0 --customer acme --out out/
      releasecare notes render --incident 4 --format html --out notices/
    """
    from releasecare.notices import held_back_report, render_deployment

    if incident_id is not None:
        _render_incident(
            app,
            incident_id,
            deploy_id,
            environment,
            version,
            only,
            formats,
            out_dir,
            feed,
            overview_dir,
            as_json,
        )
        return

    with app.transaction() as session:
        rendered = render_deployment(
            session,
            app.config,
            deploy_id=deploy_id,
            environment=environment,
            version=version,
            only=only,
            formats=formats,
            out_dir=Path(out_dir),
            feed=feed,
            overview_dir=Path(overview_dir) if overview_dir else None,
        )
    impact, written = rendered.impact, rendered.written
    for line in held_back_report(rendered.held_back, app.config.components):
        info(line)
    if as_json:
        from releasecare.documents import notices_json

        emit_json(notices_json(written, rendered.held_back))
        return
    customers = sorted({n.customer_id for n in written})
    if impact.changed_nothing:
        assert impact.deployment is not None
        click.echo(f"{nothing_changed(impact.deployment)}; no notices written")
        return
    if not written:
        click.echo("no customer is affected by this deployment; no notices written")
        return
    from releasecare.text import plural

    click.echo(
        f"wrote {plural(len(written), 'file')} for {plural(len(customers), 'customer')} "
        f"to {out_dir}"
    )
    for notice in written:
        info(f"  {notice.path}")


def _render_incident(
    app: App,
    incident_id: int,
    deploy_id: int | None,
    environment: str | None,
    version: str | None,
    only: tuple[str, ...],
    formats: tuple[str, ...],
    out_dir: str,
    feed: bool,
    overview_dir: str | None,
    as_json: bool,
) -> None:
    from releasecare.errors import InputError
    from releasecare.incident_notices import render_incident
    from releasecare.text import plural

    if deploy_id is not None or environment or version or overview_dir:
        raise InputError(
            "--incident renders an incident's notices: give no deployment, "
            "--env, --version or --overview with it"
        )
    with app.transaction() as session:
        incident, written = render_incident(
            session,
            app.config,
            incident_id,
            only=only,
            formats=formats,
            out_dir=Path(out_dir),
            feed=feed,
        )
    if as_json:
        from releasecare.documents import notices_json

        emit_json(notices_json(written))
        return
    if not written:
        click.echo(f"no customer is affected by incident {incident.id}; no notices written")
        return
    customers = {n.customer_id for n in written}
    click.echo(
        f"wrote {plural(len(written), 'file')} for {plural(len(customers), 'customer')} "
        f"(incident {incident.id}, update {len(incident.updates)}) to {out_dir}"
    )


@notes.command("lint")
@click.argument("targets", nargs=-1, metavar="[TARGET]...")
@click.option("--strict", is_flag=True, help="Exit 1 when anything is found.")
@json_option
@pass_app
def lint(app: App, targets: tuple[str, ...], strict: bool, as_json: bool) -> None:
    """Check customer notes for our-side voice, jargon, internal references and promises.

    Each TARGET is a release tag, a git range (v2.3.0..v2.4.0) or note fragment
    files or folders; several are linted in turn. By default the newest release.

    \b
    Examples:
      releasecare notes lint v2.4.0 --strict
      releasecare notes lint changes/ --json
      releasecare notes lint changes/*.md v2.4.0
    """
    from releasecare.errors import CheckFailed
    from releasecare.lint import lint_targets

    findings = lint_targets(app.config, app.repo, targets)
    if as_json:
        from releasecare.documents import findings_json

        emit_json(findings_json(findings))
    else:
        from releasecare.annotations import plain

        for line in plain(findings):
            click.echo(line)
        click.echo(f"{len(findings)} finding(s)" if findings else "no findings", err=True)
    if strict and findings:
        raise CheckFailed(f"notes lint found {len(findings)} problem(s)")


@notes.command("check")
@click.option(
    "--base",
    metavar="REF",
    help="The branch the pull request goes into (default: the CI's target branch, else main).",
)
@click.option("--strict", is_flag=True, help="Exit 1 when anything is reported.")
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="NAME",
    help="A label of the pull request (repeatable); see --skip-label.",
)
@click.option(
    "--skip-label",
    default="no-customer-note",
    show_default=True,
    help="A pull request with this label needs no notes (the lint still runs).",
)
@json_option
@pass_app
def check(
    app: App,
    base: str | None,
    strict: bool,
    labels: tuple[str, ...],
    skip_label: str,
    as_json: bool,
) -> None:
    """The pull-request gate: customer-facing changes without a note, bad fragments,
    and notes that fail the voice lint, between the base branch and HEAD.

    On GitHub Actions each is also an annotation on the fragment or the commit.

    \b
    Examples:
      releasecare notes check --base origin/main --strict
      releasecare notes check --label "$LABELS" --strict
    """
    import os

    from releasecare import annotations
    from releasecare.errors import CheckFailed
    from releasecare.lint import check_branch, default_base

    report = check_branch(
        app.config,
        app.repo,
        base or default_base(os.environ),
        skip=skip_label in {n.strip() for label in labels for n in label.split(",")},
    )
    if as_json:
        from releasecare.documents import check_json

        emit_json(check_json(report))
    else:
        lines = annotations.plain(report.errors, "error")
        lines += annotations.plain(report.warnings, "warning")
        for line in lines:
            click.echo(line)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            for line in annotations.github(report.errors, "error"):
                click.echo(line)
            for line in annotations.github(report.warnings, "warning"):
                click.echo(line)
        waived = f"; {report.waived} missing note(s) waived by the label" if report.waived else ""
        info(
            f"{report.changes} change(s) since {report.base[:10]}: "
            f"{len(report.errors)} error(s), {len(report.warnings)} warning(s){waived}"
        )
    if strict and (report.errors or report.warnings):
        raise CheckFailed(
            f"notes check: {len(report.errors)} error(s), {len(report.warnings)} warning(s)"
        )


@notes.command("edit")
@click.argument("sha")
@click.option("--text", "text", help="The note customers read for this change.")
@click.option("--hide", is_flag=True, help="Keep this change out of every notice.")
@json_option
@pass_app
def edit(app: App, sha: str, text: str | None, hide: bool, as_json: bool) -> None:
    """Fix or hide what customers read for one change, without rewriting git.

    Writes changes/overrides/<sha>.md, which names the commit it overrides; commit it.
    It is read whenever notes are read, so it survives rescans and a new database.

    \b
    Examples:
      releasecare notes edit 3f2a9c1 --text "Invoices now show the order number."
      releasecare notes edit 3f2a9c1 --hide
    """
    from releasecare.lint import edit_note

    path, findings = edit_note(app.config, app.repo, sha, text=text, hide=hide)
    if as_json:
        from releasecare.documents import note_edit_json

        emit_json(note_edit_json(path, findings))
        return
    click.echo(f"wrote {path}; commit it so that it travels with the repository")
    for f in findings:
        info(f"warning: {f.location}: {f.rule}: {f.message}")


COMMANDS = [notes]
