"""Report text is hostile input: an ingested report whose title, outlet, URL and text carry <script>, an onerror
handler and a javascript: link, and a complaint that does the same, render inert on every page: no dialog fires, no
such element or link is in the page, and the text shows as text."""
from __future__ import annotations

import pytest

from .conftest import shoot, sign_in

pytestmark = pytest.mark.browser

NOTHING_RUNS = """() => ({
    scripts: [...document.scripts].map(s => s.src).filter(src => !src.includes('/static/')),
    handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name))
        .filter(name => name.startsWith('on')),
    links: [...document.querySelectorAll('[href], [src], [action]')]
        .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action'))
        .filter(v => /^\\s*javascript:/i.test(v)),
    images: [...document.images].map(i => i.getAttribute('src')),
})"""


def pages(site) -> list[tuple[str, str]]:
    return [("home", "/"), ("incident", f"/incidents/{site.hostile}"), ("map", "/map"),
            ("timeline", "/timeline"), ("agreements", "/agreements"), ("agreement", "/agreements/doha-2025-10-19"),
            ("complaints", "/complaints"), ("complaint", f"/complaints/{site.complaints['AFG']}"),
            ("contested", f"/incidents/{site.contested}")]


@pytest.mark.parametrize("who", ["public", "mon-qat"])
def test_hostile_text_is_inert_and_shown_as_text_on_every_page(site, page, who, tmp_path, capsys):
    if who != "public":
        sign_in(page, site, who)
    seen = 0
    for name, path in pages(site):
        answer = page.goto(site.url + path)
        if who == "public" and name.startswith("complaint"):  # sent to sign in, to come back here after
            assert answer.status == 200 and page.url.startswith(f"{site.url}/login?next=")
            continue
        assert answer.status == 200, (path, answer.status)
        if name == "map":
            page.wait_for_selector("#map[data-state=ready]")
        found = page.evaluate(NOTHING_RUNS)
        assert found == {"scripts": [], "handlers": [], "links": [], "images": []}, (path, found)
        seen += 1
        if who == "mon-qat":
            shoot(page, tmp_path, name, capsys, full=name != "map")
    assert seen >= 7
    assert not page.dialogs, page.dialogs
    assert not [e for e in page.errors if "Content Security Policy" in e or "alert" in e], page.errors


def test_the_hostile_title_and_complaint_show_as_their_text(site, page):
    page.goto(f"{site.url}/incidents/{site.hostile}")
    assert page.get_by_text("<script>alert('title')</script> Strike on Kabul").count() == 1
    assert page.get_by_text("address (not a web link): javascript:alert(document.cookie)").count() == 1
    assert page.get_by_text("<img src=x onerror=alert('outlet')>").count() >= 1
    sign_in(page, site, "mon-qat")
    page.goto(f"{site.url}/complaints/{site.complaints['AFG']}")
    assert "<script>alert('complaint')</script><img src=x onerror=alert('c2')>" in page.inner_text("pre.text")
    assert not page.dialogs
