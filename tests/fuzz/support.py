"""Shared by the hostile-input tests: credentials, and a snapshot of what may not change."""

from __future__ import annotations

from core.cases.tables import Case, CaseEvent, Task
from core.jobs.tables import OutboxMessage

WINDOW_UNIT = "509910101000-BM"


async def window_token(name: str = "fuzzing") -> str:
    """A bearer token for a window clerk's department system at the demo township."""
    from core.tenancy.auth import load_principal
    from core.tenancy.tables import Staff
    from core.tenancy.tokens import create_token

    admin = await Staff.select(Staff.id).where(Staff.username == "admin").first()
    principal = await load_principal(admin["id"])
    _, secret = await create_token(
        principal, name=name, unit_code=WINDOW_UNIT, role="window_clerk", valid_days=1
    )
    return secret


async def snapshot() -> tuple[int, ...]:
    """Row counts and the last event: a rejected request must leave all of them as they were."""
    last = await CaseEvent.select(CaseEvent.id).order_by(CaseEvent.id, ascending=False).first()
    return (
        await Case.count(),
        await CaseEvent.count(),
        await Task.count(),
        await OutboxMessage.count(),
        last["id"] if last else 0,
    )
