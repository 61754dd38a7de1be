"""Helpers the supervision templates call: chart rows and locale-aware labels.

Kept out of the shared Jinja environment: each page's context gets them
from :func:`helpers`, so the reports module adds no global to other pages.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal, format_percent

from core.i18n import N_, gettext
from core.reports import charts
from core.web.locale import current_locale

# In the order of core.reports.contribution.DIMENSIONS.
DIMENSION_LABELS = (
    ("efficiency", N_("Efficiency")),
    ("guide", N_("Accuracy of the service guide")),
    ("convenience", N_("Convenience")),
    ("attitude", N_("Attitude")),
)


@lru_cache(maxsize=8)
def _babel(code: str) -> Locale:
    # Parsing a locale name costs about a millisecond; a dashboard formats a thousand numbers.
    return Locale.parse(code)


def number(value: float | int | None, digits: int = 0) -> str:
    """A count or a rounded figure in the reader's locale."""
    if value is None:
        return "—"
    shown = round(value, digits) if digits else value
    return format_decimal(shown, locale=_babel(current_locale.get()))


def percent_label(value: float | None) -> str:
    if value is None:
        return "—"
    return format_percent(value, format="#,##0.0%", locale=_babel(current_locale.get()))


def score_label(value: float | None) -> str:
    return number(value, 1)


def child_bars(rows, locale: str, attribute: str) -> list[tuple[str, float]]:
    """``(unit name, value)`` per breakdown row, for a bar chart (missing shares count 0)."""
    bars = []
    for row in rows:
        name = (row.name_en or row.name) if locale == "en" else row.name
        value = getattr(row.figures, attribute)
        bars.append((name, value or 0))
    return bars


def dimension_bars(figures) -> list[tuple[str, float]]:
    locale = current_locale.get()
    bars = [(gettext(locale, N_("Overall")), figures.avg_score or 0)]
    bars += [
        (gettext(locale, label), figures.dimension(name) or 0) for name, label in DIMENSION_LABELS
    ]
    return bars


def helpers() -> dict:
    return {
        "charts": charts,
        "fmt_number": number,
        "fmt_percent": percent_label,
        "child_bars": child_bars,
        "dimension_bars": dimension_bars,
        "dimension_labels": DIMENSION_LABELS,
        "percent_label": percent_label,
        "score_label": score_label,
    }
