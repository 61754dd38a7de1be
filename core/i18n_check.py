"""Checks of a package's translation catalogues, for ``tongban plugins check`` and
``scripts/i18n.py check`` alike.

A package (a core module, a plugin in the repo or one pip-installed from
elsewhere) keeps ``locale/<lang>/LC_MESSAGES/messages.po``; Tongban reads the
.po itself (see :mod:`core.i18n`: compiled in memory, a ``messages.mo`` is never
read). What goes wrong there without a test noticing:

* errors — a placeholder of the message id missing from its translation (the
  value is dropped) or one the id does not have (the page raises), a catalogue
  that cannot be read (not UTF-8: every page raises), a locale folder with a
  compiled ``messages.mo`` but no ``messages.po`` (a wheel packaging only the
  .mo), or no Chinese catalogue at all (every string shows untranslated), a
  source file Babel cannot read the marked messages of;
* warnings — a message id of the package's code or templates without Chinese,
  fuzzy entries (ignored until a translator clears the flag), and a locale
  folder Tongban never reads (``zh_Hans``).

Catalogues are read with Babel (``babel.messages.pofile``, its ``python_format``
checker and its extractors), as :mod:`core.i18n` reads them at run time.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message, TranslationError
from babel.messages.checkers import python_format
from babel.messages.extract import (
    DEFAULT_KEYWORDS,
    check_and_call_extract_file,
    extract_from_dir,
)
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations

from core.i18n import CORE_LOCALE_DIR, DEFAULT_LOCALE, DOMAIN, LOCALES, N_, _compile

# Which files hold message ids, and how to read them (what `babel extract -F` takes).
MAPPING_CFG = """\
[python: **.py]
[jinja2: **/templates/**.html]
extensions = jinja2.ext.i18n
"""
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}

ERROR = "error"
WARNING = "warning"


class Text(str):
    """An English message that can say itself in another language: ``str()`` of it
    is the English, :meth:`translate` the same message in ``locale``."""

    msgid: str
    params: dict[str, object]

    def __new__(cls, message: str, /, **params: object) -> Text:
        text = super().__new__(cls, message % params if params else message)
        text.msgid = message
        text.params = params
        return text

    def translate(self, locale: str) -> str:
        text = _core_translations(locale).gettext(self.msgid)
        return text % self.params if self.params else text


def say(message: str, locale: str) -> str:
    """``message`` in ``locale`` if it is a :class:`Text`, else as it is."""
    return message.translate(locale) if isinstance(message, Text) else message


@lru_cache(maxsize=4)
def _core_translations(locale: str) -> NullTranslations:
    """The core's own catalogue only, so a plugin that cannot even be loaded (the
    merged catalogue needs every plugin) does not keep these messages in English."""
    po = CORE_LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    return _compile(po, locale) if po.exists() else NullTranslations()


@dataclass(frozen=True)
class Finding:
    severity: str  # ERROR or WARNING
    where: str  # the catalogue (and line) or package it is about
    message: Text

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class SourceError(Exception):
    """A source file Babel cannot read the messages of."""

    def __init__(self, path: Path, error: Exception) -> None:
        super().__init__(f"{path}: {error!r}")
        self.path = path
        self.error = error


def message_ids(sources: Iterable[Path]) -> dict[tuple[str, str | None], int]:
    """``(msgid, context)`` of every message marked in ``sources`` (folders are searched
    as ``babel extract`` does), with how often it is used. Raises :class:`SourceError`
    naming a file that cannot be tokenized."""
    method_map, options_map = parse_mapping_cfg(io.StringIO(MAPPING_CFG))
    found: dict[tuple[str, str | None], int] = {}
    current: list[Path] = []

    def reading(filename: str, _method: str, _options: dict) -> None:
        current[:] = [Path(filename)]

    for source in sources:
        if source.is_dir():
            results = extract_from_dir(source, method_map, options_map, KEYWORDS, (), reading)
        else:
            results = check_and_call_extract_file(
                source, method_map, options_map, reading, KEYWORDS, (), False, source.parent
            )
        try:
            for _filename, _lineno, message, _comments, context in results:
                msgid = message[0] if isinstance(message, tuple | list) else message
                if msgid:
                    key = (msgid, context)
                    found[key] = found.get(key, 0) + 1
        except Exception as exc:  # noqa: BLE001 - tokenize and template errors alike
            where = current[0] if current else source
            raise SourceError(where if where.is_absolute() else source / where, exc) from exc
    return found


def check_package(
    locale_dir: Path, sources: Iterable[Path] | None = None, *, relative_to: Path | None = None
) -> list[Finding]:
    """Every problem of the catalogues under ``locale_dir`` (``…/locale``), against the
    message ids marked in ``sources`` (by default the folder holding ``locale_dir``).
    Paths in the findings are shown relative to ``relative_to`` (default: two folders up,
    ``<package>/locale/…``)."""
    base = relative_to or locale_dir.parent.parent

    def shown(path: Path, line: int = 0) -> str:
        try:
            text = str(path.relative_to(base))
        except ValueError:
            text = str(path)
        return f"{text}:{line}" if line else text

    findings: list[Finding] = []
    try:
        ids = message_ids([locale_dir.parent] if sources is None else sources)
    except SourceError as exc:
        problem = f"{type(exc.error).__name__}: {exc.error}"
        text = Text(N_("cannot read the messages marked here: %(problem)s"), problem=problem)
        return [Finding(ERROR, shown(exc.path), text)]
    folders = sorted(p for p in locale_dir.glob("*/LC_MESSAGES") if p.is_dir())
    zh_po = locale_dir / DEFAULT_LOCALE / "LC_MESSAGES" / f"{DOMAIN}.po"
    if ids and not zh_po.exists() and zh_po.parent not in folders:
        findings.append(
            Finding(
                ERROR,
                shown(zh_po),
                Text(
                    N_(
                        "no Chinese catalogue: the package's %(count)s message(s) show in "
                        "English in the Chinese interface"
                    ),
                    count=len(ids),
                ),
            )
        )
    for folder in folders:
        locale = folder.parent.name
        if locale not in LOCALES:
            findings.append(
                Finding(
                    WARNING,
                    shown(folder.parent),
                    Text(
                        N_("Tongban never reads this folder: its languages are %(locales)s"),
                        locales=", ".join(LOCALES),
                    ),
                )
            )
            continue
        po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
        if not po.exists():
            if mo.exists() or (locale == DEFAULT_LOCALE and ids):
                findings.append(
                    Finding(
                        ERROR,
                        shown(po),
                        Text(
                            N_(
                                "missing: Tongban reads the .po (a messages.mo is never read), "
                                "so every message shows untranslated; ship the .po as "
                                "package data"
                            )
                        ),
                    )
                )
            continue
        catalog, problem = read_catalog(po, locale)
        if catalog is None:
            findings.append(Finding(ERROR, shown(po, problem[1]), problem[0]))
            continue
        findings += [Finding(s, shown(po, line), m) for s, line, m in check_catalog(catalog)]
        if locale == DEFAULT_LOCALE:
            findings += [
                Finding(WARNING, shown(po, line), m) for line, m in untranslated(catalog, ids)
            ]
    return findings


def read_catalog(po: Path, locale: str) -> tuple[Catalog | None, tuple[Text, int]]:
    """The catalogue, or ``None`` and (what is wrong, the line)."""
    try:
        with po.open("rb") as fh:
            return read_po(fh, locale=locale, abort_invalid=True), (Text(""), 0)
    except UnicodeDecodeError as exc:
        return None, (
            Text(
                N_(
                    "cannot be read: not UTF-8 (byte %(position)s); every page in this "
                    "language fails"
                ),
                position=exc.start,
            ),
            0,
        )
    except PoFileError as exc:
        return None, (
            Text(N_("cannot be read: %(problem)s"), problem=str(exc)),
            getattr(exc, "lineno", 0),
        )


def _strings(message: Message) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ids = tuple(message.id) if isinstance(message.id, tuple | list) else (message.id,)
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return ids, tuple(s or "" for s in strings)


def _names(text: str) -> set[str]:
    return {m.group(1) for m in PYTHON_FORMAT.finditer(text) if m.group(1)}


def check_catalog(catalog: Catalog) -> list[tuple[str, int, Text]]:
    """(severity, line, message) of the fuzzy entries and broken placeholders."""
    found: list[tuple[str, int, Text]] = []
    for message in catalog:
        if not message.id:
            continue
        msgid = _strings(message)[0][0]
        if message.fuzzy:
            text = N_("fuzzy: %(msgid)r shows untranslated until the fuzzy flag is removed")
            found.append((WARNING, message.lineno, Text(text, msgid=msgid)))
        elif problem := placeholder_problem(catalog, message):
            found.append((ERROR, message.lineno, problem))
    return found


def placeholder_problem(catalog: Catalog, message: Message) -> Text | None:
    """What is wrong with the ``%(name)s`` placeholders of a translated message, if anything.

    A name the translation has and the id has not raises when the message is shown
    (the caller passes only the id's); a name the translation leaves out drops the
    value (a deadline, an amount…) without a sound. One form stands for every
    number in Chinese; where a language has several, its singular may omit the count.
    """
    ids, strings = _strings(message)
    wanted = _names(ids[-1]) | _names(ids[0])
    for form in strings if len(strings) == 1 else strings[1:]:
        if not form:
            continue
        if unknown := sorted(_names(form) - wanted):
            return Text(
                N_("%(msgstr)r uses %(names)s, which %(msgid)r does not have: showing it fails"),
                msgstr=form,
                names=_listed(unknown),
                msgid=ids[0],
            )
        if lost := sorted(_names(ids[-1]) - _names(form)):
            return Text(
                N_("%(msgstr)r leaves out %(names)s of %(msgid)r: the value is never shown"),
                msgstr=form,
                names=_listed(lost),
                msgid=ids[0],
            )
    try:  # the rest as Babel's compiler checks it: kinds and types of placeholders
        python_format(catalog, message)
    except TranslationError as exc:
        return Text(
            N_("the placeholders of %(msgstr)r do not match %(msgid)r (%(problem)s)"),
            msgstr=next(s for s in strings if s),
            msgid=ids[0],
            problem=str(exc),
        )
    return None


def _listed(names: list[str]) -> str:
    return ", ".join(f"%({n})s" for n in names)


def untranslated(
    catalog: Catalog, ids: dict[tuple[str, str | None], int]
) -> list[tuple[int, Text]]:
    """(line of its entry, or 0 when it has none; message) of every message id marked in
    the package's code without a translation (a fuzzy entry is reported as fuzzy)."""
    found = []
    for msgid, context in sorted(ids, key=lambda key: (key[0], key[1] or "")):
        message = catalog.get(msgid, context=context)
        if message is not None and message.fuzzy:
            continue
        strings = _strings(message)[1] if message is not None else ()
        if not strings or not all(strings):
            line = message.lineno if message is not None else 0
            found.append((line, Text(N_("untranslated: %(msgid)r"), msgid=msgid)))
    return found
