"""The output contract: every ``--json`` document says which schema it follows."""

from __future__ import annotations

import json
from pathlib import Path

from releasecare import documents
from tests.helpers import Runner


def test_every_json_document_carries_its_schema(project: Runner, tmp_path: Path) -> None:
    customers = str(tmp_path / "customers.json")
    log = tmp_path / "deploys.jsonl"
    log.write_text(
        json.dumps(
            {
                "environment": "production-eu",
                "version": "v1.0.0",
                "status": "succeeded",
                "deployed_at": "2026-10-02T10:00:00Z",
                "id": "p-1",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    commands = {
        "release-scan": ["release", "scan"],
        "releases": ["release", "list"],
        "release": ["release", "show", "v1.1.0"],
        "customers-import": ["customers", "import", customers],
        "customers": ["customers", "list"],
        "deploy-ingest": ["deploy", "ingest", str(log), "--format", "jsonl"],
        "deploy-record": ["deploy", "record", "--env", "production-eu", "--version", "v1.2.0"],
        "deployments": ["deploy", "list"],
        "impact": ["impact", "--env", "production-eu", "--version", "v1.2.0"],
        "notices": [
            "notes",
            "render",
            "--env",
            "production-eu",
            "--version",
            "v1.2.0",
            "--out",
            str(tmp_path / "out"),
        ],
        "lint": ["notes", "lint", "v1.1.0"],
        "components": ["components"],
    }
    for kind, args in commands.items():
        document = project.json(*args)
        assert next(iter(document)) == "schema", args
        assert document["schema"] == f"{kind}/{documents.VERSION}", args
    customer_id = project.json("customers", "list")["customers"][0]["id"]
    assert project.json("customers", "show", customer_id)["schema"] == "customer/1"


def test_impact_document_keeps_the_keys_of_the_contract(project: Runner) -> None:
    project.ok("release", "scan")
    document = project.json("impact", "--env", "production-eu", "--version", "v1.1.0")
    assert set(document) >= {"schema", "deployment", "changes", "components", "customers"}
    assert set(document["deployment"]) >= {
        "id",
        "environment",
        "version",
        "previous_version",
        "status",
        "deployed_at",
        "rollback",
    }
