"""What one attempt to hand a notice to a channel came to, in the outbox's words."""

from __future__ import annotations

from dataclasses import dataclass

from releasecare.errors import NetworkError

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
    # The receiver says the target is gone (Slack's channel_not_found, ...): nothing
    # more goes to it until the customer's contacts for it change.
    disable: bool = False

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown outcome {self.state!r}")


# Answers worth another try: a timeout on the receiver's side, a rate limit, 5xx.
RETRY_STATUSES = frozenset({408, 429})


def http_outcome(error: NetworkError, *, repeats_dropped: bool) -> Outcome:
    """What a failed HTTP delivery came to. No answer: try again, unless the request
    may have arrived and the receiver cannot tell a repeat (``repeats_dropped``
    false: Slack), which is ``unknown``. 408, 429 and 5xx: try again (``Retry-After``
    kept). A redirect is not followed (it could take the notice elsewhere), and any
    other 4xx is permanent."""
    status, reason = error.status, error.message
    if status is None:
        if error.maybe_sent and not repeats_dropped:
            return Outcome("unknown", f"{reason} (it may have arrived: not sent again)")
        return Outcome("retry", reason)
    if status in RETRY_STATUSES or status >= 500:
        return Outcome("retry", _said(reason, error.reply), status, error.retry_after)
    if 300 <= status < 400:
        return Outcome("failed", f"{reason}: a redirect, not followed", status)
    return Outcome("failed", _said(reason, error.reply), status)


def _said(reason: str, reply: str | None) -> str:
    if not reply:
        return reason
    first = " ".join(reply.split())[:200]
    return f"{reason}: {first}"
