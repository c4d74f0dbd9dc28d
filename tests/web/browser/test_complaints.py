"""Complaints in a browser: a liaison officer files one with an evidence file, sees their party's complaints and
never the other party's, in the list or by its address; a monitor sees every complaint in the queue."""
from __future__ import annotations

import pytest

from .conftest import shoot, sign_in

pytestmark = pytest.mark.browser


def test_a_liaison_files_a_complaint_with_a_file_and_never_sees_the_other_partys(own_site, page, tmp_path, capsys):
    photo = tmp_path / "crater.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg, but evidence all the same")
    sign_in(page, own_site, "liaison-pak")
    page.click("header nav a:has-text('Complaints')")
    assert page.inner_text("h1") == "Complaints of PAK"
    page.fill("textarea[name=text]", "Mortar fire on the Chaman post at 02:10; two soldiers wounded.")
    page.fill("input[name=incident_id]", own_site.contested)
    page.set_input_files("input[name=evidence]", str(photo))
    shoot(page, tmp_path, "complaint-form", capsys)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/complaints/cmp-*?filed=1")
    assert "Filed." in page.inner_text("p.notice")
    assert page.locator("td a[download]").inner_text() == "crater.jpg"
    new_id = page.url.split("/complaints/")[1].split("?")[0]
    shoot(page, tmp_path, "complaint-filed", capsys)

    page.goto(f"{own_site.url}/complaints")
    listed = page.locator("table td.id a[href^='/complaints/']").all_inner_texts()
    assert new_id in listed and own_site.complaints["PAK"] in listed
    assert own_site.complaints["AFG"] not in listed
    assert "Mortar fire on Chaman" not in page.content()  # the AFG complaint's text
    shoot(page, tmp_path, "complaints-of-pak", capsys)

    answer = page.goto(f"{own_site.url}/complaints/{own_site.complaints['AFG']}")
    assert answer.status == 404 and "TW-E616" in page.inner_text("p.error")
    shoot(page, tmp_path, "complaint-of-afg-not-found", capsys)
    assert page.goto(f"{own_site.url}/api/v1/complaints/{own_site.complaints['AFG']}").status == 404
    assert not page.dialogs


def test_a_monitor_sees_every_complaint_in_the_queue(site, page, tmp_path, capsys):
    sign_in(page, site, "mon-qat")
    page.goto(f"{site.url}/complaints")
    assert page.inner_text("h1") == "Complaints queue"
    assert page.locator("textarea").count() == 0  # monitors do not file complaints
    listed = page.locator("table td.id a[href^='/complaints/']").all_inner_texts()
    assert set(site.complaints.values()) <= set(listed)
    shoot(page, tmp_path, "complaints-queue", capsys)
    assert not page.dialogs
