"""The reliability report as the templates read it: plain, pre-sorted, pre-worded data
(``report.txt.j2``, ``report.md.j2``, ``report.html.j2``), and its HTML charts.

Every figure is worded here once, for all three formats: "too little data" with its
n instead of a number on fewer than ``MIN_SAMPLE`` observations. Text from others
(customer names, incident titles, versions) is made inert here; the HTML template
escapes it, the Markdown one through its ``md`` filter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from releasecare.charts import bar_chart, column_chart
from releasecare.outdir import OutputFolder
from releasecare.report import MIN_SAMPLE, Failure, Keys, ReliabilityReport, Spread
from releasecare.report_customers import CustomerRow
from releasecare.text import duration_text, inert, plural
from releasecare.times import UnknownZone, zone

REPORT_FORMATS = ("txt", "md", "html")
# Customers listed in the text formats (the JSON document has every one).
LISTED = 25
CHARTED = 10
# Failed deploys listed per environment or component: the most recent (JSON: all).
FAILURES_LISTED = 10
REASON_WORDS = {"failed": "failed", "rolled_back": "rolled back", "incident": "incident"}


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def local_text(moment: datetime, timezone: str) -> str:
    """``moment`` in the customer's time zone (UTC when theirs is unknown)."""
    try:
        where = zone(timezone)
    except UnknownZone:
        where = zone("UTC")
    return moment.astimezone(where).strftime("%Y-%m-%d %H:%M %Z")


def too_little(n: int, what: str) -> str:
    return f"too little data ({plural(n, what)}; {MIN_SAMPLE} needed)"


def spread_text(spread: Spread, what: str) -> str:
    if spread.median is None or spread.p90 is None:
        return too_little(spread.n, what)
    return (
        f"median {duration_text(spread.median)}, 90th percentile {duration_text(spread.p90)} "
        f"({plural(spread.n, what)})"
    )


def _per(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def failure_line(failure: Failure) -> dict[str, str]:
    deployment = failure.deployment
    reasons = []
    for reason in failure.reasons:
        word = REASON_WORDS[reason]
        if reason == "rolled_back" and failure.rolled_back_by is not None:
            word += f" by deployment #{failure.rolled_back_by}"
        if reason == "incident":
            word = ", ".join(f"incident #{i}" for i in failure.incidents)
        reasons.append(word)
    seconds = failure.recovery_seconds
    recovery = (
        f"recovered in {duration_text(seconds)} ({failure.recovered_by})"
        if seconds is not None
        else "not recovered yet"
    )
    return {
        "deployment": f"#{deployment.id} {inert(deployment.version)} on "
        f"{inert(deployment.environment)} at {utc_text(deployment.deployed_at)}",
        "reasons": "; ".join(reasons),
        "recovery": recovery,
    }


def keys_context(keys: Keys) -> dict[str, Any]:
    rate = keys.failure_rate
    failures = len(keys.failures)
    if rate is None:
        failure_rate = too_little(keys.attempts, "deploy")
    else:
        failure_rate = f"{rate:.0%} ({failures} of {plural(keys.attempts, 'deploy')})"
    recovery = spread_text(keys.recovery, "recovered failure")
    if keys.unrecovered:
        recovery += f"; {keys.unrecovered} not recovered yet"
    return {
        "key": keys.key,
        "name": inert(keys.name),
        "frequency": f"{_per(keys.per_day)} per day, {_per(keys.per_week)} per week "
        f"({plural(keys.deploys, 'deploy')} that reached customers)",
        "lead_time": spread_text(keys.lead_time, "change"),
        "failure_rate": failure_rate,
        "recovery": recovery,
        "failures": [failure_line(f) for f in keys.failures[-FAILURES_LISTED:]],
        "earlier_failures": (
            f"and {plural(len(keys.failures) - FAILURES_LISTED, 'earlier failure')} "
            "(the JSON report lists every one)"
            if len(keys.failures) > FAILURES_LISTED
            else ""
        ),
    }


def customer_context(row: CustomerRow) -> dict[str, Any]:
    return {
        "id": inert(row.customer_id),
        "name": inert(row.name),
        "deploys": row.deploys,
        "added": row.added,
        "removed": row.removed,
        "incidents": row.incidents,
        "minutes": row.impact_minutes,
        "impact": duration_text(row.impact_minutes * 60) if row.impact_minutes else "none",
        "notices": row.notices,
    }


def report_context(report: ReliabilityReport, product: str, fmt: str) -> dict[str, Any]:
    """Everything a report template shows, worded; ``charts`` (SVG) for HTML only."""
    period = report.period
    scope = [
        f"environment {inert(report.environment)}" if report.environment else "",
        f"component {inert(report.component)}" if report.component else "",
    ]
    touched = [r for r in report.customers if r.touched]
    context: dict[str, Any] = {
        "product": inert(product),
        "title": f"{inert(product)} reliability report",
        "since": utc_text(period.since),
        "until": utc_text(period.until),
        "days": round(period.days, 1),
        "scope": ", ".join(s for s in scope if s),
        "generated_at": utc_text(report.generated_at),
        "empty": report.empty,
        "empty_sentence": f"Nothing happened in this period: no deploys and no incidents "
        f"between {utc_text(period.since)} and {utc_text(period.until)}.",
        "deploys": report.deploys,
        "incidents": report.incidents,
        "min_sample": MIN_SAMPLE,
        "unknown_changes": (
            f"{plural(report.unknown_changes, 'deploy')} could not be placed in the stored "
            "history (run `releasecare release scan`); their changes are not counted."
            if report.unknown_changes
            else ""
        ),
        "environments": [keys_context(k) for k in report.environments],
        "components": [keys_context(k) for k in report.components],
        "customers": [customer_context(r) for r in touched[:LISTED]],
        "more_customers": max(len(touched) - LISTED, 0),
        "quiet_customers": len(report.customers) - len(touched),
        "quiet_sentence": (
            f"{plural(len(report.customers) - len(touched), 'customer')}: "
            "nothing touched them in this period"
        ),
        "customer": None,
        "timeline": [],
        "charts": {},
    }
    if report.customer is not None:
        row = report.customer
        context["customer"] = customer_context(row) | {
            "timezone": inert(row.timezone),
            "summary": f"{plural(row.deploys, 'deploy')} received, "
            f"{plural(row.added, 'customer-facing change')} added and {row.removed} removed, "
            f"{plural(row.incidents, 'incident')} ({customer_context(row)['impact']}), "
            f"{plural(row.notices, 'notice')} sent",
        }
        context["timeline"] = [
            {
                "at": local_text(event.at, row.timezone),
                "kind": event.kind,
                "title": inert(event.title),
                "detail": inert(event.detail),
            }
            for event in report.timeline
        ]
    if fmt == "html" and not report.empty:
        context["charts"] = charts(report)
    return context


def charts(report: ReliabilityReport) -> dict[str, str]:
    """The three charts as SVG text (every text in them escaped)."""
    labels = [week.start.strftime("%b %d") for week in report.weeks]
    worst = [r for r in report.customers if r.impact_minutes][:CHARTED]
    found = {
        "deploys": column_chart(
            "chart-deploys",
            "Deploys per week",
            labels,
            [w.deploys for w in report.weeks],
            x_label="Week starting (UTC)",
            y_label="Deploys",
        ),
        "failures": column_chart(
            "chart-failures",
            "Failed deploys per week",
            labels,
            [w.failures for w in report.weeks],
            x_label="Week starting (UTC)",
            y_label="Failed deploys",
            css="bar-fail",
        ),
    }
    if report.customer is None:
        found["impact"] = bar_chart(
            "chart-impact",
            "Impact minutes per customer (worst first)",
            [inert(r.name) for r in worst],
            [r.impact_minutes for r in worst],
            x_label="Impact minutes",
            y_label="Customer",
        )
    return found


def write_report(out: str, text: str) -> Path:
    """Write the report to the file ``out`` (``--out``), atomically, never through a link."""
    path = Path(out)
    return OutputFolder(path.absolute().parent, option="--out").write(path.name, text)
