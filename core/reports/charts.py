"""Small charts drawn on the server: a trend line (SVG) and horizontal bars (HTML).

No JavaScript and no chart library: a chart is a few dozen elements,
readable by screen readers through its title or its text, and every
chart on a page has the same numbers in a table beside it. Labels are
escaped; colours come from CSS classes (``app.css``) so they follow the
site's style.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
TICK_EM = 13  # the font size of a chart's text in viewBox units (app.css: .line-chart)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    css: str  # class of the line: series-1, series-2 …


def nice_max(value: float) -> float:
    """A round axis maximum ≥ value: 1, 2, 5 × 10^k."""
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return candidate
    return 10 ** (exponent + 1)


def _fmt(value: float) -> str:
    return f"{value:g}"


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], *, height: int = 220
) -> Markup:
    """A line per series over the labelled points (at least one point)."""
    left, right, top, bottom = 44, 12, 12, 48
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    top_value = nice_max(max((max(s.values, default=0) for s in series), default=0))
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + plot_h - plot_h * (v / top_value)

    parts = [
        f'<svg class="chart line-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for k in range(5):
        value = top_value * k / 4
        yy = y(value)
        parts.append(
            f'<line class="gridline" x1="{left}" x2="{WIDTH - right}" y1="{yy:.1f}" y2="{yy:.1f}"/>'
        )
        parts.append(
            f'<text class="tick" x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{_fmt(value)}</text>'
        )
    # Every k-th label, so that no two overlap: a label is about 0.6 em per character.
    widest = max((len(label) for label in labels), default=1) * TICK_EM * 0.6 + TICK_EM
    every = max(1, math.ceil(n * widest / plot_w))
    for i, label in enumerate(labels):
        if (n - 1 - i) % every == 0:  # counted from the latest, which is always shown
            parts.append(
                f'<text class="tick" x="{x(i):.1f}" y="{top + plot_h + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for s in series:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values))
        parts.append(f'<g class="{escape(s.css)}"><polyline fill="none" points="{points}"/>')
        for i, v in enumerate(s.values):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5">'
                f"<title>{escape(s.name)} · {escape(labels[i])}: {_fmt(v)}</title></circle>"
            )
        parts.append("</g>")
    legend_x = left
    for s in series:
        parts.append(
            f'<g class="{escape(s.css)} legend"><rect x="{legend_x}" y="{height - 14}" '
            f'width="10" height="10"/><text x="{legend_x + 14}" y="{height - 5}">'
            f"{escape(s.name)}</text></g>"
        )
        legend_x += 14 + 14 * max(len(s.name), 4)
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, float]],
    *,
    css: str = "series-1",
    value_format=_fmt,
    scale_max: float | None = None,
) -> Markup:
    """Horizontal bars, one per ``(label, value)`` row, longest scale at ``scale_max``.

    HTML, not SVG: an SVG scales its text with its width, so in a narrow column
    (two charts side by side on a tablet) the labels shrink to a few pixels, and
    SVG text cannot wrap, so long labels had to be cut. Here the labels are page
    text at the page's size that wrap onto a second line, and the bars are
    widths in per cent of their track. The figure is a description list, so a
    screen reader reads each label with its value.
    """
    top_value = scale_max or nice_max(max((v for _, v in rows), default=0))
    parts = [
        f'<figure class="chart bar-chart {escape(css)}">'
        f'<figcaption class="chart-title">{escape(title)}</figcaption><dl>'
    ]
    for label, value in rows:
        share = 0 if top_value <= 0 else 100 * max(0, min(value, top_value)) / top_value
        parts.append(
            f'<div class="bar-row"><dt class="label">{escape(label)}</dt>'
            f'<dd><span class="track"><span class="bar" style="width:{share:.1f}%"></span></span>'
            f'<span class="value">{escape(value_format(value))}</span></dd></div>'
        )
    parts.append("</dl></figure>")
    return Markup("".join(parts))
