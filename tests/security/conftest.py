"""Browsers from chosen client addresses, and throwaway staff accounts, for the attacks."""

from __future__ import annotations

import itertools
from functools import lru_cache

import httpx
import pytest

from core.tenancy.auth import hash_password
from core.tenancy.tables import Membership, Staff, Unit
from tests.helpers import Browser

PASSWORD = "Pentest-account-2026"
_addresses = itertools.count(10)


@pytest.fixture
async def browser_at(app):
    """``await browser_at()``: a browser from an address of its own (throttling keeps apart)."""
    clients: list[httpx.AsyncClient] = []

    async def open_one(address: str | None = None) -> Browser:
        address = address or f"10.77.0.{next(_addresses)}"
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://testserver.local"))
        return Browser(clients[-1])

    yield open_one
    for client in clients:
        await client.aclose()


@lru_cache(maxsize=1)
def _hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once


async def staff_account(username: str, unit_code: str, role: str) -> int:
    unit = await Unit.select(Unit.id).where(Unit.code == unit_code).first()
    staff = (
        await Staff.insert(
            Staff(username=username, display_name=username, password_hash=_hash())
        ).returning(Staff.id)
    )[0]["id"]
    await Membership.insert(Membership(staff=staff, unit=unit["id"], role=role))
    return staff
