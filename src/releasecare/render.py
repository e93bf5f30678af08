"""Render one notice per affected customer: Markdown, HTML, plain text and JSON.

Decisions live here, in Python; templates get plain, pre-sorted data. The work for
a change (its note, its HTML) is done once per change, not once per customer.
Templates run through ``templating`` (the project's folder first, then the packaged
defaults, sandboxed), and untrusted text in Markdown through ``mdescape``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from releasecare.domain import (
    ALL,
    NOTICE_FORMATS,
    Change,
    Component,
    Customer,
    CustomerImpact,
    Impact,
    Incident,
)
from releasecare.errors import InputError
from releasecare.feeds import read_entries, update_feed
from releasecare.mdescape import md_escape
from releasecare.outdir import OutputFolder
from releasecare.slugs import safe_slug
from releasecare.templating import Templates
from releasecare.text import plural
from releasecare.voice import DEPENDENCY_NOTE, VoiceOptions, customer_note, held_back_changes

SECTIONS = (
    ("action", "Action needed"),
    ("new", "New for you"),
    ("improved", "Improved"),
    ("fixed", "Fixed"),
    # What a rollback takes away, or what a version from another branch lacks that the
    # customer had (a hotfix): said plainly, apart from what is new.
    ("removed", "No longer available"),
)


@dataclass(frozen=True)
class RenderOptions:
    product: str
    formats: tuple[str, ...] = ("md",)
    template_dir: Path | None = None
    feed: bool = False
    overview_dir: Path | None = None
    voice: VoiceOptions = field(default_factory=VoiceOptions)
    generated_at: datetime | None = None
    base_url: str | None = None
    environment_names: Mapping[str, str] = field(default_factory=dict)  # key -> name


@dataclass(frozen=True)
class RenderedNotice:
    customer_id: str
    format: str
    path: Path
    sha256: str


def format_time(moment: datetime, timezone: str, locale: str) -> str:
    """``moment`` in the customer's time zone and their locale's way of writing a date
    and time (Babel's CLDR data: "21.11.2026, 00:30 CET", "Nov 20, 2026, 6:30 PM EST");
    an unknown locale writes it as English does."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_date, get_datetime_format
    from babel.dates import format_time as babel_time

    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    try:
        where = Locale.parse(locale, sep="-" if "-" in locale else "_")
    except (ValueError, TypeError, UnknownLocaleError):
        where = Locale("en")
    day = format_date(local, "medium", locale=where)
    hour = babel_time(local, "short", tzinfo=zone, locale=where)
    joined = str(get_datetime_format("medium", locale=where)).replace("{1}", day)
    return f"{joined.replace('{0}', hour)} {local.tzname()}"


# Types by the section they go in; others (perf, ...) are improvements. numpy's
# ENH/BUG and similar spellings count as what they mean.
NEW_TYPES = frozenset({"feat", "feature", "enh", "new", "add"})
FIXED_TYPES = frozenset({"fix", "bug", "bugfix", "hotfix"})
# What a removed item was, said before it under "No longer available".
_REMOVED_PREFIX = {
    "action": "Change no longer included",
    "new": "",
    "improved": "Improvement no longer included",
    "fixed": "Fix no longer included",
}


def section_of(change: Change) -> str:
    if change.breaking:
        return "action"
    if change.type in NEW_TYPES:
        return "new"
    if change.type in FIXED_TYPES:
        return "fixed"
    return "improved"


@dataclass(frozen=True)
class _Item:
    key: str
    section: str
    text: str
    html: str
    md: str
    components: tuple[str, ...]  # keys; each customer sees the names of their own


def _items(
    impact: Impact, components: Mapping[str, Component], voice: VoiceOptions
) -> dict[str, _Item | None]:
    """Per-change work, once: the customer note as text and as safe HTML."""
    from markupsafe import Markup

    items: dict[str, _Item | None] = {}
    for change in impact.changes:
        if change.sha in items:
            continue
        note = customer_note(change, components, voice)
        section = section_of(change)
        dependencies = note == DEPENDENCY_NOTE and not change.customer_note
        if dependencies:
            section = "improved"  # one line for every bump, whatever their types
        if note is not None and section == "action" and not change.customer_note:
            # A breaking change whose note says no action: never invent one.
            note = f"Please read: {note}"
        if note is not None and impact.direction(change) == "removed":
            # "Fix no longer included: ..." so that a removed fix never reads as a bug gone.
            prefix = "" if dependencies else _REMOVED_PREFIX[section]
            note, section = (f"{prefix}: {note}" if prefix else note), "removed"
        items[change.sha] = (
            None
            if note is None
            else _Item(
                key=change.sha,
                section=section,
                text=note,
                html=str(Markup(_markdown().renderInline(note))),
                md=md_escape(note),
                components=change.components,
            )
        )
    return items


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    # Raw HTML off: a note is text from a commit, and must not become markup. Images
    # off too: a notice loads nothing from anywhere (and tracks no one).
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def build_contexts(
    impact: Impact,
    components: Mapping[str, Component],
    options: RenderOptions,
    incidents: Mapping[str, Sequence[Incident]] | None = None,
    held: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """One template context per affected customer. ``held`` are the shas of changes
    held back from notices (:func:`releasecare.voice.held_back_changes`; found here
    when not given)."""
    items = _items(impact, components, options.voice)
    if held is None:
        held = {h.change.sha for h in held_back_changes(impact.added, options.voice)}
    generated = options.generated_at or datetime.now(UTC)
    deployed = impact.deployment.deployed_at if impact.deployment else generated
    return [
        _context(
            impact,
            ci,
            items,
            components,
            options,
            deployed,
            generated,
            (incidents or {}).get(ci.customer.id, ()),
            held,
        )
        for ci in impact.customers
    ]


def _context(
    impact: Impact,
    ci: CustomerImpact,
    items: Mapping[str, _Item | None],
    components: Mapping[str, Component],
    options: RenderOptions,
    deployed: datetime,
    generated: datetime,
    incidents: Sequence[Incident],
    held: Collection[str],
) -> dict[str, Any]:
    customer = ci.customer
    shown = [item for c in ci.changes if (item := items.get(c.sha)) is not None]
    theirs = set(ci.components)

    def names(keys: Iterable[str]) -> list[str]:
        """The customer's names for ``keys``, in the order of those names."""
        return sorted((components[k].name if k in components else k for k in keys), key=str.lower)

    sections = []
    for key, title in SECTIONS:
        # The same note from several commits is one item; each item is labelled with
        # the customer's own components only.
        labels: dict[str, tuple[_Item, set[str]]] = {}  # text -> (first item, their keys)
        for item in shown:
            if item.section == key:
                labels.setdefault(item.text, (item, set()))[1].update(theirs & set(item.components))
        if labels:
            entries = [
                {"text": i.text, "html": i.html, "md": i.md, "components": names(sorted(keys))}
                for i, keys in labels.values()
            ]
            sections.append({"key": key, "title": title, "items": entries})
    # Changes not listed: to the customer's own parts (internal or held back), and
    # to parts they do not use; each counted in a sentence of its own.
    # Only what this update brings is counted: what it takes away is listed, or is
    # not the customer's to hear of.
    # Held back: changes that may matter to them but have no presentable note (the
    # release manager is told which at render time); said apart from the smaller ones.
    listed = {item.key for item in shown}
    theirs_unlisted = [
        c for c in impact.added if c.sha not in listed and theirs.intersection(c.components)
    ]
    undescribed = sum(1 for c in theirs_unlisted if c.sha in held)
    unlisted = len(theirs_unlisted) - undescribed
    elsewhere = sum(
        1 for c in impact.added if c.sha not in listed and not theirs.intersection(c.components)
    )
    gone = sum(
        1 for c in impact.removed if c.sha not in listed and theirs.intersection(c.components)
    )

    def when(moment: datetime) -> str:
        return format_time(moment, customer.timezone, customer.locale)

    # Named only for a customer on more than one environment, who would otherwise
    # get two notices that look the same.
    label = (
        options.environment_names.get(impact.environment, impact.environment)
        if customer.environments == (ALL,) or len(customer.environments) > 1
        else None
    )

    return {
        "product": options.product,
        "customer": customer_context(customer),
        "lang": "en",
        "title": f"{options.product}: what changed for {customer.name}",
        "version": impact.version,
        "previous_version": impact.previous_version,
        "rollback": impact.rollback,
        "environment": impact.environment,
        "environment_label": label,
        "environment_name": options.environment_names.get(impact.environment, impact.environment),
        "deployed_at": when(deployed),
        "deployed_at_iso": deployed.astimezone(UTC).isoformat(),
        "components": names(ci.components),
        "sections": sections,
        "incidents": [
            {
                # The title is internal: customers read the public one, or what was hit.
                "title": inc.public_title
                or f"A problem with {', '.join(names(inc.components)) or options.product}",
                "status": inc.status,
                "started_at": when(inc.started_at),
                "resolved_at": when(inc.resolved_at) if inc.resolved_at else None,
                "updates": [{"at": when(u.at), "message": u.message} for u in inc.updates],
            }
            for inc in incidents
        ],
        "headline": headline(
            options.product, impact.version, label, impact.rollback, when(deployed)
        ),
        "rollback_text": (
            f"{options.product} is back on version {impact.version}: what is listed under "
            f"\u201cNo longer available\u201d is no longer there for you."
            if impact.rollback
            else None
        ),
        "unlisted_text": unlisted_sentence(
            unlisted, names(sorted(theirs)), options.product, undescribed
        ),
        "elsewhere_text": " ".join(
            t for t in (elsewhere_sentence(elsewhere, options.product), gone_sentence(gone)) if t
        )
        or None,
        "other_count": unlisted + undescribed + elsewhere,
        "generated_at": when(generated),
    }


def customer_context(customer: Customer) -> dict[str, str]:
    """Who a notice is for, as every notice's template and JSON name them."""
    return {
        "id": customer.id,
        "name": customer.name,
        "locale": customer.locale,
        "timezone": customer.timezone,
    }


def headline(product: str, version: str, where: str | None, rollback: bool, when: str) -> str:
    """The notice's first line: product, version, where (when it matters), when."""
    place = f" in {where}" if where else ""
    verb = "back to an earlier version" if rollback else "updated"
    return f"{product} {version}{place}, {verb} on {when}"


def unlisted_sentence(
    count: int, parts: Sequence[str], product: str, undescribed: int = 0
) -> str | None:
    """ "1 smaller change to Invoices is not listed here."; changes held back for want
    of a note are not called smaller: "2 changes to Invoices are not described here,
    and 3 smaller ones are not listed." (None for none)."""
    if not count and not undescribed:
        return None
    where = " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
    where = where or f"the parts of {product} you use"
    if not undescribed:
        verb = "is" if count == 1 else "are"
        return f"{plural(count, 'smaller change')} to {where} {verb} not listed here."
    verb = "is" if undescribed == 1 else "are"
    sentence = f"{plural(undescribed, 'change')} to {where} {verb} not described here"
    if not count:
        return sentence + "."
    rest = "1 smaller one is" if count == 1 else f"{count} smaller ones are"
    return f"{sentence}, and {rest} not listed."


def gone_sentence(count: int) -> str | None:
    """ "3 smaller changes you had before are no longer included." (None for none)."""
    if not count:
        return None
    verb = "is" if count == 1 else "are"
    return f"{plural(count, 'smaller change')} you had before {verb} no longer included."


def elsewhere_sentence(count: int, product: str) -> str | None:
    """ "2 other changes in this update do not touch the parts of Shopfront you use."."""
    if not count:
        return None
    verb = "does" if count == 1 else "do"
    return (
        f"{plural(count, 'other change')} in this update {verb} not touch the parts of "
        f"{product} you use."
    )


INDEX_STATE = ".notices.json"
# What each entry of the index state holds (the index template reads them).
INDEX_KEYS = ("stem", "link", "deployed_at_iso", "deployed_at", "environment", "version", "summary")
# How the index summarises a notice: the count of each section, in its words.
_SUMMARY_WORDS = {
    "action": "action needed",
    "new": "new",
    "improved": "improved",
    "fixed": "fixed",
    "removed": "no longer available",
}


def index_files(
    out: OutputFolder,
    folder: Path,
    context: Mapping[str, Any],
    templates: Templates,
    stem: str,
    formats: Sequence[str],
    *,
    own: Mapping[str, str] | None = None,
) -> list[tuple[Path, str]]:
    """The customer's own index: one entry per notice, newest first, with its date in
    their zone, the environment, the version and a one-line summary, linking to the
    HTML notice (the Markdown one when no HTML is rendered). The entries are kept in
    a small file beside it, so each run adds or refreshes its own. Returns the files
    as ``(path, text)``, for the caller to write with the rest. ``own`` (an incident
    notice's ``at_iso``, ``at``, ``label``, ``summary``) stands for a deployment's
    date, version and summary."""
    link = next((f"{stem}.{fmt}" for fmt in ("html", "md", "txt") if fmt in formats), None)
    if link is None:
        return []
    entry = {
        "stem": stem,
        "link": link,
        "deployed_at_iso": own["at_iso"] if own else context["deployed_at_iso"],
        "deployed_at": own["at"] if own else context["deployed_at"],
        "environment": context["environment_name"],
        "version": "" if own else context["version"],
        "summary": own["summary"] if own else notice_summary(context),
    }
    if own:
        entry["label"] = own["label"]
    state = read_entries(out, folder / INDEX_STATE, INDEX_KEYS)
    entries = [e for e in state if e.get("stem") != stem]
    entries.append(entry)
    entries.sort(
        key=lambda e: (str(e.get("deployed_at_iso", "")), str(e.get("stem"))), reverse=True
    )
    text = templates.render("index.html.j2", {**context, "entries": entries})
    return [(folder / INDEX_STATE, json.dumps(entries, indent=1)), (folder / "index.html", text)]


def notice_summary(context: Mapping[str, Any]) -> str:
    """ "2 new, 1 fixed"; a rollback says so first."""
    counts = [
        f"{len(section['items'])} {_SUMMARY_WORDS.get(section['key'], section['title'].lower())}"
        for section in context["sections"]
    ]
    if context["rollback"]:
        counts.insert(0, "back to an earlier version")
    return ", ".join(counts) or "no listed changes"


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve() == folder.resolve() or folder.resolve() in path.resolve().parents


def render_documents(
    contexts: Sequence[Mapping[str, Any]], formats: Sequence[str], templates: Templates
) -> Iterator[tuple[Mapping[str, Any], str, str]]:
    """``(context, format, text)`` for every customer and format, in memory."""
    unknown = set(formats) - set(NOTICE_FORMATS)
    if unknown:
        raise InputError(
            f"unknown format {sorted(unknown)[0]!r}; one of {', '.join(NOTICE_FORMATS)}"
        )
    for context in contexts:
        for fmt in formats:
            if fmt == "json":
                yield context, fmt, json.dumps(context, indent=2, ensure_ascii=False) + "\n"
            else:
                yield context, fmt, templates.render(f"notice.{fmt}.j2", context)


def notice_stem(impact: Impact) -> str:
    """The file name (without extension) of a deployment's notices.

    It names the deployment, so rendering one deploy never replaces another's notice
    (the same version deployed twice, or rolled back to), and rendering the same
    deploy again replaces its own: ``2026-11-20-production-eu-v1.5.0-d22``.
    """
    deployment = impact.deployment
    if deployment is None:
        return safe_slug(f"preview-{impact.environment}-{impact.version}")
    day = deployment.deployed_at.astimezone(UTC).strftime("%Y-%m-%d")
    return safe_slug(f"{day}-{impact.environment}-{impact.version}-d{deployment.id}")


def published_url(base_url: str | None, folder: Path) -> str | None:
    """Where a customer's folder is published: ``[product] url`` plus the folder."""
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/{folder.as_posix()}/"


def render_notices(
    impact: Impact,
    components: Mapping[str, Component],
    out_dir: Path,
    options: RenderOptions,
    incidents: Mapping[str, Sequence[Incident]] | None = None,
    held: Collection[str] | None = None,
) -> list[RenderedNotice]:
    """Write each customer's notice in every format, their index page, and feeds."""
    out = OutputFolder(out_dir, option="--out")
    overview = (
        OutputFolder(options.overview_dir, option="--overview")
        if options.overview_dir is not None
        else None
    )
    if options.overview_dir is not None and _inside(options.overview_dir, out_dir):
        raise InputError(
            f"--overview {options.overview_dir} is inside --out {out_dir}",
            hint="the overview lists every customer; keep it out of the folder you publish",
        )
    templates = Templates(options.template_dir)
    contexts = build_contexts(impact, components, options, incidents, held)
    stem = notice_stem(impact)
    # Everything is rendered before anything is written, then written in one batch:
    # a template that fails for one customer, or a full disk, leaves no notice behind.
    folders: dict[str, Path] = {}
    files: list[tuple[Path, str]] = []
    notices: list[tuple[str, str, int]] = []  # (customer, format, index in files)
    for context, fmt, text in render_documents(contexts, options.formats, templates):
        customer_id = context["customer"]["id"]
        folder = folders.get(customer_id)
        if folder is None:
            folder = folders[customer_id] = out.folder_for_customer(customer_id)
        notices.append((customer_id, fmt, len(files)))
        files.append((folder / f"{stem}.{fmt}", text))
    for context in contexts:
        folder = folders[context["customer"]["id"]]
        files += index_files(out, folder, context, templates, stem, options.formats)
        if options.feed:
            files += update_feed(
                out,
                folder,
                {**context, "notice_file": f"{stem}.html"},
                templates,
                published_url(options.base_url, folder),
            )
    overview_text = None
    if overview is not None:
        shown = [(c, fmt, out.path(files[n][0])) for c, fmt, n in notices]
        overview_text = templates.render(
            "overview.html.j2",
            {
                "product": options.product,
                "version": impact.version,
                "environment": impact.environment,
                "notices": [
                    {"customer": c, "format": fmt, "path": str(path)} for c, fmt, path in shown
                ],
            },
        )
    paths = out.write_all(files)
    written = [
        RenderedNotice(c, fmt, paths[n], hashlib.sha256(files[n][1].encode()).hexdigest())
        for c, fmt, n in notices
    ]
    if overview is not None and overview_text is not None:
        overview.write("index.html", overview_text)
    return written


def render_report(context: Mapping[str, Any], fmt: str, template_dir: Path | None = None) -> str:
    """The reliability report (``reportview.report_context``) as ``report.<fmt>.j2``
    renders it; its charts are SVG drawn (and escaped) by ``charts``, inserted as is."""
    from markupsafe import Markup

    templates = Templates(template_dir)
    templates.env.filters["columns"] = columns
    charts = {name: Markup(svg) for name, svg in context.get("charts", {}).items()}
    return templates.render(f"report.{fmt}.j2", {**context, "charts": charts})


def columns(rows: Sequence[Sequence[object]]) -> list[str]:
    """Rows of cells as lines of aligned columns (numbers to the right) for plain text."""
    cells = [[str(cell) for cell in row] for row in rows]
    if not cells:
        return []
    widths = [max(len(row[n]) for row in cells) for n in range(len(cells[0]))]
    numeric = [all(row[n].isdigit() for row in cells[1:]) for n in range(len(cells[0]))]
    return [
        "  ".join(
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(row, widths, numeric, strict=True)
        ).rstrip()
        for row in cells
    ]
