"""releasecare.http against real local servers: retries, rate limits, deadlines, size
caps, pagination, tokens, POST retry rules, and URLs redacted in every message."""

from __future__ import annotations

import socket
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response as WerkzeugResponse

from releasecare import http
from releasecare.errors import InputError, NetworkError, ReleasecareError
from tests.helpers import CUSTOMERS, Runner, drip_server

TOKEN = "tok_v3ry_s3cret"


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff is recorded, never slept."""
    recorded: list[float] = []
    monkeypatch.setattr(http, "sleep", recorded.append)
    monkeypatch.setenv("TEST_API_TOKEN", TOKEN)
    return recorded


def client(**options: Any) -> http.Client:
    return http.Client(token_env="TEST_API_TOKEN", options=http.Options(**options))


def secret_url(server: HTTPServer, path: str) -> str:
    """The server's URL for ``path`` with credentials and a token in the query."""
    return server.url_for(path).replace("://", "://alice:pa55word@") + "?token=qu3ry_s3cret"


def assert_redacted(error: ReleasecareError) -> None:
    for text in (str(error), error.hint or ""):
        for secret in ("alice", "pa55word", "qu3ry_s3cret", TOKEN, "?"):
            assert secret not in text, text


# --- retries ---------------------------------------------------------------------------


def test_retries_server_errors_then_succeeds(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_ordered_request("/x").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/x").respond_with_data("bad gateway", status=502)
    httpserver.expect_ordered_request("/x").respond_with_json({"ok": True})
    with client() as c:
        assert c.get_json(httpserver.url_for("/x")) == {"ok": True}
    assert waits == [0.5, 1.0]
    assert len(httpserver.log) == 3


def test_gives_up_after_the_default_retries(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_request("/x").respond_with_data("down", status=500)
    with client() as c, pytest.raises(NetworkError) as caught:
        c.get(httpserver.url_for("/x"))
    attempts = http.DEFAULT_RETRIES + 1
    assert str(caught.value) == f"{httpserver.url_for('/x')}: HTTP 500 after {attempts} attempts"
    assert len(httpserver.log) == attempts
    assert waits == [0.5, 1.0, 2.0, 4.0][: http.DEFAULT_RETRIES]


def test_retry_after_is_honoured_and_capped(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_ordered_request("/x").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3"}
    )
    httpserver.expect_ordered_request("/x").respond_with_data(
        "maintenance", status=503, headers={"Retry-After": "3600"}
    )
    httpserver.expect_ordered_request("/x").respond_with_json([1])
    with client(max_wait=20) as c:
        assert c.get_json(httpserver.url_for("/x")) == [1]
    assert waits == [3.0, 20.0]


def test_403_with_no_rate_limit_left_is_retried(httpserver: HTTPServer, waits: list[float]) -> None:
    reset = int(time.time()) + 5
    httpserver.expect_ordered_request("/x").respond_with_data(
        "rate limited",
        status=403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
    )
    httpserver.expect_ordered_request("/x").respond_with_json([])
    with client() as c:
        assert c.get_json(httpserver.url_for("/x")) == []
    assert len(waits) == 1 and 3.0 <= waits[0] <= 5.0


def test_plain_403_fails_at_once_naming_the_variable(
    httpserver: HTTPServer, waits: list[float]
) -> None:
    httpserver.expect_request("/x").respond_with_data(
        "forbidden", status=403, headers={"X-RateLimit-Remaining": "4999"}
    )
    with client() as c, pytest.raises(NetworkError) as caught:
        c.get(httpserver.url_for("/x"))
    assert caught.value.message == f"{httpserver.url_for('/x')}: HTTP 403"
    assert caught.value.hint == "check the token in the environment variable TEST_API_TOKEN"
    assert TOKEN not in str(caught.value)
    assert len(httpserver.log) == 1 and waits == []


def test_404_fails_at_once(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_request("/x").respond_with_data("nope", status=404)
    with client() as c, pytest.raises(NetworkError) as caught:
        c.get(httpserver.url_for("/x"))
    assert str(caught.value) == f"{httpserver.url_for('/x')}: HTTP 404"
    assert caught.value.exit_code == 3
    assert len(httpserver.log) == 1 and waits == []


def test_connection_refused_is_retried(waits: list[float]) -> None:
    url = f"http://127.0.0.1:{closed_port()}/x"
    with client(max_retries=2) as c, pytest.raises(NetworkError) as caught:
        c.get(url)
    assert str(caught.value) == f"{url}: ConnectionError after 3 attempts"
    assert waits == [0.5, 1.0]


# --- deadline and size cap -------------------------------------------------------------


@pytest.fixture
def dripping_server() -> Iterator[str]:
    """A server that sends its headers at once, then one byte of the body per second."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    with drip_server(head, b" " * 100, 1.0) as port:
        yield f"http://127.0.0.1:{port}/drip?token=qu3ry_s3cret"


def test_deadline_stops_a_dripping_server(dripping_server: str) -> None:
    deadline = 2.5
    started = time.monotonic()
    with client(deadline=deadline, read_timeout=5) as c, pytest.raises(NetworkError) as caught:
        c.get(dripping_server)
    took = time.monotonic() - started
    assert deadline - 0.5 < took < deadline + 2
    assert caught.value.message.startswith(http.redact(dripping_server) + ": the 2.5 s deadline")
    assert "deadline passed" in caught.value.message
    assert_redacted(caught.value)


@pytest.fixture
def dripping_headers() -> Iterator[str]:
    """A server that sends its status line and headers one byte every 0.2 s."""
    with drip_server(b"", b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000, 0.2) as port:
        yield f"http://127.0.0.1:{port}/slow"


@pytest.mark.parametrize("where", ["main thread", "another thread"])
def test_deadline_stops_a_server_that_drips_its_headers(dripping_headers: str, where: str) -> None:
    # Each byte comes well within the read timeout: only the overall deadline ends it,
    # by an alarm on the main thread and by the client's worker thread elsewhere.
    outcome: dict[str, object] = {}

    def fetch() -> None:
        started = time.monotonic()
        with client(deadline=1.5, read_timeout=5, max_retries=0) as c:
            try:
                c.post(dripping_headers, data=b"{}")
            except NetworkError as exc:
                outcome["error"] = exc
        outcome["took"] = time.monotonic() - started

    if where == "main thread":
        fetch()
    else:
        worker = threading.Thread(target=fetch)
        worker.start()
        worker.join(10)
    took = outcome["took"]
    assert isinstance(took, float) and 1.0 < took < 3.5
    error = outcome["error"]
    assert isinstance(error, NetworkError)
    assert "the 1.5 s deadline passed" in error.message
    assert error.maybe_sent


def test_an_alarm_lets_go_of_what_the_send_it_cut_held() -> None:
    # A send the deadline cuts short may hold a socket no connection object owns yet
    # (between connect and urllib3's bookkeeping). It must close when the send is cut,
    # not when whoever catches the error lets go of it: a server would wait on it.
    held: list[weakref.ref[socket.socket]] = []

    def send() -> None:
        sock = socket.socket()
        held.append(weakref.ref(sock))
        time.sleep(5)

    with pytest.raises(BaseException) as caught:
        http._under_alarm(http.clock() + 0.3, send)
    assert type(caught.value).__name__ == "_Late"
    assert held[0]() is None, "the cut send's socket outlives it"


def test_size_cap_from_content_length(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data("x" * 5000)
    with client(max_bytes=1000) as c, pytest.raises(InputError) as caught:
        c.get(httpserver.url_for("/big"))
    url = httpserver.url_for("/big")
    assert str(caught.value) == f"{url}: the answer is larger than 1000 bytes"


def test_size_cap_while_streaming(httpserver: HTTPServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(50):
            yield b"y" * 100

    # A generator body (a new one per request) goes out chunked: no Content-Length.
    httpserver.expect_request("/big").respond_with_handler(lambda _: WerkzeugResponse(chunks()))
    with client(max_bytes=1000) as c, pytest.raises(InputError, match="larger than 1000 bytes"):
        c.get(httpserver.url_for("/big"))
    with client() as c:
        assert c.get(httpserver.url_for("/big")).body == b"y" * 5000


def test_not_json(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data("<html>hello</html>")
    with client() as c, pytest.raises(InputError) as caught:
        c.get_json(secret_url(httpserver, "/x"))
    assert str(caught.value) == f"{httpserver.url_for('/x')}: the answer is not JSON"


# --- pagination ------------------------------------------------------------------------


def link(server: HTTPServer, page: int) -> dict[str, str]:
    return {"Link": f'<{server.url_for("/items")}?page={page}>; rel="next", <x>; rel="last"'}


def test_pages_follow_the_link_header(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/items", query_string="").respond_with_json(
        [1, 2], headers=link(httpserver, 2)
    )
    httpserver.expect_request("/items", query_string="page=2").respond_with_json(
        [3],
        headers={"Link": '</items?page=3>; rel="next"'},  # relative: resolved
    )
    httpserver.expect_request("/items", query_string="page=3").respond_with_json([4])
    with client() as c:
        pages = list(c.pages(httpserver.url_for("/items")))
    assert [page for _, page in pages] == [[1, 2], [3], [4]]
    assert pages[2][0] == httpserver.url_for("/items") + "?page=3"


def test_pages_stop_on_a_loop(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/items", query_string="").respond_with_json(
        [1], headers=link(httpserver, 2)
    )
    httpserver.expect_request("/items", query_string="page=2").respond_with_json(
        [2], headers=link(httpserver, 2)
    )
    seen = []
    with client() as c, pytest.raises(NetworkError) as caught:
        for _, page in c.pages(httpserver.url_for("/items")):
            seen.append(page)
    assert seen == [[1], [2]]
    assert caught.value.message == (
        f"{httpserver.url_for('/items')}: page 2 links back to page 2 as its next page"
        " (a pagination loop)"
    )
    assert len(httpserver.log) == 2


def test_pages_are_capped(httpserver: HTTPServer) -> None:
    for n in range(1, 6):
        query = "" if n == 1 else f"page={n}"
        httpserver.expect_request("/items", query_string=query).respond_with_json(
            [n], headers=link(httpserver, n + 1)
        )
    with client(max_pages=3) as c, pytest.raises(NetworkError, match="more than 3 pages"):
        list(c.pages(httpserver.url_for("/items")))
    assert len(httpserver.log) == 3


# --- tokens ----------------------------------------------------------------------------


def test_token_is_sent_as_bearer_from_the_variable(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x", headers={"Authorization": f"Bearer {TOKEN}"}).respond_with_json(
        {"ok": 1}
    )
    with client() as c:
        assert c.get_json(httpserver.url_for("/x")) == {"ok": 1}


def test_missing_token_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_API_TOKEN")
    with pytest.raises(InputError) as caught:
        client()
    assert "TEST_API_TOKEN" in caught.value.message
    assert caught.value.exit_code == 2


def test_optional_token_sends_none(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_API_TOKEN")
    httpserver.expect_request("/x").respond_with_data("who?", status=401)
    with (
        http.Client(token_env="TEST_API_TOKEN", token_optional=True) as c,
        pytest.raises(NetworkError) as caught,
    ):
        c.get(httpserver.url_for("/x"))
    assert "Authorization" not in httpserver.log[0][0].headers
    assert caught.value.hint == (
        "check the token in the environment variable TEST_API_TOKEN (TEST_API_TOKEN is not set)"
    )


# --- POST ------------------------------------------------------------------------------


def test_post_without_idempotency_key_is_not_retried(
    httpserver: HTTPServer, waits: list[float]
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("down", status=503)
    with client() as c, pytest.raises(NetworkError) as caught:
        c.post(httpserver.url_for("/hook"), json_body={"text": "hi"})
    assert str(caught.value) == f"{httpserver.url_for('/hook')}: HTTP 503"
    assert len(httpserver.log) == 1 and waits == []


def test_post_with_idempotency_key_is_retried(httpserver: HTTPServer, waits: list[float]) -> None:
    httpserver.expect_ordered_request("/hook", method="POST").respond_with_data("", status=502)
    httpserver.expect_ordered_request(
        "/hook",
        method="POST",
        headers={"Idempotency-Key": "notice-42", "Authorization": f"Bearer {TOKEN}"},
        json={"text": "hi"},
    ).respond_with_json({"id": 7}, status=201)
    with client() as c:
        answer = c.post(
            httpserver.url_for("/hook"), json_body={"text": "hi"}, idempotency_key="notice-42"
        )
    assert (answer.status, answer.json()) == (201, {"id": 7})
    assert waits == [0.5]


def test_post_is_retried_when_nothing_was_sent(waits: list[float]) -> None:
    url = f"http://127.0.0.1:{closed_port()}/hook"
    with client(max_retries=1) as c, pytest.raises(NetworkError, match="after 2 attempts"):
        c.post(url, data=b"payload")
    assert waits == [0.5]


def test_post_label_replaces_a_secret_path(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/services/T0/B0/s3cretpath").respond_with_data("no", status=404)
    with http.Client() as c, pytest.raises(NetworkError) as caught:
        c.post(httpserver.url_for("/services/T0/B0/s3cretpath"), json_body={}, label="Slack (acme)")
    assert str(caught.value) == "Slack (acme): HTTP 404"


# --- redaction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:p@host.example:8443/a/b?token=x#frag", "https://host.example:8443/a/b"),
        ("https://host.example/a?x=1", "https://host.example/a"),
        ("https://tok@host.example/", "https://host.example/"),
        ("http://[::1]:80/path?q", "http://[::1]:80/path"),
        ("http://u:p@[::1/x?q", "http://[::1/x"),  # not a valid URL: still cut
        ("customers.json", "customers.json"),
    ],
)
def test_redact(url: str, shown: str) -> None:
    assert http.redact(url) == shown


def test_no_message_shows_credentials_or_query(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/404").respond_with_data("", status=404)
    httpserver.expect_request("/401").respond_with_data("", status=401)
    httpserver.expect_request("/503").respond_with_data("", status=503)
    httpserver.expect_request("/html").respond_with_data("<html>")
    httpserver.expect_request("/big").respond_with_data("x" * 100)
    httpserver.expect_request("/loop").respond_with_json(
        [], headers={"Link": f'<{secret_url(httpserver, "/loop")}>; rel="next"'}
    )
    errors: list[ReleasecareError] = []
    with client(max_retries=1, max_bytes=10) as c:
        for path in ("/404", "/401", "/503", "/big"):
            with pytest.raises(ReleasecareError) as caught:
                c.get(secret_url(httpserver, path))
            errors.append(caught.value)
        with pytest.raises(InputError) as not_json:
            c.get_json(secret_url(httpserver, "/html"))
        errors.append(not_json.value)
        with pytest.raises(NetworkError) as loop:
            list(c.pages(secret_url(httpserver, "/loop")))
        errors.append(loop.value)
        with pytest.raises(NetworkError) as refused:
            c.get(f"http://alice:pa55word@127.0.0.1:{closed_port()}/x?token=qu3ry_s3cret")
        errors.append(refused.value)
    assert [e.message.split(": ", 1)[1] for e in errors] == [
        "HTTP 404",
        "HTTP 401",
        "HTTP 503 after 2 attempts",
        "the answer is larger than 10 bytes",
        "the answer is not JSON",
        "page 1 links back to page 1 as its next page (a pagination loop)",
        "ConnectionError after 2 attempts",
    ]
    for error in errors:
        assert_redacted(error)


# --- through the callers ---------------------------------------------------------------


def test_customers_import_from_a_url(
    project: Runner, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_ordered_request("/customers").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/customers").respond_with_json({"customers": CUSTOMERS})
    result = project.ok("customers", "import", httpserver.url_for("/customers"))
    assert "imported 3 customers: 3 new" in result.stdout
    names = [c["id"] for c in project.json("customers", "list")["customers"]]
    assert names == ["acme", "globex", "initech"]


def test_customers_import_error_is_redacted(project: Runner, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/customers").respond_with_json({"customers": [{"id": "x"}]})
    result = project("customers", "import", secret_url(httpserver, "/customers"))
    assert result.exit_code == 2
    assert f"{httpserver.url_for('/customers')}: [0] (id 'x')" in result.stderr
    for secret in ("alice", "pa55word", "qu3ry_s3cret"):
        assert secret not in result.output


def closed_port() -> int:
    """A local port nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
