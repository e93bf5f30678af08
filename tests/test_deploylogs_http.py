"""The deploy APIs over real HTTP (a local server): pagination, statuses, retries,
rate limits, and a token that never shows up in an error."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from releasecare import http
from releasecare.deploylogs import ReadOptions, read_events
from releasecare.errors import NetworkError

TOKEN = "ghp_s3cret_token_value"


@pytest.fixture(autouse=True)
def no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(http, "sleep", waits.append)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    return waits


def deployment(server: HTTPServer, n: int, ref: str, env: str = "production") -> dict[str, Any]:
    return {
        "id": n,
        "sha": f"{n:040x}",
        "ref": ref,
        "environment": env,
        "created_at": f"2026-11-{n:02d}T09:00:00Z",
        "description": None,
        "statuses_url": server.url_for(f"/statuses/{n}"),
    }


def test_github_pages_and_statuses(httpserver: HTTPServer) -> None:
    pages = {
        1: [deployment(httpserver, 1, "v1.0.0"), deployment(httpserver, 2, "v1.1.0")],
        2: [deployment(httpserver, 3, "v1.2.0")],
        3: [deployment(httpserver, 4, "main")],
    }
    for page, body in pages.items():
        link = (
            {}
            if page == 3
            else {"Link": f'<{httpserver.url_for("/deployments")}?page={page + 1}>; rel="next"'}
        )
        query = {} if page == 1 else {"page": str(page)}
        httpserver.expect_request(
            "/deployments", query_string=query, headers={"Authorization": f"Bearer {TOKEN}"}
        ).respond_with_json(body, headers=link)
    states = {
        1: [
            {"state": "inactive", "created_at": "2026-11-02T09:00:00Z"},
            {"state": "success", "created_at": "2026-11-01T09:05:00Z"},
        ],
        2: [{"state": "failure", "created_at": "2026-11-02T09:10:00Z"}],
        3: [{"state": "success", "created_at": "2026-11-03T09:03:00Z"}],
        4: [],
    }
    for n, body in states.items():
        httpserver.expect_request(f"/statuses/{n}").respond_with_json(body)
    found = list(read_events(httpserver.url_for("/deployments"), "github", ReadOptions()))
    assert [(e.version, e.status, e.external_id, e.environment) for e in found] == [
        ("v1.0.0", "succeeded", "1", "production"),
        ("v1.1.0", "failed", "2", "production"),
        ("v1.2.0", "succeeded", "3", "production"),
        ("main", "in_progress", "4", "production"),
    ]
    assert found[2].finished_at is not None and found[2].sha == f"{3:040x}"


def test_github_retries_server_errors_and_rate_limits(
    httpserver: HTTPServer, no_real_sleep: list[float]
) -> None:
    httpserver.expect_ordered_request("/deployments").respond_with_data("oops", status=502)
    httpserver.expect_ordered_request("/deployments").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/deployments").respond_with_data(
        "limited", status=403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "0"}
    )
    httpserver.expect_ordered_request("/deployments").respond_with_json([])
    assert list(read_events(httpserver.url_for("/deployments"), "github", ReadOptions())) == []
    assert no_real_sleep == [0.5, 7.0, 0.0]


def test_failure_after_retries_never_shows_the_token(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/deployments").respond_with_data("down", status=503)
    with pytest.raises(NetworkError) as caught:
        list(
            read_events(
                httpserver.url_for("/deployments") + "?access_token=" + TOKEN,
                "github",
                ReadOptions(max_retries=2),
            )
        )
    assert "HTTP 503 after 3 attempts" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert caught.value.exit_code == 3


def test_bad_token_says_which_variable(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/deployments").respond_with_data("no", status=401)
    with pytest.raises(NetworkError) as caught:
        list(
            read_events(
                httpserver.url_for("/deployments"), "github", ReadOptions(token_env="GITHUB_TOKEN")
            )
        )
    assert "check the token in the environment variable GITHUB_TOKEN" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_gitlab_deployments(httpserver: HTTPServer) -> None:
    body = [
        {
            "id": 41,
            "iid": 1,
            "ref": "v1.0.0",
            "sha": "a" * 40,
            "status": "success",
            "created_at": "2026-11-01T09:00:00.000+01:00",
            "updated_at": "2026-11-01T09:04:00Z",
            "environment": {"id": 9, "name": "production"},
        },
        {
            "id": 42,
            "iid": 2,
            "ref": "v1.1.0",
            "sha": "b" * 40,
            "status": "canceled",
            "created_at": "2026-11-02T09:00:00Z",
            "environment": {"name": "production"},
        },
        {
            "id": 43,
            "iid": 3,
            "ref": "v1.1.0",
            "sha": "b" * 40,
            "status": "running",
            "created_at": "2026-11-02T10:00:00Z",
            "environment": {"name": "production"},
        },
    ]
    httpserver.expect_request(
        "/api/v4/projects/7/deployments", headers={"PRIVATE-TOKEN": TOKEN}
    ).respond_with_json(body)
    found = list(
        read_events(httpserver.url_for("/api/v4/projects/7/deployments"), "gitlab", ReadOptions())
    )
    assert [(e.version, e.status, e.external_id) for e in found] == [
        ("v1.0.0", "succeeded", "41"),
        ("v1.1.0", "failed", "42"),
        ("v1.1.0", "in_progress", "43"),
    ]
    assert found[0].deployed_at.isoformat() == "2026-11-01T09:00:00+01:00"


def test_gitlab_malformed_record_names_the_json_path(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/deployments").respond_with_json(
        [
            {
                "id": 1,
                "ref": "v1",
                "sha": "a" * 40,
                "status": "success",
                "created_at": "2026-11-01T09:00:00Z",
            }
        ]
    )
    from releasecare.errors import RecordError

    with pytest.raises(RecordError) as caught:
        list(read_events(httpserver.url_for("/deployments"), "gitlab", ReadOptions()))
    assert str(caught.value).endswith("/deployments: $[0].environment.name: missing")
