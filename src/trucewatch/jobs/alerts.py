"""Alerts: users' rules, what they fire when new reports arrive, and the deliveries (webhook, e-mail).

A rule belongs to a user and has one of three kinds (`KINDS`), each narrowed by optional filters: a party, a province
(ACLED admin1, any case) and an event type (the event type or sub-event type, any case).

- **violation**: an incident the new reports touch lies wholly inside an agreement's window and has a party accused
  under a commitment (the assessment of `pipeline/assess.py`, as the incident page's compliance table reads it:
  window status "inside", `potential_violation`). The party filter is the accused party.
- **claim**: the new reports carry a claim or denial (any stance, any topic) on an incident the rule's user watches.
  The party filter is the claimant's party.
- **deaths**: the incident's best death figure is above the province's rolling 30-day high: the highest best death
  figure of any other incident in that province (and country) whose days fall in the 30 days before the incident's
  first day. A province without a death in those 30 days has a high of 0, so its first deaths fire. The party filter
  is the party whose country the province is in.

`on_new_reports` (called by `trucewatch ingest` after it added reports, and by the watch after each poll round) finds
the incidents the reports' events are in, evaluates every active user's rules on them, and records each alert with
why it fired and the incident's link, at most once per (rule, incident): the job skips pairs already alerted, and a
unique index refuses a second one if two writers race. Liaison officers get alerts only on incidents they may read
(`casework.access.decide`). Each alert queues its deliveries; `deliver_due` sends those due: webhooks are POSTed JSON
signed with HMAC-SHA256 (`X-Trucewatch-Signature: sha256=HEX`) with the alert id as `Idempotency-Key`, retried with
exponential backoff and given up after `alert_attempts`; e-mails go through the SMTP server of the settings.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from trucewatch.casework.access import Identity, Resource, decide
from trucewatch.conflict import Conflict, shipped_conflict
from trucewatch.errors import AlertError, WebError
from trucewatch.jobs.ingest import describe_all, sides_of
from trucewatch.pipeline.assess import assess, potential_violation
from trucewatch.pipeline.incident import total_fatalities
from trucewatch.pipeline.sides import Sides
from trucewatch.records import Agreement, Assessment, Incident, IncidentFilter, User
from trucewatch.settings import Settings, load_settings
from trucewatch.storage import Database
from trucewatch.storage.alerts import Alert, AlertRule, AlertStore, Delivery

KINDS = {
    "violation": "a new incident inside an active agreement window with an accused party",
    "claim": "a new claim or denial on a watched incident",
    "deaths": "deaths in a province over the rolling 30-day high",
}
ROLLING_DAYS = 30
CLAIM_LEASE = timedelta(minutes=5)  # a claimed delivery whose deliverer died is tried again after this
SEND_TIMEOUT = 10.0  # seconds a webhook receiver or an SMTP server may take to answer
QUOTE_CHARS = 200

__all__ = ["KINDS", "Alert", "AlertRule", "Delivery", "DeliveryResult", "add_rule", "deliver_due", "list_alerts",
           "list_rules", "on_new_reports", "remove_rule", "watch_incident"]


def alert_store(db: Database) -> AlertStore:
    return AlertStore(db.engine)


# --- rules and watches ---------------------------------------------------------------------------------------------


def add_rule(db: Database, user_name: str, kind: str, *, party: str | None = None, province: str | None = None,
             event_type: str | None = None, webhook_url: str | None = None, secret: str | None = None,
             email: str | None = None, settings: Settings | None = None, parties: Sequence[str] | None = None,
             now: datetime) -> AlertRule:
    """Add a rule for a user (TW-E603 unknown user, TW-E920 unknown kind, TW-E921 nowhere to send, TW-E922 a bad
    filter or address, TW-E925 e-mail without an SMTP server in the settings)."""
    user = _user(db, user_name)
    parties = tuple(parties) if parties is not None else shipped_conflict().party_codes
    rule = AlertRule(user=user.name, kind=kind, party=_clean(party, upper=True), province=_clean(province),
                     event_type=_clean(event_type), webhook_url=_clean(webhook_url), webhook_secret=secret or None,
                     email=_clean(email))
    _check_rule(rule, parties, settings or load_settings())
    return alert_store(db).add_rule(rule, user.user_id or 0, now)


def _check_rule(rule: AlertRule, parties: Sequence[str], settings: Settings) -> None:
    if rule.kind not in KINDS:
        raise AlertError("TW-E920", kind=rule.kind, choices=", ".join(KINDS))
    if not rule.webhook_url and not rule.email:
        raise AlertError("TW-E921", detail="neither was given")
    if rule.webhook_url and not rule.webhook_secret:
        raise AlertError("TW-E921", detail="a webhook needs the secret its receiver checks the signature with")
    if rule.webhook_secret and not rule.webhook_url:
        raise AlertError("TW-E921", detail="a secret without a webhook URL")
    if rule.party and rule.party not in parties:
        raise AlertError("TW-E922", detail=f"party {rule.party!r} is not one of the conflict's: {', '.join(parties)}")
    if rule.webhook_url and not rule.webhook_url.lower().startswith(("http://", "https://")):
        raise AlertError("TW-E922", detail=f"the webhook {rule.webhook_url!r} is not an http:// or https:// URL")
    if rule.email and ("@" not in rule.email or any(c.isspace() for c in rule.email)):
        raise AlertError("TW-E922", detail=f"{rule.email!r} is not an e-mail address")
    if rule.email and not (settings.smtp_host and settings.smtp_from):
        raise AlertError("TW-E925")


def _clean(value: str | None, *, upper: bool = False) -> str | None:
    value = (value or "").strip()
    return (value.upper() if upper else value) or None


def list_rules(db: Database, user_name: str | None = None) -> list[AlertRule]:
    """One user's rules, or everyone's."""
    store = alert_store(db)
    return store.rules(user_id=_user(db, user_name).user_id) if user_name else store.rules()


def remove_rule(db: Database, user_name: str, rule_id: int) -> AlertRule:
    """Remove one of a user's rules, with its alerts; TW-E923 when that user has no such rule."""
    user = _user(db, user_name)
    store = alert_store(db)
    found = store.rules(user_id=user.user_id, rule_id=rule_id)
    if not found or not store.remove_rule(rule_id, user.user_id or 0):
        raise AlertError("TW-E923", user=user.name, rule_id=rule_id)
    return found[0]


def watch_incident(db: Database, user_name: str, incident_id: str, now: datetime, *, watch: bool = True) -> bool:
    """Watch an incident (or stop, `watch=False`): their 'claim' rules fire on new claims and denials on it. False
    when nothing changed; TW-E924 for an incident that does not exist."""
    user = _user(db, user_name)
    store = alert_store(db)
    if not watch:
        return store.unwatch(user.user_id or 0, incident_id)
    if not db.workplace.incident_exists(incident_id):
        raise AlertError("TW-E924", incident_id=incident_id)
    return store.watch(user.user_id or 0, incident_id, now)


def watched_incidents(db: Database, user_name: str) -> list[str]:
    return sorted(i for _u, i in alert_store(db).watched(user_id=_user(db, user_name).user_id))


@dataclass(frozen=True, slots=True)
class ListedAlert:
    """An alert with its deliveries, as the CLI and the alerts page show it."""

    alert: Alert
    deliveries: tuple[Delivery, ...]


def list_alerts(db: Database, user_name: str | None = None, limit: int | None = 100,
                conflict: Conflict | None = None) -> list[ListedAlert]:
    """Alerts newest first, one user's (only those on incidents they may read) or everyone's."""
    store = alert_store(db)
    user = _user(db, user_name) if user_name else None
    alerts = store.alerts(user_id=user.user_id if user else None, limit=limit)
    if user is not None:
        alerts = [a for a in alerts if may_read_incident(user, conflict)]
    deliveries: dict[str, list[Delivery]] = {}
    for d in store.deliveries(a.alert_id for a in alerts):
        deliveries.setdefault(d.alert_id, []).append(d)
    return [ListedAlert(a, tuple(deliveries.get(a.alert_id, ()))) for a in alerts]


def may_read_incident(user: User, conflict: Conflict | None) -> bool:
    """Whether the access rules let this user read incidents (every incident is in the published record today; a
    liaison officer is asked like anyone else, so an unpublished record would be held back from them)."""
    parties = (conflict or shipped_conflict()).party_codes
    return decide(Identity.of(user, parties), "read", Resource("incident"))


def _user(db: Database, name: str | None) -> User:
    user = db.workplace.get_user(name or "")
    if user is None or user.user_id is None:
        raise WebError("TW-E603", name=name)
    return user


# --- firing --------------------------------------------------------------------------------------------------------


@dataclass
class _Touched:
    """An incident the new reports touch, and what the rules read of it (assessments computed once, when needed)."""

    incident: Incident
    new_reports: set[str]
    assessments: list[tuple[Agreement, Assessment]] | None = None


def on_new_reports(db: Database, report_ids: Iterable[str], conflict: Conflict | None, now: datetime, *,
                   settings: Settings | None = None) -> list[Alert]:
    """Evaluate every active user's rules on the incidents these (newly stored) reports' events are in; record each
    alert that fires, at most once per (rule, incident), with its deliveries due `now`. Returns the new alerts.
    `settings` gives the site's address for the incidents' links (default: the environment's settings)."""
    store, alerts = db.reports, alert_store(db)
    touched = _touched_incidents(db, report_ids)
    rules = alerts.rules(active_only=True) if touched else []
    if not rules:
        return []
    conflict = conflict or shipped_conflict()
    sides = sides_of(conflict)
    members = store.events_of_incidents(touched)
    incidents = describe_all(store, members, sides, store.overrides())
    owners = alerts.rule_owners(r.rule_id for r in rules if r.rule_id is not None)
    done = alerts.fired((r.rule_id for r in rules if r.rule_id is not None), touched)
    watches = alerts.watched(incident_ids=touched)
    agreements = store.agreements()
    site = (settings or load_settings()).site_url.rstrip("/")
    fired: list[Alert] = []
    for incident in incidents:
        seen = _Touched(incident, touched[incident.incident_id])
        for rule in rules:
            key = (rule.rule_id or 0, incident.incident_id)
            if key in done or not may_read_incident(owners[key[0]], conflict):
                continue
            why = _why(db, rule, seen, sides, agreements, watches)
            if why is None:
                continue
            alert = _alert(rule, seen, why, site, now)
            if alerts.record(alert, _deliveries(rule, alert.alert_id, now)):
                fired.append(alert)
    return fired


def _touched_incidents(db: Database, report_ids: Iterable[str]) -> dict[str, set[str]]:
    """The incidents the reports' events are in, each with the reports that touched it."""
    found: dict[str, set[str]] = {}
    for report_id in dict.fromkeys(report_ids):
        for event in db.reports.events_of(report_id):
            if event.incident_id:
                found.setdefault(event.incident_id, set()).add(report_id)
    return found


def _why(db: Database, rule: AlertRule, seen: _Touched, sides: Sides, agreements: list[Agreement],
         watches: set[tuple[int, str]]) -> str | None:
    """Why the rule fires on the incident, in words; None when it does not."""
    if not _place_and_type_pass(rule, seen.incident):
        return None
    if rule.kind == "violation":
        return _violation(rule, seen, sides, agreements)
    if rule.kind == "claim":
        return _claim(rule, seen, watches)
    if rule.kind == "deaths":
        return _deaths(db, rule, seen.incident, sides)
    return None


def _place_and_type_pass(rule: AlertRule, incident: Incident) -> bool:
    province = incident.place.admin1 if incident.place else None
    if rule.province and (province or "").casefold() != rule.province.casefold():
        return False
    types = {incident.event_type.casefold(), incident.sub_event_type.casefold()}
    return not rule.event_type or rule.event_type.casefold() in types


def _violation(rule: AlertRule, seen: _Touched, sides: Sides, agreements: list[Agreement]) -> str | None:
    if seen.assessments is None:
        seen.assessments = [(a, assess(seen.incident, a, agreements, sides=sides)) for a in agreements]
    for agreement, a in seen.assessments:
        if a.window_status != "inside" or not potential_violation(a):
            continue
        if rule.party and rule.party not in a.accused:
            continue
        return (f"A potential violation of {agreement.agreement_id}: {', '.join(a.accused)} accused under "
                f"{', '.join(a.commitments)}, inside the agreement's window. {a.reason}")
    return None


def _claim(rule: AlertRule, seen: _Touched, watches: set[tuple[int, str]]) -> str | None:
    if (rule.user_id, seen.incident.incident_id) not in watches:
        return None
    new = [c for c in seen.incident.claims if c.source.report_id in seen.new_reports
           and (rule.party is None or c.party == rule.party)]
    if not new:
        return None
    said = "; ".join(f"{c.party} {c.claim.stance.replace('_', ' ')} ({c.claim.about}): "
                     f"\u201c{_cut(c.quote or c.claim.content)}\u201d (report {c.source.report_id})" for c in new[:3])
    more = f"; and {len(new) - 3} more" if len(new) > 3 else ""
    return f"New on an incident you watch: {said}{more}."


def _deaths(db: Database, rule: AlertRule, incident: Incident, sides: Sides) -> str | None:
    deaths = total_fatalities(incident.estimates)[1]
    place, day = incident.place, incident.first_date
    if not deaths or place is None or not place.admin1 or day is None:
        return None
    if rule.party and sides.countries.get(rule.party) != place.country:
        return None
    before = [s for s in db.reports.list_incidents(IncidentFilter(
        date_from=day - timedelta(days=ROLLING_DAYS), date_to=day - timedelta(days=1), country=place.country,
        admin1=place.admin1)) if s.incident_id != incident.incident_id and s.fatalities_best]
    high = max(before, key=lambda s: s.fatalities_best or 0, default=None)
    if high is not None and deaths <= (high.fatalities_best or 0):
        return None
    was = (f"the highest toll of any incident there in the {ROLLING_DAYS} days before was {high.fatalities_best} "
           f"(incident {high.incident_id})" if high else f"no deaths were recorded there in the {ROLLING_DAYS} days "
                                                            "before")
    return f"{deaths} deaths in {place.admin1}, {place.country} from {day}: above the rolling 30-day high ({was})."


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1] + "\u2026"


def _alert(rule: AlertRule, seen: _Touched, why: str, site: str, now: datetime) -> Alert:
    incident_id = seen.incident.incident_id
    return Alert(alert_id=alert_id_of(rule.rule_id or 0, incident_id), rule_id=rule.rule_id or 0, user=rule.user,
                 incident_id=incident_id, kind=rule.kind, why=why, link=f"{site}/incidents/{incident_id}",
                 report_ids=tuple(sorted(seen.new_reports)), fired_at=now, user_id=rule.user_id)


def alert_id_of(rule_id: int, incident_id: str) -> str:
    """The alert's id, from its rule and incident: the same pair always gives the same id, so a receiver's
    idempotency key stays the same whoever records or sends it."""
    return "alr-" + hashlib.sha256(f"{rule_id}\n{incident_id}".encode()).hexdigest()[:20]


def _deliveries(rule: AlertRule, alert_id: str, now: datetime) -> list[Delivery]:
    found = []
    if rule.webhook_url:
        found.append(Delivery(alert_id, "webhook", rule.webhook_url, "due", 0, now))
    if rule.email:
        found.append(Delivery(alert_id, "email", rule.email, "due", 0, now))
    return found


# --- delivering ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """One attempt: `state` after it (sent, due again at `next_at`, or failed: given up), and what came of it."""

    alert_id: str
    channel: str
    target: str
    attempt: int
    state: str
    outcome: str
    next_at: datetime | None


def deliver_due(db: Database, now: datetime, *, settings: Settings | None = None) -> list[DeliveryResult]:
    """Make one attempt at every delivery due by `now`: a success is sent; a failure is due again after
    `alert_retry_seconds` x 2^(attempts - 1), or given up (state failed) after `alert_attempts` attempts. Each
    attempt's time and outcome is stored. `settings`: the SMTP server and the retry policy (default: the
    environment's)."""
    settings = settings or load_settings()
    store = alert_store(db)
    results = []
    for delivery in store.due(now):
        if not store.claim(delivery, now + CLAIM_LEASE):
            continue  # another deliverer took it
        results.append(_attempt(store, delivery, now, settings))
    return results


def _attempt(store: AlertStore, delivery: Delivery, now: datetime, settings: Settings) -> DeliveryResult:
    alert = store.alerts(alert_ids=[delivery.alert_id])[0]
    rule = store.rules(rule_id=alert.rule_id)[0]
    problem = (_post_webhook(alert, rule, delivery.target) if delivery.channel == "webhook"
               else _send_email(alert, delivery.target, settings))
    attempt = delivery.attempts + 1
    if problem is None:
        state, outcome, next_at = "sent", "sent", None
    elif attempt >= settings.alert_attempts:
        state, outcome, next_at = "failed", f"gave up after {attempt} attempts: {problem}", None
    else:
        state, outcome = "due", problem
        next_at = now + timedelta(seconds=settings.alert_retry_seconds * 2 ** (attempt - 1))
    store.settle(delivery, now, outcome, state=state, next_at=next_at)
    return DeliveryResult(delivery.alert_id, delivery.channel, delivery.target, attempt, state, outcome, next_at)


def webhook_body(alert: Alert) -> bytes:
    """What a webhook receives: the alert as JSON (UTF-8, keys sorted)."""
    return json.dumps({"alert_id": alert.alert_id, "kind": alert.kind, "rule_id": alert.rule_id, "user": alert.user,
                       "incident_id": alert.incident_id, "incident_url": alert.link, "why": alert.why,
                       "reports": list(alert.report_ids), "fired_at": alert.fired_at.isoformat()},
                      sort_keys=True, ensure_ascii=False).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    """The `X-Trucewatch-Signature` header's value: 'sha256=' and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _post_webhook(alert: Alert, rule: AlertRule, url: str) -> str | None:
    """POST the alert; None when the receiver answered 2xx, else what went wrong."""
    body = webhook_body(alert)
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Idempotency-Key": alert.alert_id,
        "X-Trucewatch-Signature": signature(rule.webhook_secret or "", body), "User-Agent": "trucewatch-alerts"})
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as answer:  # noqa: S310  (http(s) only: add_rule)
            status = answer.status
    except urllib.error.HTTPError as err:
        return f"the receiver answered HTTP {err.code}"
    except (urllib.error.URLError, OSError) as err:
        return f"could not reach the receiver: {getattr(err, 'reason', err)}"
    return None if 200 <= status < 300 else f"the receiver answered HTTP {status}"


def email_message(alert: Alert, to: str, sender: str) -> EmailMessage:
    """The alert as an e-mail: what happened in the subject; why it fired, the incident's link and the reports in
    the body."""
    message = EmailMessage()
    message["From"], message["To"] = sender, to
    message["Subject"] = f"trucewatch alert: {KINDS[alert.kind]} (incident {alert.incident_id})"
    message["Message-ID"] = f"<{alert.alert_id}@trucewatch>"
    message.set_content(
        f"{KINDS[alert.kind].capitalize()}: incident {alert.incident_id}.\n\n"
        f"Why it fired: {alert.why}\n\nThe incident: {alert.link}\n\n"
        f"Reports that fired it: {', '.join(alert.report_ids)}\n"
        f"Fired at {alert.fired_at:%Y-%m-%d %H:%M} UTC by rule {alert.rule_id} of {alert.user}.\n")
    return message


def _send_email(alert: Alert, to: str, settings: Settings) -> str | None:
    """Send the alert's e-mail through the settings' SMTP server; None when it took it, else what went wrong."""
    if not settings.smtp_host or not settings.smtp_from:
        return "no SMTP server is set (TRUCEWATCH_SMTP_HOST, TRUCEWATCH_SMTP_FROM)"
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SEND_TIMEOUT) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(email_message(alert, to, settings.smtp_from))
    except (smtplib.SMTPException, OSError) as err:
        return f"the SMTP server {settings.smtp_host}:{settings.smtp_port} refused or failed: {err}"
    return None
