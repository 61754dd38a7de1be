"""The Litestar app factory. Small on purpose: the modules bring their own routes."""

from __future__ import annotations

import os
from pathlib import Path

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from core import db
from core.catalog.mounting import plugin_route_handlers
from core.catalog.registry import get_catalog
from core.catalog.versions import sync_versions
from core.plugins import await_me_maybe, collect, get_plugin_manager
from core.settings import Settings, get_settings
from core.web.compression import compression_config
from core.web.errors import EXCEPTION_HANDLERS
from core.web.guards import access_policy
from core.web.locale import locale_middleware
from core.web.sessions import https_site, session_config, store_registry
from core.web.static import static_files_router
from core.web.templating import make_environment

STATIC_DIR = Path(__file__).parent / "static"
# No CSRF cookie on static files: a response that sets a cookie is not shared by caches.
STATIC_PATHS = ["^/static/", "^/p/[^/]+/static/"]


def create_app(settings: Settings | None = None, *, run_jobs: bool = False) -> Litestar:
    """Build the app. ``run_jobs`` starts the embedded worker and outbox relay in-process."""
    settings = settings or get_settings()
    pm = get_plugin_manager()
    get_catalog()  # a bad plugin declaration stops start-up here, with its name
    # Each plugin's routes under /p/<plugin>/ (checked) plus its static files.
    handlers = plugin_route_handlers(pm)
    template_dirs = [Path(d) for _, d in collect(pm, "tongban_template_dirs")]
    environment = make_environment(template_dirs)  # core's and plugins', in hook order
    background: dict = {}

    async def on_startup() -> None:
        await db.start()
        await sync_versions()
        for result in pm.hook.tongban_startup(app=application):
            await await_me_maybe(result)
        if run_jobs:
            from core.jobs.embedded import start_embedded_jobs

            background["jobs"] = start_embedded_jobs()

    async def on_shutdown() -> None:
        jobs = background.pop("jobs", None)
        if jobs is not None:
            await jobs.stop()
        await db.stop()

    sessions = session_config(settings)
    application = Litestar(
        route_handlers=[
            *handlers,
            # Versioned URLs cached for a year, the rest briefly (core.web.static).
            static_files_router("/static", [STATIC_DIR], name="static"),
        ],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment)),
        plugins=[HTMXPlugin()],
        middleware=[
            *(m for _, m in collect(pm, "tongban_asgi_middleware")),  # metrics, request ids
            locale_middleware,
            sessions.middleware,
            access_policy,
        ],
        stores=store_registry(settings),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="tongban_csrf",
            header_name="x-csrftoken",
            cookie_samesite="lax",
            # Pages put the token into forms and htmx's header themselves (csrf_token());
            # no script reads the cookie, so none may (an injected one included).
            cookie_httponly=True,
            cookie_secure=https_site(settings),  # as the session's (core.web.sessions)
            # The API checks CSRF itself: bearer-token calls need none, cookie sessions do
            # (double submit, see core.web.guards.access_policy).
            exclude=["^/api/", *STATIC_PATHS],
        ),
        compression_config=compression_config(),  # br, else gzip (core.web.compression)
        openapi_config=OpenAPIConfig(
            title="Tongban API", version="1.0.0", path="/api/docs", create_examples=False
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        debug=False,
        logging_config=None,  # logging is the process's (core.ops.logs), not Litestar's
    )
    return application


def app_from_env() -> Litestar:
    """Entry point for ``uvicorn --factory core.web.app:app_from_env`` (production)."""
    return create_app(run_jobs=os.environ.get("TONGBAN_EMBEDDED_JOBS") == "1")
