"""Log in, log out, switch language."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from core.i18n import LOCALES, gettext
from core.tenancy.auth import LoginRefused, authenticate
from core.web.locale import COOKIE, current_locale
from core.web.sessions import rotate_session

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths: ``//evil.example`` and ``https://…`` go home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class AccountController(Controller):
    path = "/"

    @get("/login", name="login")
    async def login_page(self, next: FromQuery[str | None] = None) -> Template:
        return Template("login.html", context={"next": safe_next(next), "error": None})

    @post("/login")
    async def login(
        self, request: Request, data: Annotated[dict[str, str], FORM]
    ) -> Template | Redirect:
        username = (data.get("username") or "")[:64]
        password = (data.get("password") or "")[:256]
        try:
            staff_id = await authenticate(username, password)
        except LoginRefused as refused:
            return Template(
                "login.html",
                context={
                    "next": safe_next(data.get("next")),
                    "error": gettext(current_locale.get(), refused.reason),
                    "username": username,
                },
                status_code=400,
            )
        rotate_session(request)
        request.set_session({"staff_id": staff_id})
        return Redirect(safe_next(data.get("next")))

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        rotate_session(request)
        request.clear_session()
        return Redirect("/")

    @get("/lang/{code:str}")
    async def switch_language(self, request: Request, code: FromPath[str]) -> Redirect:
        code = code if code in LOCALES else "zh_CN"
        referer = request.headers.get("referer", "/")
        origin = f"{request.url.scheme}://{request.url.netloc}"
        back = referer.removeprefix(origin) if referer.startswith(origin) else "/"
        response = Redirect(safe_next(back))
        response.set_cookie(COOKIE, code, max_age=365 * 86400, samesite="lax")
        return response
