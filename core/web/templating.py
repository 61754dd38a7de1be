"""The one Jinja environment: core and plugin templates, gettext, locale formatting."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from core.cases.labels import (
    ACTION_LABELS,
    DELIVERY_LABELS,
    EVENT_LABELS,
    LIGHT_LABELS,
    PROBLEM_LABELS,
    PROCEDURE_LABELS,
    STATE_LABELS,
)
from core.catalog.registry import get_catalog
from core.i18n import Listing, babel_locale, name_in, translations_for
from core.settings import get_settings
from core.web.locale import current_locale
from core.web.static import static_url


# Jinja's "newstyle" gettext fills %(name)s placeholders itself, escaping the values.
def _gettext(message: str) -> str:
    return translations_for(current_locale.get()).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return translations_for(current_locale.get()).ngettext(singular, plural, n)


def localized(obj, attr: str = "name") -> str:
    """``obj.name`` in Chinese, ``obj.name_en`` in English (falling back to Chinese)."""
    return name_in(obj, current_locale.get(), attr=attr)


def fmt_date(value: date | datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # A form's date comes back from JSON as "2024-01-01"; anything else is shown as is.
        try:
            value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(get_settings().timezone)).date()
    return format_date(value, format=style, locale=babel_locale(current_locale.get()))


def fmt_datetime(value: datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    tz = ZoneInfo(get_settings().timezone)
    return format_datetime(
        value.astimezone(tz), format=style, tzinfo=tz, locale=babel_locale(current_locale.get())
    )


def fmt_money(value: Decimal | str | int | None) -> str:
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except ArithmeticError:  # not an amount: show what is there rather than fail the page
        return str(value)
    return format_currency(amount, "CNY", locale=babel_locale(current_locale.get()))


def fmt_number(value) -> str:
    return format_decimal(value, locale=babel_locale(current_locale.get()))


def fmt_list(values, names=None) -> str:
    """Names run together as the locale lists them (Babel's CLDR patterns): 村、乡镇和区县 ·
    Village, Township, and District. With ``names`` (key → row with a name), each value is
    a key, shown by its localized name."""
    if names is not None:
        values = [localized(names[v]) if v in names else v for v in values]
    return Listing(str(v) for v in values).in_locale(current_locale.get())


def fmt_filesize(value: int | None) -> str:
    """A file size for people: 1.2 MB, 340 KB, in the locale's digits and separators."""
    if value is None:
        return ""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if value >= size:
            shown = format_decimal(
                round(value / size, 1), locale=babel_locale(current_locale.get())
            )
            return f"{shown} {unit}"
    return f"{format_decimal(value, locale=babel_locale(current_locale.get()))} B"


def dom_id(value: object) -> str:
    """Any text as a safe HTML id fragment ("children[1].photo" -> "children-1--photo")."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", str(value))


def item_name(code: str) -> str:
    item = get_catalog().items.get(code)
    return localized(item) if item else code


def make_environment(template_dirs: list[Path]) -> Environment:
    loaders = [FileSystemLoader(str(d)) for d in template_dirs]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    env.globals.update(
        labels={
            "state": STATE_LABELS,
            "action": ACTION_LABELS,
            "event": EVENT_LABELS,
            "light": LIGHT_LABELS,
            "delivery": DELIVERY_LABELS,
            "problem": PROBLEM_LABELS,
            "procedure": PROCEDURE_LABELS,
        },
        locale=current_locale.get,
        item_name=item_name,
        idempotency_key=lambda: uuid.uuid4().hex,
        localized=localized,
        settings=get_settings,
        static=static_url,  # {{ static('app.css') }}: the content-hashed URL
    )
    env.filters.update(
        date=fmt_date,
        datetime=fmt_datetime,
        money=fmt_money,
        number=fmt_number,
        listing=fmt_list,
        localized=localized,
        filesize=fmt_filesize,
        domid=dom_id,
    )
    return env
