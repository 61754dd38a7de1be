"""Console pages for staff: list and search, create an account, grant and withdraw roles,
disable or enable an account, set a temporary password."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.i18n import N_
from core.tenancy import accounts
from core.tenancy.errors import PasswordRejected, Refused
from core.tenancy.routes.common import ConsoleController, error_text, flash, form_data, page
from core.tenancy.scope import Principal, admin_paths


class StaffController(ConsoleController):
    path = "/admin/staff"

    @get("/", name="admin.staff")
    async def list(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        q: FromQuery[str] = "",
        unit: FromQuery[str] = "",
    ) -> Template:
        q = q[:64]
        people = await accounts.list_staff(principal, q)
        template = (
            "tenancy/partials/staff_rows.html"
            if request.headers.get("hx-target") == "staff-rows"
            else "tenancy/staff.html"
        )
        return await page(request, principal, template, "staff", people=people, q=q)

    @get("/new", name="admin.staff.new")
    async def new(
        self, request: Request, principal: NamedDependency[Principal], unit: FromQuery[str] = ""
    ) -> Template:
        return await self._new_page(request, principal, {"unit_code": unit[:32]})

    async def _new_page(self, request, principal, values, errors=None, status=200):
        return await page(
            request,
            principal,
            "tenancy/staff_new.html",
            "staff",
            status=status,
            values=values,
            errors=errors or [],
            can_write=bool(admin_paths(principal, write=True)),
        )

    @post("/", name="admin.staff.create")
    async def create(
        self, request: Request, principal: NamedDependency[Principal]
    ) -> Template | Redirect:
        data = await form_data(request, 300)
        try:
            staff_id = await accounts.create_staff(
                data.get("username", ""),
                data.get("display_name", ""),
                data.get("password", ""),
                data.get("unit_code", ""),
                data.get("role", ""),
                principal=principal,
            )
        except (Refused, PasswordRejected) as refused:
            data.pop("password", None)
            return await self._new_page(request, principal, data, error_text(refused), 422)
        flash(request, N_("The account was created. Hand the temporary password over in person."))
        return Redirect(f"/admin/staff/{staff_id}")

    @get("/{staff_id:int}", name="admin.staff.detail")
    async def detail(
        self, request: Request, principal: NamedDependency[Principal], staff_id: FromPath[int]
    ) -> Template:
        return await self._detail(request, principal, staff_id)

    async def _detail(self, request, principal, staff_id, errors=None, values=None, status=200):
        person = await accounts.get_staff(principal, staff_id)
        return await page(
            request,
            principal,
            "tenancy/staff_detail.html",
            "staff",
            status=status,
            person=person,
            errors=errors or [],
            values=values or {},
            can_write=bool(admin_paths(principal, write=True)),
        )

    @post("/{staff_id:int}/{action:str}", name="admin.staff.change")
    async def change(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        staff_id: FromPath[int],
        action: FromPath[str],
    ) -> Template | Redirect:
        data = await form_data(request, 300)
        try:
            if action == "grant":
                await accounts.grant(
                    principal, staff_id, data.get("unit_code", ""), data.get("role", "")
                )
                flash(request, N_("The role was granted."))
            elif action == "withdraw":
                membership = data.get("membership", "")
                if not membership.isdigit():
                    raise Refused(N_("This action is not available here."))
                await accounts.get_staff(principal, staff_id, write=True)
                await accounts.withdraw(principal, int(membership), staff_id=staff_id)
                flash(request, N_("The role was withdrawn."))
            elif action in ("deactivate", "activate"):
                await accounts.set_staff_active(principal, staff_id, action == "activate")
                flash(
                    request,
                    N_("The account was enabled.")
                    if action == "activate"
                    else N_("The account was disabled; its sessions have ended."),
                )
            elif action == "password":
                await accounts.reset_password(principal, staff_id, data.get("password", ""))
                flash(
                    request, N_("The temporary password was set; it must be changed at next login.")
                )
            else:
                raise Refused(N_("This action is not available here."))
        except (Refused, PasswordRejected) as refused:
            data.pop("password", None)
            return await self._detail(request, principal, staff_id, error_text(refused), data, 422)
        return Redirect(f"/admin/staff/{staff_id}")
