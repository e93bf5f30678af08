"""Property tests for every parser: whatever a user or an upstream system feeds in,
a reader returns plain data or raises releasecare's own ``InputError``, and each
error names where (the file, with its line or JSON path) (issue #17, inputs).

What each reader returns is checked as far as the next step takes it without a
database: deploy events become rows (times stamped, fields within the columns),
customers are text any database encodes, a config builds its component matcher.

Budget: every test is derandomized with at most ``EXAMPLES`` examples (a fixed
seed, the same inputs on every run): about 1,400 inputs, 8 s here, under 25 s.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from releasecare import jsontext
from releasecare.changes import interpret, parse_conventional, parse_fragment, parse_trailers
from releasecare.components import ComponentMatcher
from releasecare.config import load_config, parse_config
from releasecare.configschema import ITEM_SCHEMAS, SCHEMA
from releasecare.customers import KEYS as CUSTOMER_KEYS
from releasecare.customers import SourceOptions, parse_records, read_customers
from releasecare.deploylogs import ReadOptions, read_events
from releasecare.deployments import RowContext, rows_from_events
from releasecare.domain import NAME_LIMITS, Commit, DeployEvent, FileChange
from releasecare.errors import InputError, RecordError
from releasecare.text import front_matter, has_controls

EXAMPLES = 100
BOUNDED = settings(
    derandomize=True,
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- strategies: JSON-ish values, with the hostile ones a reader meets ----------------

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "0001-01-01T00:00+05:00",
        "9999-12-31T23:00-05:00",
        "2999-01-01T00:00:00Z",
        "2026-11-20T09:14:00",
        "2026-11-20T09:14:00+01:00",
        "Deploy 1a2b3c4",
        "Retry of v1: Deploy 1a2b3c4",
        "Rollback to v1",
        "v1.0.0",
        "-x",
        "\x1b[2J",
        "\ud800",
        "a\x00b",
        "x" * 300,
        "Europe/Berlin",
        "Mars/Base",
        "*",
        "!",
        "\\",
    ]
)
TEXT = st.one_of(HOSTILE_TEXT, st.text(max_size=20))
TIMES = st.sampled_from(
    [
        "0001-01-01T00:00+05:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:00-05:00",
        "9999-12-31T23:59:59+00:00",
        "2999-01-01T00:00:00Z",
        "2026-11-20T09:14:00",
        "2026-13-01T00:00:00Z",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def records_with(keys: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """Objects with a format's own keys (so the reader goes deep) and odd values."""
    return st.one_of(
        st.dictionaries(st.sampled_from(keys), JSONISH, max_size=len(keys)),
        st.dictionaries(st.sampled_from(keys), TEXT, max_size=len(keys)),
        JSONISH,
    )


def mutated(valid: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid record with one or two fields given hostile values, or one dropped."""
    keys = sorted(valid)
    odd = st.one_of(HOSTILE_TEXT, JSONISH)

    def value_for(key: str) -> st.SearchStrategy[Any]:
        return st.one_of(TIMES, odd) if key.endswith(("_at", "At", "updated")) else odd

    one_field = st.sampled_from(keys).flatmap(lambda k: st.tuples(st.just(k), value_for(k)))
    return st.tuples(
        st.lists(one_field, min_size=1, max_size=2), st.sets(st.sampled_from(keys), max_size=1)
    ).map(
        lambda change: {k: v for k, v in {**valid, **dict(change[0])}.items() if k not in change[1]}
    )


DEEP = st.integers(min_value=1, max_value=4).map(lambda n: "[" * (1000 * n))
LONG_NUMBER = st.integers(min_value=4301, max_value=6000).map(lambda n: "9" * n)


def hostile_bytes(line: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Lines of a format, or raw bytes, with every kind of line end."""
    ends = st.sampled_from(["\n", "\r\n", "\r", ""])
    lines = st.lists(st.tuples(line, ends), max_size=6).map(
        lambda parts: "".join(text + end for text, end in parts).encode("utf-8", "surrogatepass")
    )
    return st.one_of(
        lines, st.binary(max_size=200), DEEP.map(str.encode), LONG_NUMBER.map(str.encode)
    )


# --- checks -----------------------------------------------------------------------------

CONTEXT = RowContext(
    environments=frozenset(),
    positions={"v1.0.0": 0},
    commits={},
    repo=None,
    dialect="sqlite",
    recorded_at="2026-12-01 00:00:00.000000",
    latest=datetime(2026, 12, 2, tzinfo=UTC),
    skip_invalid=True,
)


def names_its_place(error: InputError, place: str) -> None:
    message = str(error)
    assert "Traceback" not in message
    assert place in message, message
    if isinstance(error, RecordError):
        assert error.location.startswith(place), message
    assert len(message.splitlines()[0]) < 500, message


def read_all(path: Path, fmt: str, **options: Any) -> list[DeployEvent]:
    """Read every event, and take each as far as a row to store."""
    try:
        found = list(read_events(str(path), fmt, ReadOptions(environment="prod", **options)))
        for batch in rows_from_events(found, CONTEXT, []):
            for row in batch:
                for value in row:
                    if isinstance(value, str):
                        value.encode("utf-8")  # no lone surrogates reach the store
        return found
    except InputError as error:
        names_its_place(error, str(path))
        return []


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


def written(folder: Path, name: str, content: bytes | str) -> Path:
    path = folder / name
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")
    path.write_bytes(content)
    return path


# --- deploy logs --------------------------------------------------------------------------

JSONL_KEYS = ("environment", "version", "status", "deployed_at", "id", "sha", "finished_at")
JSONL_OK = {
    "environment": "prod",
    "version": "v1.0.0",
    "status": "succeeded",
    "deployed_at": "2026-11-20T09:14:00+01:00",
    "id": "p-1",
    "finished_at": "2026-11-20T09:15:00+01:00",
}


@BOUNDED
@given(
    lines=st.lists(
        st.one_of(
            mutated(JSONL_OK).map(json.dumps),
            records_with(JSONL_KEYS).map(json.dumps),
            DEEP,
            LONG_NUMBER,
            TEXT,
        ),
        max_size=5,
    ),
    skip=st.booleans(),
)
def test_jsonl_reader(folder: Path, lines: list[str], skip: bool) -> None:
    path = written(folder, "deploys.jsonl", "\n".join(lines))
    read_all(path, "jsonl", skip_invalid=skip)


@BOUNDED
@given(content=hostile_bytes(TEXT), skip=st.booleans())
def test_jsonl_reader_bytes(folder: Path, content: bytes, skip: bool) -> None:
    read_all(written(folder, "raw.jsonl", content), "jsonl", skip_invalid=skip)


CSV_ROW = st.lists(st.one_of(TEXT, st.just('"' + "x" * 140_000 + '"')), max_size=5).map(",".join)


@BOUNDED
@given(
    header=st.sampled_from(
        ["environment,version,status,deployed_at", "version,status,deployed_at,sha", "", "a,b"]
    ),
    content=hostile_bytes(CSV_ROW),
    skip=st.booleans(),
)
def test_csv_reader(folder: Path, header: str, content: bytes, skip: bool) -> None:
    path = written(folder, "deploys.csv", header.encode() + b"\n" + content)
    read_all(path, "csv", skip_invalid=skip)


CAPISTRANO_LINE = st.one_of(
    st.builds(
        "Branch {} (at {}) deployed as release {} by {}".format,
        TEXT,
        st.sampled_from(["1a2b3c4", "zzz", "5d6e7f8"]),
        st.sampled_from(["20261120091400", "00010101000000", "99991231235959", "20261399999999"]),
        TEXT,
    ),
    st.builds(
        "{} rolled back to release {}".format,
        TEXT,
        st.sampled_from(["20261120091400", "00010101000000"]),
    ),
    TEXT,
)


@BOUNDED
@given(
    content=hostile_bytes(CAPISTRANO_LINE),
    zone=st.sampled_from([None, "Asia/Tokyo", "Pacific/Kiritimati", "Mars/Base"]),
    skip=st.booleans(),
)
def test_capistrano_reader(folder: Path, content: bytes, zone: str | None, skip: bool) -> None:
    path = written(folder, "revisions.log", content)
    if zone == "Mars/Base":  # the one error that is about an option, not the file
        with pytest.raises(InputError, match=r"^--timezone: unknown time zone"):
            list(read_events(str(path), "capistrano", ReadOptions(timezone=zone)))
        return
    read_all(path, "capistrano", timezone=zone, skip_invalid=skip)


DOCUMENT_OK: dict[str, dict[str, Any]] = {
    "helm": {
        "revision": 1,
        "updated": "2026-11-01T09:00:00Z",
        "status": "deployed",
        "chart": "shop-1.0.0",
        "app_version": "v1.0.0",
        "description": "Upgrade complete",
    },
    "heroku": {
        "id": "r1",
        "version": 1,
        "status": "succeeded",
        "created_at": "2026-11-01T08:00:00Z",
        "description": "Deploy 1a2b3c4",
    },
    "argocd": {
        "id": 1,
        "revision": "9fceb02d",
        "deployedAt": "2026-11-20T08:14:00Z",
        "source": {"targetRevision": "v1.0.0"},
    },
}
DOCUMENT_KEYS = {
    "helm": ("revision", "updated", "status", "chart", "app_version", "description"),
    "heroku": ("id", "version", "status", "created_at", "description"),
    "argocd": ("id", "revision", "deployedAt", "source", "metadata", "status", "history"),
}


@BOUNDED
@given(
    fmt=st.sampled_from(sorted(DOCUMENT_KEYS)),
    data=st.data(),
    skip=st.booleans(),
)
def test_json_document_readers(folder: Path, fmt: str, data: st.DataObject, skip: bool) -> None:
    document = data.draw(
        st.one_of(
            st.lists(mutated(DOCUMENT_OK[fmt]), max_size=5).map(json.dumps),
            st.lists(records_with(DOCUMENT_KEYS[fmt]), max_size=5).map(json.dumps),
            records_with(DOCUMENT_KEYS[fmt]).map(json.dumps),
            DEEP,
            LONG_NUMBER,
            hostile_bytes(TEXT).map(lambda b: b.decode("utf-8", "replace")),
        )
    )
    read_all(written(folder, f"{fmt}.json", document), fmt, skip_invalid=skip)


API_KEYS = {
    "github": ("id", "sha", "ref", "environment", "created_at", "description", "statuses_url"),
    "gitlab": ("id", "sha", "ref", "environment", "created_at", "updated_at", "status"),
}


@pytest.fixture(scope="module")
def server(make_httpserver: HTTPServer) -> Iterator[HTTPServer]:
    yield make_httpserver
    make_httpserver.clear()


@settings(BOUNDED, max_examples=EXAMPLES // 2)
@given(fmt=st.sampled_from(sorted(API_KEYS)), data=st.data(), skip=st.booleans())
def test_deploy_api_readers(server: HTTPServer, fmt: str, data: st.DataObject, skip: bool) -> None:
    server.clear()
    status_url = server.url_for("/statuses")
    record = records_with(API_KEYS[fmt]).map(
        lambda r: (
            {**r, "statuses_url": status_url} if isinstance(r, dict) and "statuses_url" in r else r
        )
    )
    page = data.draw(st.one_of(st.lists(record, max_size=4), JSONISH))
    statuses = data.draw(JSONISH)
    server.expect_request("/deployments").respond_with_json(page)
    server.expect_request("/statuses").respond_with_json(statuses)
    source = server.url_for("/deployments")
    try:
        found = list(
            read_events(
                source, fmt, ReadOptions(environment="prod", skip_invalid=skip, max_retries=0)
            )
        )
        list(rows_from_events(found, CONTEXT, []))
    except InputError as error:
        names_its_place(error, source)


# --- customers ------------------------------------------------------------------------

CUSTOMER_VALUES = st.one_of(
    JSONISH,
    st.lists(TEXT, max_size=3),
    st.lists(
        st.dictionaries(st.sampled_from(["start", "end", "reason"]), TEXT, max_size=3), max_size=2
    ),
    st.dictionaries(st.sampled_from(["email", "webhook", "slack"]), JSONISH, max_size=3),
)
CUSTOMER_OK = {
    "id": "acme",
    "name": "Acme GmbH",
    "environments": ["prod"],
    "components": "*",
    "timezone": "Europe/Berlin",
    "locale": "de-DE",
    "freeze": [{"start": "2026-11-26T00:00:00+01:00", "end": "2026-12-01T00:00:00+01:00"}],
}
FREEZE = st.builds(
    lambda start, end: [{"start": start, "end": end}], TIMES, st.one_of(TIMES, HOSTILE_TEXT)
)
CUSTOMER = st.dictionaries(st.sampled_from(CUSTOMER_KEYS), CUSTOMER_VALUES, max_size=6).map(
    lambda r: {"id": "acme", "name": "Acme", **r}
)


def customers_ok(path: Path, **options: Any) -> None:
    try:
        for customer in read_customers(str(path), SourceOptions(**options)):
            for text in (customer.id, customer.name, customer.tier or "", customer.locale):
                text.encode("utf-8")
                assert not has_controls(text)
            assert len(customer.id) <= NAME_LIMITS["id"]
            for window in customer.freeze:
                window.start.astimezone(UTC), window.end.astimezone(UTC)
    except InputError as error:
        names_its_place(error, str(path))


@BOUNDED
@given(
    document=st.one_of(
        st.lists(CUSTOMER, max_size=3).map(json.dumps),
        st.lists(
            st.one_of(mutated(CUSTOMER_OK), FREEZE.map(lambda f: {**CUSTOMER_OK, "freeze": f})),
            max_size=3,
        ).map(json.dumps),
        st.lists(CUSTOMER, max_size=3).map(lambda c: json.dumps({"customers": c})),
        JSONISH.map(json.dumps),
        DEEP,
        LONG_NUMBER,
    )
)
def test_customers_json(folder: Path, document: str) -> None:
    customers_ok(written(folder, "customers.json", document))


def toml_value(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, dict | type(None)) else '"x"'


@BOUNDED
@given(
    customers=st.lists(
        st.dictionaries(
            st.sampled_from(CUSTOMER_KEYS), st.one_of(TEXT, st.lists(TEXT, max_size=2))
        ),
        max_size=3,
    ),
    extra=st.one_of(st.just(""), hostile_bytes(TEXT).map(lambda b: b.decode("utf-8", "replace"))),
)
def test_customers_toml(folder: Path, customers: list[dict[str, Any]], extra: str) -> None:
    tables = "".join(
        "[[customer]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in c.items())
        for c in customers
    )
    customers_ok(written(folder, "customers.toml", tables + extra))


@BOUNDED
@given(
    header=st.sampled_from(["id,name,environments,components,timezone,freeze", "id,name", "", "x"]),
    content=hostile_bytes(CSV_ROW),
)
def test_customers_csv(folder: Path, header: str, content: bytes) -> None:
    customers_ok(written(folder, "customers.csv", header.encode() + b"\n" + content))


@BOUNDED
@given(records=st.lists(st.one_of(CUSTOMER, JSONISH), max_size=4))
def test_customer_records(records: list[Any]) -> None:
    try:
        parse_records(records, "crm")
    except InputError as error:
        names_its_place(error, "crm")


# --- config ---------------------------------------------------------------------------

CONFIG_TABLES = {**{t: tuple(k) for t, k in SCHEMA.items() if t}}


def config_data() -> st.SearchStrategy[dict[str, Any]]:
    values = st.one_of(SCALARS, st.lists(TEXT, max_size=3), st.dictionaries(TEXT, TEXT, max_size=2))
    tables = st.fixed_dictionaries(
        {},
        optional={
            table: st.dictionaries(st.sampled_from(keys), values, max_size=3)
            for table, keys in CONFIG_TABLES.items()
        },
    )
    items = st.fixed_dictionaries(
        {},
        optional={
            table: st.dictionaries(
                st.sampled_from(["checkout", "production-eu", "bad key"]),
                st.dictionaries(st.sampled_from(sorted(keys)), values, max_size=3),
                max_size=2,
            )
            for table, keys in ITEM_SCHEMAS.items()
        },
    )
    return st.tuples(tables, items).map(lambda pair: {**pair[0], **pair[1]})


@BOUNDED
@given(data=config_data())
def test_config_values(folder: Path, data: dict[str, Any]) -> None:
    path = folder / "releasecare.toml"
    try:
        config = parse_config(data, path)
    except InputError as error:
        names_its_place(error, str(path))
        return
    ComponentMatcher(config.components, config.mapping_ignore)  # its patterns compile


@BOUNDED
@given(
    content=st.one_of(
        hostile_bytes(TEXT),
        st.sampled_from(
            [
                b"\xef\xbb\xbf[product]\nname = 'x'\n",
                b"x = " + b"[" * 3000 + b"]" * 3000,
                b"[voice]\nmax_length = -1\n",
                b"[environments.eu]\ntimezone = 'Mars/Base'\n",
            ]
        ),
    )
)
def test_config_files(folder: Path, content: bytes) -> None:
    path = written(folder, "releasecare.toml", content)
    try:
        load_config(path)
    except InputError as error:
        names_its_place(error, str(path))


# --- commits: trailers, Conventional Commits, fragments (never raise: history is history) --

MESSAGE = st.lists(
    st.one_of(
        TEXT,
        st.builds(
            "{}: {}".format, st.sampled_from(["Customer-Note", "Audience", "Component"]), TEXT
        ),
        st.just(""),
    ),
    max_size=6,
).map("\n".join)


@BOUNDED
@given(subject=st.one_of(TEXT, st.builds("{}({}): {}".format, TEXT, TEXT, TEXT)), body=MESSAGE)
def test_commit_text(subject: str, body: str) -> None:
    parse_trailers(body)
    info = parse_conventional(subject, body)
    commit = Commit(
        sha="0" * 40,
        parents=(),
        author_name="Dana",
        author_email="dana@example.com",
        authored_at=datetime(2026, 11, 1, tzinfo=UTC),
        subject=subject,
        body=body,
        files=(FileChange("services/checkout/app.py", "M"),),
    )
    change = interpret(commit, ComponentMatcher({}), parse_config({}, Path("x")).change_options())
    assert info.type is None or len(info.type) <= NAME_LIMITS["type"]
    assert change.scope is None or len(change.scope) <= NAME_LIMITS["scope"]
    assert not has_controls(change.summary) and not has_controls(change.body)


@BOUNDED
@given(
    text=st.one_of(
        TEXT,
        st.builds("---\n{}\n---\n{}".format, MESSAGE, TEXT),
        st.builds("---\naudience: {}\ncomponents: [{}]\n---\n{}".format, TEXT, TEXT, TEXT),
    )
)
def test_fragments(text: str) -> None:
    front_matter(text)
    fragment = parse_fragment("changes/x.md", text)
    assert not has_controls(fragment.text)


def test_json_problems_name_their_line() -> None:
    """The two failures json.loads has besides JSONDecodeError."""
    with pytest.raises(jsontext.JsonProblem) as deep:
        jsontext.loads('{"a": 1,\n"b": ' + "[" * 100_000)
    assert deep.value.line == 2
    with pytest.raises(jsontext.JsonProblem) as long:
        jsontext.loads("[1,\n2,\n" + "9" * 5000 + "]")
    assert long.value.line == 3
