"""A user's alerts page, /alerts: their alerts with why each fired and the incident's link, their rules, a form to add
one and a button to remove it; nobody else's (docs/alerts.md)."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from trucewatch.conflict import shipped_conflict
from trucewatch.jobs import alerts

from .test_auth import session_csrf, sign_in

NOW = datetime(2025, 10, 16, 9, 0, tzinfo=UTC)


def signed_in(client: TestClient, name: str) -> str:
    assert sign_in(client, name).status_code == 303
    return session_csrf(client)


def test_a_user_adds_a_rule_sees_its_alert_with_why_and_link_and_removes_the_rule(own_world, own_client):
    csrf = signed_in(own_client, "analyst")
    page = own_client.get("/alerts")
    assert page.status_code == 200 and 'href="/alerts"' in page.text and "No rules yet" in page.text

    added = own_client.post("/alerts/rules", data={"csrf_token": csrf, "kind": "deaths", "province": "kabul",
                                                   "webhook_url": "http://127.0.0.1:9/hook", "secret": "s3cret-key"},
                            follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == "/alerts"
    page = own_client.get("/alerts").text
    assert "kabul" in page and "webhook http://127.0.0.1:9/hook" in page and "s3cret-key" not in page
    rule_id = re.search(r'data-rule-id="(\d+)"', page).group(1)

    with own_world.open() as db:  # the Kabul strike's reports come in; the rule fires on the incident
        [alert] = alerts.on_new_reports(db, ["w-001", "w-002"], shipped_conflict(), NOW, settings=own_world.settings)
    page = own_client.get("/alerts").text
    assert f'href="/incidents/{alert.incident_id}"' in page and "deaths in Kabul" in page
    assert "webhook: due, 0 attempts" in page

    other = TestClient(own_client.app)
    other_csrf = signed_in(other, "liaison-afg")
    assert alert.alert_id not in other.get("/alerts").text  # another user's alerts are not on their page
    refused = other.post(f"/alerts/rules/{rule_id}/remove", data={"csrf_token": other_csrf})
    assert refused.status_code == 422 and "TW-E923" in refused.text

    removed = own_client.post(f"/alerts/rules/{rule_id}/remove", data={"csrf_token": csrf}, follow_redirects=False)
    assert removed.status_code == 303
    assert "No rules yet" in own_client.get("/alerts").text


def test_a_rule_without_a_way_to_deliver_shows_the_form_again_with_why(own_client):
    csrf = signed_in(own_client, "analyst")
    answer = own_client.post("/alerts/rules", data={"csrf_token": csrf, "kind": "violation", "province": "Paktika"})
    assert answer.status_code == 422 and "TW-E921" in answer.text and 'value="Paktika"' in answer.text


def test_the_public_is_sent_to_sign_in(client):
    answer = client.get("/alerts", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
