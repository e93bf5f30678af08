"""``incident import`` from the tools' APIs, against real local servers: PagerDuty's
``Authorization: Token token=...`` and ``more``/``offset`` paging (three pages, a
server that ignores the offset, one that always has more), Statuspage's ``OAuth``
key (optional for the public API), and the offset pager of ``http.py`` itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from releasecare import http
from releasecare.errors import NetworkError
from tests.helpers import Runner

DATA = Path(__file__).parent / "data" / "incidents"
TOKEN = "pd_v3ry_s3cret"


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    monkeypatch.delenv("PAGERDUTY_TOKEN", raising=False)
    monkeypatch.delenv("STATUSPAGE_TOKEN", raising=False)


def pagerduty_incidents() -> list[dict[str, Any]]:
    document = json.loads((DATA / "pagerduty_incidents.json").read_text(encoding="utf-8"))
    return list(document["incidents"])


def paged(request: Request) -> Response:
    """PagerDuty's list: one incident a page, the limit capped at 1, three pages."""
    offset = int(request.args.get("offset", "0"))
    incidents = pagerduty_incidents()
    body = {
        "incidents": incidents[offset : offset + 1],
        "limit": 1,
        "offset": offset,
        "more": offset + 1 < len(incidents),
        "total": None,
    }
    return Response(json.dumps(body), content_type="application/json")


def run_import(shop: Runner, url: str, fmt: str = "pagerduty") -> Any:
    return shop("incident", "import", url, "--format", fmt, "--env", "production-eu", "--json")


def test_pagerduty_pages_through_more_and_offset_with_its_token(
    project: Runner, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGERDUTY_TOKEN", TOKEN)
    httpserver.expect_request("/incidents").respond_with_handler(paged)
    url = httpserver.url_for("/incidents") + "?since=2026-11-01T00:00:00Z&statuses[]=resolved"
    result = run_import(project, url)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [i["external_id"] for i in doc["incidents"]] == ["PT4KHLK", "PX1ABCD", "PZ9WXYZ"]
    requests = [request for request, _ in httpserver.log]
    assert [r.args["offset"] for r in requests] == ["0", "1", "2"]
    for request in requests:
        assert request.headers["Authorization"] == f"Token token={TOKEN}"
        assert request.headers["Accept"] == "application/vnd.pagerduty+json;version=2"
        # The query given is kept beside the paging.
        assert request.args["since"] == "2026-11-01T00:00:00Z"
        assert request.args["statuses[]"] == "resolved"
        assert request.args["limit"] == "100"
    # The token never reaches the output.
    assert TOKEN not in result.output


def test_pagerduty_token_variable_from_the_config(
    project: Runner, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project.cwd / "releasecare.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[incidents.pagerduty]\ntoken_env = "PD_KEY"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PD_KEY", "from-config")
    httpserver.expect_request(
        "/incidents", headers={"Authorization": "Token token=from-config"}
    ).respond_with_handler(paged)
    result = run_import(project, httpserver.url_for("/incidents"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 3


def test_pagerduty_without_its_token_says_which_variable(
    project: Runner, httpserver: HTTPServer
) -> None:
    result = run_import(project, httpserver.url_for("/incidents"))
    assert result.exit_code == 2
    assert "PAGERDUTY_TOKEN" in result.output and "is not set" in result.output
    assert httpserver.log == []


def test_a_server_that_ignores_the_offset_is_a_loop(
    project: Runner, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGERDUTY_TOKEN", TOKEN)
    same = {"incidents": pagerduty_incidents()[:1], "limit": 1, "offset": 0, "more": True}
    httpserver.expect_request("/incidents").respond_with_json(same)
    result = run_import(project, httpserver.url_for("/incidents") + "?token=qu3ry_s3cret")
    assert result.exit_code == 3
    assert "page 2 (offset 1) is page 1 again (a pagination loop)" in result.output
    assert "qu3ry_s3cret" not in result.output
    assert len(httpserver.log) == 2
    assert project.json("incident", "list")["incidents"] == []


def test_a_server_with_more_for_ever_stops_at_the_deadline(
    project: Runner, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGERDUTY_TOKEN", TOKEN)
    monkeypatch.setenv(http.PAGES_DEADLINE_ENV, "0.5")

    def for_ever(request: Request) -> Response:
        offset = int(request.args["offset"])
        incident = pagerduty_incidents()[0] | {"id": f"P{offset:06d}"}
        body = {"incidents": [incident], "limit": 1, "offset": offset, "more": True}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/incidents").respond_with_handler(for_ever)
    result = run_import(project, httpserver.url_for("/incidents"))
    assert result.exit_code == 3
    assert "the 0.5 s deadline for all the pages passed" in result.output
    assert project.json("incident", "list")["incidents"] == []


def test_offset_pages_are_capped(httpserver: HTTPServer) -> None:
    def for_ever(request: Request) -> Response:
        offset = int(request.args["offset"])
        return Response(json.dumps({"items": [offset], "more": True}), content_type="text/json")

    httpserver.expect_request("/items").respond_with_handler(for_ever)
    with (
        http.Client(options=http.Options(max_pages=4)) as client,
        pytest.raises(NetworkError, match="more than 4 pages; stopped"),
    ):
        list(client.offset_pages(httpserver.url_for("/items"), limit=10))
    # No page limit in the answer: the offset grows by the limit asked for.
    assert [r.args["offset"] for r, _ in httpserver.log] == ["0", "10", "20", "30"]


def test_offset_pages_end_when_there_is_no_more(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/items").respond_with_json({"items": [1], "more": False})
    with http.Client() as client:
        pages = list(client.offset_pages(httpserver.url_for("/items")))
    assert [page for _, page in pages] == [{"items": [1], "more": False}]


def test_statuspage_sends_its_oauth_key_when_set(
    project: Runner, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATUSPAGE_TOKEN", "sp_k3y")
    body = (DATA / "statuspage_incidents.json").read_text(encoding="utf-8")
    httpserver.expect_request(
        "/v1/pages/y2j98763l443/incidents", headers={"Authorization": "OAuth sp_k3y"}
    ).respond_with_data(body, content_type="application/json")
    url = httpserver.url_for("/v1/pages/y2j98763l443/incidents")
    result = run_import(project, url, "statuspage")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 3
    assert len(httpserver.log) == 1


def test_statuspage_public_api_needs_no_key(project: Runner, httpserver: HTTPServer) -> None:
    body = (DATA / "statuspage_incidents.json").read_text(encoding="utf-8")
    httpserver.expect_request("/api/v2/incidents.json").respond_with_data(
        body, content_type="application/json"
    )
    result = run_import(project, httpserver.url_for("/api/v2/incidents.json"), "statuspage")
    assert result.exit_code == 0, result.output
    [(request, _)] = httpserver.log
    assert "Authorization" not in request.headers


def test_a_malformed_page_names_the_url_and_page(
    project: Runner, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGERDUTY_TOKEN", TOKEN)

    def second_bad(request: Request) -> Response:
        offset = int(request.args["offset"])
        incident = pagerduty_incidents()[offset] | ({"status": "snoozed"} if offset else {})
        body = {"incidents": [incident], "limit": 1, "offset": offset, "more": offset < 2}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/incidents").respond_with_handler(second_bad)
    result = run_import(project, httpserver.url_for("/incidents"))
    assert result.exit_code == 2
    assert (
        f"{httpserver.url_for('/incidents')} (page 2): incidents[0].status: 'snoozed' is not one "
        "of triggered, acknowledged, resolved" in result.output
    )
    assert project.json("incident", "list")["incidents"] == []
