"""A corpus of bad input through the command line (issue #17, inputs).

Each case is a command line, its input files (``tests/data/hostile/inputs/``; the
large and binary ones are made here, from ``GENERATED``), the exit code, and a
piece of what the user must be told. For every case:

* the exit code, and no traceback and no terminal escape in anything printed;
* a failing command prints one line on stderr (``error: ...``, and optionally one
  ``  hint: ...`` line) that says what is expected;
* a failing command leaves the database as it was (every table dumped before and
  after), and no command writes into the project or the inputs.

Budget: about 95 cases on SQLite and the failing ones again on PostgreSQL, one
project per database for the whole module (a command that succeeds may add to it;
no case depends on what another added); about 20 s in all.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import POSTGRES_URL
from tests.gitfactory import GitRepoFactory
from tests.helpers import CONFIG, CUSTOMERS, Runner

CORPUS = Path(__file__).parent / "data" / "hostile" / "inputs"

OK = '"environment": "production-eu", "status": "succeeded", "version": "v1.0.0"'
ROW = '{%s, "deployed_at": "2026-11-0%dT10:00:00Z"}'
GENERATED: dict[str, Callable[[], bytes]] = {
    "deep.jsonl": lambda: b"[" * 100_000 + b"\n",
    "digits.jsonl": lambda: b'{"version": ' + b"9" * 5000 + b"}\n",
    "nul.jsonl": lambda: b"\x00\x00\x00\n",
    "latin1.jsonl": lambda: (ROW % (OK, 1)).replace("v1.0.0", "v1.0.0-caf\xe9").encode("latin1"),
    "huge-line.jsonl": lambda: b"x" * (2 << 20) + b"\n",
    "cr-only.jsonl": lambda: ((ROW % (OK, 1)) + "\r" + (ROW % (OK, 2)) + "\r").encode(),
    "cr-only.csv": lambda: (
        b"environment,version,status,deployed_at\r"
        b"production-eu,v1.0.0,succeeded,2026-11-01T10:00:00Z\r"
    ),
    "big-field.csv": lambda: (
        b"environment,version,status,deployed_at\n"
        b'production-eu,"' + b"x" * 200_000 + b'",succeeded,2026-11-01T10:00:00Z\n'
    ),
    "deep.json": lambda: b"[" * 100_000,
    "digits.json": lambda: b"[" + b"9" * 5000 + b"]",
    "empty.json": lambda: b"",
    "customers-deep.json": lambda: b"[" * 100_000,
    "customers-digits.json": lambda: b'[{"id": ' + b"9" * 5000 + b"}]",
    "customers-empty.json": lambda: b"",
    "customers-empty.csv": lambda: b"",
    "customers-big-field.csv": lambda: b'id,name\nacme,"' + b"x" * 200_000 + b'"\n',
    "customers-cr.csv": lambda: b"id,name\racme,Acme GmbH\r",
    "customers-nul.csv": lambda: b"id,name\nac\x00me,Acme GmbH\n",
    "customers-deep.toml": lambda: b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "customers-latin1.toml": lambda: b'[[customer]]\nid = "caf\xe9"\nname = "Caf\xe9"\n',
    "config/bom.toml": lambda: b"\xef\xbb\xbf" + (CORPUS / "config" / "ok.toml").read_bytes(),
    "config/deep.toml": lambda: b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "config/latin1.toml": lambda: b'[product]\nname = "Caf\xe9"\n',
    "config/changes/overrides/latin1-override.md": lambda: (
        b"---\noverrides: abc1234\n---\nCaf\xe9\n"
    ),
    "fragments/latin1.md": lambda: b"You can pay at the caf\xe9 now.\n",
}


@dataclass(frozen=True)
class Case:
    """``args`` may name ``{in}`` (the inputs) and ``{out}`` (an output folder)."""

    id: str
    args: tuple[str, ...]
    exit: int
    says: str


def case(id: str, command: str, exit: int, says: str) -> Any:
    return pytest.param(Case(id, tuple(command.split()), exit, says), id=id)


INGEST = "deploy ingest {in}/"
CUSTOMERS_IMPORT = "customers import {in}/"
CONFIGURED = "--config {in}/config/"
RECORD = "deploy record --env production-eu --version v1.0.0 --at"

CASES = [
    # deploy logs: times, numbers, nesting, bytes, lines, fields
    case("jsonl-year-0001-east", INGEST + "year-0001.jsonl --format jsonl", 2, "out of range"),
    case("jsonl-year-9999-west", INGEST + "year-9999.jsonl --format jsonl", 2, "out of range"),
    case("jsonl-finished-9999", INGEST + "finished-9999.jsonl --format jsonl", 2, "finished_at"),
    case("jsonl-year-2999", INGEST + "year-2999.jsonl --format jsonl", 2, "in the future"),
    case(
        "jsonl-unknown-release",
        INGEST + "unknown-release.jsonl --format jsonl",
        2,
        "unknown-release.jsonl:2: field 'version': version 'v9.9.9' is not a known release",
    ),
    case(
        "jsonl-unknown-release-skipped",
        INGEST + "unknown-release.jsonl --format jsonl --skip-invalid",
        0,
        "skipped 1 invalid records",
    ),
    case("jsonl-deep", INGEST + "deep.jsonl --format jsonl", 2, "deep.jsonl:1: not valid JSON"),
    case("jsonl-digits", INGEST + "digits.jsonl --format jsonl", 2, "too many digits"),
    case("jsonl-nul", INGEST + "nul.jsonl --format jsonl", 2, "nul.jsonl:1: not valid JSON"),
    case("jsonl-latin1", INGEST + "latin1.jsonl --format jsonl", 2, "latin1.jsonl:1: not UTF-8"),
    case("jsonl-huge-line", INGEST + "huge-line.jsonl --format jsonl", 2, "longer than 1024 KiB"),
    case("jsonl-escape", INGEST + "escape-in-version.jsonl --format jsonl", 2, "control char"),
    case("jsonl-long-version", INGEST + "long-version.jsonl --format jsonl", 2, "longer than 255"),
    case(
        "jsonl-unknown-environment",
        INGEST + "unknown-environment.jsonl --format jsonl",
        2,
        "did you mean 'production-eu'",
    ),
    case("jsonl-missing-status", INGEST + "missing-status.jsonl --format jsonl", 2, "'status'"),
    case("jsonl-empty", INGEST + "empty.jsonl --format jsonl", 0, "read 0 deployments"),
    case("jsonl-cr-only", INGEST + "cr-only.jsonl --format jsonl", 0, "read 2 deployments"),
    case("csv-cr-only", INGEST + "cr-only.csv --format csv", 0, "read 1 deployments"),
    case("csv-big-field", INGEST + "big-field.csv --format csv", 2, "big-field.csv:2: not a CSV"),
    case("csv-unknown-column", INGEST + "unknown-column.csv --format csv", 2, "'owner'"),
    case("log-is-a-folder", INGEST + "fragments --format jsonl", 2, "is a folder"),
    case("log-missing", INGEST + "nothing.jsonl --format jsonl", 2, "no such file"),
    case("log-format-typo", INGEST + "empty.jsonl --format jsnol", 2, "did you mean 'jsonl'"),
    case("helm-deep", INGEST + "deep.json --format helm --env production-eu", 2, "too deeply"),
    case("helm-digits", INGEST + "digits.json --format helm --env production-eu", 2, "digits"),
    case("helm-empty", INGEST + "empty.json --format helm --env production-eu", 2, "JSON"),
    case(
        "helm-year-0001",
        INGEST + "helm-year-0001.json --format helm --env production-eu",
        2,
        "$[0].updated",
    ),
    case(
        "helm-unknown-status",
        INGEST + "helm-unknown-status.json --format helm --env production-eu",
        2,
        "unknown helm status 'exploded'",
    ),
    case(
        "heroku-retry-and-rollback-to-it",
        INGEST + "heroku-retry.json --format heroku --env production-eu",
        0,
        "read 4 deployments: 4 new",
    ),
    case(
        "heroku-digits",
        INGEST + "digits.json --format heroku --env production-eu",
        2,
        "too many digits",
    ),
    case(
        "argocd-odd-application",
        INGEST + "argocd-odd-application.json --format argocd --env production-eu",
        2,
        "$.status.history: expected a JSON list",
    ),
    case(
        "argocd-no-history",
        INGEST + "argocd-no-history.json --format argocd --env production-eu",
        2,
        "$.status.history",
    ),
    case(
        "capistrano-year-0001",
        INGEST + "capistrano-year-0001.log --format capistrano --env production-eu "
        "--timezone Asia/Tokyo",
        2,
        "out of range",
    ),
    case(
        "capistrano-zone-missing",
        INGEST + "capistrano-ok.log --format capistrano --env production-eu --timezone Mars/Base",
        2,
        "--timezone: unknown time zone 'Mars/Base'",
    ),
    case(
        "ingest-env-unknown",
        INGEST + "capistrano-ok.log --format capistrano --env production-nowhere",
        2,
        "unknown environment",
    ),
    # deploy record: the same checks as ingest
    case("record-year-0001-east", RECORD + " 0001-01-01T00:00+05:00", 2, "out of range"),
    case("record-year-9999-west", RECORD + " 9999-12-31T23:00-05:00", 2, "out of range"),
    case("record-year-2999", RECORD + " 2999-01-01T00:00:00Z", 2, "in the future"),
    case("record-naive", RECORD + " 2026-11-01T10:00:00", 2, "no UTC offset"),
    case("record-not-a-time", RECORD + " yesterday", 2, "not an ISO 8601 time"),
    case(
        "record-unknown-release",
        "deploy record --env production-eu --version v9.9.9",
        2,
        "is not a known release",
    ),
    case(
        "record-escape",
        "deploy record --env production-eu --version v1.0.0\x1b[2J",
        2,
        "control characters",
    ),
    case(
        "record-long-id",
        "deploy record --env production-eu --version v1.0.0 --id " + "p" * 300,
        2,
        "field 'external_id': longer than 255",
    ),
    case(
        "record-unknown-environment",
        "deploy record --env production-ue --version v1.0.0",
        2,
        "did you mean 'production-eu'",
    ),
    case("list-unknown-environment", "deploy list --env nowhere", 2, "unknown environment"),
    # customers
    case("customers-deep", CUSTOMERS_IMPORT + "customers-deep.json", 2, "nested too deeply"),
    case("customers-digits", CUSTOMERS_IMPORT + "customers-digits.json", 2, "too many digits"),
    case("customers-empty-json", CUSTOMERS_IMPORT + "customers-empty.json", 2, "not valid JSON"),
    case("customers-empty-csv", CUSTOMERS_IMPORT + "customers-empty.csv", 2, "no column 'id'"),
    case(
        "customers-big-field",
        CUSTOMERS_IMPORT + "customers-big-field.csv",
        2,
        "customers-big-field.csv:2: not a CSV row",
    ),
    case("customers-cr-only", CUSTOMERS_IMPORT + "customers-cr.csv", 0, "imported 1 customer"),
    case("customers-nul", CUSTOMERS_IMPORT + "customers-nul.csv", 2, "control characters"),
    case(
        "customers-toml-duplicate",
        CUSTOMERS_IMPORT + "customers-duplicate.toml",
        2,
        "customer[1] (id 'acme'): field 'id': duplicate id",
    ),
    case(
        "customers-id-case",
        CUSTOMERS_IMPORT + "customers-case.json",
        2,
        "differs from 'acme' only in case",
    ),
    case(
        "customers-freeze-backwards",
        CUSTOMERS_IMPORT + "customers-freeze-backwards.json",
        2,
        "field 'freeze[0].end': ends before it starts",
    ),
    case(
        "customers-freeze-0001",
        CUSTOMERS_IMPORT + "customers-freeze-0001.json",
        2,
        "field 'freeze[0].start'",
    ),
    case(
        "customers-freeze-9999-toml",
        CUSTOMERS_IMPORT + "customers-freeze-9999.toml",
        2,
        "out of range",
    ),
    case(
        "customers-unknown-component",
        CUSTOMERS_IMPORT + "customers-unknown-component.json --strict",
        2,
        "unknown component 'chekout' (did you mean 'checkout'?)",
    ),
    case(
        "customers-unknown-environment",
        CUSTOMERS_IMPORT + "customers-unknown-environment.json --strict",
        2,
        "unknown environment 'production-nowhere'",
    ),
    case("customers-zone", CUSTOMERS_IMPORT + "customers-unknown-zone.json", 2, "Europe/Berlin"),
    case("customers-surrogate", CUSTOMERS_IMPORT + "customers-surrogate.json", 2, "control"),
    case("customers-long-id", CUSTOMERS_IMPORT + "customers-long-id.json", 2, "longer than 255"),
    case("customers-locale", CUSTOMERS_IMPORT + "customers-locale-object.json", 2, "not a locale"),
    case("customers-deep-toml", CUSTOMERS_IMPORT + "customers-deep.toml", 2, "nested too deeply"),
    case("customers-latin1-toml", CUSTOMERS_IMPORT + "customers-latin1.toml", 2, "not UTF-8"),
    case(
        "customers-toml-top-key",
        CUSTOMERS_IMPORT + "customers-unknown-top.toml",
        2,
        "unknown top-level key 'customers'",
    ),
    case("customers-folder", CUSTOMERS_IMPORT + "fragments", 2, "cannot be read"),
    case(
        "customers-prune-everyone",
        CUSTOMERS_IMPORT + "customers-none.json --prune",
        2,
        "--prune would remove",
    ),
    # config
    case("config-bom", CONFIGURED + "bom.toml --repo {repo} components", 0, "Checkout"),
    case(
        "config-zone-missing",
        CONFIGURED + "zone-missing.toml --repo {repo} components",
        2,
        "key 'environments.production-eu.timezone': unknown time zone 'Mars/Base'",
    ),
    case(
        "config-max-length-negative",
        CONFIGURED + "max-length-negative.toml --repo {repo} components",
        2,
        "key 'voice.max_length': must be at least 1",
    ),
    case(
        "config-max-length-zero",
        CONFIGURED + "max-length-zero.toml --repo {repo} components",
        2,
        "key 'voice.max_length'",
    ),
    case(
        "config-tolerance-negative",
        CONFIGURED + "tolerance-negative.toml --repo {repo} components",
        2,
        "key 'deployments.future_tolerance_minutes'",
    ),
    case(
        "config-prune-limit",
        CONFIGURED + "prune-limit-two.toml --repo {repo} components",
        2,
        "key 'customers.prune_limit'",
    ),
    case(
        "config-pattern",
        CONFIGURED + "pattern-invalid.toml --repo {repo} components",
        2,
        "key 'components.checkout.paths'",
    ),
    case(
        "config-pattern-bad-range",
        CONFIGURED + "pattern-bad-range.toml --repo {repo} components",
        2,
        "not a pattern: bad character range",
    ),
    case(
        "config-type-twice",
        CONFIGURED + "type-twice.toml --repo {repo} components",
        2,
        "'chore' is also in release.internal_types",
    ),
    case(
        "config-tag-pattern-empty",
        CONFIGURED + "tag-pattern-empty.toml --repo {repo} components",
        2,
        "key 'release.tag_pattern': must not be empty",
    ),
    case(
        "config-token-env",
        CONFIGURED + "token-env-dollar.toml --repo {repo} components",
        2,
        "must be the NAME of an environment variable",
    ),
    case(
        "config-unknown-key",
        CONFIGURED + "unknown-key.toml --repo {repo} components",
        2,
        "did you mean 'name'",
    ),
    case("config-deep", CONFIGURED + "deep.toml --repo {repo} components", 2, "nested too deeply"),
    case("config-latin1", CONFIGURED + "latin1.toml --repo {repo} components", 2, "cannot be read"),
    case("config-folder", CONFIGURED.rstrip("/") + " --repo {repo} components", 2, "is a folder"),
    case("config-missing", CONFIGURED + "none.toml --repo {repo} components", 2, "no such file"),
    # git: tags, names like options, fragments, commit text
    case(
        "scan-tag-at-a-tree",
        "release scan --rescan",
        0,
        "skipped tag 'v1.1.5': it points at a tree, not a commit",
    ),
    case("scan-tag-at-a-blob", "release scan --rescan", 0, "'v1.1.6': it points at a blob"),
    case("lint-tag-like-an-option", "notes lint -- -x", 0, "finding"),
    case("lint-range-to-a-dash-tag", "notes lint v1.1.0..-x", 0, "finding"),
    case("lint-unknown-tag", "notes lint v9.9", 2, "nearest release tags"),
    case(
        "lint-fragment-latin1",
        "notes lint {in}/fragments/latin1.md",
        2,
        "latin1.md:1: not UTF-8 text",
    ),
    case("lint-fragment-dangling", "notes lint {in}/fragments", 2, "dangling.md: cannot be read"),
    case("show-escapes-and-latin1", "release show v1.2.0", 0, "caf"),
    case(
        "override-latin1",
        CONFIGURED + "ok.toml --repo {repo} release show v1.2.0",
        2,
        "latin1-override.md:4: not UTF-8 text",
    ),
    case(
        "render-escapes",
        "notes render 2 --format md --format txt --format html --out {out}",
        0,
        "wrote",
    ),
    case("render-unknown-deployment", "notes render 999 --out {out}", 2, "no deployment"),
    case("impact-unknown-deployment", "impact 999", 2, "no deployment with id 999"),
]


@dataclass
class Project:
    run: Runner
    base: Path
    inputs: Path
    dump: Callable[[], list[Any]]


def _build(base: Path, db_url: str) -> tuple[Runner, GitRepoFactory]:
    """The small project with hostile history: escapes and bytes that are not UTF-8 in
    commit messages, tags at a tree and at a blob, a tag named like an option."""
    repo = base / "shop"
    git = GitRepoFactory(repo)
    git.commit(
        "feat(checkout): pay by card",
        files={"services/checkout/app.py": "1\n", "releasecare.toml": CONFIG},
        when="2026-10-01T10:00:00+00:00",
    )
    git.tag("v1.0.0")
    git.commit(
        "feat(invoices): PDF\n\nCustomer-Note: You can download invoices as PDF.",
        files={"services/invoices/pdf.py": "1\n"},
        when="2026-10-10T10:00:00+00:00",
    )
    git.tag("v1.1.0")
    git.write({"services/search/index.py": "1\n"})
    message = (
        b"perf(search): faster caf\xe9 search \x1b[2J\n\n"
        b"Customer-Note: Searches for caf\xe9 find \x1b]8;;https://evil.example\x1b\\"
        b"more\x1b]8;;\x1b\\ products.\n"
    )
    git.git("commit", "-q", "-F", "-", input=message, when="2026-10-20T10:00:00+00:00")
    git.tag("v1.2.0")
    git.git("update-ref", "refs/tags/-x", "HEAD")
    (base / "customers.json").write_text(__import__("json").dumps(CUSTOMERS), encoding="utf-8")
    run = Runner(cwd=repo, db_url=db_url)
    run.ok("release", "scan")
    run.ok("customers", "import", str(base / "customers.json"))
    run.deploy("v1.1.0", "2026-11-01T10:00:00Z")  # deployment 1
    run.deploy("v1.2.0", "2026-11-02T10:00:00Z")  # deployment 2: the commit with escapes
    # Tagged after the scan: the next one meets them.
    git.git("tag", "v1.1.5", git.git("rev-parse", "v1.1.0^{tree}"))
    git.git("tag", "-a", "v1.1.6", "-m", "a blob", git.git("rev-parse", "v1.1.0:releasecare.toml"))
    return run, git


def _inputs(base: Path, git: GitRepoFactory) -> Path:
    """The corpus and the generated inputs, with ``{sha:TAG}`` made the tag's commit."""
    inputs = base / "inputs"
    shutil.copytree(CORPUS, inputs)
    for name, make in GENERATED.items():
        (inputs / name).parent.mkdir(parents=True, exist_ok=True)
        (inputs / name).write_bytes(make())
    os.symlink(inputs / "no-such-fragment.md", inputs / "fragments" / "dangling.md")
    for path in inputs.rglob("*.json"):
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        for tag in ("v1.0.0", "v1.1.0", "v1.2.0"):
            text = text.replace(f"{{sha:{tag}}}", git.git("rev-parse", f"{tag}^{{commit}}")[:10])
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return inputs


@pytest.fixture(scope="module")
def sqlite_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    base = tmp_path_factory.mktemp("hostile-sqlite")
    db = base / "releasecare.db"
    run, git = _build(base, f"sqlite:///{db}")

    def dump() -> list[Any]:
        with sqlite3.connect(db) as conn:
            return list(conn.iterdump())

    return Project(run, base, _inputs(base, git), dump)


@pytest.fixture(scope="module")
def postgres_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server (set RELEASECARE_TEST_POSTGRES_URL)")
    from sqlalchemy import MetaData, create_engine, select, text
    from sqlalchemy.engine import make_url

    name = f"rc_hostile_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        base = tmp_path_factory.mktemp("hostile-postgres")
        run, git = _build(base, url)

        meta = MetaData()
        meta.reflect(engine)

        def dump() -> list[Any]:
            with engine.connect() as conn:
                return [
                    (table.name, sorted(map(repr, conn.execute(select(table)))))
                    for table in meta.sorted_tables
                ]

        yield Project(run, base, _inputs(base, git), dump)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _files(*folders: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path): (stat.st_size, stat.st_mtime_ns)
        for folder in folders
        for path in folder.rglob("*")
        if not path.is_symlink() and path.is_file() and (stat := path.stat())
    }


def _check(project: Project, hostile: Case) -> None:
    out = project.base / f"out-{hostile.id}"
    repo = project.run.cwd
    places = {"{in}": project.inputs, "{out}": out, "{repo}": repo}
    args = list(hostile.args)
    for mark, place in places.items():
        args = [a.replace(mark, str(place)) for a in args]
    before = project.dump()
    files = _files(repo, project.inputs)
    result = project.run(*args)
    printed = result.output
    assert result.exit_code == hostile.exit, printed
    assert hostile.says in printed, printed
    assert "Traceback" not in printed and "\x1b" not in printed, printed
    assert "this is a bug" not in printed, printed
    if hostile.exit:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert lines[0].startswith("error: "), result.stderr
        assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("  hint: ")), lines
        assert len(lines[0]) < 400, lines[0]
        assert project.dump() == before, "a failed command changed the database"
    assert _files(repo, project.inputs) == files, "something was written into the project"
    if out.exists():
        assert hostile.exit == 0 and "{out}" in hostile.args, "a failed render wrote files"
        assert all("\x1b" not in p.read_text() for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize("hostile", CASES)
def test_hostile_input_on_sqlite(sqlite_project: Project, hostile: Case) -> None:
    _check(sqlite_project, hostile)


@pytest.mark.postgres
@pytest.mark.parametrize("hostile", [p for p in CASES if p.values[0].exit])
def test_hostile_input_on_postgres(postgres_project: Project, hostile: Case) -> None:
    """The failing cases again where the store is strict (column sizes, encodings)."""
    _check(postgres_project, hostile)


def test_the_corpus_covers_every_class() -> None:
    """At least one case per class of the issue, and every corpus file is used."""
    ids = {p.values[0].id for p in CASES}
    for needed in (
        "jsonl-year-0001-east",
        "record-year-9999-west",
        "jsonl-deep",
        "customers-digits",
        "csv-big-field",
        "csv-cr-only",
        "config-bom",
        "config-zone-missing",
        "config-max-length-negative",
        "scan-tag-at-a-tree",
        "lint-tag-like-an-option",
        "lint-fragment-latin1",
        "heroku-retry-and-rollback-to-it",
        "jsonl-unknown-release",
        "jsonl-year-2999",
        "jsonl-escape",
    ):
        assert needed in ids
    named = " ".join(" ".join((*p.values[0].args, p.values[0].says)) for p in CASES)
    names = [p.name for p in CORPUS.rglob("*") if p.is_file()] + [Path(n).name for n in GENERATED]
    for name in names:
        assert name == "ok.toml" or name in named, f"{name} is in no case"


RECORD_AND_INGEST = [
    ("unknown release", {"version": "v9.9.9"}, "is not a known release"),
    ("far future", {"deployed_at": "2999-01-01T00:00:00Z"}, "in the future"),
    ("year 0001 east", {"deployed_at": "0001-01-01T00:00:00+05:00"}, "out of range"),
    ("control characters", {"version": "v1.0.0\x1b[2J"}, "control characters"),
    ("long id", {"id": "p" * 300}, "longer than 255"),
    ("unknown environment", {"environment": "production-ue"}, "unknown environment"),
]


@pytest.mark.parametrize(
    ("what", "change", "says"), RECORD_AND_INGEST, ids=[c[0] for c in RECORD_AND_INGEST]
)
def test_ingest_refuses_what_record_refuses(
    project: Runner, tmp_path: Path, what: str, change: dict[str, str], says: str
) -> None:
    """One validation for deployments, whichever way they arrive."""
    import json

    project.ok("release", "scan")
    deploy = {
        "environment": "production-eu",
        "version": "v1.0.0",
        "status": "succeeded",
        "deployed_at": "2026-11-01T10:00:00Z",
        "id": "p-1",
        **change,
    }
    recorded = project(
        "deploy", "record", "--env", deploy["environment"], "--version", deploy["version"],
        "--at", deploy["deployed_at"], "--id", deploy["id"],
    )  # fmt: skip
    log = tmp_path / "deploys.jsonl"
    log.write_text(json.dumps(deploy) + "\n")
    ingested = project("deploy", "ingest", str(log), "--format", "jsonl")
    assert (recorded.exit_code, ingested.exit_code) == (2, 2), (recorded.output, ingested.output)
    assert says in recorded.output and says in ingested.output
    assert f"{log}:1" in ingested.output
    assert project.json("deploy", "list")["deployments"] == []


def test_the_hint_names_a_tag_like_an_option_after_dashes() -> None:
    from releasecare.errors import nearest_tags_hint

    hint = nearest_tags_hint(["v1.0.0", "-x"], "x")
    assert hint is not None and "`-- -x`" in hint
