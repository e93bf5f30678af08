"""``releasecare release scan|show|list``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from releasecare.cli.app import App, emit_json, info, json_option, pass_app


@click.group()
def release() -> None:
    """Read release tags and the changes in each release."""


@release.command("scan")
@click.argument("tag", required=False)
@click.option("--rescan", is_flag=True, help="Scan releases again even if already stored.")
@json_option
@pass_app
def scan(app: App, tag: str | None, rescan: bool, as_json: bool) -> None:
    """Store the releases (tags matching tag_pattern) and the changes of each.

    Incremental: already-scanned releases are skipped unless --rescan. Give TAG to
    scan one release only.

    \b
    Examples:
      releasecare release scan
      releasecare release scan v2.4.0 --rescan
    """
    from releasecare.releases import scan as scan_releases
    from releasecare.text import plural

    # A bar only for a person at a terminal; pipelines and --json get clean output.
    show_bar = not as_json and sys.stdout.isatty()
    with click.progressbar(
        length=0, label="reading commits", file=sys.stderr, show_pos=True, hidden=not show_bar
    ) as bar:
        result = scan_releases(
            app.config,
            app.repo,
            app.transaction,
            database_is_new=app.database_is_new(),
            tag=tag,
            rescan=rescan,
            progress=bar.update if show_bar else None,
            on_total=_set_length(bar) if show_bar else None,
        )
    if result.settings_changed:
        info(
            "the components or change types changed since the last scan: "
            "every release was scanned again"
        )
    if result.unknown_audiences:
        listed = ", ".join(
            f"{sha[:10]} ({value!r})" for sha, value in result.unknown_audiences[:10]
        )
        more = len(result.unknown_audiences) - 10
        info(
            f"warning: {len(result.unknown_audiences)} commit(s) name an audience releasecare "
            f"does not know, so they are kept internal: {listed}"
            + (f" and {more} more (--json lists them all)" if more > 0 else "")
            + "; audiences are customer, external, public, internal, staff or private"
        )
    if result.not_versions:
        info(_not_versions_warning(result.not_versions, app.config.tag_pattern))
    for tag_problem in result.unusable:
        info(f"warning: skipped tag {tag_problem}")
    # With component changes visible, the untyped ones still hidden touch no component:
    # no customer would hear of them whatever their type.
    if result.untyped_hidden * 2 > result.changes and not app.config.component_changes_visible:
        info(
            f"warning: {result.untyped_hidden} of {result.changes} changes have no "
            "Conventional Commits type (feat:, fix:, ...), so customers hear of none of them; "
            "add Customer-Note trailers or note fragments, or set [release] "
            "component_changes_visible = true (or visible_types)"
        )
    if result.dropped:
        info(
            f"removed {len(result.dropped)} release(s) whose tag is gone: {_listed(result.dropped)}"
        )
    if as_json:
        from releasecare.documents import scan_json

        emit_json(scan_json(result))
        return
    for scanned_tag, count in result.scanned:
        click.echo(f"{scanned_tag}: {plural(count, 'change')}")
    click.echo(
        f"{result.releases} releases, {len(result.scanned)} scanned, "
        f"{result.skipped} already up to date"
    )
    if not result.releases:
        info(f"no tags match {app.config.tag_pattern!r}; check [release] tag_pattern")


def _listed(tags: list[str], limit: int = 10) -> str:
    shown = ", ".join(tags[:limit])
    return shown + (f" and {len(tags) - limit} more" if len(tags) > limit else "")


def _not_versions_warning(tags: list[str], pattern: str) -> str:
    return (
        f"warning: skipped {len(tags)} tag(s) that match {pattern!r} but are no versions: "
        f"{_listed(tags)} (narrow [release] tag_pattern, e.g. 'v[0-9]*.*')"
    )


def _set_length(bar: Any) -> Callable[[int], None]:
    def set_length(total: int) -> None:
        bar.length = total

    return set_length


@release.command("show")
@click.argument("tag")
@json_option
@pass_app
def show(app: App, tag: str, as_json: bool) -> None:
    """The changes of one scanned release, with their components and notes."""
    from releasecare.documents import release_show_json
    from releasecare.releases import release_with_changes

    with app.transaction(write=False) as session:
        found, changes = release_with_changes(session, tag, app.config.overrides())
    if as_json:
        emit_json(release_show_json(found, changes))
        return
    click.echo(f"{found.tag}  {found.sha[:12]}  {found.date:%Y-%m-%d}")
    if found.message:
        click.echo(f"  {found.message.strip()}")
    for change in changes:
        flags = ("  BREAKING" if change.breaking else "") + (
            "" if change.visible else "  (internal)"
        )
        where = ", ".join(change.components) or "no component"
        click.echo(f"  {change.sha[:10]}  {change.summary}  [{where}]{flags}")
        if change.customer_note:
            click.echo(f"               note: {change.customer_note}")


@release.command("list")
@json_option
@pass_app
def list_(app: App, as_json: bool) -> None:
    """Known releases in version order, with their change counts."""
    from releasecare.store import releases as store
    from releasecare.text import plural

    with app.transaction(write=False) as session:
        rows = store.list_releases(session)
    if as_json:
        from releasecare.documents import releases_json

        emit_json(releases_json(rows))
        return
    for r, n, scanned in rows:
        click.echo(
            f"{r.tag:<16} {r.date:%Y-%m-%d}  {plural(n, 'change'):>12}"
            + ("" if scanned else "  (not scanned)")
        )


COMMANDS = [release]
