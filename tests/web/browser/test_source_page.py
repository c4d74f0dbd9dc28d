"""An admin finds the watched sources from the header, reads a failing source's last error and pauses it by its button
(a POST with the session's CSRF token); a screenshot of the page is kept."""
from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest

from trucewatch.jobs.accounts import add_user
from trucewatch.jobs.sources import add_source
from trucewatch.jobs.watch import Watch, WatchOptions

from .conftest import PASSWORD, shoot, sign_in

pytestmark = pytest.mark.browser


def test_an_admin_reads_a_failing_source_s_error_and_pauses_it(own_site, page, tmp_path, capsys):
    with socket.socket() as s:  # a port where nothing listens: the poll is refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with own_site.open() as db:
        add_user(db, "root", "admin", PASSWORD, by="test")
        now = datetime.now(UTC)
        add_source(db, f"http://127.0.0.1:{port}/rss.xml", "rss", "frontier-wire", "10m", now)
        watch = Watch(db, options=WatchOptions(host_seconds=0, timeout_seconds=5))
        try:
            watch.poll_round(now)
        finally:
            watch.close()

    sign_in(page, own_site, "root")
    page.click("header nav a:has-text('Sources')")
    page.wait_for_url("**/admin/sources")
    row = page.locator('tr[data-source="frontier-wire"]')
    assert "TW-E906" in row.locator("td.last-error").inner_text()
    assert row.locator("td.failures").inner_text() == "1"
    shoot(page, tmp_path, "admin-sources", capsys)

    row.locator("button:has-text('Pause')").click()
    page.wait_for_url("**/admin/sources")
    row = page.locator('tr[data-source="frontier-wire"]')
    assert row.locator("td.state").inner_text() == "paused"
    assert row.locator("button").inner_text() == "Resume"
    assert not page.dialogs and not page.errors
