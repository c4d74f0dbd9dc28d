"""Tables as a reader sees them in a narrow window: a date never breaks over two lines, and an incident whose
accounts agree shows its deaths as one number."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

# Each date cell's rendered lines: one, when the cell does not wrap.
LINES_OF_DATE_CELLS = """(selector) => [...document.querySelectorAll(selector)].map(cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
})"""


def test_dates_stay_on_one_line_and_a_single_figure_is_one_number(site, page):
    page.set_viewport_size({"width": 640, "height": 900})  # a narrow window squeezes every column
    page.goto(site.url + "/")
    incidents = "table:first-of-type tbody td:nth-child(2)"
    lines = page.evaluate(LINES_OF_DATE_CELLS, incidents)
    assert lines and set(lines) == {1}
    # the window is narrow enough to matter: let the cells wrap, and some date breaks
    page.evaluate("() => document.querySelectorAll('td.nowrap').forEach(td => td.style.whiteSpace = 'normal')")
    assert max(page.evaluate(LINES_OF_DATE_CELLS, incidents)) > 1
    deaths = page.locator("table:first-of-type tbody td:nth-child(7)").all_inner_texts()
    assert deaths and not [d for d in deaths if re.fullmatch(r"(\d+) \(\1–\1\)", d.strip())]
    page.goto(f"{site.url}/incidents/{site.contested}")
    lines = page.evaluate(LINES_OF_DATE_CELLS, "td.nowrap")
    assert lines and set(lines) == {1}
