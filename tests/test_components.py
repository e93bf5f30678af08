"""Path patterns to components: .gitignore semantics, negation, several components per
file, the coverage report, and CODEOWNERS proposals."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasecare.components import (
    ComponentMatcher,
    check_coverage,
    components_from_codeowners,
    literal_prefix,
)
from releasecare.domain import Component, FileChange


def matcher(**components: tuple[str, ...]) -> ComponentMatcher:
    return ComponentMatcher({k: Component(k, k.title(), paths=v) for k, v in components.items()})


def test_gitignore_semantics_with_negation() -> None:
    m = matcher(
        checkout=("services/checkout/", "!services/checkout/tests/"),
        payments=("libs/payments/**/*.py",),
        docs=("*.md",),
        root=("/Makefile",),
    )
    assert m.match("services/checkout/app.py") == ("checkout",)
    assert m.match("services/checkout/tests/test_app.py") == ()
    assert m.match("libs/payments/sepa/debit.py") == ("payments",)
    assert m.match("libs/payments/sepa/debit.ts") == ()
    assert m.match("services/checkout/README.md") == ("checkout", "docs")
    assert m.match("Makefile") == ("root",)
    assert m.match("sub/Makefile") == ()
    assert m.match("services/checkoutx/app.py") == ()


def test_renames_count_for_both_paths() -> None:
    m = matcher(search=("services/search/",), catalog=("services/catalog/",))
    moved = FileChange("services/catalog/index.py", "R", "services/search/index.py")
    assert m.for_files([moved]) == ("catalog", "search")


def test_literal_prefixes() -> None:
    assert literal_prefix("services/checkout/") == "services/checkout"
    assert literal_prefix("libs/payments/**/*.py") == "libs/payments"
    assert literal_prefix("/Makefile") == "Makefile"
    assert literal_prefix("*.py") is None
    assert literal_prefix("docs/") is None  # no inner slash: any depth
    assert literal_prefix("**/generated/") is None


SEGMENT = st.sampled_from(["a", "b", "src", "lib", "x.py", "y.md", "tests", "c d", "ü"])
PATTERN = st.builds(
    lambda neg, lead, parts, tail: (
        ("!" if neg else "") + ("/" if lead else "") + "/".join(parts) + tail
    ),
    st.booleans(),
    st.booleans(),
    st.lists(
        st.sampled_from(
            ["a", "b", "src", "lib", "*", "**", "*.py", "x.py", "tests", "c d", "[ab]"]
        ),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from(["", "/"]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["k1", "k2", "k3", "k4"]),
        st.lists(PATTERN, min_size=1, max_size=4),
        min_size=1,
    ),
    st.lists(st.lists(SEGMENT, min_size=1, max_size=4).map("/".join), max_size=20),
)
def test_indexed_matching_equals_trying_every_component(
    patterns: dict[str, list[str]], paths: list[str]
) -> None:
    import pathspec

    m = ComponentMatcher({k: Component(k, k, paths=tuple(v)) for k, v in patterns.items()})
    for path in paths:
        naive = tuple(
            sorted(
                k
                for k, v in patterns.items()
                if pathspec.GitIgnoreSpec.from_lines(v).match_file(path)
            )
        )
        assert m.match(path) == naive, path


def test_coverage_report() -> None:
    m = matcher(
        checkout=("services/checkout/", "services/old/"), web=("web/", "services/checkout/ui/")
    )
    paths = [
        "services/checkout/a.py",
        "services/checkout/ui/b.ts",
        "web/c.ts",
        "infra/k8s.yaml",
        "infra/tf/main.tf",
        "README.md",
    ]
    report = check_coverage(m, paths)
    data = report.to_json()
    assert data["files"] == 6
    assert data["uncovered_count"] == 3
    assert data["uncovered"] == [
        {"folder": "./", "files": 1},
        {"folder": "infra/", "files": 1},
        {"folder": "infra/tf/", "files": 1},
    ]
    assert data["dead_patterns"] == [{"component": "checkout", "pattern": "services/old/"}]
    assert data["overlaps"] == [{"components": ["checkout", "web"], "files": 1}]
    assert data["files_per_component"] == {"checkout": 2, "web": 2}


def test_codeowners_last_match_wins_proposals() -> None:
    text = (
        "# owners\n*.js @web-team\n/services/billing/ @acme/billing-team\n"
        "/services/billing/ui/ @web-team\n"
    )
    proposed = components_from_codeowners(text)
    assert set(proposed) == {"web-team", "billing-team"}
    assert proposed["web-team"].paths == ("*.js", "/services/billing/ui/")
    assert proposed["billing-team"].paths == ("/services/billing/", "!/services/billing/ui/")
    m = ComponentMatcher(proposed)
    assert m.match("services/billing/ui/app.js") == ("web-team",)
    assert m.match("services/billing/api.py") == ("billing-team",)


@pytest.mark.parametrize("catch_all", ["*", "/", "/*", "**", "**/*", "/**"])
def test_codeowners_catch_alls_propose_no_component(catch_all: str) -> None:
    text = f"{catch_all} @acme/maintainers\n/billing/ @acme/billing-team\n"
    proposed = components_from_codeowners(text)
    assert {key: c.paths for key, c in proposed.items()} == {"billing-team": ("/billing/",)}
    assert proposed["billing-team"].name == "Billing Team"


def test_codeowners_patterns_keep_their_anchoring() -> None:
    proposed = components_from_codeowners("/billing/ @acme/billing\ndocs/ @acme/writers\n")
    m = ComponentMatcher(proposed)
    assert m.match("billing/x.py") == ("billing",)
    assert m.match("legacy/billing/x.py") == ()
    assert m.match("docs/a.md") == ("writers",)
    assert m.match("services/checkout/docs/a.md") == ("writers",)


@pytest.mark.parametrize(
    "paths", [("/terraform/",), ("/terraform/", "!/terraform/modules/")], ids=["folder", "spec"]
)
def test_an_anchored_folder_matches_only_at_the_root(paths: tuple[str, ...]) -> None:
    m = matcher(terraform=paths)
    assert m.match("terraform/main.tf") == ("terraform",)
    assert m.match(".github/terraform/main.tf") == ()
    assert matcher(terraform=("terraform/",)).match(".github/terraform/main.tf") == ("terraform",)


def test_import_codeowners_adds_proposals_to_the_config(tmp_path: object) -> None:
    import json
    from pathlib import Path

    from tests.gitfactory import GitRepoFactory
    from tests.helpers import run_in_repo

    repo = Path(str(tmp_path)) / "repo"
    git = GitRepoFactory(repo)
    git.commit(
        "init",
        {
            "CODEOWNERS": "/billing/ @acme/billing-team\n",
            "billing/a.py": "1",
            "shop/b.py": "1",
            "releasecare.toml": "[components.shop]\nname = 'Shop'\n"
            "paths = ['shop/']\n[mapping]\n"
            "import_codeowners = true\n",
        },
    )
    result = run_in_repo(repo, "components", "--json")
    assert result.exit_code == 0, result.output
    listed = {c["key"]: c["files"] for c in json.loads(result.stdout)["components"]}
    assert listed == {"shop": 1, "billing-team": 1}


def test_mapping_ignore_keeps_files_out_of_the_uncovered_list(tmp_path: object) -> None:
    import json
    from pathlib import Path

    from tests.gitfactory import GitRepoFactory
    from tests.helpers import run_in_repo

    repo = Path(str(tmp_path)) / "repo"
    GitRepoFactory(repo).commit(
        "init",
        {
            "shop/b.py": "1",
            "docs/guide.md": "1",
            "tools/x.sh": "1",
            "releasecare.toml": "[components.shop]\nname = 'Shop'\npaths = ['shop/']\n"
            "[mapping]\nignore = ['docs/', 'releasecare.toml']\n",
        },
    )
    result = run_in_repo(repo, "components", "--check", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["uncovered_count"] == 1 and report["ignored_count"] == 2
    assert report["uncovered"] == [{"folder": "tools/", "files": 1}]


def test_a_cut_list_of_uncovered_folders_says_how_many_more() -> None:
    m = matcher(shop=("shop/",))
    report = check_coverage(m, [f"folder{i}/file.py" for i in range(35)] + ["shop/a.py"])
    text = report.describe()
    assert text.count("  uncovered  ") == 30
    assert "... and 5 more folders (`releasecare components --check --json` lists them all)" in text
    assert len(report.to_json()["uncovered"]) == 35


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.text(alphabet="ab\u00e9_.-/*?!\\[] ", min_size=1, max_size=12))
def test_the_quick_pattern_check_agrees_with_pathspec(pattern: str) -> None:
    # Plain patterns skip pathspec; whatever it says of a pattern, the check says too.
    import pathspec

    from releasecare.pathpatterns import pattern_problem

    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
        valid = bool(pattern.strip())
    except (ValueError, re.error):
        valid = False
    assert (pattern_problem(pattern) is None) == valid, pattern
