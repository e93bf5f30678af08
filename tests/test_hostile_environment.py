"""The world around releasecare failing or hostile (issue #17): slow and looping HTTP
servers, user templates that raise, escape or never end, an output folder that
cannot be written, and databases that are locked, read-only, corrupt or from the
future. Each is an exit 2 or 3 with one line naming the file, folder, URL or
database (credentials removed) and what to do, never a traceback or a hang.

Budget: about 12 s in all. Deadlines are made small through the environment
(``RELEASECARE_HTTP_DEADLINE`` 1 s, a 1 s render deadline); the one lock test holds a
SQLite lock for 1 s against a 0.3 s busy timeout and 0.3 s against a 3 s one.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from releasecare import http
from releasecare.cli import cli
from releasecare.errors import NetworkError, ReleasecareError
from tests.helpers import Runner, drip_server

# What needs no second database: the CLI on SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
SECRETS = ("alice", "pa55word", "qu3ry_s3cret", "tok_v3ry_s3cret")


def secret_url(server: HTTPServer, path: str) -> str:
    """The server's URL for ``path`` with credentials and a token in the query."""
    return server.url_for(path).replace("://", "://alice:pa55word@") + "?token=qu3ry_s3cret"


def assert_clean(text: str) -> None:
    """No secret, no query string and no traceback in what a user sees."""
    for secret in SECRETS:
        assert secret not in text, text
    assert "Traceback" not in text, text
    assert "this is a bug" not in text, text


def one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, output
    assert_clean(output)
    return lines[0]


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "sleep", lambda _seconds: None)
    monkeypatch.setenv("GITHUB_TOKEN", "tok_v3ry_s3cret")


# --- HTTP --------------------------------------------------------------------------


@pytest.fixture
def header_drip() -> Iterator[str]:
    """A server that sends its status line and headers one byte every two seconds."""
    with drip_server(b"", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", 2.0) as port:
        yield f"http://alice:pa55word@127.0.0.1:{port}/customers?token=qu3ry_s3cret"


@SQLITE_ONLY
def test_a_server_dripping_its_headers_meets_the_deadline(
    header_drip: str, project: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELEASECARE_HTTP_DEADLINE", "1")
    started = time.monotonic()
    result = project("customers", "import", header_drip)
    took = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert took < 3, took
    line = one_error_line(result.output)
    port = header_drip.split(":")[3].split("/")[0]
    assert line == (
        f"error: http://127.0.0.1:{port}/customers: the 1 s deadline passed"
        " (the answer's headers were still arriving)"
    )


@SQLITE_ONLY
def test_a_bad_deadline_in_the_environment_is_named(
    project: Runner, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    monkeypatch.setenv("RELEASECARE_HTTP_DEADLINE", "-5")
    result = project("customers", "import", httpserver.url_for("/customers"))
    assert result.exit_code == 2, result.output
    assert "RELEASECARE_HTTP_DEADLINE must be a number of seconds above 0" in result.output


@SQLITE_ONLY
def test_a_link_to_the_same_page_is_exit_3(project: Runner, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/deployments").respond_with_json(
        [], headers={"Link": f'<{secret_url(httpserver, "/deployments")}>; rel="next"'}
    )
    result = project(
        "deploy", "ingest", secret_url(httpserver, "/deployments"), "--format", "github"
    )
    assert result.exit_code == 3, result.output
    line = one_error_line(result.output)
    assert line == (
        f"error: {httpserver.url_for('/deployments')}: page 1 links back to page 1 as its"
        " next page (a pagination loop)"
    )
    assert project.json("deploy", "list")["deployments"] == []


def test_pages_stop_at_their_deadline(httpserver: HTTPServer) -> None:
    def slow_page(request: object) -> object:
        from werkzeug import Response

        time.sleep(0.15)
        page = int(getattr(request, "args", {}).get("page", "1"))
        link = f'<{httpserver.url_for("/items")}?page={page + 1}>; rel="next"'
        return Response("[]", headers={"Link": link}, content_type="application/json")

    httpserver.expect_request("/items").respond_with_handler(slow_page)
    options = http.Options(pages_deadline=0.5)
    started = time.monotonic()
    with http.Client(options=options) as client, pytest.raises(NetworkError) as caught:
        list(client.pages(httpserver.url_for("/items")))
    assert time.monotonic() - started < 1.5
    assert "0.5 s deadline for all the pages" in caught.value.message


def test_no_error_path_shows_credentials(httpserver: HTTPServer) -> None:
    """DNS failure, TLS error, redirects (to a page that fails, and in a loop): the
    message names the URL as the user gave it, without user, password or query."""
    httpserver.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": secret_url(httpserver, "/gone")}
    )
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    httpserver.expect_request("/circle").respond_with_data(
        "", status=302, headers={"Location": secret_url(httpserver, "/circle")}
    )
    tls = httpserver.url_for("/x").replace("http://", "https://alice:pa55word@")
    cases = {
        "http://alice:pa55word@releasecare-test.invalid/x?token=qu3ry_s3cret": (
            "http://releasecare-test.invalid/x: ConnectionError after 2 attempts"
        ),
        tls + "?token=qu3ry_s3cret": f"{httpserver.url_for('/x').replace('http', 'https')}: ",
        secret_url(httpserver, "/moved"): f"{httpserver.url_for('/moved')}: HTTP 404",
        secret_url(httpserver, "/circle"): f"{httpserver.url_for('/circle')}: TooManyRedirects",
    }
    with http.Client(options=http.Options(max_retries=1)) as client:
        for url, start in cases.items():
            with pytest.raises(ReleasecareError) as caught:
                client.get(url)
            assert str(caught.value).startswith(start), str(caught.value)
            assert_clean(str(caught.value))
            assert caught.value.exit_code == 3


# --- the database --------------------------------------------------------------------


def filled_database(project: Runner) -> Path:
    """The project's SQLite database with its releases, customers and two deploys."""
    project.ok("release", "scan")
    project.ok("customers", "import", str(project.cwd.parent / "customers.json"))
    project.deploy("v1.0.0", "2026-11-01T10:00:00+00:00")
    project.deploy("v1.2.0", "2026-11-02T10:00:00+00:00")
    return Path(project.db_url.removeprefix("sqlite:///"))


def spoil(path: Path, how: str) -> None:
    with sqlite3.connect(path) as conn:  # everything into the file itself, no -wal left
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if how == "not a database":
        path.write_bytes(b"id,name\nacme,Acme GmbH\n" * 200)
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[:6000])
    else:
        with sqlite3.connect(path) as conn:
            if how == "missing table":
                conn.execute("DROP TABLE deployments")
            else:  # from the future
                conn.execute("UPDATE alembic_version SET version_num = '0099'")
        sqlite3.connect(path).close()


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("how", "problem"),
    [
        ("not a database", "is not a SQLite database"),
        ("truncated", "is damaged (truncated or corrupt)"),
        ("missing table", "lacks part of its schema (no such table: deployments)"),
        ("from the future", "is at schema revision 0099, which this version of releasecare"),
    ],
)
def test_a_broken_database_is_exit_3_naming_it(project: Runner, how: str, problem: str) -> None:
    path = filled_database(project)
    spoil(path, how)
    before = path.read_bytes()
    for command in (
        ("deploy", "list"),
        ("deploy", "record", "--env", "staging", "--version", "v1.2.0"),
    ):
        result = project(*command)
        assert result.exit_code == 3, result.output
        assert one_error_line(result.output).startswith(f"error: the database {path} {problem}")
        assert "hint: " in result.output
    assert path.read_bytes() == before


@SQLITE_ONLY
def test_a_read_only_database_is_exit_3_and_reads_still_work(project: Runner) -> None:
    path = filled_database(project)
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    reader = Runner(cwd=project.cwd, db_url=read_only)
    assert len(reader.json("deploy", "list")["deployments"]) == 2
    result = reader("deploy", "record", "--env", "staging", "--version", "v1.2.0")
    assert result.exit_code == 3, result.output
    assert one_error_line(result.output) == f"error: the database {path} is read-only"
    assert len(project.json("deploy", "list")["deployments"]) == 2


@SQLITE_ONLY
def test_the_releasecare_folder_being_a_file_is_exit_3(project: Runner) -> None:
    from tests.helpers import run_in_repo

    (project.cwd / ".releasecare").write_text("not a folder")
    result = run_in_repo(project.cwd, "deploy", "list")
    assert result.exit_code == 3, result.output
    database = project.cwd / ".releasecare" / "releasecare.db"
    assert one_error_line(result.output) == (
        f"error: cannot open the database {database}: {project.cwd / '.releasecare'} is a"
        " file, not a folder"
    )
    assert (project.cwd / ".releasecare").read_text() == "not a folder"


def test_an_unreachable_server_is_named_without_its_password() -> None:

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://bob:pa55word@127.0.0.1:{port}/rc?sslpassword=qu3ry_s3cret"
    result = CliRunner().invoke(cli, ["--db", url, "db", "upgrade"])
    assert result.exit_code == 3, result.output
    assert one_error_line(result.output) == (
        f"error: the database postgresql+psycopg://bob@127.0.0.1:{port}/rc cannot be reached"
    )


@SQLITE_ONLY
def test_a_locked_database_is_waited_for_then_named(
    project: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = filled_database(project)

    def hold_lock(seconds: float) -> threading.Thread:
        locked = threading.Event()

        def run() -> None:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            locked.set()
            time.sleep(seconds)
            conn.execute("ROLLBACK")
            conn.close()

        thread = threading.Thread(target=run)
        thread.start()
        locked.wait(5)
        return thread

    record = ("deploy", "record", "--env", "staging", "--version", "v1.2.0")
    monkeypatch.setenv("RELEASECARE_DB_BUSY_TIMEOUT", "0.3")
    holder = hold_lock(1.0)
    result = project(*record)
    holder.join()
    assert result.exit_code == 3, result.output
    assert one_error_line(result.output) == (
        f"error: the database {path} is locked by another writer (waited 0.3 s)"
    )
    assert "RELEASECARE_DB_BUSY_TIMEOUT" in result.output

    monkeypatch.setenv("RELEASECARE_DB_BUSY_TIMEOUT", "3")
    holder = hold_lock(0.3)
    project.ok(*record)
    holder.join()
    assert len(project.json("deploy", "list", "--env", "staging")["deployments"]) == 1


def test_the_busy_timeout_comes_from_the_config(tmp_path: Path) -> None:
    from releasecare.config import parse_config
    from releasecare.errors import ConfigError

    config = parse_config({"database": {"busy_timeout": 90}}, tmp_path / "releasecare.toml")
    assert config.busy_timeout == 90.0
    with pytest.raises(ConfigError, match=r"database\.busy_timeout.*above 0"):
        parse_config({"database": {"busy_timeout": -1}}, tmp_path / "releasecare.toml")


def test_a_full_database_is_named(sqlite_url: str) -> None:
    """SQLite says "database or disk is full" when it cannot grow: on a full disk, or
    (as here, for real) past its ``max_page_count``."""
    from sqlalchemy import text

    from releasecare.errors import DatabaseError
    from releasecare.store import open_engine, transaction

    engine = open_engine(sqlite_url)
    with pytest.raises(DatabaseError) as caught, transaction(engine) as session:
        pages = session.execute(text("PRAGMA page_count")).scalar()
        session.execute(text(f"PRAGMA max_page_count = {pages}"))
        session.execute(text("CREATE TABLE filler (x TEXT)"))
        for _ in range(200):
            session.execute(text("INSERT INTO filler VALUES (:x)"), {"x": "x" * 4000})
    path = sqlite_url.removeprefix("sqlite:///")
    assert caught.value.message == f"the database {path} cannot be written: the disk is full"
    assert "free some space" in (caught.value.hint or "")


@SQLITE_ONLY
def test_a_file_size_limit_mid_write_is_exit_3_and_stores_nothing(project: Runner) -> None:
    """A real failing write (the kernel refuses to grow a file past RLIMIT_FSIZE) in
    a subprocess: exit 3 naming the database; the database is as before."""
    import resource
    import signal
    import subprocess
    import sys

    path = filled_database(project)

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        size = path.stat().st_size
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    command = [sys.executable, "-m", "releasecare", "--db", project.db_url]
    result = subprocess.run(
        [*command, "deploy", "record", "--env", "staging", "--version", "v1.2.0"],
        cwd=project.cwd,
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3, result.stderr
    assert one_error_line(result.stderr).startswith(f"error: the database {path} ")
    assert len(project.json("deploy", "list")["deployments"]) == 2
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


# --- user templates -------------------------------------------------------------------


def deployed(project: Runner, template: bytes | str | None = None) -> str:
    """The project with its releases, customers and two deploys; ``template`` as the
    project's own ``notice.md.j2``. Returns the second deploy's id."""
    if template is not None:
        config = project.cwd / "releasecare.toml"
        config.write_text('templates = "tpl"\n' + config.read_text())
        (project.cwd / "tpl").mkdir()
        data = template if isinstance(template, bytes) else template.encode()
        (project.cwd / "tpl" / "notice.md.j2").write_bytes(data)
    filled_database(project)
    return "2"


HOSTILE_TEMPLATES = {
    "raises": ("ok\n{{ 1 // 0 }}", ":2: ZeroDivisionError: integer division or modulo by zero"),
    "fails for one customer": (
        '{% if customer.id == "globex" %}{{ nothing.here }}{% endif %}{{ title }}',
        ":1: 'nothing' is undefined",
    ),
    "includes a file outside": (
        '{% include "../../../../../../etc/passwd" %}',
        ":1: includes '../../../../../../etc/passwd', which is not a template in the"
        " templates folder or the defaults (a path outside them is never read)",
    ),
    "includes itself": ('{% include "notice.md.j2" %}', ":1: includes or extends itself"),
    "a huge range": (
        "{% for i in range(10**12) %}x{% endfor %}",
        ":1: OverflowError: Range too big",
    ),
    "loops for ever": (
        "\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        ":2: still rendering after 1 s",
    ),
    "a huge text": ('{{ "x" * 10**9 }}', ":1: a text that long is not allowed"),
    "reaches for Python": ("{{ ''.__class__.__mro__ }}", ":1: access to attribute '__class__'"),
    "is not UTF-8": (b"caf\xe9 {{ title }}", ": is not UTF-8 text"),
    "has a syntax error": ("{{ title }}\n{% if %}", ":2: Expected an expression"),
}


@SQLITE_ONLY
@pytest.mark.parametrize("case", sorted(HOSTILE_TEMPLATES))
def test_a_hostile_template_is_exit_2_naming_it_and_writes_nothing(
    project: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    template, problem = HOSTILE_TEMPLATES[case]
    deploy_id = deployed(project, template)
    out = tmp_path / "notices"
    out.mkdir()
    monkeypatch.setenv("RELEASECARE_RENDER_DEADLINE", "1")
    started = time.monotonic()
    result = project(
        "notes",
        "render",
        deploy_id,
        "--format",
        "html",
        "--format",
        "md",
        "--feed",
        "--out",
        str(out),
    )
    assert time.monotonic() - started < 5
    assert result.exit_code == 2, result.output
    line = one_error_line(result.output)
    assert line.startswith(f"error: template {project.cwd / 'tpl' / 'notice.md.j2'}{problem}")
    assert list(out.iterdir()) == []  # not even the customers' HTML notices


# --- an output folder that cannot be written ------------------------------------------


@SQLITE_ONLY
def test_out_that_cannot_be_a_folder_is_named(project: Runner, tmp_path: Path) -> None:
    deploy_id = deployed(project)
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    cases = {
        "/dev/full": (2, "error: --out /dev/full is a device or other special file, not a folder"),
        str(tmp_path / "dangling"): (
            3,
            f"error: --out {tmp_path / 'dangling'} is a symbolic link to"
            f" {tmp_path / 'nowhere'}, which does not exist",
        ),
        str(tmp_path / "a-file" / "notices"): (
            3,
            f"error: cannot write {tmp_path / 'a-file' / 'notices'} under --out"
            f" {tmp_path / 'a-file' / 'notices'}: Not a directory (nothing was written)",
        ),
        "": (2, "error: --out must name a folder"),
    }
    for out, (code, message) in cases.items():
        result = project("notes", "render", deploy_id, "--format", "md", "--out", out)
        assert result.exit_code == code, (out, result.output)
        assert one_error_line(result.output).startswith(message)
    assert not (tmp_path / "nowhere").exists()
    assert (tmp_path / "a-file").read_text() == "x"


@SQLITE_ONLY
@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a folder whatever its mode")
def test_an_unwritable_out_is_exit_3(project: Runner, tmp_path: Path) -> None:
    deploy_id = deployed(project)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = project("notes", "render", deploy_id, "--out", str(locked / "notices"))
    assert result.exit_code == 3, result.output
    assert "Permission denied (nothing was written)" in one_error_line(result.output)


def test_a_full_disk_is_named() -> None:
    """What ENOSPC (here from /dev/full, for real) becomes."""
    from releasecare.outdir import OutputFolder, _write_fully

    out = OutputFolder(Path("notices"))
    with open("/dev/full", "wb") as handle, pytest.raises(OSError) as caught:
        _write_fully(handle, b"x" * 100_000, Path("notices/acme/.v1.md.abc.tmp"))
    error = out.cannot_write(Path("notices/acme"), caught.value)
    assert error.exit_code == 3
    assert error.message == (
        "cannot write notices/acme under --out notices: No space left on device"
        " (nothing was written)"
    )
    assert error.hint == "the disk is full; free some space and run the command again"


@SQLITE_ONLY
def test_a_write_refused_midway_leaves_no_notice(project: Runner, tmp_path: Path) -> None:
    """The kernel refuses to grow a file past RLIMIT_FSIZE (64 KiB; SQLite's files stay
    below it): the small Markdown notices are written, the first HTML notice (200 KB)
    fails; none is left, nor any folder."""
    import resource
    import signal
    import subprocess
    import sys

    deploy_id = deployed(project, "{{ title }}")
    (project.cwd / "tpl" / "notice.html.j2").write_text("{{ title }}" + "<p>padding</p>" * 15000)
    out = tmp_path / "notices"

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    render = ("notes", "render", deploy_id, "--format", "md", "--format", "html", "--out")
    result = subprocess.run(
        [sys.executable, "-m", "releasecare", "--db", project.db_url, *render, str(out)],
        cwd=project.cwd,
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3, result.stderr
    line = one_error_line(result.stderr)
    assert line.startswith(f"error: cannot write {out / 'acme'} under --out {out}: File too large")
    assert not out.exists()
    project.ok(*render, str(out))
    assert sorted(p.name for p in out.iterdir()) == ["acme", "globex"]


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("state", "text", "problem"),
    [
        (".feed.json", "{{{", "not JSON"),
        (".feed.json", '[{"x": 1}]', "entry [0] has no text under 'id'"),
        (".notices.json", "\udcff", "not UTF-8 text"),
        (".notices.json", '{"stem": "a"}', "not a list of entries"),
        (".notices.json", '[{"stem": 5}]', "entry [0] has no text under 'stem'"),
    ],
)
def test_a_damaged_state_file_is_named_and_left_for_the_user(
    project: Runner, tmp_path: Path, state: str, text: str, problem: str
) -> None:
    deploy_id = deployed(project)
    out = tmp_path / "notices"
    render = ("notes", "render", deploy_id, "--format", "html", "--feed", "--out", str(out))
    project.ok(*render)
    damaged = out / "acme" / state
    damaged.write_bytes(text.encode("utf-8", "surrogateescape"))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = project(*render)
    assert result.exit_code == 2, result.output
    assert one_error_line(result.output).startswith(f"error: {damaged}: {problem}")
    assert "hint: remove it" in result.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    damaged.unlink()
    project.ok(*render)
    assert json.loads(damaged.read_text())[0]["link"].endswith(".html")
