"""Configuration: found upward, validated on load, errors name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasecare.config import find_config, load_config, resolve_sqlite_path, sqlite_file
from releasecare.errors import ConfigError

GOOD = """
[product]
name = "Shopfront"
[components.checkout]
name = "Checkout"
paths = ["services/checkout/"]
[environments.production-eu]
name = "Europe"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_found_by_walking_up(tmp_path: Path) -> None:
    config_file = write(tmp_path / "releasecare.toml", GOOD)
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == config_file
    config = load_config(start=nested)
    assert config.product == "Shopfront"
    assert config.components["checkout"].paths == ("services/checkout/",)
    assert config.environments["production-eu"].name == "Europe"
    assert config.root == tmp_path


def test_pyproject_tool_table(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        "[project]\nname='x'\n[tool.releasecare.product]\nname = 'From pyproject'\n",
    )
    assert load_config(start=tmp_path).product == "From pyproject"


def test_pyproject_without_table_is_ignored(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname='x'\n")
    config = load_config(start=tmp_path)
    assert config.path is None
    assert config.product == "Our product"


def test_relative_sqlite_url_is_next_to_config(tmp_path: Path) -> None:
    write(tmp_path / "releasecare.toml", GOOD)
    config = load_config(start=tmp_path)
    assert (
        config.resolved_database_url()
        == f"sqlite:///{tmp_path.resolve()}/.releasecare/releasecare.db"
    )


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("[product]\nnmae = 'x'\n", "product.nmae", "did you mean 'name'?"),
        ("[prodct]\nname = 'x'\n", "prodct", "did you mean 'product'?"),
        ("[release]\ntag_pattern = 3\n", "release.tag_pattern", "must be a string"),
        ("[release]\nfirst_parent = 'yes'\n", "release.first_parent", "must be true or false"),
        (
            "[components.checkout]\nname = 'Checkout'\n",
            "components.checkout.paths",
            "at least one path pattern",
        ),
        (
            "[components.checkout]\npaths = 'services/'\n",
            "components.checkout.paths",
            "must be a list of strings",
        ),
        ("[release]\norder = 'alphabet'\n", "release.order", "must be one of version, date"),
        ("[voice]\nmax_length = true\n", "voice.max_length", "must be a whole number"),
        ("[impact]\nunmapped = 'all'\n", "impact.unmapped", "ignore, everyone"),
        ("product = 'x'\n", "product", "must be a table"),
    ],
)
def test_errors_name_file_and_key(tmp_path: Path, text: str, key: str, problem: str) -> None:
    path = write(tmp_path / "releasecare.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert repr(key) in message
    assert problem in message
    assert caught.value.exit_code == 2


def test_broken_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "releasecare.toml", "[product]\nname = \n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value)
    assert "line 2" in str(caught.value)


def test_explicit_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml")


def test_sqlite_urls_name_their_file_and_resolve_against_the_project(tmp_path: Path) -> None:
    assert sqlite_file("sqlite:///.releasecare/db.sqlite?mode=ro") == Path(".releasecare/db.sqlite")
    assert sqlite_file("sqlite:////var/db.sqlite") == Path("/var/db.sqlite")
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql+psycopg://u@h/db") is None
    assert resolve_sqlite_path("sqlite:///./a.db?mode=ro", tmp_path) == (
        f"sqlite:///{tmp_path.resolve() / 'a.db'}?mode=ro"
    )
    assert resolve_sqlite_path("sqlite:////var/db.sqlite", tmp_path) == "sqlite:////var/db.sqlite"


def test_csv_columns_are_checked_when_the_config_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path / "releasecare.toml", GOOD + '[customers]\ncsv_columns = { idd = "Account" }\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message and "customers.csv_columns.idd" in message
    assert "did you mean 'id'" in message


def test_config_builds_each_stage_options(tmp_path: Path) -> None:
    path = write(
        tmp_path / "releasecare.toml",
        GOOD
        + '[customers]\ncsv_columns = { id = "Account" }\ntoken_env = "CRM_TOKEN"\n'
        + '[voice]\nmax_length = 120\n[release]\ninternal_types = ["chore"]\n',
    )
    config = load_config(path)
    source = config.customer_source_options("csv")
    assert (source.csv_columns.id, source.token_env, source.format) == (
        "Account",
        "CRM_TOKEN",
        "csv",
    )
    voice = config.voice_options(["Ada", "", "Ada"])
    assert voice.max_length == 120 and voice.author_names == ("Ada",)
    assert config.change_options().internal_types == ("chore",)
