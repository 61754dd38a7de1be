"""Residents' numbers at rest: encrypted, found by keyed hash, shown masked."""

from __future__ import annotations

from core.residents import crypto
from core.residents.tables import Resident
from tests.ui import flows


def test_masks_keep_only_what_a_person_needs_to_recognise_the_number():
    assert crypto.mask_id_number("11010519491231002X") == "110***********002X"
    assert crypto.mask_phone("13800138000") == "138****8000"
    assert crypto.mask_name("欧阳娜娜") == "欧***" and crypto.mask_name("张") == "张*"


def test_a_minority_name_is_found_whichever_dot_the_keyboard_typed():
    keys = {
        crypto.name_birth_hash(name, "1990-06-15")
        for name in ("阿依古丽·买买提", "阿依古丽•买买提", "阿依古丽.买买提", "阿依古丽 · 买买提")
    }
    assert len(keys) == 1
    assert crypto.name_birth_hash("阿依古丽·买买提", "1990-06-16") not in keys


async def test_nothing_personal_is_stored_in_clear(people):
    agent = await people("agent")
    id_number, phone = flows.new_id_number("19900615"), flows.new_phone()
    resident_id = await flows.register(agent, "许十九", id_number, phone)
    row = await Resident.select().where(Resident.id == resident_id).first()
    stored = " ".join(str(v) for v in row.values())
    assert id_number not in stored and phone not in stored
    assert crypto.decrypt(row["id_number_enc"]) == id_number
    assert row["id_number_hash"] == crypto.lookup_hash("id", id_number)
    assert row["scope_path"], "registered under the agent's part of the tree"
