"""Deploy log readers: realistic samples of each tool's output, and malformed input
that names file, line (or JSON path) and field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasecare.deploylogs import ReadOptions, Skipped, read_events
from releasecare.errors import InputError, RecordError

DATA = Path(__file__).parent / "data" / "deploylogs"


def events(source: Path | str, fmt: str, **options: object) -> list[tuple[object, ...]]:
    found = read_events(str(source), fmt, ReadOptions(**options))  # type: ignore[arg-type]
    return [
        (e.version, e.status, e.deployed_at.isoformat(), e.external_id, e.environment)
        for e in found
    ]


def test_helm_history() -> None:
    assert events(DATA / "helm-history.json", "helm", environment="production-eu") == [
        ("v1.0.0", "succeeded", "2026-11-01T09:00:00.123456+01:00", "1", "production-eu"),
        ("v1.1.0", "failed", "2026-11-05T09:00:00.500000+01:00", "2", "production-eu"),
        ("v1.2.0", "succeeded", "2026-11-05T10:30:00+01:00", "3", "production-eu"),
        ("v1.0.0", "succeeded", "2026-11-06T08:00:00+01:00", "4", "production-eu"),
        ("1.2.0", "in_progress", "2026-11-07T08:00:00+01:00", "5", "production-eu"),
    ]


def test_heroku_releases_with_rollback() -> None:
    found = events(DATA / "heroku-releases.json", "heroku", environment="production-us")
    assert [(v, s) for v, s, *_ in found] == [
        ("1a2b3c4", "succeeded"),
        ("5d6e7f8", "failed"),
        ("1a2b3c4", "succeeded"),
    ]


def test_heroku_retry_deploys_the_retried_commit_and_a_rollback_to_it_too(
    tmp_path: Path,
) -> None:
    """``heroku releases:retry`` describes its release "Retry of vN: Deploy <sha>"."""
    releases = [
        (50, "Deploy 1a2b3c4"),
        (51, "Deploy 5d6e7f8"),
        (52, "Retry of v50: Deploy 1a2b3c4"),
        (53, "Retry of v51"),  # older CLIs: only the release number
        (54, "Rollback to v52"),
    ]
    log = tmp_path / "heroku.json"
    log.write_text(
        json.dumps(
            [
                {
                    "id": f"r{n}",
                    "version": n,
                    "status": "succeeded",
                    "created_at": f"2026-11-0{n - 49}T08:00:00Z",
                    "description": text,
                }
                for n, text in releases
            ]
        )
    )
    found = events(log, "heroku", environment="production-us")
    assert [(v, i) for v, _, _, i, _ in found] == [
        ("1a2b3c4", "r50"),
        ("5d6e7f8", "r51"),
        ("1a2b3c4", "r52"),
        ("5d6e7f8", "r53"),
        ("1a2b3c4", "r54"),
    ]


def test_argocd_history_and_application() -> None:
    found = events(DATA / "argocd-history.json", "argocd", environment="production-eu")
    assert [(v, s, i) for v, s, _, i, _ in found] == [
        ("v2.4.0", "succeeded", "11"),
        ("b7e23ec29af22b0b4e41da31e868d57226121c84", "succeeded", "12"),
    ]
    (app,) = read_events(str(DATA / "application.json"), "argocd", ReadOptions())
    assert app.source == "argocd:shopfront-eu" and app.version == "v2.4.0"
    assert app.location.endswith("application.json: $.status.history[0]")


def test_capistrano_deploys_and_rollbacks() -> None:
    found = list(
        read_events(
            str(DATA / "revisions.log"), "capistrano", ReadOptions(environment="production-eu")
        )
    )
    assert [(e.version, e.status, e.external_id) for e in found] == [
        ("1a2b3c4", "succeeded", "20261118091400"),
        ("5d6e7f8", "succeeded", "20261119091400"),
        ("1a2b3c4", "succeeded", "rollback:20261118091400:3"),
        ("9a8b7c6", "succeeded", "20261120101500"),
    ]
    assert found[2].deployed_at == datetime(2026, 11, 19, 9, 14, 1, tzinfo=UTC)
    berlin = list(
        read_events(
            str(DATA / "revisions.log"), "capistrano", ReadOptions(timezone="Europe/Berlin")
        )
    )
    assert berlin[0].deployed_at.astimezone(UTC) == datetime(2026, 11, 18, 8, 14, tzinfo=UTC)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


GOOD = (
    '{"environment": "prod", "version": "v1", "status": "succeeded", '
    '"deployed_at": "2026-11-20T09:14:00+01:00", "id": "p-1"}'
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"environment": "prod", "version": "v1"', "not valid JSON"),
        (
            '{"environment": "prod", "status": "succeeded", "deployed_at": "2026-11-20T09:14:00Z"}',
            "field 'version': missing",
        ),
        (
            '{"environment": "prod", "version": 7, "status": "succeeded", '
            '"deployed_at": "2026-11-20T09:14:00Z"}',
            "field 'version': must be a non-empty string",
        ),
        (
            '{"environment": "prod", "version": "v1", "status": "done", '
            '"deployed_at": "2026-11-20T09:14:00Z"}',
            "field 'status': 'done' is not one of",
        ),
        (
            '{"environment": "prod", "version": "v1", "status": "failed", '
            '"deployed_at": "yesterday"}',
            "field 'deployed_at': 'yesterday' is not an ISO 8601",
        ),
        (
            '{"environment": "prod", "version": "v1", "status": "failed", '
            '"deployed_at": "2026-11-20T09:14:00"}',
            "has no UTC offset",
        ),
        ("[1, 2]", "a record must be a JSON object"),
    ],
)
def test_jsonl_malformed_line_names_file_line_and_field(
    tmp_path: Path, line: str, expected: str
) -> None:
    path = write(tmp_path, "deploys.jsonl", f"{GOOD}\n\n{line}\n{GOOD}\n")
    with pytest.raises(RecordError) as caught:
        list(read_events(str(path), "jsonl", ReadOptions()))
    assert str(caught.value).startswith(f"{path}:3: ")
    assert expected in str(caught.value)


def test_binary_garbage_and_huge_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "d.jsonl",
        GOOD.encode()
        + b"\n\xff\xfe\x00garbage\n"
        + b"{"
        + b"x" * (10 << 20)
        + b"\n"
        + GOOD.encode()
        + b"\n",
    )
    skipped: list[Skipped] = []
    found = list(read_events(str(path), "jsonl", ReadOptions(skip_invalid=True), skipped))
    assert len(found) == 2
    assert [(s.location, s.reason) for s in skipped] == [
        (f"{path}:2", "not UTF-8 text (byte 1)"),
        (f"{path}:3", "line longer than 1024 KiB"),
    ]


def test_naive_times_with_a_time_zone(tmp_path: Path) -> None:
    path = write(tmp_path, "d.jsonl", GOOD.replace("+01:00", "") + "\n")
    (event,) = read_events(str(path), "jsonl", ReadOptions(timezone="America/New_York"))
    assert event.deployed_at.astimezone(UTC) == datetime(2026, 11, 20, 14, 14, tzinfo=UTC)


def test_csv_same_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "d.csv",
        "environment,version,status,deployed_at,id\n"
        "prod,v1,succeeded,2026-11-20T09:14:00Z,p-1\nprod,v2,rolled_back,bad,p-2\n",
    )
    skipped: list[Skipped] = []
    (event,) = read_events(str(path), "csv", ReadOptions(skip_invalid=True), skipped)
    assert (event.version, event.external_id) == ("v1", "p-1")
    assert skipped == [Skipped(f"{path}:3", "field 'deployed_at': 'bad' is not an ISO 8601 time")]


@pytest.mark.parametrize(
    ("fmt", "content", "where"),
    [
        ("helm", '[{"revision": 1, "status": "deployed", "chart": "x-1"}]', "$[0].updated"),
        (
            "helm",
            '[{"revision": 1, "updated": "2026-11-01T09:00:00Z", "status": "exploded", '
            '"chart": "x-1"}]',
            "$[0].status",
        ),
        ("helm", '[{"revision": 1,', ":1"),
        ("heroku", '[{"version": "forty", "status": "succeeded"}]', "$[0].version"),
        ("argocd", '[{"id": 1, "deployedAt": "2026-11-20T08:14:00Z"}]', "$[0].revision"),
        ("argocd", '{"status": {}}', "$.status.history"),
        ("capistrano", "deployed something somewhere\n", ":1"),
    ],
)
def test_json_formats_name_the_json_path(
    tmp_path: Path, fmt: str, content: str, where: str
) -> None:
    path = write(tmp_path, f"export.{fmt}", content)
    with pytest.raises(RecordError) as caught:
        list(read_events(str(path), fmt, ReadOptions(environment="prod")))
    assert str(caught.value).startswith(str(path))
    assert where in str(caught.value)


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="did you mean 'helm'"):
        list(read_events("x", "hlem", ReadOptions()))
    with pytest.raises(InputError, match="no such file"):
        list(read_events(str(tmp_path / "nope.jsonl"), "jsonl", ReadOptions()))


VALID = st.fixed_dictionaries(
    {
        "environment": st.sampled_from(["prod", "staging"]),
        "version": st.from_regex(r"v[0-9]\.[0-9]{1,2}\.[0-9]", fullmatch=True),
        "status": st.sampled_from(["succeeded", "failed", "rolled_back", "in_progress"]),
        "deployed_at": st.datetimes(
            min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
        ).map(lambda d: d.isoformat()),
        "id": st.text(alphabet="abcdef0123456789-", min_size=1, max_size=12),
    }
)


@settings(max_examples=50, deadline=None)
@given(st.lists(VALID, max_size=20))
def test_valid_events_round_trip(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, str]]
) -> None:
    path = tmp_path_factory.mktemp("rt") / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    found = list(read_events(str(path), "jsonl", ReadOptions()))
    assert [
        (e.environment, e.version, e.status, e.deployed_at.isoformat(), e.external_id)
        for e in found
    ] == [(r["environment"], r["version"], r["status"], r["deployed_at"], r["id"]) for r in records]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_only_record_errors(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "d.jsonl"
    path.write_bytes(data)
    try:
        found = list(read_events(str(path), "jsonl", ReadOptions()))
    except RecordError as exc:
        assert str(exc).startswith(f"{path}:")  # names the file and the line
    else:
        assert all(e.version and e.deployed_at.tzinfo for e in found)
