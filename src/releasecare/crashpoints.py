"""Named points where a test makes releasecare die as ``kill -9`` would.

``RELEASECARE_TEST_KILL_AT=scan:after-changes`` makes the process SIGKILL itself
when it reaches that point (nothing is flushed, no handler runs), so a test can
prove that a crash there leaves the database consistent and no half-written file.
Unset, a point costs one dictionary look-up. The points: ``scan:after-changes``,
``scan:after-graph``, ``ingest:after-rows``, ``customers:after-upsert``,
``render:after-temporary-files``, ``render:after-first-rename``, ``notify:after-plan``
(outbox rows added, nothing sent), ``notify:after-send`` (sent, not yet recorded).
"""

from __future__ import annotations

import os
import signal

KILL_AT_ENV = "RELEASECARE_TEST_KILL_AT"


def crash_point(name: str) -> None:
    """Die here, at once, when the environment names this point."""
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
