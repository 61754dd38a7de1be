"""Log in, log out, change one's password, switch language.

Logging in rotates the session id (no session fixation) and stores the
account's auth epoch beside its id, so that a password change or a disabled
account ends every other session. Failed logins lock the account (see
:mod:`core.tenancy.auth`) and are also counted per client address.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from core.i18n import LOCALES, N_, gettext
from core.settings import get_settings
from core.tenancy.accounts import WrongCurrentPassword, change_own_password
from core.tenancy.auth import LoginRefused, authenticate
from core.tenancy.errors import PasswordRejected
from core.tenancy.passwords import MIN_LENGTH
from core.tenancy.scope import Principal
from core.web.guards import ACCOUNT_ROUTE, login_required, provide_principal
from core.web.locale import COOKIE, current_locale
from core.web.sessions import rotate_session
from core.web.throttle import LoginThrottle, client_address

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
THROTTLED = N_("Too many failed logins from your network. Try again in 15 minutes.")


def safe_next(target: str | None) -> str:
    """Only same-site relative paths: ``//evil.example`` and ``https://…`` go home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_throttle(request: Request) -> LoginThrottle:
    return LoginThrottle(request.app.stores.get("login-throttle"))


def _login_page(next_: str, error: str | None, username: str = "", status: int = 200) -> Template:
    return Template(
        "login.html",
        context={"next": next_, "error": error, "username": username},
        status_code=status,
    )


class AccountController(Controller):
    path = "/"

    @get("/login", name="login")
    async def login_page(self, next: FromQuery[str | None] = None) -> Template:
        return _login_page(safe_next(next), None)

    @post("/login")
    async def login(
        self, request: Request, data: Annotated[dict[str, str], FORM]
    ) -> Template | Redirect:
        username = (data.get("username") or "")[:64]
        password = (data.get("password") or "")[:256]
        target = safe_next(data.get("next"))
        locale = current_locale.get()
        throttle = login_throttle(request)
        address = client_address(request)
        if not await throttle.attempt(address):
            return _login_page(target, gettext(locale, THROTTLED), username, 429)
        try:
            staff_id, epoch = await authenticate(username, password, demo_site=get_settings().demo)
        except LoginRefused as refused:
            return _login_page(target, gettext(locale, refused.reason), username, 400)
        await throttle.succeeded(address)
        rotate_session(request)
        request.set_session({"staff_id": staff_id, "epoch": epoch})
        return Redirect(target)

    @post("/logout", opt={ACCOUNT_ROUTE: True})
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


class PasswordController(Controller):
    """Change one's own password — first thing after logging in, when it is forced."""

    path = "/account/password"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}
    opt = {ACCOUNT_ROUTE: True}

    @get("/", name="account.password")
    async def page(
        self, principal: NamedDependency[Principal], next: FromQuery[str | None] = None
    ) -> Template:
        return self._page(principal, safe_next(next), [])

    @post("/")
    async def change(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        data: Annotated[dict[str, str], FORM],
    ) -> Template | Redirect:
        target = safe_next(data.get("next"))
        try:
            epoch = await change_own_password(
                principal.staff_id,
                (data.get("current") or "")[:256],
                (data.get("new") or "")[:300],
                (data.get("confirm") or "")[:300],
            )
        except WrongCurrentPassword as wrong:
            return self._page(principal, target, [wrong.message], 422)
        except PasswordRejected as rejected:
            return self._page(principal, target, rejected.problems, 422)
        rotate_session(request)
        request.set_session({"staff_id": principal.staff_id, "epoch": epoch})
        return Redirect(target)

    @staticmethod
    def _page(principal: Principal, target: str, problems: list[str], status: int = 200):
        locale = current_locale.get()
        return Template(
            "account/password.html",
            context={
                "next": target,
                "forced": principal.must_change_password,
                "problems": [gettext(locale, p) for p in problems],
                "min_length": MIN_LENGTH,
            },
            status_code=status,
        )
