"""``tongban units …``: import, export and generate unit trees from the command line."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import click

from core.errors import TongbanError
from core.i18n import N_, gettext
from core.tenancy.errors import PasswordRejected, UnitNotFound

NOTHING_CREATED = N_("Nothing was created.")
PASSWORD_REFUSED = N_("The password was refused; nothing was created:")
NO_UNIT_CODE = N_("There is no unit with code “%(code)s”.")
UNREADABLE = N_("%(file)s: not a CSV text file in UTF-8 or GB 18030.")
ERRORS = N_("%(count)s error(s); nothing imported.")


def refusal_lines(exc: TongbanError, locale: str, *, unit_code: str = "") -> list[str]:
    """An expected refusal of a command (bad password, unknown unit, name taken) as
    the lines to print in ``locale``: what is wrong, then each reason."""
    if isinstance(exc, PasswordRejected):
        return [gettext(locale, PASSWORD_REFUSED), *(gettext(locale, p) for p in exc.problems)]
    if isinstance(exc, UnitNotFound):
        message = gettext(locale, NO_UNIT_CODE, code=unit_code)
    else:
        message = exc.text(locale)
    separator = " " if locale == "en" else ""
    if locale == "en" and not message.endswith((".", "!", "?")):
        message += "."  # "Unknown role: wizard"
    return [message + separator + gettext(locale, NOTHING_CREATED)]


@click.group()
def units() -> None:
    """The unit tree: import and export CSV, generate sample trees."""


def _prepare():
    from core.bootstrap import prepare
    from core.settings import get_settings

    return prepare(get_settings())


@units.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; import nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import units from a CSV FILE (code,name,name_en,kind,level,parent_code).

    Every row is checked first; if any is bad, every error is listed with its
    line number and nothing is imported.
    """
    from core.cli import cli_locale
    from core.tenancy.units_import import decode_upload, import_units

    locale = cli_locale()
    text = decode_upload(file.read_bytes())
    if text is None:
        click.echo(gettext(locale, UNREADABLE, file=file.name), err=True)
        sys.exit(1)
    bar: dict = {}

    def progress(done: int, total: int) -> None:
        if "bar" not in bar and total:
            bar["bar"] = click.progressbar(length=total, label="importing", file=sys.stderr)
            bar["bar"].__enter__()
        if "bar" in bar:
            bar["bar"].update(done - bar["bar"].pos)

    async def go():
        await _prepare()
        return await import_units(text, progress=progress, source=file.name, dry_run=dry_run)

    started = time.perf_counter()
    report = asyncio.run(go())
    if "bar" in bar:
        bar["bar"].__exit__(None, None, None)
    if not report.ok:
        for problem in report.errors:
            click.echo(f"{file.name}:{problem.line}: {problem.text(locale)}", err=True)
        click.echo(gettext(locale, ERRORS, count=len(report.errors)), err=True)
        sys.exit(1)
    took = time.perf_counter() - started
    if dry_run:
        click.echo(
            f"{report.rows} rows checked: {report.planned} would be created, "
            f"{report.unchanged} exist already"
        )
    else:
        click.echo(f"{report.created} units created, {report.unchanged} unchanged in {took:.2f} s")


@units.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--under", "code", help="Export only the subtree of this unit code.")
def export_command(file: Path | None, code: str | None) -> None:
    """Export the tree (or one subtree) as CSV, parents first, to FILE or standard output."""
    from core.tenancy.scope import under
    from core.tenancy.tables import Unit
    from core.tenancy.units import rows_to_csv

    async def go() -> str | None:
        await _prepare()
        columns = (
            Unit.code,
            Unit.name,
            Unit.name_en,
            Unit.kind,
            Unit.level,
            Unit.path,
            Unit.active,
        )
        query = Unit.select(*columns)
        if code:
            top = await Unit.select(Unit.path).where(Unit.code == code).first()
            if top is None:
                return None
            query = query.where(under(Unit.path, top["path"]))
        return rows_to_csv(await query)

    text = asyncio.run(go())
    if text is None:
        from core.cli import cli_locale

        click.echo(gettext(cli_locale(), NO_UNIT_CODE, code=code), err=True)
        sys.exit(1)
    if file:
        file.write_text(text, encoding="utf-8")
        click.echo(f"{text.count(chr(10)) - 1} units written to {file}")
    else:
        click.echo(text, nl=False)


@units.command("generate")
@click.option(
    "--size",
    default="city",
    show_default=True,
    help="county (18 townships, 278 villages), city (about 5,000 units) or a number.",
)
@click.option("--parent", "parent_code", default="", help="Hang the counties under this unit.")
@click.option(
    "--code",
    "city_code",
    default="519900000000",
    show_default=True,
    help="Division code of the generated city (its first 4 digits prefix every code).",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def generate_command(size: str, parent_code: str, city_code: str, file: Path) -> None:
    """Write a realistic sample tree to FILE, for trying the importer and for benchmarks."""
    from core.tenancy import treegen

    if size == "county":
        rows = treegen.county_rows(f"{city_code[:4]}01000000", parent_code or city_code)
        if not parent_code:
            click.echo("note: the county's parent must exist when you import it", err=True)
    elif size == "city":
        rows = treegen.city_rows(city_code, parent_code=parent_code)
    elif size.isdigit():
        rows = treegen.city_of_size(int(size), city_code)
    else:
        raise click.BadParameter("county, city or a number", param_hint="--size")
    file.write_text(treegen.to_csv(rows), encoding="utf-8")
    click.echo(f"{len(rows)} units written to {file}")
