"""What one attempt to hand a notice to a channel came to, in the outbox's words."""

from __future__ import annotations

from dataclasses import dataclass

# sent: the receiver took it. retry: a temporary failure (a 4xx reply, 429, 5xx, a
# connection that failed): try again later. failed: permanent (a 4xx other than 408
# and 429, SMTP 5xx, a refused certificate): do not try again until something changes.
# unknown: it may have arrived (a timeout after the request was sent); a channel
# whose receivers drop repeats may send again, Slack cannot.
STATES = ("sent", "retry", "failed", "unknown")


@dataclass(frozen=True)
class Outcome:
    state: str
    reason: str
    code: int | None = None  # the HTTP status or the SMTP reply code
    retry_after: float | None = None  # seconds, when the receiver said

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown outcome {self.state!r}")
