"""The wheel carries the templates: rendering works from an installed wheel, outside
the checkout, not only from an editable install."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.helpers import CONFIG, CUSTOMERS

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("releasecare-*.whl")
    return built


def test_wheel_contains_templates_and_migrations(wheel: Path) -> None:
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "releasecare/templates/notice.html.j2" in names
    assert "releasecare/templates/notice.md.j2" in names
    assert any(n.startswith("releasecare/store/migrations/versions/0001") for n in names)
    assert "releasecare/py.typed" in names


def test_render_from_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The new venv sees this environment's dependencies (a .pth line, which does not
    # run this environment's own .pth files, so the editable releasecare stays out),
    # and gets releasecare itself only from the wheel.
    (site,) = (venv / "lib").glob("python*/site-packages")
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)

    from tests.gitfactory import GitRepoFactory

    repo = tmp_path / "shop"
    git = GitRepoFactory(repo)
    git.commit(
        "feat(checkout): pay by card",
        files={"services/checkout/a.py": "1\n", "releasecare.toml": CONFIG},
        when="2026-10-01T10:00:00+00:00",
    )
    git.tag("v1.0.0")
    git.commit(
        "feat(checkout): pay with SEPA <b>now</b>",
        files={"services/checkout/a.py": "2\n"},
        when="2026-10-02T10:00:00+00:00",
    )
    git.tag("v1.1.0")
    customers = tmp_path / "customers.json"
    customers.write_text(json.dumps(CUSTOMERS))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def rc(*args: str) -> str:
        result = subprocess.run(
            [str(venv / "bin" / "releasecare"), *args],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    where = subprocess.run(
        [str(python), "-c", "import releasecare; print(releasecare.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    assert str(venv) in where
    rc("release", "scan")
    rc("customers", "import", str(customers))
    rc("deploy", "record", "--env", "production-eu", "--version", "v1.1.0")
    out = tmp_path / "out"
    rc(
        "notes",
        "render",
        "--env",
        "production-eu",
        "--version",
        "v1.1.0",
        "--format",
        "html",
        "--out",
        str(out),
    )
    pages = [p for p in out.rglob("*.html") if "acme" in str(p)]
    assert pages
    html = "\n".join(p.read_text() for p in pages)
    assert "&lt;b&gt;" in html and "Acme GmbH" in html
