"""The bundled example: deterministic, consistent with its config, and the demo runs."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "shopfront"


def build(out: Path) -> Path:
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "build_example.py"), str(out)],
        check=True,
        capture_output=True,
    )
    return out


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_builds_the_same_repository_every_time(tmp_path: Path) -> None:
    first, second = build(tmp_path / "a"), build(tmp_path / "b")
    assert git(first, "rev-parse", "HEAD") == git(second, "rev-parse", "HEAD")
    assert git(first, "tag").split() == [
        "v1.0.0",
        "v1.1.0",
        "v1.2.0",
        "v1.3.0",
        "v1.4.0",
        "v1.4.0-rc.1",
        "v1.4.1",
        "v1.5.0",
    ]
    merges = git(first, "log", "--merges", "--format=%s").splitlines()
    assert merges == ["Merge branch 'feature/saved-carts'"]
    assert "R100\tservices/search/query.py\tservices/search/engine.py" in git(
        first, "show", "--format=", "--name-status", "-M", ":/rename query module"
    )
    assert (first / "changes" / "invoice-pdf.md").is_file()


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = build(tmp_path / "a")
    again = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "build_example.py"), str(out)],
        capture_output=True,
        text=True,
    )
    assert again.returncode != 0
    assert "use --force" in again.stderr


def test_customers_and_deploys_match_the_config() -> None:
    config = tomllib.loads((EXAMPLE / "releasecare.toml").read_text())
    customers = json.loads((EXAMPLE / "customers.json").read_text())
    for customer in customers:
        if customer["components"] != "*":
            assert set(customer["components"]) <= set(config["components"]), customer["id"]
        assert set(customer["environments"]) <= set(config["environments"]), customer["id"]
    history = tomllib.loads((EXAMPLE / "history.toml").read_text())
    tags = {step["tag"] for step in history["step"] if "tag" in step}
    for line in (EXAMPLE / "deploys.jsonl").read_text().splitlines():
        assert json.loads(line)["version"] in tags


def test_demo_renders_different_notices_per_customer(tmp_path: Path) -> None:
    """What `make demo` does, through the CLI, on a fresh database."""
    from tests.helpers import Runner

    repo = build(tmp_path / "shopfront")
    run = Runner(cwd=repo, db_url=f"sqlite:///{tmp_path / 'demo.db'}")
    run.ok("release", "scan")
    run.ok("customers", "import", str(EXAMPLE / "customers.json"))
    run.ok("deploy", "ingest", str(EXAMPLE / "deploys.jsonl"), "--format", "jsonl")
    impact = run.json("impact", "--env", "production-eu", "--version", "v1.4.1")
    # production-eu was rolled back from v1.4.0 to v1.3.0, so v1.4.1 carries the
    # release candidate, v1.4.0 and v1.4.1.
    assert impact["deployment"]["previous_version"] == "v1.3.0"
    affected = {c["id"] for c in impact["customers"]}
    assert affected == {"mueller-soehne", "northwind"}
    out = tmp_path / "notices"
    written = run.json(
        "notes",
        "render",
        "--env",
        "production-eu",
        "--version",
        "v1.4.1",
        "--format",
        "md",
        "--format",
        "html",
        "--out",
        str(out),
    )
    paths = {(n["customer"], n["format"]): Path(n["path"]) for n in written["notices"]}
    assert paths[("northwind", "md")].name.endswith(
        f"-production-eu-v1.4.1-d{impact['deployment']['id']}.md"
    )
    northwind = paths[("northwind", "md")].read_text()
    mueller = paths[("mueller-soehne", "html")].read_text()
    assert "## Action needed" in northwind and "X-Shopfront-Signature" in northwind
    assert "Action needed" not in mueller
    assert "Müller &amp; Söhne &lt;Retail&gt;" in mueller
    assert "Northwind" not in mueller and "Müller" not in northwind
    for text in (northwind, mueller):
        assert "SRCH-12" not in text and "jira.shopfront.internal" not in text
