"""``tongban plugins list | check [NAME] | new NAME``."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group()
def plugins() -> None:
    """Department plugins: list them, check their declarations, start a new one."""


@plugins.command("list")
def list_plugins() -> None:
    """Every loaded plugin with its distribution, hooks and items."""
    from core.catalog.contract import check_plugins

    result = check_plugins()
    broken = {p.plugin for p in result.problems}
    for info in result.plugins:
        if info.builtin:
            continue
        status = "PROBLEMS" if info.name in broken else "ok"
        dist = f"{info.distribution} {info.version}".strip() or "-"
        click.echo(f"{info.name:<24} {dist:<32} {status}")
        click.echo(f"    module: {info.module}")
        hooks = ", ".join(h.removeprefix("tongban_") for h in info.hooks) or "-"
        click.echo(f"    hooks:  {hooks}")
        for code in info.items:
            item = result.catalog.items[code]
            click.echo(f"    item:   {code} {item.name}")
    for name in sorted(broken - {info.name for info in result.plugins}):
        click.echo(f"{name:<24} {'-':<32} NOT LOADED")
    builtin = sum(1 for info in result.plugins if info.builtin)
    click.echo(
        f"({builtin} core modules are built-in plugins; `tongban plugins check` for details)"
    )


@plugins.command("check")
@click.argument("name", required=False)
def check(name: str | None) -> None:
    """Check the declarations of every plugin (or NAME's); print every problem with where it is."""
    from core.catalog.contract import check_plugins
    from core.cli import cli_locale
    from core.i18n_check import say

    result = check_plugins()
    locale = cli_locale()
    known = {info.name for info in result.plugins} | {p.plugin for p in result.problems}
    if name and name not in known:
        click.echo(f"no plugin named {name!r} is installed (entry point group tongban.plugins)")
        sys.exit(2)
    problems = result.for_plugin(name) if name else result.problems
    for problem in problems:
        click.echo(f"{problem.plugin}: {problem.where}: {say(problem.message, locale)}")
    warnings = _warnings(result, name)
    for warning in warnings:
        click.echo(f"{warning.plugin}: {warning.where}: warning: {say(warning.message, locale)}")
    checked = [name] if name else [info.name for info in result.plugins if not info.builtin]
    if warnings:
        click.echo(f"{len(warnings)} warning(s) (they do not stop Tongban)")
    if problems:
        click.echo(
            f"{len(problems)} problem(s) in {', '.join(sorted({p.plugin for p in problems}))}"
        )
        sys.exit(1)
    click.echo(f"ok: {', '.join(checked) or 'no plugins installed'}")


def _warnings(result, name: str | None) -> list:
    """Missing English, and steps the site's unit tree cannot route yet (in the
    user's language, read from the site's database when it is set up)."""
    from core.catalog.registry import Problem
    from core.catalog.routability import gaps_from_cli
    from core.cli import cli_locale

    catalog = result.catalog
    items = [
        item
        for code, item in catalog.items.items()
        if name is None or catalog.item_plugin[code] == name
    ]
    found = result.warnings_for(name) if name else list(result.warnings)
    if items:
        gaps, note = gaps_from_cli(
            items, cli_locale(), kinds=catalog.unit_kinds, route_step=result.route_step
        )
        found += [Problem(catalog.item_plugin[code], f"item {code}", m) for code, m in gaps]
        if note:
            click.echo(note)
    return found


@plugins.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "parent",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to create the package folder.",
)
@click.option("--title", default="", help="The department's name in Chinese, e.g. 林业局.")
@click.option("--title-en", default="", help="The department's name in English.")
def new(name: str, parent: Path, title: str, title_en: str) -> None:
    """Create a plugin package tongban-NAME that installs and passes its tests as generated."""
    from importlib.metadata import entry_points

    from core.catalog.scaffold import ScaffoldError, create_plugin
    from core.plugins import ENTRY_POINT_GROUP

    existing = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    try:
        target = create_plugin(name, parent, title=title, title_en=title_en, existing=existing)
    except ScaffoldError as exc:
        click.echo(f"cannot create the plugin: {exc}", err=True)
        sys.exit(2)
    click.echo(f"created {target}")
    click.echo(f"next: pip install -e {target} && tongban plugins check {name} && pytest {target}")
