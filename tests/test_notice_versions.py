"""Notice versions: every render stores what each customer reads, in every format, so
that delivery needs no output folder; the version grows only when the content does.
On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from releasecare.config import load_config
from releasecare.notices import deliverable
from releasecare.store import noticeversions as version_store
from releasecare.store import open_engine, transaction
from releasecare.store.models import NoticeVersionRow
from tests.helpers import Runner


def deployed(run: Runner) -> int:
    run.ok("release", "scan")
    run.ok("customers", "import", str(run.cwd.parent / "customers.json"))
    run.deploy("v1.0.0", "2026-11-01T10:00:00+00:00")
    return run.deploy("v1.2.0", "2026-11-02T10:00:00+00:00")


def versions(run: Runner) -> list[tuple[str, int]]:
    engine = open_engine(run.db_url)
    with transaction(engine) as session:
        rows = session.execute(
            select(NoticeVersionRow.customer_id, NoticeVersionRow.version).order_by(
                NoticeVersionRow.customer_id, NoticeVersionRow.version
            )
        ).all()
    engine.dispose()
    return [(c, v) for c, v in rows]


def test_render_stores_every_format_and_again_stores_nothing(
    project: Runner, tmp_path: Path
) -> None:
    deploy = deployed(project)
    out = tmp_path / "out"
    written = project.json("notes", "render", str(deploy), "--format", "md", "--out", str(out))
    assert versions(project) == [("acme", 1), ("globex", 1)]
    engine = open_engine(project.db_url)
    with transaction(engine) as session:
        acme = version_store.latest(session, f"deployment:{deploy}")["acme"]
    engine.dispose()
    md_file = next(n["path"] for n in written["notices"] if n["customer"] == "acme")
    assert acme.documents["md"] == Path(md_file).read_text(encoding="utf-8")
    assert "You can now download invoices as PDF." in acme.documents["html"]
    assert "You can now download invoices as PDF." in acme.documents["txt"]
    assert json.loads(acme.documents["json"])["customer"]["id"] == "acme"
    assert acme.title == "Shopfront: what changed for Acme GmbH"
    # Rendered again later (another moment, other formats): the same content.
    project.ok("notes", "render", str(deploy), "--format", "html", "--out", str(out))
    assert versions(project) == [("acme", 1), ("globex", 1)]


def test_changed_wording_is_the_next_version_and_the_first_is_kept(
    project: Runner, tmp_path: Path
) -> None:
    deploy = deployed(project)
    out = str(tmp_path / "out")
    project.ok("notes", "render", str(deploy), "--out", out)
    sha = project.json("impact", str(deploy))["changes"]
    search = next(c["sha"] for c in sha if "search" in c["components"])
    project.ok("notes", "edit", search[:10], "--text", "Search results appear twice as fast.")
    project.ok("notes", "render", str(deploy), "--out", out)
    assert versions(project) == [("acme", 1), ("globex", 1), ("globex", 2)]
    engine = open_engine(project.db_url)
    with transaction(engine) as session:
        globex = version_store.latest(session, f"deployment:{deploy}")["globex"]
    engine.dispose()
    assert "Search results appear twice as fast." in globex.documents["md"]


def test_delivery_gets_a_version_rendered_in_memory_when_none_was_rendered(
    project: Runner,
) -> None:
    deploy = deployed(project)
    config = load_config(project.cwd / "releasecare.toml")
    engine = open_engine(project.db_url)
    with transaction(engine) as session:
        dry = deliverable(session, config, deploy, store=False)
    assert sorted(v.customer_id for v in dry.versions) == ["acme", "globex"]
    assert versions(project) == []  # a dry run stores nothing
    with transaction(engine) as session:
        first = deliverable(session, config, deploy, only=["acme"])
    assert [v.customer_id for v in first.versions] == ["acme"] and first.rendered == 1
    with transaction(engine) as session:
        again = deliverable(session, config, deploy)
        count = session.scalar(select(func.count()).select_from(NoticeVersionRow))
    engine.dispose()
    assert again.rendered == 1  # only globex was missing
    assert [v.id for v in again.versions if v.customer_id == "acme"] == [first.versions[0].id]
    assert count == 2
