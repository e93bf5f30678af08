"""Delivering one deployment's notice by webhook to 10,000 customers.

``releasecare notify DEPLOY --channel webhook`` (the CLI in a child process: the
notice versions read from the database, one outbox row per target written before
sending, each POST signed per Standard Webhooks, what each came to recorded) against
a bare loop in this process that signs the same bodies (HMAC-SHA256) and POSTs them
through one ``requests.Session`` to the same receiver, recording nothing. The
receiver is a separate process (a threading HTTP/1.1 server on 127.0.0.1 that
answers 200 and counts). The notices are rendered beforehand (``notes render``), so
what is timed is delivery. Prints both times and the ratio baseline / notify
(issue #20's target: at least 0.5, notify within twice the bare loop).

    .venv/bin/python benchmarks/bench_notify.py [--customers N] [--quick]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from benchlib import child_env, releasecare, run

SECRET = "whsec_" + base64.b64encode(b"bench-secret-bench-secret-0123").decode()

RECEIVER = textwrap.dedent(
    """
    import sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body in one segment, sent at once: no 40 ms delayed-ACK stall.
        wbufsize = 1 << 16
        disable_nagle_algorithm = True
        count = 0

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            Handler.count += 1
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def do_GET(self):
            body = str(Handler.count).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """
)

CONFIG = """\
[product]
name = "Bench"

[release]
tag_pattern = "v*"

[components.app]
name = "App"
paths = ["app/"]

[environments.production]
name = "Production"

[delivery]
timeout = 10
run_time = 600
"""


def git(repo: Path, *args: str, when: str = "2026-11-01T10:00:00+00:00") -> None:
    env = {
        **child_env(),
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)


def project(folder: Path, customers: int, port: int) -> Path:
    repo = folder / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "releasecare.toml").write_text(CONFIG, encoding="utf-8")
    (repo / "app").mkdir()
    (repo / "app" / "main.py").write_text("x = 1\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feat(app): first")
    git(repo, "tag", "v1.0.0")
    for n in range(5):
        (repo / "app" / f"f{n}.py").write_text(f"y = {n}\n", encoding="utf-8")
        git(repo, "add", "-A")
        note = f"You can now export report {n} as a spreadsheet."
        git(repo, "commit", "-q", "-m", f"feat(app): export {n}\n\nCustomer-Note: {note}")
    git(repo, "tag", "v1.1.0")
    rows = [
        {
            "id": f"customer-{i}",
            "name": f"Customer {i} GmbH",
            "environments": ["production"],
            "components": ["app"],
            "contacts": {
                "webhook": {
                    "url": f"http://127.0.0.1:{port}/hooks/{i}",
                    "secret_env": "BENCH_SECRET",
                }
            },
        }
        for i in range(customers)
    ]
    (folder / "customers.json").write_text(json.dumps(rows), encoding="utf-8")
    run(releasecare("release", "scan"), cwd=repo)
    run(releasecare("customers", "import", str(folder / "customers.json")), cwd=repo)
    for version, at in (("v1.0.0", "2026-11-01T10:00:00Z"), ("v1.1.0", "2026-11-02T10:00:00Z")):
        run(
            releasecare(
                "deploy", "record", "--env", "production", "--version", version, "--at", at
            ),
            cwd=repo,
        )
    run(
        releasecare("notes", "render", "2", "--format", "md", "--out", str(folder / "out")),
        cwd=repo,
    )
    return repo


def bare_loop(bodies: list[tuple[str, bytes]], port: int) -> float:
    """Sign and POST every body through one session; the floor notify is held to."""
    import requests

    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    started = time.perf_counter()
    with requests.Session() as session:
        for n, (message_id, body) in enumerate(bodies):
            stamp = str(int(time.time()))
            signed = f"{message_id}.{stamp}.".encode() + body
            signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
            answer = session.post(
                f"http://127.0.0.1:{port}/hooks/{n}",
                data=body,
                headers={
                    "content-type": "application/json",
                    "webhook-id": message_id,
                    "webhook-timestamp": stamp,
                    "webhook-signature": "v1," + signature.decode(),
                },
                timeout=(10, 10),
                allow_redirects=False,
            )
            answer.raise_for_status()
            answer.content  # noqa: B018 - read, as notify reads
    return time.perf_counter() - started


def bodies_of(database: Path) -> list[tuple[str, bytes]]:
    """Bodies of the same size as notify's: each stored notice's JSON, Markdown, HTML."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT customer_id, json, md, html FROM notice_versions").fetchall()
    return [
        (
            f"msg_{hashlib.sha256(cid.encode()).hexdigest()[:32]}",
            json.dumps(
                {
                    "type": "notice.deployment",
                    "data": {**json.loads(data), "markdown": md, "html": html},
                }
            ).encode(),
        )
        for cid, data, md, html in rows
    ]


def received(port: int) -> int:
    import requests

    return int(requests.get(f"http://127.0.0.1:{port}/count", timeout=10).text)


def notify_once(repo: Path, customers: int) -> float:
    """One ``notify`` of every webhook from an empty outbox (the rows of an earlier
    run are deleted first, so each run sends everything again)."""
    with sqlite3.connect(repo / ".releasecare" / "releasecare.db") as db:
        db.execute("DELETE FROM deliveries")
    env = {**child_env(), "BENCH_SECRET": SECRET}
    started = time.perf_counter()
    done = subprocess.run(
        releasecare("notify", "2", "--channel", "webhook", "--allow-insecure-localhost", "--json"),
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    spent = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"notify failed ({done.returncode}): {done.stderr[-2000:]}")
    counts = json.loads(done.stdout)["counts"]
    assert counts == {"sent": customers}, counts
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, help="best of (default 3, 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="300 customers")
    args = parser.parse_args()
    customers = 300 if args.quick else args.customers
    runs = args.runs or (1 if args.quick else 3)
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    baselines: list[float] = []
    spents: list[float] = []
    try:
        assert receiver.stdout is not None
        port = int(receiver.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            repo = project(folder, customers, port)
            bodies = bodies_of(repo / ".releasecare" / "releasecare.db")
            assert len(bodies) == customers, len(bodies)
            for run_number in range(1, runs + 1):  # taken in turn: the same neighbours
                baselines.append(bare_loop(bodies, port))
                spents.append(notify_once(repo, customers))
                assert received(port) == 2 * customers * run_number
    finally:
        receiver.kill()
    baseline, spent = min(baselines), min(spents)
    ratio = baseline / spent
    print(f"webhooks: {customers} customers, one notice each, best of {runs}")
    print(f"baseline: bare signed-POST loop, one requests.Session: {baseline:.2f} s")
    print(f"releasecare notify (child process, outbox, signed, recorded): {spent:.2f} s")
    each = 1000 / customers
    print(f"per webhook: baseline {baseline * each:.2f} ms, notify {spent * each:.2f} ms")
    print(f"ratio baseline / notify: {ratio:.2f} (target at least 0.5)")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "")
    main()
