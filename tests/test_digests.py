"""Cadence and digests: a customer on a daily or weekly cadence is told the net
difference since they were last told, in one digest, except for what cannot wait.
Real receivers as in ``test_cli_notify`` (pytest-httpserver checked with
``standardwebhooks``, aiosmtpd); digests on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from standardwebhooks import Webhook

from releasecare.delivery.outbox import notify
from releasecare.delivery.plan import NotifyRequest
from tests.gitfactory import GitRepoFactory
from tests.helpers import Runner
from tests.test_cli_notify import (
    ACME_SECRET,
    GLOBEX_SECRET,
    Inbox,
    Receiver,
    contacts,
    delivering,
    import_customers,
    inbox,
    states,
)

__all__ = ["inbox"]  # the fixture, used by name

V1, V11, V12 = "2026-11-01T10:00:00+00:00", "2026-11-02T10:00:00+00:00", "2026-11-03T10:00:00+00:00"


class Daily:
    """The shop with Acme on a daily cadence (Globex at once) and live receivers."""

    def __init__(self, run: Runner, receiver: Receiver, mail: Inbox) -> None:
        self.run, self.receiver, self.mail = run, receiver, mail

    def notify(self, *args: str) -> tuple[int, dict[str, Any]]:
        result = self.run("notify", *args, "--allow-insecure-localhost", "--json")
        assert result.exit_code in (0, 1, 3), result.output
        return result.exit_code, json.loads(result.stdout)

    def hooks(self, path: str = "/hooks/acme") -> list[dict[str, Any]]:
        got = self.receiver.got.get(path, [])
        for request in got:
            secret = ACME_SECRET if "acme" in path else GLOBEX_SECRET
            Webhook(secret).verify(request.get_data(), dict(request.headers))
        return [json.loads(r.get_data()) for r in got]

    def release(self, tag: str, message: str, path: str, when: str) -> None:
        """A new commit touching ``path``, tagged ``tag`` and scanned."""
        GitRepoFactory(self.run.cwd).commit(message, files={path: f"# {tag}\n"}, when=when)
        GitRepoFactory(self.run.cwd).tag(tag)
        self.run.ok("release", "scan")

    def deliveries(self, *args: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.run.json("deliveries", *args)["deliveries"]
        return rows


@pytest.fixture
def daily(
    project: Runner,
    httpserver: HTTPServer,
    inbox: tuple[Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> Daily:
    receiver = delivering(project, httpserver, inbox[1], monkeypatch)
    project.ok("release", "scan")
    customers = contacts(receiver)
    customers[0]["contacts"]["cadence"] = "daily"
    import_customers(project, customers)
    project.deploy("v1.0.0", V1)
    return Daily(project, receiver, inbox[0])


def test_a_daily_customer_waits_for_one_digest_of_what_changed(daily: Daily) -> None:
    d2 = daily.run.deploy("v1.1.0", V11)
    code, report = daily.notify(str(d2))
    assert code == 0
    assert states(report) == {
        ("acme", "webhook"): "waiting",
        ("acme", "slack"): "waiting",
        ("acme", "email"): "waiting",
    }
    assert "daily digest" in report["deliveries"][0]["reason"]
    assert daily.receiver.got == {} and daily.mail.received == []
    assert len(daily.deliveries("--state", "waiting")) == 3
    d3 = daily.run.deploy("v1.2.0", V12)
    code, report = daily.notify(str(d3))  # search: Globex, told at once
    assert code == 0 and states(report) == {
        ("globex", "webhook"): "sent",
        ("globex", "email"): "sent",
    }

    code, report = daily.notify("--digest")
    assert code == 0
    assert states(report) == {
        ("acme", "webhook"): "sent",
        ("acme", "slack"): "sent",
        ("acme", "email"): "sent",
    }
    (hook,) = daily.hooks()
    assert hook["type"] == "notice.digest"
    data = hook["data"]
    assert data["covers"] == {"production-eu": {"from": 1, "to": d3}}
    assert "You can now download invoices as PDF." in data["markdown"]
    assert "Globex" not in json.dumps(hook)  # never another customer's news
    assert "search" not in data["markdown"].lower()  # what Acme does not use
    (mail,) = [m for m in daily.mail.received if m["To"] == "it@acme.example"]
    assert mail["Subject"] == "Shopfront: your daily summary for Acme GmbH"
    assert mail.get_body(("plain",)) is not None
    assert "PDF" in mail.get_body(("plain",)).get_content()
    assert daily.deliveries("--state", "waiting") == []
    assert len(daily.deliveries("--state", "digested")) == 3

    # Nothing new, and not due again before a day has passed: nothing is sent.
    result = daily.run("notify", "--digest", "--allow-insecure-localhost")
    assert result.exit_code == 0 and "no digest to send" in result.output
    code, report = daily.notify(str(d2))
    assert code == 0 and set(states(report).values()) == {"skipped"}
    assert len(daily.hooks()) == 1 and len(daily.mail.received) == 2  # Globex's, Acme's


def test_a_change_added_and_rolled_back_before_the_digest_is_never_mentioned(
    daily: Daily,
) -> None:
    d2 = daily.run.deploy("v1.1.0", V11)
    daily.notify(str(d2))
    d3 = daily.run.deploy("v1.0.0", V12)  # back: takes away what Acme never heard of
    code, report = daily.notify(str(d3))
    assert code == 0 and set(states(report).values()) == {"waiting"}
    code, report = daily.notify("--digest")
    assert code == 0
    assert [d["state"] for d in report["deliveries"]] == ["skipped"]
    assert "nothing left to tell" in report["deliveries"][0]["reason"]
    assert daily.receiver.got == {} and daily.mail.received == []
    assert daily.deliveries("--state", "waiting") == []


def test_a_rollback_taking_away_what_they_were_told_of_goes_at_once(daily: Daily) -> None:
    d2 = daily.run.deploy("v1.1.0", V11)
    daily.notify(str(d2))
    daily.notify("--digest")
    d3 = daily.run.deploy("v1.0.0", V12)
    code, report = daily.notify(str(d3), "--channel", "webhook")
    assert code == 0 and states(report) == {("acme", "webhook"): "sent"}
    _, rollback = daily.hooks()
    assert rollback["type"] == "notice.deployment"
    assert "No longer available" in rollback["data"]["markdown"]
    # Told of it: the next digest has nothing to add.
    result = daily.run("notify", "--digest", "--allow-insecure-localhost")
    assert "no digest to send" in result.output


def test_action_needed_while_news_waits_sends_the_whole_digest_at_once(daily: Daily) -> None:
    daily.release(
        "v1.3.0",
        "feat(checkout)!: card payments need 3-D Secure\n\n"
        "Customer-Note: Card payments now need 3-D Secure; turn it on in your settings.",
        "services/checkout/secure.py",
        "2026-11-02T12:00:00+00:00",
    )
    d2 = daily.run.deploy("v1.1.0", V11)
    daily.notify(str(d2))
    d3 = daily.run.deploy("v1.3.0", V12)
    code, report = daily.notify(str(d3), "--channel", "webhook")
    assert code == 0 and states(report)[("acme", "webhook")] == "sent"
    (hook,) = daily.hooks()
    assert hook["type"] == "notice.digest"  # one message with everything, in order
    text = hook["data"]["markdown"]
    assert "3-D Secure" in text and "PDF" in text and "Action needed" in text
    assert daily.deliveries("--state", "waiting") == []
    code, report = daily.notify(str(d2))
    assert code == 0 and "waiting" not in set(states(report).values())
    # The digest went by webhook only; the next digest run sends that same digest by
    # Slack and e-mail, though no new one is due: nothing told is lost.
    code, report = daily.notify("--digest")
    assert code == 0
    assert states(report) == {
        ("acme", "webhook"): "skipped",  # already sent
        ("acme", "slack"): "sent",
        ("acme", "email"): "sent",
    }
    (mail,) = [m for m in daily.mail.received if m["To"] == "it@acme.example"]
    assert "3-D Secure" in mail.get_body(("plain",)).get_content()
    code, report = daily.notify("--digest")
    assert code == 0 and report["deliveries"] == []


def test_incidents_go_at_once_to_a_customer_on_a_digest(daily: Daily) -> None:
    daily.run.deploy("v1.1.0", V11)
    opened = daily.run.json(
        "incident", "open", "--env", "production-eu", "--title", "payments down",
        "--component", "checkout", "--started-at", "2026-11-02T11:00:00+00:00",
        "--message", "We are investigating failed card payments.",
    )  # fmt: skip
    code, report = daily.notify("--incident", str(opened["id"]), "--channel", "webhook")
    assert code == 0 and states(report) == {("acme", "webhook"): "sent"}
    assert daily.hooks()[0]["type"] == "notice.incident"


def test_a_weekly_digest_is_not_sent_twice_in_a_week(daily: Daily, tmp_path: Any) -> None:
    customers = contacts(daily.receiver)
    customers[0]["contacts"]["cadence"] = "weekly"
    import_customers(daily.run, customers)
    d2 = daily.run.deploy("v1.1.0", V11)
    daily.notify(str(d2))
    daily.notify("--digest", "--channel", "webhook")
    d3 = daily.run.deploy("v1.2.0", V12, "--status", "failed")
    daily.notify(str(d3))
    daily.release(
        "v1.4.0",
        "fix(invoices): totals round correctly\n\nCustomer-Note: Invoice totals round correctly.",
        "services/invoices/total.py",
        "2026-11-03T12:00:00+00:00",
    )
    d4 = daily.run.deploy("v1.4.0", "2026-11-04T10:00:00+00:00")
    daily.notify(str(d4), "--channel", "webhook")
    code, report = daily.notify("--digest", "--channel", "webhook")
    assert code == 0 and states(report) == {("acme", "webhook"): "waiting"}
    assert "weekly digest, next due at" in report["deliveries"][0]["reason"]
    assert len(daily.hooks()) == 1


def test_a_cadence_the_registry_does_not_know_is_refused(daily: Daily) -> None:
    customers = contacts(daily.receiver)
    customers[0]["contacts"]["cadence"] = "hourly"
    path = daily.run.cwd.parent / "bad.json"
    path.write_text(json.dumps(customers), encoding="utf-8")
    result = daily.run("customers", "import", str(path))
    assert result.exit_code == 2
    assert "contacts.cadence" in result.output and "immediate, daily, weekly" in result.output


def test_a_digest_dry_run_sends_and_settles_nothing(daily: Daily) -> None:
    d2 = daily.run.deploy("v1.1.0", V11)
    daily.notify(str(d2))
    code, report = daily.notify("--digest", "--dry-run")
    assert code == 0 and set(states(report).values()) == {"would_send"}
    assert daily.receiver.got == {} and len(daily.deliveries("--state", "waiting")) == 3
    code, report = daily.notify("--digest")
    assert code == 0 and set(states(report).values()) == {"sent"}


def test_notify_core_function_reports_digests(daily: Daily) -> None:
    from releasecare.config import load_config
    from releasecare.store import open_engine

    d2 = daily.run.deploy("v1.1.0", V11)
    daily.notify(str(d2))
    engine = open_engine(daily.run.db_url)
    config = load_config(daily.run.cwd / "releasecare.toml")
    result = notify(
        engine,
        config,
        NotifyRequest(digest=True, channels=("webhook",), allow_insecure_localhost=True),
    )
    engine.dispose()
    assert result.what == "digests" and result.exit_code == 0
    assert [(t.customer_id, t.state) for t in result.told] == [("acme", "sent")]


def _a_day_passes(run: Runner) -> None:
    """Move every digest a day into the past: what the clock does between two days'
    scheduled `notify --digest` runs."""
    from sqlalchemy import create_engine, text

    engine = create_engine(run.db_url)
    with engine.begin() as connection:
        rows = connection.execute(
            text("SELECT id, created_at FROM notice_versions WHERE subject = 'digest'")
        ).all()
        for row_id, created in rows:
            moment = created if not isinstance(created, str) else datetime.fromisoformat(created)
            connection.execute(
                text("UPDATE notice_versions SET created_at = :at WHERE id = :id"),
                {"at": moment - timedelta(days=1), "id": row_id},
            )
    engine.dispose()


def test_a_week_of_deploys_makes_seven_daily_digests_and_one_weekly(daily: Daily) -> None:
    customers = contacts(daily.receiver)
    customers[0]["contacts"]["cadence"] = "daily"
    customers[1]["contacts"]["cadence"] = "weekly"
    import_customers(daily.run, customers)
    git = GitRepoFactory(daily.run.cwd)
    daily.run.deploy("v1.2.0", "2026-11-08T08:00:00+00:00")  # both on what they know
    for day in range(1, 8):
        for area in ("checkout", "search"):
            git.commit(
                f"feat({area}): day {day} brings {area} option {day}\n\n"
                f"Customer-Note: You can now pick {area} option {day}.",
                files={f"services/{area}/day{day}.py": f"d = {day}\n"},
                when=f"2026-11-{8 + day:02d}T07:00:00+00:00",
            )
        git.tag(f"v2.{day}.0")
    daily.run.ok("release", "scan")
    for day in range(1, 8):
        deployed = daily.run.deploy(f"v2.{day}.0", f"2026-11-{8 + day:02d}T09:00:00+00:00")
        code, report = daily.notify(str(deployed), "--channel", "webhook")
        assert code == 0 and set(states(report).values()) == {"waiting"}
        code, report = daily.notify("--digest", "--channel", "webhook")
        assert code == 0
        sent = {c for (c, _), s in states(report).items() if s == "sent"}
        assert sent == ({"acme", "globex"} if day == 1 else {"acme"}), (day, report)
        _a_day_passes(daily.run)
    acme = daily.hooks("/hooks/acme")
    assert len(acme) == 7
    for day, hook in enumerate(acme, start=1):  # each day's digest: that day's news only
        text = hook["data"]["markdown"]
        assert f"checkout option {day}." in text
        assert all(f"option {other}." not in text for other in range(1, 8) if other != day)
        assert "search" not in text
    (first,) = daily.hooks("/hooks/globex")
    assert "search option 1." in first["data"]["markdown"]
    # The eighth day: a week since Globex's first digest; one digest with six days.
    code, report = daily.notify("--digest", "--channel", "webhook")
    assert code == 0 and states(report) == {("globex", "webhook"): "sent"}
    first, week = daily.hooks("/hooks/globex")
    text = week["data"]["markdown"]
    assert all(f"search option {day}." in text for day in range(2, 8))
    assert "search option 1." not in text and "checkout" not in text.lower()
    assert (
        week["data"]["covers"]["production-eu"]["from"]
        == first["data"]["covers"]["production-eu"]["to"]
    )


def test_moved_to_immediate_the_news_that_waited_comes_in_one_summary(daily: Daily) -> None:
    d2 = daily.run.deploy("v1.1.0", V11)
    daily.notify(str(d2), "--channel", "webhook")  # Acme is on a daily cadence: waits
    customers = contacts(daily.receiver)  # now Acme wants everything at once
    import_customers(daily.run, customers)
    daily.release(
        "v1.3.0",
        "feat(checkout): gift cards\n\nCustomer-Note: You can now pay with gift cards.",
        "services/checkout/gift.py",
        "2026-11-02T12:00:00+00:00",
    )
    d3 = daily.run.deploy("v1.3.0", V12)
    code, report = daily.notify(str(d3), "--channel", "webhook")
    assert code == 0 and states(report)[("acme", "webhook")] == "sent"
    (hook,) = daily.hooks()
    assert hook["type"] == "notice.digest"  # what waited and what is new, once
    text = hook["data"]["markdown"]
    assert "PDF" in text and "gift cards" in text
    assert text.startswith("# Your summary of Shopfront for Acme GmbH")
    assert daily.deliveries("--state", "waiting") == []
    daily.release(
        "v1.4.0",
        "fix(checkout): receipts show the tax\n\nCustomer-Note: Receipts show the tax again.",
        "services/checkout/tax.py",
        "2026-11-03T12:00:00+00:00",
    )
    d4 = daily.run.deploy("v1.4.0", "2026-11-04T10:00:00+00:00")
    code, report = daily.notify(str(d4), "--channel", "webhook")
    assert code == 0 and states(report)[("acme", "webhook")] == "sent"
    assert daily.hooks()[-1]["type"] == "notice.deployment"  # at once again, as asked
