"""An incident's page in a browser: each party's claims side by side, every figure with its source, the reports
with their links and hashes, the assessment against each agreement."""
from __future__ import annotations

import pytest

from .conftest import shoot

pytestmark = pytest.mark.browser


def test_the_claims_of_both_parties_stand_side_by_side(site, page, tmp_path, capsys):
    page.goto(f"{site.url}/incidents/{site.contested}")
    headings = page.locator("table.claims thead th").all_inner_texts()
    assert headings[:3] == ["Made on", "PAK: Pakistan", "AFG: Afghanistan"]
    columns = page.evaluate("""() => {
        const filled = [0, 0];
        for (const row of document.querySelectorAll('table.claims tbody tr')) {
            const cells = row.querySelectorAll('td');
            [1, 2].forEach((c, i) => { if (cells[c] && cells[c].innerText.trim()) filled[i] += 1; });
        }
        return filled;
    }""")
    assert columns[0] > 0 and columns[1] > 0, "each party's column holds claims"
    boxes = [page.locator("table.claims thead th").nth(n).bounding_box() for n in (1, 2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 1 and boxes[0]["x"] < boxes[1]["x"]  # side by side, not stacked
    assert page.locator("h2", has_text="Casualty figures").count() == 1
    assert page.locator("td.hash").count() >= 1 and all(len(h) == 64 for h in page.locator("td.hash").all_inner_texts())
    links = page.locator("h2:has-text('Reports') + table a[rel]")
    assert links.count() >= 1 and links.first.get_attribute("rel") == "noopener noreferrer nofollow"
    assert page.locator("h2", has_text="Compliance assessment").count() == 1
    assert page.locator("form[action$='/merge']").count() == 0  # the public sees no monitor's forms
    shoot(page, tmp_path, "incident", capsys)
