"""The plugin contract beyond items: pages under the plugin's own prefix, static files,
templates, translations, tables, commands, start-up and actors — each hook exercised
through the real app or the real command, as a third-party plugin would use it."""

from __future__ import annotations

from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner
from litestar import Controller, get
from litestar.response import Template

from core import hookimpl
from core.catalog.contract import check_plugins
from core.catalog.mounting import plugin_route_handlers
from core.plugins import PluginError, get_plugin_manager, load_plugin_actors, make_plugin_manager

HERE = Path(__file__).parent


def zoo_plugin(folder: Path, *, mount: str = "/p/zoo"):
    (folder / "static").mkdir(parents=True, exist_ok=True)
    (folder / "static" / "zoo.css").write_text(".zoo { color: green }")
    (folder / "templates" / "zoo").mkdir(parents=True, exist_ok=True)
    (folder / "templates" / "zoo" / "index.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1 class="zoo">{{ _("Service guide") }}</h1>'
        "<p>{{ animals }}</p>{% endblock %}"
    )
    started: list[str] = []

    class ZooPages(Controller):
        path = mount

        @get("/", name="zoo.index")
        async def index(self) -> Template:
            return Template("zoo/index.html", context={"animals": "熊猫 & <tiger>"})

    class Zoo:
        @staticmethod
        @hookimpl
        def tongban_route_handlers():
            return [ZooPages]

        @staticmethod
        @hookimpl
        def tongban_static_dirs():
            return [folder / "static"]

        @staticmethod
        @hookimpl
        def tongban_template_dirs():
            return [folder / "templates"]

        @staticmethod
        @hookimpl
        async def tongban_startup(app):
            started.append(type(app).__name__)

        @staticmethod
        @hookimpl
        def tongban_asgi_middleware():
            def stamp(app):
                async def middleware(scope, receive, send):
                    async def send_stamped(message):
                        if message["type"] == "http.response.start":
                            message["headers"] = [*message["headers"], (b"x-zoo", b"visited")]
                        await send(message)

                    await app(scope, receive, send_stamped)

                return middleware

            return [stamp]

    return Zoo, started


async def test_routes_static_files_and_templates_under_the_plugins_prefix(site, tmp_path):
    from core.web.app import create_app

    zoo, started = zoo_plugin(tmp_path)
    pm = get_plugin_manager()
    pm.register(zoo, name="zoo")
    try:
        app = create_app(site)
        for hook in app.on_startup:
            await hook()
        assert started == ["Litestar"]  # tongban_startup ran when the app started
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as client:
            page = await client.get("/p/zoo/")
            assert page.status_code == 200
            assert '<h1 class="zoo">办事指南</h1>' in page.text  # the core's layout and catalogue
            assert "熊猫 &amp; &lt;tiger&gt;" in page.text
            assert page.headers["x-zoo"] == "visited"  # tongban_asgi_middleware wraps requests
            css = await client.get("/p/zoo/static/zoo.css")
            assert css.status_code == 200 and css.text == ".zoo { color: green }"
            assert (await client.get("/p/zoo/static/../plugin.py")).status_code == 404
        for hook in app.on_shutdown:
            await hook()
    finally:
        pm.unregister(name="zoo")


@pytest.mark.parametrize("mount", ["/zoo", "/p/zoom", "/", "/file"])
def test_a_route_outside_the_plugins_prefix_stops_start_up(tmp_path, mount):
    zoo, _ = zoo_plugin(tmp_path, mount=mount)
    pm = make_plugin_manager(only=set(), extra=[("zoo", zoo)])
    with pytest.raises(PluginError) as raised:
        plugin_route_handlers(pm)
    assert "plugin 'zoo'" in str(raised.value)
    assert f"mounted at {mount!r}" in str(raised.value) and "/p/zoo/" in str(raised.value)


def test_a_missing_static_folder_stops_start_up(tmp_path):
    class Lost:
        @staticmethod
        @hookimpl
        def tongban_static_dirs():
            return [tmp_path / "nowhere"]

    with pytest.raises(PluginError, match=r"plugin 'lost'.*does not exist"):
        plugin_route_handlers(make_plugin_manager(only=set(), extra=[("lost", Lost)]))


def test_register_commands_adds_a_subcommand():
    class Tools:
        @staticmethod
        @hookimpl
        def tongban_register_commands(cli):
            @cli.command()
            def hello():
                click.echo("你好")

    root = click.Group()
    make_plugin_manager(only=set(), extra=[("tools", Tools)]).hook.tongban_register_commands(
        cli=root
    )
    assert CliRunner().invoke(root, ["hello"]).output == "你好\n"


def test_the_core_registers_the_plugins_commands():
    from core.cli import cli

    get_plugin_manager().hook.tongban_register_commands(cli=cli)
    result = CliRunner().invoke(cli, ["plugins", "list"])
    assert result.exit_code == 0, result.output
    assert "social_security" in result.output and "000115002000" in result.output


def test_piccolo_apps_locale_dirs_and_actors_are_checked():
    class Careless:
        @staticmethod
        @hookimpl
        def tongban_piccolo_apps():
            return ["tests.catalog.no_such_app", "tests.catalog.sample_plugin"]

        @staticmethod
        @hookimpl
        def tongban_locale_dirs():
            return [HERE / "no-locale"]

        @staticmethod
        @hookimpl
        def tongban_actors():
            return ["tests.catalog.no_such_actors", 42]

    from core.catalog import contract

    problems: list = []
    pm = make_plugin_manager(only=set(), extra=[("careless", Careless)])
    contract._check_web(pm, problems)
    contract._check_modules(pm, problems)
    found = {(p.plugin, p.where, p.message.split(":")[0]) for p in problems}
    assert ("careless", "tongban_piccolo_apps", "tests.catalog.no_such_app") in found
    assert any("has no APP_CONFIG" in p.message for p in problems)
    assert any(p.where == "tongban_locale_dirs" and "does not exist" in p.message for p in problems)
    assert any("no_such_actors" in p.message for p in problems)
    assert any("neither an actor nor a module" in p.message for p in problems)


def test_actors_of_a_plugin_are_declared_where_jobs_run():
    import dramatiq

    from core.jobs.broker import broker  # the worker's broker comes first

    class Busy:
        @staticmethod
        @hookimpl
        def tongban_actors():
            return ["tests.catalog.sample_actors"]

    names = load_plugin_actors(make_plugin_manager(only=set(), extra=[("busy", Busy)]))
    assert "sample_count" in names
    assert isinstance(broker.get_actor("sample_count"), dramatiq.Actor)


def test_the_in_tree_plugins_pass_the_whole_check():
    result = check_plugins()
    in_tree = {"social_security", "tax_joint_office", "public_security", "bank_outlets"}
    assert in_tree <= {info.name for info in result.plugins}
    assert [str(p) for p in result.problems if p.plugin in in_tree] == []


def test_a_plugins_payment_channel_is_loaded_and_a_bad_one_names_the_plugin():
    from core.payments.channels import PaymentChannel, load_channels

    class Bank:
        @staticmethod
        @hookimpl
        def tongban_payment_channels():
            return [
                PaymentChannel(
                    key="zoo_counter",
                    name="动物园柜台",
                    unit_kinds=("bank_outlet",),
                    roles=("window_clerk",),
                )
            ]

    class Sloppy:
        @staticmethod
        @hookimpl
        def tongban_payment_channels():
            return [{"key": "x", "name": "x", "unit_kinds": ["bank_outlet"], "roles": [],
                     "reference_pattern": "["}]  # fmt: skip

    channels = load_channels(make_plugin_manager(only=set(), extra=[("bank", Bank)]))
    assert channels["zoo_counter"].reference_ok("AB12CD34EF")
    with pytest.raises(PluginError, match="plugin 'sloppy'"):
        load_channels(make_plugin_manager(only=set(), extra=[("sloppy", Sloppy)]))


def test_a_plugins_scope_path_columns_join_the_cores_once_each():
    from core.cases.tables import Case
    from core.catalog.tables import DelegationRule
    from core.tenancy.units import scope_path_columns

    class Mover:
        @staticmethod
        @hookimpl
        def tongban_scope_path_columns():
            return [Case.scope_path, DelegationRule.unit_path]  # both repeat the core's

    pm = get_plugin_manager()
    pm.register(Mover, name="mover")
    try:
        names = [(c._meta.table._meta.tablename, c._meta.name) for c in scope_path_columns()]
    finally:
        pm.unregister(name="mover")
    assert names.count(("cases_case", "scope_path")) == 1
    assert names.count(("catalog_delegation_rule", "unit_path")) == 1
    assert ("catalog_plugin_switch", "unit_path") in names  # the catalogue's own
