"""``releasecare init``: a commented config proposing components, and a database."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from releasecare.cli import cli
from tests.gitfactory import GitRepoFactory


def make_repo(path: Path) -> Path:
    git = GitRepoFactory(path)
    git.commit(
        "initial",
        files={
            "services/checkout/app.py": "1\n",
            "services/invoices/app.py": "1\n",
            "web/index.ts": "1\n",
            "docs/readme.md": "1\n",
            "tests/test_a.py": "1\n",
            ".github/CODEOWNERS": "/billing/ @acme/billing\n",
            "billing/x.py": "1\n",
            "README.md": "hi\n",
        },
        when="2026-10-01T10:00:00+00:00",
    )
    return path


def test_init_proposes_components_and_creates_database(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "shop")
    result = CliRunner().invoke(cli, ["--repo", str(repo), "init", "--product", "Shopfront"])
    assert result.exit_code == 0, result.output
    text = (repo / "releasecare.toml").read_text()
    config = tomllib.loads(text)
    assert config["product"]["name"] == "Shopfront"
    assert set(config["components"]) >= {"checkout", "invoices", "web", "billing"}
    assert config["components"]["checkout"]["paths"] == ["services/checkout/"]
    assert "docs" not in config["components"] and "tests" not in config["components"]
    assert text.startswith("# releasecare configuration")
    assert (repo / ".releasecare" / "releasecare.db").is_file()


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "shop")
    (repo / "releasecare.toml").write_text("# mine\n")
    result = CliRunner().invoke(cli, ["--repo", str(repo), "init"])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert (repo / "releasecare.toml").read_text() == "# mine\n"
    forced = CliRunner().invoke(cli, ["--repo", str(repo), "init", "--force"])
    assert forced.exit_code == 0
    assert "[components.checkout]" in (repo / "releasecare.toml").read_text()


@pytest.mark.parametrize(
    ("tags", "pattern"),
    [
        (["v1.0.0", "v1.1.0", "v0", "v3-demo-concise", "latest"], "v[0-9]*.*"),
        (["3.0.0", "3.0.1", "2.3.3", "0.1"], "[0-9]*.*"),
        (["release-1.2", "release-1.3", "v9"], "release-[0-9]*.*"),
        ([], "v[0-9]*.*"),
    ],
)
def test_init_proposes_a_pattern_for_the_version_tags_only(tags: list[str], pattern: str) -> None:
    import fnmatch

    from releasecare.scaffold import propose_tag_pattern

    assert propose_tag_pattern(tags) == pattern
    for stray in ("v0", "v3-demo-concise", "latest", "Phase-2"):
        assert not fnmatch.fnmatchcase(stray, pattern)
