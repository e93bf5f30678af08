"""Every format, every kind of broken input: truncated JSON, a missing field, a wrong
type, binary garbage and a 10 MB line each stop with a RecordError that names the file
and the line or JSON path, in a message of sane length."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasecare.deploylogs import ReadOptions, read_events
from releasecare.errors import RecordError

BIG = "x" * (10 << 20)

HELM_OK = (
    '{"revision": 1, "updated": "2026-11-01T09:00:00Z", "status": "deployed", '
    '"chart": "shop-1.0.0", "app_version": "v1.0.0"}'
)
HEROKU_OK = (
    '{"id": "r1", "version": 1, "status": "succeeded", '
    '"created_at": "2026-11-01T08:00:00Z", "description": "Deploy 1a2b3c4"}'
)
ARGO_OK = '{"id": 1, "revision": "9fceb02d", "deployedAt": "2026-11-20T08:14:00Z"}'
JSONL_OK = (
    '{"environment": "prod", "version": "v1", "status": "succeeded", '
    '"deployed_at": "2026-11-20T09:14:00Z"}'
)
CSV_HEAD = "environment,version,status,deployed_at\n"
CAP_OK = "Branch main (at 1a2b3c4) deployed as release 20261118091400 by alice"

CASES: dict[str, dict[str, tuple[str | bytes, str]]] = {
    "helm": {
        "truncated": (f'[{HELM_OK}, {{"revision": 2', ":1"),
        "missing": ('[{"revision": 1, "status": "deployed", "chart": "c-1"}]', "$[0].updated"),
        "wrong type": (HELM_OK.replace('"deployed"', "7").join("[]"), "$[0].status"),
        "binary": (b"[\xff\xfe]", ":1"),
        "huge": (HELM_OK.replace("2026-11-01T09:00:00Z", BIG).join("[]"), "$[0].updated"),
    },
    "heroku": {
        "truncated": (f"[{HEROKU_OK}", ":1"),
        "missing": (
            '[{"id": "r1", "version": 1, "status": "succeeded", "description": "Deploy 1a2b3c4"}]',
            "$[0].created_at",
        ),
        "wrong type": (
            HEROKU_OK.replace('"version": 1', '"version": "one"').join("[]"),
            "$[0].version",
        ),
        "binary": (b"\x00\x01\x02\xff", ":1"),
        "huge": (HEROKU_OK.replace("succeeded", BIG).join("[]"), "$[0].status"),
    },
    "argocd": {
        "truncated": ("[" + ARGO_OK[:-5], ":1"),
        "missing": ('[{"id": 1, "deployedAt": "2026-11-20T08:14:00Z"}]', "$[0].revision"),
        "wrong type": (ARGO_OK.replace('"9fceb02d"', "[1]").join("[]"), "$[0].revision"),
        "binary": (b"\xc3\x28", ":1"),
        "huge": (ARGO_OK.replace("2026-11-20T08:14:00Z", BIG).join("[]"), "$[0].deployedAt"),
    },
    "jsonl": {
        "truncated": (JSONL_OK + "\n" + JSONL_OK[:30] + "\n", ":2"),
        "missing": (JSONL_OK.replace('"version": "v1", ', "") + "\n", ":1"),
        "wrong type": (JSONL_OK.replace('"v1"', "1.5") + "\n", ":1"),
        "binary": (JSONL_OK.encode() + b"\n\x89PNG\r\n\x1a\n", ":2"),
        "huge": (JSONL_OK + "\n" + JSONL_OK.replace("v1", BIG) + "\n", ":2"),
    },
    "csv": {
        "truncated": (CSV_HEAD + "prod,v1,succ", ":2"),
        "missing": ("environment,status,deployed_at\nprod,succeeded,2026-11-20T09:14:00Z\n", ":1"),
        "wrong type": (CSV_HEAD + "prod,v1,succeeded,9999\n", ":2"),
        "binary": (CSV_HEAD.encode() + b"\xff\xff,\x00\n", ":2"),
        "huge": (CSV_HEAD + f"prod,{BIG},succeeded,2026-11-20T09:14:00Z\n", ":2"),
    },
    "capistrano": {
        "truncated": (CAP_OK + "\nBranch main (at 5d6e7f8) deployed as rel\n", ":2"),
        "missing": ("Branch main deployed as release 20261118091400 by alice\n", ":1"),
        "wrong type": ("Branch main (at 1a2b3c4) deployed as release 2026111809140X by a\n", ":1"),
        "binary": (b"\xde\xad\xbe\xef\n", ":1"),
        "huge": (CAP_OK + "\n" + BIG + "\n", ":2"),
    },
}


@pytest.mark.parametrize(("fmt", "kind"), [(f, k) for f in CASES for k in CASES[f]])
def test_malformed_input_names_where(tmp_path: Path, fmt: str, kind: str) -> None:
    content, where = CASES[fmt][kind]
    path = tmp_path / f"input.{fmt}"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        list(read_events(str(path), fmt, ReadOptions(environment="prod")))
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert where in message, message
    assert len(message) < 400
