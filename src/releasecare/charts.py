"""Small inline SVG charts, drawn in Python: no script, no external request.

Each chart is one ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says
its figures in words (what a screen reader reads), ``aria-labelledby`` pointing at
both, and labelled axes. Sizes are in the viewBox, so a chart scales to the width it
is given (a phone's); colours come from the page's CSS classes (``chart``, ``bar``,
``bar-fail``, ``axis``), so dark mode is the page's. Every text is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 480
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 48


def _nice_top(value: float) -> float:
    """A round number at or above ``value`` for the value axis (1, 2, 5, 10, 20, ...)."""
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10  # pragma: no cover


def _fractions(top: float) -> tuple[float, ...]:
    """Where the value axis is marked: 0, the top, and half way when that is whole."""
    return (0, 0.5, 1) if (top / 2).is_integer() else (0, 1)


def _number(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value:,.0f}"


def _open(ident: str, title: str, desc: str, height: int) -> list[str]:
    return [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def column_chart(
    ident: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    x_label: str,
    y_label: str,
    css: str = "bar",
) -> str:
    """Vertical bars, one per label (weeks), with a value axis from 0."""
    height = 240
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    top = _nice_top(max(values, default=0))
    said = ", ".join(f"{label}: {_number(v)}" for label, v in zip(labels, values, strict=True))
    out = _open(ident, title, f"{y_label} by {x_label.lower()}: {said or 'none'}.", height)
    base = TOP + plot_h
    for fraction in _fractions(top):
        y = base - plot_h * fraction
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        out.append(
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_number(top * fraction)}</text>"
        )
    count = max(len(values), 1)
    slot = plot_w / count
    every = max(1, round(count / 7))  # at most about seven labels fit under the bars
    for n, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        x = LEFT + n * slot + slot * 0.15
        out.append(
            f'<rect class="{css}" x="{x:.1f}" y="{base - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}"><title>{escape(label)}: {_number(value)}</title></rect>'
        )
        if n % every == 0:
            out.append(
                f'<text class="tick" x="{LEFT + (n + 0.5) * slot:.1f}" y="{base + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    out.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>')
    out.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{base}"/>')
    out.append(
        f'<text class="axis-label" x="{LEFT + plot_w / 2:.1f}" y="{height - 8}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    out.append(
        f'<text class="axis-label" transform="translate(14 {TOP + plot_h / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(
    ident: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    x_label: str,
    y_label: str,
) -> str:
    """Horizontal bars, one per label (customers, worst first), with a value axis."""
    row = 24
    left = 150
    # Room for the rotated axis label however few customers there are.
    base = TOP + max(row * len(values), 96)
    height = base + BOTTOM
    plot_w = WIDTH - left - RIGHT
    top = _nice_top(max(values, default=0))
    said = ", ".join(f"{label}: {_number(v)}" for label, v in zip(labels, values, strict=True))
    out = _open(ident, title, f"{x_label} by {y_label.lower()}: {said or 'none'}.", height)
    for fraction in _fractions(top):
        x = left + plot_w * fraction
        out.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{base}"/>')
        out.append(
            f'<text class="tick" x="{x:.1f}" y="{base + 16}" text-anchor="middle">'
            f"{_number(top * fraction)}</text>"
        )
    for n, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + n * row
        shown = label if len(label) <= 20 else label[:19] + "…"
        out.append(
            f'<text class="tick" x="{left - 6}" y="{y + row * 0.65:.1f}" text-anchor="end">'
            f"{escape(shown)}</text>"
        )
        out.append(
            f'<rect class="bar-fail" x="{left}" y="{y + row * 0.15:.1f}" '
            f'width="{plot_w * value / top:.1f}" height="{row * 0.7:.1f}">'
            f"<title>{escape(label)}: {_number(value)}</title></rect>"
        )
    out.append(f'<line class="axis" x1="{left}" x2="{left}" y1="{TOP}" y2="{base}"/>')
    out.append(f'<line class="axis" x1="{left}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>')
    out.append(
        f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{height - 8}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    out.append(
        f'<text class="axis-label" transform="translate(14 {TOP + (base - TOP) / 2:.1f}) '
        f'rotate(-90)" text-anchor="middle">{escape(y_label)}</text>'
    )
    out.append("</svg>")
    return "\n".join(out)
