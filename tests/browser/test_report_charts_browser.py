"""The supervision dashboard's charts on a tablet (800 px wide) and a laptop (1280 px), in
Chinese and in English: every label is whole and readable, nothing sticks out of the
page sideways, and the bars say what the tables beside them say.

A district dashboard (綦江区): the "By unit" bars name its townships, the reviews
bars name the rating dimensions — "Accuracy of the service guide" is the longest.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import DEMO_PASSWORDS

DISTRICT = "509910000000"

# Two cases filed today at 石门村 (under 石角镇), counted: the bars are not all empty.
SEED = """
import asyncio


async def main():
    from core.cases import timing
    from core.cases.tables import Case
    from core.catalog.registry import get_catalog
    from core.catalog.versions import item_version_id
    from core.reports.counting import count_case
    from core.tenancy.tables import Unit

    village = await Unit.select(Unit.id, Unit.path).where(Unit.code == "509910102201").first()
    version = await item_version_id(get_catalog().items["000115002000"])
    now = timing.utcnow()
    for _ in range(2):
        row = await Case.insert(
            Case(
                item_code="000115002000",
                item_version=version,
                state="submitted",
                channel="proxy",
                filed_unit=village["id"],
                scope_path=village["path"],
                created_at=now,
                updated_at=now,
                submitted_at=now,
            )
        ).returning(Case.id)
        await count_case(row[0]["id"], force=True)


asyncio.run(main())
"""


@pytest.fixture(scope="module")
def seeded(live_server):
    subprocess.run(
        [sys.executable, "-c", SEED],
        env=live_server.env,
        check=True,
        capture_output=True,
        timeout=120,
    )


# What a reader would call clipped or unreadable, measured in the page:
# - text cut by its box (scrollWidth > clientWidth) or shortened with an ellipsis;
# - text smaller than 11 px as rendered (an SVG scales its text with its width);
# - an SVG label outside the SVG, or two axis labels on top of each other;
# - an element wider than the viewport, except inside a box that scrolls sideways on purpose.
MEASURE = """() => {
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && el.className.baseVal === undefined ? '.' + el.className : '') +
    ' "' + (el.textContent || '').trim().slice(0, 30) + '"';
  if (document.documentElement.scrollWidth > vw) {
    problems.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + vw);
  }
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('#dashboard *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if ((r.right > vw + 0.5 || r.left < -0.5) && !scrolls(el)) {
      problems.push('overflows the viewport: ' + name(el) + ' ' + r.left + '..' + r.right);
    }
  }
  const bars = document.querySelectorAll('.bar-chart .label, .bar-chart .value, .bar-chart .chart-title');
  for (const el of bars) {
    if (el.scrollWidth > el.clientWidth + 1) problems.push('clipped: ' + name(el));
    if (el.textContent.includes('…')) problems.push('shortened: ' + name(el));
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 11) problems.push('too small (' + size + 'px): ' + name(el));
  }
  for (const svg of document.querySelectorAll('svg.chart')) {
    const box = svg.getBoundingClientRect();
    const ticks = [];
    for (const text of svg.querySelectorAll('text')) {
      const r = text.getBoundingClientRect();
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
        problems.push('outside its chart: ' + name(text));
      }
      if (r.height < 11) problems.push('too small (' + r.height.toFixed(1) + 'px high): ' + name(text));
      if (text.getAttribute('text-anchor') === 'middle') ticks.push(r);
    }
    ticks.sort((a, b) => a.left - b.left);
    for (let i = 1; i < ticks.length; i++) {
      if (ticks[i].left < ticks[i - 1].right) problems.push('axis labels overlap at ' + ticks[i].left);
    }
  }
  return problems;
}"""

BARS = """(section) => [...document.querySelectorAll(section + ' .bar-chart')].map(
  (chart) => [...chart.querySelectorAll('.bar-row')].map(
    (row) => [row.querySelector('.label').textContent.trim(), row.querySelector('.value').textContent.trim()]))"""

TABLE = """(selector) => [...document.querySelectorAll(selector + ' tbody tr')].map(
  (row) => [...row.children].map((cell) => cell.textContent.trim()))"""


async def dashboard(new_page, live_server, locale: str, width: int, height: int):
    page = await new_page(locale=locale)
    await page.set_viewport_size({"width": width, "height": height})
    await page.goto("/login")
    await page.locator("#username").fill("admin")
    await page.locator("#password").fill(DEMO_PASSWORDS["admin"])
    await page.locator("form button[type=submit]").click()
    await page.wait_for_load_state()
    await page.goto(f"/reports/?unit={DISTRICT}&preset=year")
    await page.locator("#children").wait_for()
    return page


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("width,height", [(800, 1280), (1280, 800)])
async def test_dashboard_charts_are_whole_and_readable(
    new_page, live_server, seeded, locale, width, height
):
    page = await dashboard(new_page, live_server, locale, width, height)
    assert await page.evaluate(MEASURE) == []

    # By unit: a bar per township, named and valued as in the table below it.
    filed, on_time = await page.evaluate(BARS, "#children-title + .charts-2")
    table = await page.evaluate(TABLE, "#children")
    assert [label for label, _ in filed] == [row[0] for row in table]
    assert [value for _, value in filed] == [row[1] for row in table]  # cases filed
    assert [value for _, value in on_time] == [
        "0.0%" if row[4] == "—" else row[4]
        for row in table  # on-time rate; none yet is 0
    ]
    assert len(filed) >= 2 and any(value != "0" for _, value in filed)

    # Reviews: the dimensions in full, with the figures of the table beside them.
    (dimensions,) = await page.evaluate(BARS, "#reviews-title + .chart-table")
    labels = [label for label, _ in dimensions]
    guide = "Accuracy of the service guide" if locale == "en" else "办事指南准确性"
    assert guide in labels
    rows = dict((row[0], row[1]) for row in await page.evaluate(TABLE, "#review-figures"))
    assert rows[guide] in ("—", dict(dimensions)[guide])
