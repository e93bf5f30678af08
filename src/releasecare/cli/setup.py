"""``releasecare init`` and ``releasecare db upgrade``."""

from __future__ import annotations

from pathlib import Path

import click

from releasecare.cli.app import App, info, pass_app


@click.command()
@click.option("--force", is_flag=True, help="Overwrite an existing releasecare.toml.")
@click.option("--product", help="Product name (default: the repository folder's name).")
@pass_app
def init(app: App, force: bool, product: str | None) -> None:
    """Write a commented releasecare.toml for this repository and create the database.

    Proposes one component per top-level source folder, or per service folder in
    src/, services/, apps/, packages/ (and from CODEOWNERS where present); docs,
    tests and deployment folders are left out. Refuses to overwrite an existing
    file without --force.

    \b
    Example:
      cd my-product && releasecare init
    """
    from releasecare import gitrepo, scaffold
    from releasecare.config import CONFIG_FILE, load_config
    from releasecare.errors import InputError
    from releasecare.store import open_engine, shown_url

    repo = Path(app.repo_path or ".").resolve()
    target = repo / CONFIG_FILE
    if target.exists() and not force:
        raise InputError(f"{target} already exists", hint="use --force to overwrite it")
    files = gitrepo.list_files(repo)
    codeowners_file = scaffold.find_codeowners(repo)
    from_codeowners = None
    if codeowners_file is not None:
        from releasecare.components import components_from_codeowners

        from_codeowners = components_from_codeowners(
            codeowners_file.read_text(encoding="utf-8", errors="replace")
        )
    tags = [r.tag for r in gitrepo.list_releases(repo, "*")]
    text = scaffold.render_config(
        product or repo.name,
        scaffold.propose_components(files),
        from_codeowners,
        tag_pattern=scaffold.propose_tag_pattern(tags),
    )
    if app.db_url:
        # A database named on the command line is checked before anything is written.
        url = app.database_url()
        open_engine(url, create_folder=False).dispose()
    target.write_text(text, encoding="utf-8")
    if not app.db_url:
        url = load_config(target).resolved_database_url()
        open_engine(url).dispose()
    click.echo(f"wrote {target}")
    info(f"database ready: {shown_url(url)}")
    info(
        "next: edit the components to use your customers' words, then run "
        "`releasecare release scan`"
    )


@click.group()
def db() -> None:
    """Manage the database."""


@db.command("upgrade")
@pass_app
def db_upgrade(app: App) -> None:
    """Bring the database schema up to date (every command also does this on first use)."""
    from releasecare.store import open_engine, shown_url

    url = app.database_url()
    open_engine(url, create_folder=app.db_url is None).dispose()
    click.echo(f"database is up to date: {shown_url(url)}")


COMMANDS = [init, db]
