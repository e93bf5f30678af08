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
import threading
import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from releasecare import http
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
