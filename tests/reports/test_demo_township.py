"""The demo site's township supervisor (何督办, 赶水镇) sees the township's dashboard, red
list and monthly reports, and nothing of the district above or the township beside."""

from __future__ import annotations

import re

from tests.helpers import DEMO_PASSWORDS

GANSHUI, DISTRICT, DAGUAN = "509910101000", "509910000000", "509920101000"


async def test_the_demo_township_supervisor_sees_the_township(site, new_browser):
    assert "townsupervisor" in DEMO_PASSWORDS
    sup = await new_browser()
    await sup.login("townsupervisor")
    home = await sup.get("/reports/")
    assert home.status_code == 200
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", home.text, re.S).group(1)
    assert "赶水镇" in heading and "綦江区" not in heading
    assert "麻柳村" in home.text  # its villages, to drill into
    assert 'id="kpi-filed"' in home.text
    for page in ("/reports/red/", "/reports/monthly/"):
        assert (await sup.get(page)).status_code == 200, page
    for other in (DISTRICT, DAGUAN):
        assert (await sup.get("/reports/", params={"unit": other})).status_code == 404
