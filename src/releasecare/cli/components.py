"""``releasecare components``: the components, their files, and what nothing covers."""

from __future__ import annotations

import click

from releasecare.cli.app import App, emit_json, json_option, pass_app


@click.command()
@click.option(
    "--check", is_flag=True, help="List uncovered files, patterns that match nothing, and overlaps."
)
@click.option("--strict", is_flag=True, help="With --check: exit 1 when a file is uncovered.")
@click.option("--rev", default="HEAD", show_default=True, help="Revision whose files to map.")
@json_option
@pass_app
def components(app: App, check: bool, strict: bool, rev: str, as_json: bool) -> None:
    """The product's components as customers know them, and the files of each.

    \b
    Examples:
      releasecare components
      releasecare components --check --strict --json
    """
    from releasecare import gitrepo
    from releasecare.components import check_coverage
    from releasecare.errors import CheckFailed

    config = app.config
    matcher = config.component_matcher(app.repo)
    defined = matcher.components
    paths = gitrepo.list_files(app.repo, rev)
    report = check_coverage(matcher, paths)
    document = report.to_json()
    if as_json:
        from releasecare.documents import components_json

        emit_json(components_json(defined.values(), report, check=check))
    else:
        for c in defined.values():
            count = document["files_per_component"].get(c.key, 0)
            click.echo(
                f"{c.key:<16} {c.name:<28} {count:>6} file{'' if count == 1 else 's'}  "
                f"{', '.join(c.paths)}"
            )
        if check:
            click.echo("")
            click.echo(report.describe())
    if check and strict and document["uncovered_count"]:
        raise CheckFailed(f"{document['uncovered_count']} file(s) belong to no component")


COMMANDS = [components]
