"""Standard Webhooks signatures: ours verify with the reference library and back."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from releasecare.delivery.webhook import TOLERANCE, secrets_from_env, sign, verify

OLD = "whsec_" + base64.b64encode(b"the old secret, 32 bytes long!!!").decode()
NEW = "whsec_" + base64.b64encode(b"a new secret after the rotation.").decode()
BODY = json.dumps({"customer": "acme", "notice": "Faster checkout."}).encode()


def now() -> int:
    return int(datetime.now(UTC).timestamp())


def keys(*secrets: str) -> list[bytes]:
    os.environ["RC_TEST_SECRET"] = " ".join(secrets)
    try:
        return secrets_from_env("RC_TEST_SECRET")
    finally:
        del os.environ["RC_TEST_SECRET"]


def test_what_we_sign_verifies_with_the_reference_library() -> None:
    headers = sign(keys(OLD), "msg_d22-acme-v1", now(), BODY)
    assert Webhook(OLD).verify(BODY, headers) == json.loads(BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(NEW).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(OLD).verify(BODY.replace(b"Faster", b"Slower"), headers)


def test_during_a_rotation_both_secrets_verify() -> None:
    headers = sign(keys(OLD, NEW), "msg_1", now(), BODY)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (OLD, NEW):
        Webhook(secret).verify(BODY, headers)
        assert verify(keys(secret), headers, BODY).verified


def test_what_the_reference_library_signs_verifies_with_ours() -> None:
    stamp = datetime.now(UTC).replace(microsecond=0)
    headers = {
        "Webhook-Id": "msg_2",
        "Webhook-Timestamp": str(int(stamp.timestamp())),
        "Webhook-Signature": Webhook(NEW).sign("msg_2", stamp, BODY.decode()),
    }
    verdict = verify(keys(NEW), headers, BODY)
    assert (verdict.verified, verdict.message_id, verdict.signed_at) == (True, "msg_2", stamp)
    assert not verify(keys(OLD), headers, BODY).verified
    assert not verify(keys(NEW), headers, BODY + b" ").verified


def test_an_old_request_is_refused_unless_its_age_is_not_checked() -> None:
    headers = sign(keys(OLD), "msg_3", now() - 3600, BODY)
    verdict = verify(keys(OLD), headers, BODY)
    assert not verdict.verified and "too old" in verdict.reason
    assert verify(keys(OLD), headers, BODY, tolerance=None).verified
    moment = datetime.now(UTC) - timedelta(hours=1)
    assert verify(keys(OLD), headers, BODY, now=moment, tolerance=TOLERANCE).verified


def run_verify(
    *args: str, secret: str | None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "HOOK_SECRET"}
    if secret is not None:
        env["HOOK_SECRET"] = secret
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "releasecare",
            "webhook",
            "verify",
            "--secret-env",
            "HOOK_SECRET",
            *args,
        ],
        input=stdin,
        capture_output=True,
        env=env,
    )


def request_file(path: Path, headers: dict[str, str], body: bytes) -> Path:
    head = "POST /hooks/releasecare HTTP/1.1\r\nHost: hooks.example.com\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    path.write_bytes(head.encode() + b"Content-Type: application/json\r\n\r\n" + body)
    return path


def test_the_cli_says_whether_a_saved_request_verifies(tmp_path: Path) -> None:
    headers = sign(keys(NEW), "msg_4", now(), BODY)
    saved = request_file(tmp_path / "request.http", headers, BODY)
    good = run_verify(str(saved), secret=f"{OLD} {NEW}")
    assert good.returncode == 0, good.stderr
    assert good.stdout.decode().startswith("verified: webhook-id msg_4, signed at ")
    wrong = run_verify(str(saved), "--json", secret=OLD)
    assert wrong.returncode == 1
    assert json.loads(wrong.stdout)["verified"] is False
    assert b"does not verify: no signature matches the secret" in wrong.stderr
    (tmp_path / "h.txt").write_text("".join(f"{k}: {v}\n" for k, v in headers.items()))
    (tmp_path / "b.json").write_bytes(BODY)
    split = run_verify(
        "--headers-file",
        str(tmp_path / "h.txt"),
        "--body-file",
        str(tmp_path / "b.json"),
        secret=NEW,
    )
    assert split.returncode == 0, split.stderr
    piped = run_verify("-", secret=NEW, stdin=saved.read_bytes())
    assert piped.returncode == 0, piped.stderr


def test_bad_input_is_exit_2_and_never_shows_the_secret(tmp_path: Path) -> None:
    saved = request_file(tmp_path / "r.http", sign(keys(NEW), "m", now(), BODY), BODY)
    unset = run_verify(str(saved), secret=None)
    assert unset.returncode == 2 and b"HOOK_SECRET is not set" in unset.stderr
    garbled = run_verify(str(saved), secret="whsec_not*base64!")
    assert garbled.returncode == 2 and b"secret 1 is not whsec_" in garbled.stderr
    assert b"not*base64" not in garbled.stderr
    (tmp_path / "bad.http").write_bytes(b"webhook-id m\r\n\r\n{}")
    bad = run_verify(str(tmp_path / "bad.http"), secret=NEW)
    assert (
        bad.returncode == 2
        and f"{tmp_path / 'bad.http'}:1: not a header line".encode() in bad.stderr
    )
    missing = run_verify(str(tmp_path / "nope.http"), secret=NEW)
    assert missing.returncode == 2 and b"cannot read" in missing.stderr
    for result in (unset, garbled, bad, missing):
        assert (
            b"Traceback" not in result.stderr and NEW.encode() not in result.stderr + result.stdout
        )
