"""The one writer under --out: atomic, never through a link, names that never collide."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasecare.errors import InputError, OutputError
from releasecare.outdir import RESERVED, OutputFolder, customer_folder
from releasecare.render import RenderOptions, render_notices
from releasecare.slugs import safe_slug
from tests.helpers import Runner
from tests.notices_fixtures import COMPONENTS, change, customer, impact


def render(out: Path, *ids: str, **options: object) -> list[Path]:
    written = render_notices(
        impact([change("a1", "feat: x")], [customer(i, f"Name {i}") for i in ids]),
        COMPONENTS,
        out,
        RenderOptions(product="Shopfront", formats=("md", "html"), **options),  # type: ignore[arg-type]
    )
    return [n.path for n in written]


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text() if p.is_file() else "<dir>"
        for p in sorted(folder.rglob("*"))
    }


# -- the writer ----------------------------------------------------------------------


def test_write_makes_folders_and_leaves_no_temp_files(tmp_path: Path) -> None:
    out = OutputFolder(tmp_path / "out")
    path = out.write("acme/v1.md", "hello\n")
    assert path == tmp_path / "out" / "acme" / "v1.md"
    assert path.read_text() == "hello\n"
    out.write("acme/v1.md", "hello again\n")
    assert path.read_text() == "hello again\n"
    assert os.listdir(tmp_path / "out" / "acme") == ["v1.md"]
    assert out.read("acme/v1.md") == "hello again\n"
    assert out.read("acme/missing.md") is None
    assert out.read("nobody/missing.md") is None


def test_file_mode_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        path = OutputFolder(tmp_path / "out").write("a/b.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o750


def test_an_unchanged_file_is_not_rewritten(tmp_path: Path) -> None:
    out = OutputFolder(tmp_path / "out")
    path = out.write("a/index.html", "same")
    os.utime(path, (1_000_000, 1_000_000))
    inode = path.stat().st_ino
    out.write("a/index.html", "same")
    assert path.stat().st_mtime == 1_000_000 and path.stat().st_ino == inode
    out.write("a/index.html", "different")
    assert path.stat().st_ino != inode and path.read_text() == "different"


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = OutputFolder(tmp_path / "out")
    path = out.write("a/v1.md", "old")

    def crash(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OutputError, match="cannot write"):
        out.write("a/v1.md", "new")
    assert path.read_text() == "old"
    assert os.listdir(path.parent) == ["v1.md"]


def test_a_link_at_the_file_is_refused_and_the_target_untouched(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("keep me")
    (tmp_path / "out" / "a").mkdir(parents=True)
    (tmp_path / "out" / "a" / "v1.md").symlink_to(outside)
    out = OutputFolder(tmp_path / "out")
    with pytest.raises(InputError, match=r"v1\.md is a symbolic link"):
        out.write("a/v1.md", "overwritten")
    with pytest.raises(InputError, match="symbolic link"):
        out.read("a/v1.md")
    assert outside.read_text() == "keep me"
    assert (tmp_path / "out" / "a" / "v1.md").is_symlink()


def test_a_link_to_a_file_inside_the_root_is_refused_too(tmp_path: Path) -> None:
    out = OutputFolder(tmp_path / "out")
    real = out.write("a/real.md", "real")
    (tmp_path / "out" / "a" / "alias.md").symlink_to(real)
    with pytest.raises(InputError, match=r"alias\.md is a symbolic link"):
        out.write("a/alias.md", "through the link")
    assert real.read_text() == "real"


def test_a_folder_whose_parent_is_a_link_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "deeper").mkdir(parents=True)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "acme").symlink_to(elsewhere, target_is_directory=True)
    out = OutputFolder(tmp_path / "out")
    with pytest.raises(InputError, match=r"acme is a symbolic link"):
        out.write("acme/deeper/v1.md", "x")
    with pytest.raises(InputError, match=r"acme is a symbolic link"):
        out.write("acme/new/v1.md", "x")
    assert tree(elsewhere) == {"deeper": "<dir>"}


def test_a_folder_swapped_for_a_link_during_a_run_is_refused(tmp_path: Path) -> None:
    out = OutputFolder(tmp_path / "out")
    out.write("acme/v1.md", "first")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out" / "acme" / "v1.md").unlink()
    (tmp_path / "out" / "acme").rmdir()
    (tmp_path / "out" / "acme").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InputError, match="acme is a symbolic link"):
        out.write("acme/v2.md", "second")
    assert list(elsewhere.iterdir()) == []


def test_a_customer_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "acme").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InputError, match=r"out/acme is a symbolic link"):
        render(tmp_path / "out", "acme")
    assert list(elsewhere.iterdir()) == []


def test_the_root_may_be_a_link_to_a_folder(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "real", target_is_directory=True)
    paths = render(tmp_path / "out", "acme")
    assert all(p.is_file() and tmp_path / "out" in p.parents for p in paths)
    assert (tmp_path / "real" / "acme" / "index.html").is_file()


@pytest.mark.parametrize("relative", ["../x", "/etc/x", "a/../../x", "", ".", "a\\b"])
def test_paths_that_could_leave_the_root_are_refused(tmp_path: Path, relative: str) -> None:
    with pytest.raises(InputError, match="not a plain path"):
        OutputFolder(tmp_path / "out").write(relative, "x")
    assert not (tmp_path / "out").exists() or tree(tmp_path / "out") == {}
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["out"])


@pytest.mark.parametrize("root", [Path(""), Path(".")])
def test_an_empty_out_is_refused(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="--out must name a folder"):
        OutputFolder(root)
    with pytest.raises(InputError, match="--out must name a folder"):
        render(root, "acme")
    assert list(tmp_path.iterdir()) == []


def test_a_file_as_out_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(InputError, match="is a file, not a folder"):
        OutputFolder(tmp_path / "out")
    assert (tmp_path / "out").read_text() == "not a folder"


def test_nothing_written_leaves_no_folder(tmp_path: Path) -> None:
    assert render(tmp_path / "out") == []
    assert not (tmp_path / "out").exists()


# -- customer folder names ------------------------------------------------------------


@pytest.mark.parametrize("identifier", sorted(RESERVED))
def test_a_customer_id_never_takes_a_reserved_name(tmp_path: Path, identifier: str) -> None:
    folder = customer_folder(identifier)
    assert folder not in RESERVED and folder.startswith(safe_slug(identifier).split("-")[0])
    paths = render(tmp_path / "out", identifier)
    assert {p.parent.name for p in paths} == {folder}
    assert (tmp_path / "out" / folder).is_dir()
    assert not (tmp_path / "out" / identifier).exists()


def test_index_html_and_impact_json_ids_get_their_own_folders(tmp_path: Path) -> None:
    render(tmp_path / "out", "index.html", "impact.json", "acme")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "index.html" not in names and "impact.json" not in names
    assert "acme" in names and len(names) == 3
    assert all((tmp_path / "out" / n).is_dir() for n in names)


def test_an_id_spelled_like_a_hashed_slug_gets_its_own_folder(tmp_path: Path) -> None:
    hashed = safe_slug("Acme")
    assert hashed.startswith("acme-") and len(hashed) == len("acme-") + 10
    assert customer_folder(hashed) != customer_folder("Acme")
    paths = render(tmp_path / "out", "Acme", hashed)
    assert len({p.parent for p in paths}) == 2
    for path in paths:
        assert path.parent.name == customer_folder("Acme") or path.parent.name == customer_folder(
            hashed
        )


def test_ids_that_need_no_change_keep_their_folders() -> None:
    for identifier in ("acme", "globex", "cust-7", "acme-eu", "v1.2.0-production-eu"):
        assert customer_folder(identifier) == identifier
    assert customer_folder("Acme") == safe_slug("Acme")  # unchanged for hashed ids, too


@settings(max_examples=300)
@given(st.text(max_size=30), st.data())
def test_no_two_ids_share_a_folder_not_even_a_slug_of_the_other(
    a: str, data: st.DataObject
) -> None:
    b = data.draw(
        st.sampled_from([customer_folder(a), safe_slug(a), a.lower(), *sorted(RESERVED)])
        | st.text(max_size=30)
    )
    if a != b:
        assert customer_folder(a) != customer_folder(b)
    assert customer_folder(a) not in RESERVED


# -- through render and the CLI -------------------------------------------------------


def test_render_leaves_no_temp_files_and_keeps_the_index(tmp_path: Path) -> None:
    render(tmp_path / "out", "acme", feed=True)
    index = tmp_path / "out" / "acme" / "index.html"
    os.utime(index, (1_000_000, 1_000_000))
    render(tmp_path / "out", "acme", feed=True)
    assert index.stat().st_mtime == 1_000_000
    files = sorted(os.listdir(tmp_path / "out" / "acme"))
    assert files == [
        ".feed.json",
        ".notices.json",
        "2026-11-20-production-eu-v2.4.0-d7.html",
        "2026-11-20-production-eu-v2.4.0-d7.md",
        "feed.atom",
        "index.html",
    ]


def test_a_linked_feed_state_is_refused(tmp_path: Path) -> None:
    render(tmp_path / "out", "acme")
    outside = tmp_path / "state.json"
    outside.write_text("[]")
    (tmp_path / "out" / "acme" / ".feed.json").symlink_to(outside)
    with pytest.raises(InputError, match=r"\.feed\.json is a symbolic link"):
        render(tmp_path / "out", "acme", feed=True)
    assert outside.read_text() == "[]"


def test_the_overview_goes_through_the_writer(tmp_path: Path) -> None:
    outside = tmp_path / "outside.html"
    outside.write_text("keep")
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / "index.html").symlink_to(outside)
    with pytest.raises(InputError, match=r"ops/index\.html is a symbolic link"):
        render(tmp_path / "out", "acme", overview_dir=tmp_path / "ops")
    assert outside.read_text() == "keep"
    with pytest.raises(InputError, match="--overview must name a folder"):
        OutputFolder(Path(""), option="--overview")


def deployed(project: Runner) -> str:
    project.ok("release", "scan")
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    project.deploy("v1.0.0", "2026-11-01T10:00:00+00:00")
    return str(project.deploy("v1.2.0", "2026-11-02T10:00:00+00:00"))


def test_cli_refuses_a_link_at_a_notice_path(project: Runner, tmp_path: Path) -> None:
    deploy_id = deployed(project)
    out = tmp_path / "notices"
    outside = tmp_path / "outside.md"
    outside.write_text("not yours")
    (out / "acme").mkdir(parents=True)
    name = f"2026-11-02-production-eu-v1.2.0-d{deploy_id}.md"
    (out / "acme" / name).symlink_to(outside)
    result = project("notes", "render", deploy_id, "--format", "md", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert f"{name} is a symbolic link" in result.output
    assert outside.read_text() == "not yours"
    assert (out / "acme" / name).is_symlink()


def test_cli_refuses_a_customer_folder_that_is_a_link(project: Runner, tmp_path: Path) -> None:
    deploy_id = deployed(project)
    out = tmp_path / "notices"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "globex").symlink_to(elsewhere, target_is_directory=True)
    result = project("notes", "render", deploy_id, "--format", "md", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "globex is a symbolic link" in result.output
    assert list(elsewhere.iterdir()) == []


def test_cli_refuses_an_empty_out(project: Runner) -> None:
    deploy_id = deployed(project)
    before = sorted(p.name for p in project.cwd.iterdir())
    result = project("notes", "render", deploy_id, "--format", "md", "--out", "")
    assert result.exit_code == 2, result.output
    assert "--out must name a folder" in result.output
    assert sorted(p.name for p in project.cwd.iterdir()) == before
    assert not (project.cwd / "acme").exists()


def test_cli_refuses_a_file_as_out(project: Runner, tmp_path: Path) -> None:
    deploy_id = deployed(project)
    (tmp_path / "out.txt").write_text("a file")
    result = project("notes", "render", deploy_id, "--out", str(tmp_path / "out.txt"))
    assert result.exit_code == 2, result.output
    assert (tmp_path / "out.txt").read_text() == "a file"
