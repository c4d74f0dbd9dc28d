"""Signing in with a browser: a wrong password is refused with a message; the right one signs in."""
from __future__ import annotations

import pytest

from .conftest import PASSWORD, shoot, sign_in

pytestmark = pytest.mark.browser


def test_a_wrong_password_is_refused_then_the_right_one_signs_in(site, page, tmp_path, capsys):
    sign_in(page, site, "mon-qat", "not the password at all")
    assert page.url == f"{site.url}/login"
    assert "TW-E611" in page.inner_text("p.error")
    assert page.input_value("input[name=name]") == "mon-qat"  # the name stays, the password does not
    assert page.input_value("input[name=password]") == ""
    shoot(page, tmp_path, "sign-in-refused", capsys)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{site.url}/")
    assert "mon-qat" in page.inner_text("header .who") and "guarantor monitor (QAT)" in page.inner_text("header .who")
    assert page.get_by_role("link", name="Complaints").count() == 1  # a monitor may reach the queue
    shoot(page, tmp_path, "home-signed-in", capsys)
    page.click("header form button")  # sign out
    page.wait_for_url(f"{site.url}/")
    assert page.get_by_role("link", name="Sign in").count() == 1
    assert page.get_by_role("link", name="Complaints").count() == 0
    assert not page.dialogs
