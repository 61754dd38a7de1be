"""Re-rendering the form section over htmx keeps what the person typed in repeating groups.

Every change posts the whole form to /forms/<item>/section and the server sends
the section back, replacing it. Inputs keep what was typed meanwhile (htmx's
``hx-preserve``, by element id). Before the fix, inputs inside repeating groups
were left out ("the server's copy wins"), so text typed into a group entry while
a re-render was in flight was wiped by the swap. Now every text input is
preserved, and inside groups its id also names the layout of the entries, which
only an added or removed entry changes: text typed is kept across ordinary
re-renders and never lands in the wrong entry after a removal.

The browser half of this is ``tests/browser/test_form_rerender_browser.py``.
"""

from __future__ import annotations

import re

HOUSEHOLD_TRANSFER = "000112002000"  # public security: "companions" is a repeating group
SECTION = f"/forms/{HOUSEHOLD_TRANSFER}/section"

COMPANIONS = {
    "companions[0].name": "褚随迁甲",
    "companions[0].relation": "child",
    "companions[1].name": "褚随迁乙",
    "companions[1].relation": "spouse",
}


def inputs(html: str) -> dict[str, dict[str, str]]:
    """name -> the attributes of each text input in the section (value, id, hx-preserve)."""
    found = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))
        if "hx-preserve" in tag:
            attrs["hx-preserve"] = "yes"
        if "name" in attrs:
            found[attrs["name"]] = attrs
    return found


async def section(agent, data: dict) -> dict[str, dict[str, str]]:
    response = await agent.post_form(SECTION, data)
    assert response.status_code == 200, response.text[-2000:]
    return inputs(response.text)


async def test_group_inputs_are_preserved_and_keep_their_posted_values(new_browser):
    agent = await new_browser()
    await agent.login("agent")
    first = await section(agent, {**COMPANIONS, "_layout": "0"})
    # The posted values come back in their entries …
    assert first["companions[0].name"]["value"] == "褚随迁甲"
    assert first["companions[1].name"]["value"] == "褚随迁乙"
    # … and the inputs are kept by the browser across the swap, like those outside groups.
    assert first["companions[0].name"].get("hx-preserve") == "yes"
    assert first["companions[1].name"].get("hx-preserve") == "yes"
    assert first["_layout"]["value"] == "0"

    # Another ordinary re-render: same ids, so what is being typed survives the swap.
    again = await section(agent, {**COMPANIONS, "_layout": "0", "into_household": "new"})
    for name in ("companions[0].name", "companions[1].name"):
        assert again[name]["id"] == first[name]["id"]


async def test_removing_an_entry_moves_the_ids_so_no_text_lands_in_the_wrong_entry(new_browser):
    agent = await new_browser()
    await agent.login("agent")
    before = await section(agent, {**COMPANIONS, "_layout": "4"})
    after = await section(agent, {**COMPANIONS, "_layout": "4", "_op": "remove:companions[0]"})
    # The second entry moved up with its text; it is a new element (new id), so the
    # browser takes the server's copy instead of keeping the removed entry's input.
    assert after["companions[0].name"]["value"] == "褚随迁乙"
    assert "companions[1].name" not in after
    assert after["companions[0].name"]["id"] != before["companions[0].name"]["id"]
    assert after["_layout"]["value"] == "5"
    # Adding an entry moves them too; the entries typed so far keep their values.
    added = await section(agent, {**COMPANIONS, "_layout": "5", "_op": "add:companions"})
    assert [added[f"companions[{i}].name"]["value"] for i in range(3)] == [
        "褚随迁甲",
        "褚随迁乙",
        "",
    ]
    assert added["_layout"]["value"] == "6"


async def test_a_garbled_layout_counter_is_harmless(new_browser):
    agent = await new_browser()
    await agent.login("agent")
    for garbled in ("", "-3", "x", "9" * 5000):
        got = await section(agent, {**COMPANIONS, "_layout": garbled})
        assert got["_layout"]["value"] == "0"
        assert got["companions[1].name"]["value"] == "褚随迁乙"
