"""``releasecare notify`` and ``deliveries`` against real receivers: pytest-httpserver for
webhooks (checked with the ``standardwebhooks`` package) and Slack, aiosmtpd on
127.0.0.1 for e-mail; the outbox's own behaviour on SQLite and PostgreSQL. Retry waits
are tiny ([delivery] backoff 0.01 s); the real waits are a 1 s Retry-After and a 1 s
Slack timeout, and a killed run's 3 s lease. Budget: about 30 s for the module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from standardwebhooks import Webhook
from werkzeug import Request, Response

from releasecare.crashpoints import KILL_AT_ENV
from tests.helpers import Runner
from tests.test_email import free_port

ACME_SECRET = "whsec_" + "QWNtZVNlY3JldEFjbWVTZWNyZXRBY21lU2VjcmV0"  # base64 of 30 bytes
GLOBEX_SECRET = "whsec_" + "R2xvYmV4U2VjcmV0R2xvYmV4U2VjcmV0R2xvYmV4"
SLACK_PATH = "/slack/T0001/B0001/sEcReTsLaCkToKeN"
# What depends on the database (the outbox's rows, claims, versions) runs on both;
# what only a channel's answer decides runs on SQLite, to keep the suite fast.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@dataclass
class Receiver:
    """Webhook and Slack endpoints on one local server: each request is kept, and
    answered with the next scripted reply for its path (then 200)."""

    server: HTTPServer
    script: dict[str, list[tuple[int, str, dict[str, str], float]]] = field(default_factory=dict)
    got: dict[str, list[Request]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for path in ("/hooks/acme", "/hooks/globex", "/hooks/shared", SLACK_PATH, "/slack/other"):
            self.server.expect_request(path, method="POST").respond_with_handler(self._handle)

    def then(
        self, path: str, status: int, body: str = "", delay: float = 0, **headers: str
    ) -> None:
        self.script.setdefault(path, []).append((status, body, headers, delay))

    def _handle(self, request: Request) -> Response:
        self.got.setdefault(request.path, []).append(request)
        replies = self.script.get(request.path) or []
        status, body, headers, delay = replies.pop(0) if replies else (200, "ok", {}, 0.0)
        if delay:
            time.sleep(delay)
        return Response(body, status=status, headers=headers)

    def url(self, path: str) -> str:
        return self.server.url_for(path)


class Inbox:
    """aiosmtpd handler: scripted replies per recipient, then 250."""

    def __init__(self) -> None:
        self.script: dict[str, list[str]] = {}
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        replies = self.script.get(envelope.rcpt_tos[0]) or []
        reply = replies.pop(0) if replies else "250 OK"
        if reply.startswith("250"):
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(parsed)
        return reply


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def contacts(receiver: Receiver) -> list[dict[str, Any]]:
    return [
        {
            "id": "acme",
            "name": "Acme GmbH",
            "environments": ["production-eu"],
            "components": ["checkout", "invoices"],
            "contacts": {
                "email": ["it@acme.example"],
                "webhook": {"url": receiver.url("/hooks/acme"), "secret_env": "ACME_SECRET"},
                "slack": {"url_env": "ACME_SLACK"},
            },
        },
        {
            "id": "globex",
            "name": "Globex Inc.",
            "environments": ["production-eu"],
            "components": ["search"],
            "contacts": {
                "email": ["ops@globex.example"],
                "webhook": {"url": receiver.url("/hooks/globex"), "secret_env": "GLOBEX_SECRET"},
            },
        },
    ]


@dataclass
class Shop:
    run: Runner
    receiver: Receiver
    inbox: Inbox
    deploy: int

    def notify(self, *args: str) -> Any:
        result = self.run("notify", str(self.deploy), "--allow-insecure-localhost", *args, "--json")
        return result.exit_code, json.loads(result.stdout), result


def import_customers(run: Runner, customers: list[dict[str, Any]]) -> None:
    path = run.cwd.parent / "customers-contacts.json"
    path.write_text(json.dumps(customers), encoding="utf-8")
    run.ok("customers", "import", str(path), "--prune", "--force")


def delivering(
    project: Runner, httpserver: HTTPServer, smtp_port: int, monkeypatch: pytest.MonkeyPatch
) -> Receiver:
    """The project set to deliver to local receivers: the webhook and Slack endpoints
    on ``httpserver``, e-mail to aiosmtpd on ``smtp_port``, waits kept short."""
    receiver = Receiver(httpserver)
    monkeypatch.setenv("ACME_SECRET", ACME_SECRET)
    monkeypatch.setenv("GLOBEX_SECRET", GLOBEX_SECRET)
    monkeypatch.setenv("ACME_SLACK", receiver.url(SLACK_PATH))
    config = project.cwd / "releasecare.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "\n[delivery]\nbackoff = 0.01\nmax_backoff = 2\nrun_time = 5\ntimeout = 1\n"
        + "max_attempts = 4\n\n[delivery.email]\n"
        + f'host = "127.0.0.1"\nport = {smtp_port}\nsecurity = "plain"\n'
        + 'from = "Shopfront <notices@shopfront.example>"\n',
        encoding="utf-8",
    )
    return receiver


@pytest.fixture
def shop(
    project: Runner,
    httpserver: HTTPServer,
    inbox: tuple[Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> Shop:
    receiver = delivering(project, httpserver, inbox[1], monkeypatch)
    project.ok("release", "scan")
    import_customers(project, contacts(receiver))
    project.deploy("v1.0.0", "2026-11-01T10:00:00+00:00")
    deployed = project.deploy("v1.2.0", "2026-11-02T10:00:00+00:00")
    return Shop(project, receiver, inbox[0], deployed)


def states(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(d["customer"], d["channel"]): d["state"] for d in document["deliveries"]}


def database_text(db_url: str) -> str:
    from sqlalchemy import MetaData, create_engine, select

    engine = create_engine(db_url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        text = "\n".join(
            repr(row) for table in meta.sorted_tables for row in conn.execute(select(table))
        )
    engine.dispose()
    return text


def test_each_channel_gets_each_notice_once_and_a_rerun_sends_nothing(shop: Shop) -> None:
    code, report, result = shop.notify()
    assert code == 0, result.output
    assert states(report) == {
        ("acme", "webhook"): "sent",
        ("acme", "slack"): "sent",
        ("acme", "email"): "sent",
        ("globex", "webhook"): "sent",
        ("globex", "email"): "sent",
    }
    (hook,) = shop.receiver.got["/hooks/acme"]
    body = hook.get_data()
    verified = Webhook(ACME_SECRET).verify(body, dict(hook.headers))
    assert verified["type"] == "notice.deployment"
    data = verified["data"]
    assert data["customer"]["id"] == "acme" and data["version"] == "v1.2.0"
    assert "You can now download invoices as PDF." in data["markdown"]
    assert "You can now download invoices as PDF." in data["html"]
    assert data["id"] == hook.headers["webhook-id"]
    (slack,) = shop.receiver.got[SLACK_PATH]
    message = json.loads(slack.get_data())
    assert message["text"] and message["blocks"][0]["type"] == "header"
    mails = {m["To"]: m for m in shop.inbox.received}
    assert set(mails) == {"it@acme.example", "ops@globex.example"}
    acme_mail = mails["it@acme.example"]
    assert acme_mail.get_content_type() == "multipart/alternative"
    assert "Acme GmbH" in acme_mail["Subject"]
    ids = {d["channel"]: d["message_id"] for d in report["deliveries"] if d["customer"] == "acme"}
    assert acme_mail["Message-ID"] == ids["email"]
    # Again: everything was delivered, nothing goes twice.
    code, again, _ = shop.notify()
    assert code == 0 and set(states(again).values()) == {"skipped"}
    assert len(shop.receiver.got["/hooks/acme"]) == 1 and len(shop.inbox.received) == 2
    listed = shop.run.json("deliveries", "--customer", "acme")["deliveries"]
    assert {(d["channel"], d["state"], d["attempts"]) for d in listed} == {
        ("webhook", "sent", 1),
        ("slack", "sent", 1),
        ("email", "sent", 1),
    }
    text = shop.run.ok("deliveries", "--state", "sent").output
    assert "globex  deployment:" in text and "webhook" in text


@SQLITE_ONLY
def test_no_secret_in_output_database_or_body(shop: Shop) -> None:
    shop.receiver.then("/hooks/globex", 500, "down")
    _, _, result = shop.notify()
    plain = shop.run("notify", str(shop.deploy), "--allow-insecure-localhost", "--dry-run")
    listing = shop.run("deliveries")
    bodies = [r.get_data().decode() for rs in shop.receiver.got.values() for r in rs]
    seen = "\n".join(
        [result.output, plain.output, listing.output, database_text(shop.run.db_url), *bodies]
    )
    for secret in (ACME_SECRET, GLOBEX_SECRET, ACME_SECRET[6:], "sEcReTsLaCkToKeN"):
        assert secret not in seen
    assert "$ACME_SLACK" in listing.output  # the Slack target is named by its variable


def test_a_500_then_success_is_one_delivery_and_429_waits_for_retry_after(shop: Shop) -> None:
    shop.receiver.then("/hooks/acme", 500, "oops")
    shop.receiver.then("/hooks/globex", 429, "slow down", **{"Retry-After": "1"})
    started = time.monotonic()
    code, report, result = shop.notify("--channel", "webhook")
    assert code == 0, result.output
    assert states(report) == {("acme", "webhook"): "sent", ("globex", "webhook"): "sent"}
    acme = shop.receiver.got["/hooks/acme"]
    assert len(acme) == 2 and acme[0].headers["webhook-id"] == acme[1].headers["webhook-id"]
    globex = shop.receiver.got["/hooks/globex"]
    assert len(globex) == 2 and time.monotonic() - started >= 1.0
    attempts = {d["customer"]: d["attempts"] for d in report["deliveries"]}
    assert attempts == {"acme": 2, "globex": 2}


@SQLITE_ONLY
def test_a_permanent_400_fails_named_and_is_tried_again_only_with_resend(shop: Shop) -> None:
    shop.receiver.then("/hooks/globex", 400, "bad payload")
    code, report, result = shop.notify("--channel", "webhook")
    assert code == 1
    assert states(report)[("globex", "webhook")] == "failed"
    failed = next(d for d in report["deliveries"] if d["customer"] == "globex")
    assert failed["code"] == 400 and "bad payload" in failed["reason"]
    assert "not delivered to globex" in result.stderr
    assert len(shop.receiver.got["/hooks/globex"]) == 1
    code, report, _ = shop.notify("--channel", "webhook")
    assert code == 1 and len(shop.receiver.got["/hooks/globex"]) == 1  # not resent
    code, report, _ = shop.notify("--channel", "webhook", "--resend")
    assert code == 0 and states(report)[("globex", "webhook")] == "sent"


@SQLITE_ONLY
def test_every_attempt_failing_for_the_moment_gives_up(shop: Shop) -> None:
    for _ in range(4):
        shop.receiver.then("/hooks/acme", 503, "maintenance")
    code, report, result = shop.notify("--channel", "webhook", "--customer", "acme")
    assert code == 1, result.output
    assert states(report) == {("acme", "webhook"): "given_up"}
    assert len(shop.receiver.got["/hooks/acme"]) == 4


@SQLITE_ONLY
def test_slack_says_the_channel_is_gone_and_the_target_rests_until_it_changes(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop.receiver.then(SLACK_PATH, 404, "channel_not_found")
    code, report, _ = shop.notify("--channel", "slack")
    assert code == 1 and states(report) == {("acme", "slack"): "failed"}
    assert "channel_not_found" in report["deliveries"][0]["reason"]
    code, report, _ = shop.notify("--channel", "slack", "--resend")
    assert code == 0 and states(report) == {("acme", "slack"): "skipped"}
    assert "disabled" in report["deliveries"][0]["reason"]
    assert len(shop.receiver.got[SLACK_PATH]) == 1
    # The customer's Slack webhook changes: the new one gets the notice.
    monkeypatch.setenv("ACME_SLACK", shop.receiver.url("/slack/other"))
    code, report, _ = shop.notify("--channel", "slack")
    assert code == 0 and states(report) == {("acme", "slack"): "sent"}
    assert len(shop.receiver.got["/slack/other"]) == 1


@SQLITE_ONLY
def test_a_slack_timeout_is_unknown_and_not_sent_again(shop: Shop) -> None:
    shop.receiver.then(SLACK_PATH, 200, "ok", delay=2.0)
    code, report, _ = shop.notify("--channel", "slack")
    assert code == 0 and states(report) == {("acme", "slack"): "unknown"}
    assert "may have arrived" in report["deliveries"][0]["reason"]
    code, report, _ = shop.notify("--channel", "slack")
    assert states(report) == {("acme", "slack"): "unknown"}
    assert len(shop.receiver.got[SLACK_PATH]) == 1
    assert shop.run.json("deliveries", "--state", "unknown")["deliveries"][0]["channel"] == "slack"


@SQLITE_ONLY
def test_smtp_451_then_success_and_550_fails(shop: Shop) -> None:
    shop.inbox.script["it@acme.example"] = ["451 4.3.0 Try again later"]
    shop.inbox.script["ops@globex.example"] = ["550 5.1.1 No such user"]
    code, report, _ = shop.notify("--channel", "email")
    assert code == 1
    assert states(report) == {("acme", "email"): "sent", ("globex", "email"): "failed"}
    acme = next(d for d in report["deliveries"] if d["customer"] == "acme")
    assert acme["attempts"] == 2
    globex = next(d for d in report["deliveries"] if d["customer"] == "globex")
    assert globex["code"] == 550 and "No such user" in globex["reason"]
    assert [m["To"] for m in shop.inbox.received] == ["it@acme.example"]


@SQLITE_ONLY
def test_dry_run_says_what_would_go_to_whom_and_sends_nothing(shop: Shop) -> None:
    result = shop.run("notify", str(shop.deploy), "--dry-run", "--allow-insecure-localhost")
    assert result.exit_code == 0
    assert "(dry run): 5 would send" in result.output
    assert "acme  slack  $ACME_SLACK  would send" in result.output
    assert shop.receiver.got == {} and shop.inbox.received == []
    assert shop.run.json("deliveries")["deliveries"] == []
    assert "deployment:" not in database_text(shop.run.db_url)  # no version stored either
    code, report, _ = shop.notify()
    assert code == 0 and set(states(report).values()) == {"sent"}


def test_never_to_the_wrong_customer(shop: Shop) -> None:
    # Two customers sharing a webhook and an address each get their own notice only.
    customers = contacts(shop.receiver)
    for c in customers:
        c["contacts"] = {
            "email": ["shared@example.com"],
            "webhook": {"url": shop.receiver.url("/hooks/shared"), "secret_env": "ACME_SECRET"},
        }
    import_customers(shop.run, customers)
    code, _, _ = shop.notify()
    assert code == 0
    bodies = [json.loads(r.get_data())["data"] for r in shop.receiver.got["/hooks/shared"]]
    assert sorted(b["customer"]["id"] for b in bodies) == ["acme", "globex"]
    for b in bodies:
        other = "Globex" if b["customer"]["id"] == "acme" else "Acme"
        assert other not in b["markdown"] and other not in b["html"]
    ids = [r.headers["webhook-id"] for r in shop.receiver.got["/hooks/shared"]]
    assert len(set(ids)) == 2
    assert sorted(m["Subject"] for m in shop.inbox.received) == [
        "Shopfront: what changed for Acme GmbH",
        "Shopfront: what changed for Globex Inc.",
    ]


@SQLITE_ONLY
def test_renamed_ids_and_removed_contacts_get_nothing_meant_for_others(
    shop: Shop, tmp_path: Path
) -> None:
    shop.run.ok("notes", "render", str(shop.deploy), "--out", str(tmp_path / "out"))
    customers = contacts(shop.receiver)
    customers[0]["id"] = "acme-gmbh"  # renamed in the CRM
    del customers[1]["contacts"]["webhook"]  # globex removed its webhook
    import_customers(shop.run, customers)
    code, report, _ = shop.notify("--channel", "webhook")
    assert code == 0
    assert states(report) == {("acme-gmbh", "webhook"): "sent"}
    (hook,) = shop.receiver.got["/hooks/acme"]
    assert json.loads(hook.get_data())["data"]["customer"]["id"] == "acme-gmbh"
    assert "/hooks/globex" not in shop.receiver.got


def test_a_changed_notice_goes_again_only_with_resend(shop: Shop, tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    shop.run.ok("notes", "render", str(shop.deploy), "--out", out)
    code, _, _ = shop.notify("--channel", "webhook", "--customer", "globex")
    assert code == 0
    search = next(
        c["sha"]
        for c in shop.run.json("impact", str(shop.deploy))["changes"]
        if "search" in c["components"]
    )
    shop.run.ok("notes", "edit", search[:10], "--text", "Search results appear twice as fast.")
    shop.run.ok("notes", "render", str(shop.deploy), "--out", out)
    code, report, _ = shop.notify("--channel", "webhook", "--customer", "globex")
    assert code == 0 and states(report) == {("globex", "webhook"): "skipped"}
    assert "--resend sends it" in report["deliveries"][0]["reason"]
    code, report, _ = shop.notify("--channel", "webhook", "--customer", "globex", "--resend")
    assert code == 0 and report["deliveries"][0]["notice_version"] == 2
    first, second = shop.receiver.got["/hooks/globex"]
    assert first.headers["webhook-id"] != second.headers["webhook-id"]
    assert "twice as fast" in json.loads(second.get_data())["data"]["markdown"]


@SQLITE_ONLY
def test_the_first_deploy_on_an_environment_is_a_baseline(shop: Shop) -> None:
    first = min(d["id"] for d in shop.run.json("deploy", "list")["deployments"])
    result = shop.run("notify", str(first), "--allow-insecure-localhost")
    assert result.exit_code == 0 and "a baseline, nothing sent" in result.output
    assert shop.receiver.got == {}
    result = shop.run("notify", str(first), "--notify-first", "--allow-insecure-localhost")
    assert result.exit_code == 0 and "sent" in result.output
    assert "/hooks/acme" in shop.receiver.got


@SQLITE_ONLY
def test_plain_http_needs_the_localhost_switch(shop: Shop) -> None:
    result = shop.run("notify", str(shop.deploy), "--channel", "webhook", "--json")
    assert result.exit_code == 1
    reasons = {d["reason"] for d in json.loads(result.stdout)["deliveries"]}
    assert all("--allow-insecure-localhost" in r for r in reasons)
    assert shop.receiver.got == {}


@SQLITE_ONLY
def test_every_target_unreachable_is_exit_3(shop: Shop) -> None:
    customers = contacts(shop.receiver)
    closed = f"http://127.0.0.1:{free_port()}/hooks"
    for c in customers:
        c["contacts"] = {"webhook": {"url": closed, "secret_env": "ACME_SECRET"}}
    import_customers(shop.run, customers)
    code, report, result = shop.notify()
    assert code == 3, result.output
    assert set(states(report).values()) == {"given_up"}
    assert "every target was unreachable" in result.stderr


def test_two_runs_at_once_send_each_notice_once(shop: Shop) -> None:
    from releasecare.config import load_config
    from releasecare.delivery.outbox import notify
    from releasecare.delivery.plan import NotifyRequest
    from releasecare.store import open_engine

    config = load_config(shop.run.cwd / "releasecare.toml")
    engine = open_engine(shop.run.db_url)
    request = NotifyRequest(shop.deploy, channels=("webhook",), allow_insecure_localhost=True)
    results: list[Any] = []
    runs = [
        threading.Thread(target=lambda: results.append(notify(engine, config, request)))
        for _ in range(2)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    engine.dispose()
    assert len(results) == 2 and all(r.exit_code == 0 for r in results)
    assert len(shop.receiver.got["/hooks/acme"]) == 1
    assert len(shop.receiver.got["/hooks/globex"]) == 1


@SQLITE_ONLY
@pytest.mark.parametrize("point", ["notify:after-plan", "notify:after-send"])
def test_a_run_killed_midway_loses_nothing_and_repeats_carry_the_same_id(
    shop: Shop, point: str
) -> None:
    command = [
        sys.executable,
        "-m",
        "releasecare",
        "--db",
        shop.run.db_url,
        "notify",
        str(shop.deploy),
        "--channel",
        "webhook",
        "--allow-insecure-localhost",
    ]
    killed = subprocess.run(
        command,
        cwd=shop.run.cwd,
        env={**os.environ, KILL_AT_ENV: point},
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -9
    again = subprocess.run(command, cwd=shop.run.cwd, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    for path in ("/hooks/acme", "/hooks/globex"):
        got = shop.receiver.got[path]
        assert len(got) >= 1  # every target has the notice
        assert len({r.headers["webhook-id"] for r in got}) == 1  # any repeat is the same
    if point == "notify:after-plan":
        assert sum(len(v) for v in shop.receiver.got.values()) == 2  # nothing twice
    rows = shop.run.json("deliveries")["deliveries"]
    assert {r["state"] for r in rows} == {"sent"}


def test_an_incident_goes_to_those_it_hurt_and_every_update_goes_again(shop: Shop) -> None:
    opened = shop.run.json(
        "incident", "open", "--env", "production-eu", "--title", "db-7 disk full (internal)",
        "--public-title", "Card payments fail", "--component", "checkout",
        "--started-at", "2026-11-02T11:00:00+00:00",
        "--message", "We are investigating failed card payments at checkout.",
    )  # fmt: skip
    incident = str(opened["id"])

    def notify_incident(*args: str) -> tuple[int, Any]:
        result = shop.run(
            "notify", "--incident", incident, "--allow-insecure-localhost", *args, "--json"
        )
        return result.exit_code, json.loads(result.stdout)

    code, report = notify_incident()
    assert code == 0 and report["incident"] == int(incident)
    # Only Acme uses checkout: Globex hears nothing of it.
    assert states(report) == {
        ("acme", "webhook"): "sent",
        ("acme", "slack"): "sent",
        ("acme", "email"): "sent",
    }
    (hook,) = shop.receiver.got["/hooks/acme"]
    Webhook(ACME_SECRET).verify(hook.get_data(), dict(hook.headers))
    data = json.loads(hook.get_data())
    assert data["type"] == "notice.incident"
    assert data["data"]["notice"] == {"subject": f"incident:{incident}", "version": 1}
    assert "Card payments fail" in data["data"]["markdown"]
    assert "db-7" not in hook.get_data().decode()  # the internal title never goes out
    assert "/hooks/globex" not in shop.receiver.got
    # Nothing new: nothing sent, though the clock moved on.
    code, report = notify_incident()
    assert code == 0 and set(states(report).values()) == {"skipped"}
    assert len(shop.receiver.got["/hooks/acme"]) == 1
    # An update is a new version and goes at once, without --resend.
    shop.run.ok(
        "incident", "update", incident, "--status", "resolved",
        "--message", "Card payments work again.", "--at", "2026-11-02T11:40:00+00:00",
    )  # fmt: skip
    code, report = notify_incident("--channel", "webhook")
    assert code == 0 and report["deliveries"][0]["notice_version"] == 2
    first, second = shop.receiver.got["/hooks/acme"]
    assert first.headers["webhook-id"] != second.headers["webhook-id"]
    assert "Card payments work again." in json.loads(second.get_data())["data"]["markdown"]
    rows = shop.run.json("deliveries", "--customer", "acme")["deliveries"]
    assert sum(1 for r in rows if r["subject"] == f"incident:{incident}") == 4


@SQLITE_ONLY
def test_notify_needs_a_deployment_or_an_incident(shop: Shop) -> None:
    result = shop.run("notify")
    assert result.exit_code == 2 and "give a DEPLOY_ID, --incident ID or --digest" in result.output
    result = shop.run("notify", str(shop.deploy), "--incident", "1")
    assert result.exit_code == 2
    result = shop.run("notify", "--incident", "99")
    assert result.exit_code == 2 and "99" in result.output
