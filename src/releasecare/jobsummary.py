"""The Markdown job summary of ``after-deploy`` and ``before-deploy`` (GitHub Actions).

What a release manager looks at first comes first: the deploy and its range, the
warnings, who is affected through which component, the notices; the list of
changes (the longest part) comes last, so a summary cut at GitHub's limit keeps
what matters. Every piece of text from outside (commit subjects, customer names,
versions, paths) is escaped into inert Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from releasecare.ci import CIRun
from releasecare.config import Config
from releasecare.domain import Deployment, Impact
from releasecare.mdescape import md_escape
from releasecare.render import RenderedNotice, published_url
from releasecare.text import plural
from releasecare.voice import Finding

PER_CELL = 20  # customer ids shown in one table cell


def summary_lines(
    config: Config,
    *,
    run: CIRun,
    impact: Impact,
    warnings: Sequence[Finding],
    deployment: Deployment | None = None,
    written: Sequence[RenderedNotice] = (),
    out_dir: Path | None = None,
) -> list[str]:
    """The summary as Markdown lines (``ci.append_summary`` cuts it to size)."""
    envs = config.environments
    where = envs[impact.environment].name if impact.environment in envs else impact.environment
    place = md_escape(f"{where} ({impact.environment})" if where != impact.environment else where)
    version = md_escape(impact.version)
    lines = [
        f"## releasecare: {version} on {place}"
        if deployment
        else f"## releasecare: deploying {version} to {place} (preview)",
        "",
    ]
    before = md_escape(impact.previous_version or "(nothing known)")
    if impact.previous_assumed:
        before += f" (assumed: the first deploy recorded on {md_escape(impact.environment)})"
    head = f"{before} → {version}"
    if deployment is not None:
        head = f"Deployment #{deployment.id} ({md_escape(deployment.status)}): {head}"
    if run.run_id:
        run_text = f"run {md_escape(run.run_id)}"
        if run.attempt and run.attempt != "1":
            run_text += f", attempt {md_escape(run.attempt)}"
        head += f" · {run_text}"
    lines.append(head + ("  **ROLLBACK**" if impact.rollback else ""))
    lines.append("")
    if impact.changed_nothing:
        lines.append("It never reached customers: nothing changed for them, no notices written.")
    else:
        lines.append(
            f"**{len(impact.added)} added, {len(impact.removed)} removed** · "
            f"{plural(len(impact.customers), 'customer')} affected"
        )
    lines.append("")
    if warnings:
        lines += [f"### Warnings ({len(warnings)})", ""]
        for w in warnings:
            text = f"{w.message}: {w.text}" if w.text else w.message
            location = f"{md_escape(w.location)}: " if w.location else ""
            tip = f" _({md_escape(w.suggestion)})_" if w.suggestion else ""
            lines.append(f"- **{md_escape(w.rule)}**: {location}{md_escape(text)}{tip}")
        lines.append("")
    if impact.components and not impact.changed_nothing:
        lines += [
            "### Affected customers per component",
            "",
            "| Component | Changes | Customers |",
            "| --- | ---: | --- |",
        ]
        for key in impact.components:
            name = config.components[key].name if key in config.components else key
            count = sum(1 for c in impact.changes if key in c.components)
            users = [ci.customer.id for ci in impact.customers if key in ci.components]
            shown = ", ".join(md_escape(u) for u in users[:PER_CELL]) or "none"
            if len(users) > PER_CELL:
                shown += f" and {len(users) - PER_CELL} more"
            lines.append(f"| {md_escape(name)} | {count} | {shown} |")
        lines.append("")
    if written:
        lines += _notices(config, written, out_dir)
    if impact.changes and not impact.changed_nothing:
        lines += ["### Changes", ""]
        for change in impact.changes:
            parts = ", ".join(
                md_escape(config.components[k].name if k in config.components else k)
                for k in change.components
            )
            facing = "" if change.sha in impact.facing else " (internal)"
            lines.append(
                f"- {impact.direction(change)} `{change.sha[:10]}` {md_escape(change.summary)}"
                f" · {parts or 'no component'}{facing}"
            )
        lines.append("")
    return lines


def _notices(config: Config, written: Sequence[RenderedNotice], out_dir: Path | None) -> list[str]:
    """One line per customer: their notice in each format, linked when published."""
    lines = [f"### Notices ({plural(len({n.customer_id for n in written}), 'customer')})", ""]
    per_customer: dict[str, list[RenderedNotice]] = {}
    for notice in written:
        per_customer.setdefault(notice.customer_id, []).append(notice)
    for customer_id, notices in per_customer.items():
        files = []
        for notice in notices:
            relative = notice.path
            if out_dir is not None and notice.path.is_relative_to(out_dir):
                relative = notice.path.relative_to(out_dir)
            url = published_url(config.product_url, relative.parent)
            if url:
                files.append(f"[{notice.format}]({url}{quote(relative.name)})")
            else:
                files.append(f"{notice.format}: {md_escape(notice.path.as_posix())}")
        lines.append(f"- {md_escape(customer_id)}: " + " · ".join(files))
    lines.append("")
    return lines
