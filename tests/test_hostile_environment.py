"""The world around releasecare failing or hostile (issue #17): slow and looping HTTP
servers, user templates that raise, escape or never end, an output folder that
cannot be written, and databases that are locked, read-only, corrupt or from the
future. Each is an exit 2 or 3 with one line naming the file, folder, URL or
database (credentials removed) and what to do, never a traceback or a hang.

Budget: about 15 s in all. Deadlines are made small through the environment
(``RELEASECARE_HTTP_DEADLINE`` 1 s, a 1 s render deadline); the one lock test holds a
SQLite lock for 1 s against a 0.3 s busy timeout and 0.3 s against a 3 s one.
"""

from __future__ import annotations

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
from tests.helpers import Runner

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
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n":
                    if stop.wait(2.0):
                        return
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    yield f"http://alice:pa55word@127.0.0.1:{port}/customers?token=qu3ry_s3cret"
    stop.set()
    listener.close()
    thread.join(5)


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
