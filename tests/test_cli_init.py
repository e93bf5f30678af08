"""``releasecare init``: a commented config proposing components, and a database."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from releasecare.cli import cli
from releasecare.components import ComponentMatcher
from releasecare.config import load_config
from releasecare.scaffold import component_name, propose_components
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
    assert config["components"]["checkout"]["paths"] == ["/services/checkout/"]
    assert "docs" not in config["components"] and "tests" not in config["components"]
    assert text.startswith("# releasecare configuration")
    assert (repo / ".releasecare" / "releasecare.db").is_file()


def init_components(tmp_path: Path, files: dict[str, str]) -> dict[str, dict[str, object]]:
    """The components ``releasecare init`` proposes for a repository of ``files``."""
    repo = tmp_path / "repo"
    GitRepoFactory(repo).commit("initial", files=files)
    result = CliRunner().invoke(cli, ["--repo", str(repo), "init"])
    assert result.exit_code == 0, result.output
    components: dict[str, dict[str, object]] = tomllib.loads(
        (repo / "releasecare.toml").read_text()
    )["components"]
    return components


def test_init_proposes_one_component_per_service_folder_and_no_deployment_folders(
    tmp_path: Path,
) -> None:
    components = init_components(
        tmp_path,
        {
            "src/cartservice/main.go": "1\n",
            "src/checkoutservice/main.go": "1\n",
            "src/shopping-assistant/app.py": "1\n",
            "src/README.md": "services\n",
            "protos/demo.proto": "1\n",
            "terraform/main.tf": "1\n",
            "helm-chart/values.yaml": "1\n",
            "kustomize/base/kustomization.yaml": "1\n",
            "kubernetes-manifests/cart.yaml": "1\n",
            "release/manifests.yaml": "1\n",
            ".github/terraform/main.tf": "1\n",
        },
    )
    assert {key: (c["name"], c["paths"]) for key, c in components.items()} == {
        "cartservice": ("Cart", ["/src/cartservice/"]),
        "checkoutservice": ("Checkout", ["/src/checkoutservice/"]),
        "shopping-assistant": ("Shopping Assistant", ["/src/shopping-assistant/"]),
        "protos": ("Protos", ["/protos/"]),
    }


def test_init_proposes_the_package_of_a_single_package_src_layout(tmp_path: Path) -> None:
    components = init_components(
        tmp_path,
        {
            "src/flask/__init__.py": "1\n",
            "src/flask/app.py": "1\n",
            "src/README.md": "a README is no source file of src/ itself\n",
            "tests/test_app.py": "1\n",
        },
    )
    assert {key: (c["name"], c["paths"]) for key, c in components.items()} == {
        "flask": ("Flask", ["/src/flask/"])
    }


def test_a_src_folder_of_its_own_source_files_stays_one_component() -> None:
    proposed = propose_components(["src/main.c", "src/server.c", "src/modules/x.c", "README.md"])
    assert {key: c.paths for key, c in proposed.items()} == {"src": ("/src/",)}


def test_services_of_the_same_name_in_two_monorepo_folders_get_distinct_keys() -> None:
    proposed = propose_components(["apps/web/a.ts", "apps/api/a.ts", "services/web/a.go"])
    assert {key: c.paths for key, c in proposed.items()} == {
        "api": ("/apps/api/",),
        "web": ("/apps/web/",),
        "services-web": ("/services/web/",),
    }


def test_init_proposes_from_codeowners_neither_catch_alls_nor_folders_again(
    tmp_path: Path,
) -> None:
    components = init_components(
        tmp_path,
        {
            ".github/CODEOWNERS": "* @acme/maintainers\n/billing/ @acme/billing-team\n"
            "*.css @acme/design\n",
            "billing/x.py": "1\n",
            "README.md": "hi\n",
        },
    )
    assert {key: c["paths"] for key, c in components.items()} == {
        "billing": ["/billing/"],
        "design": ["*.css"],
    }


def test_proposed_folders_match_only_at_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    GitRepoFactory(repo).commit(
        "initial", files={"web/index.ts": "1\n", "src/api/app.py": "1\n", "src/web/x.ts": "1\n"}
    )
    assert CliRunner().invoke(cli, ["--repo", str(repo), "init"]).exit_code == 0
    matcher = ComponentMatcher(load_config(repo / "releasecare.toml").components)
    assert matcher.match("web/index.ts") == ("web",)
    assert matcher.match(".github/web/deploy.yml") == ()
    assert matcher.match("docs/src/api/page.md") == ()
    assert matcher.match("src/api/app.py") == ("api",)


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("cartservice", "Cart"),
        ("checkout-svc", "Checkout"),
        ("PaymentService", "Payment"),
        ("shopping_assistant", "Shopping Assistant"),
        ("productCatalog", "Product Catalog"),
        ("service", "Service"),
        ("frontend", "Frontend"),
    ],
)
def test_proposed_names_read_as_words(folder: str, name: str) -> None:
    assert component_name(folder) == name


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
