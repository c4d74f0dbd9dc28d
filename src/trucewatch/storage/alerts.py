"""Alerts' part of the store (migration 0013_alerts): users' rules, watched incidents, the alerts rules fired and
their deliveries with every attempt. `AlertStore(db.engine)` is a view of the same database as `db.reports`.

The records here are plain dataclasses; the rules that decide what fires and the deliveries' network work are in
`trucewatch.jobs.alerts`. A webhook's secret comes in to be kept (the HMAC needs it) and never goes out in a listing:
`AlertRule.__repr__` leaves it out.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table, and_, delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from trucewatch.records import User
from trucewatch.storage.repository import write_transaction
from trucewatch.storage.schema import (
    AlertAttemptRow,
    AlertDeliveryRow,
    AlertRow,
    AlertRuleRow,
    AlertWatchRow,
    UserRow,
)

RULES: Table = AlertRuleRow.__table__  # type: ignore[assignment]
WATCHES: Table = AlertWatchRow.__table__  # type: ignore[assignment]
ALERTS: Table = AlertRow.__table__  # type: ignore[assignment]
DELIVERIES: Table = AlertDeliveryRow.__table__  # type: ignore[assignment]
ATTEMPTS: Table = AlertAttemptRow.__table__  # type: ignore[assignment]
USERS: Table = UserRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class AlertRule:
    """A user's rule: `kind` (violation, claim, deaths), filters (None lets all through) and where alerts go."""

    user: str
    kind: str
    party: str | None = None
    province: str | None = None
    event_type: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    email: str | None = None
    rule_id: int | None = None
    user_id: int | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """What a rule fired on an incident: why, in words, and the incident's link."""

    alert_id: str
    rule_id: int
    user: str
    incident_id: str
    kind: str
    why: str
    link: str
    report_ids: tuple[str, ...]
    fired_at: datetime
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One way an alert goes out: `state` due, sent or failed; `attempts` so far, each attempt's time."""

    alert_id: str
    channel: str  # webhook, email
    target: str  # the URL or the address
    state: str
    attempts: int
    next_at: datetime | None
    last_error: str | None = None
    delivered_at: datetime | None = None
    attempt_times: tuple[datetime, ...] = ()


class AlertStore:
    """Rules, watches, alerts and deliveries. A view over an open `Database`'s engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- rules and watches ---------------------------------------------------------------------------------------

    def add_rule(self, rule: AlertRule, user_id: int, at: datetime) -> AlertRule:
        row = {"user_id": user_id, "kind": rule.kind, "party": rule.party, "province": rule.province,
               "event_type": rule.event_type, "webhook_url": rule.webhook_url,
               "webhook_secret": rule.webhook_secret, "email": rule.email, "created_at": _utc(at)}
        with write_transaction(self.engine) as conn:
            key = conn.execute(insert(RULES), [row]).inserted_primary_key
        assert key is not None
        found = self.rules(rule_id=int(key[0]))
        return found[0]

    def rules(self, *, user_id: int | None = None, rule_id: int | None = None,
              active_only: bool = False) -> list[AlertRule]:
        """Rules by id, of one user or of everyone (`active_only`: of users not disabled)."""
        stmt = select(RULES, USERS.c.name).join(USERS, USERS.c.user_id == RULES.c.user_id).order_by(RULES.c.rule_id)
        if user_id is not None:
            stmt = stmt.where(RULES.c.user_id == user_id)
        if rule_id is not None:
            stmt = stmt.where(RULES.c.rule_id == rule_id)
        if active_only:
            stmt = stmt.where(USERS.c.disabled.is_(False))
        with self.engine.connect() as conn:
            return [_rule(row) for row in conn.execute(stmt)]

    def rule_owners(self, rule_ids: Iterable[int]) -> dict[int, User]:
        """The user of each rule (disabled ones too)."""
        stmt = select(RULES.c.rule_id, USERS).join(USERS, USERS.c.user_id == RULES.c.user_id).where(
            RULES.c.rule_id.in_(list(rule_ids)))
        with self.engine.connect() as conn:
            return {row.rule_id: _user(row) for row in conn.execute(stmt)}

    def remove_rule(self, rule_id: int, user_id: int) -> bool:
        """Remove a user's rule (its alerts go with it); False when that user has no such rule."""
        with write_transaction(self.engine) as conn:
            gone = conn.execute(delete(RULES).where(RULES.c.rule_id == rule_id, RULES.c.user_id == user_id))
        return bool(gone.rowcount)

    def watch(self, user_id: int, incident_id: str, at: datetime) -> bool:
        """Watch an incident; False when already watched."""
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(insert(WATCHES), [{"user_id": user_id, "incident_id": incident_id,
                                                "created_at": _utc(at)}])
        except IntegrityError:
            return False
        return True

    def unwatch(self, user_id: int, incident_id: str) -> bool:
        with write_transaction(self.engine) as conn:
            gone = conn.execute(delete(WATCHES).where(WATCHES.c.user_id == user_id,
                                                      WATCHES.c.incident_id == incident_id))
        return bool(gone.rowcount)

    def watched(self, *, user_id: int | None = None, incident_ids: Iterable[str] | None = None) \
            -> set[tuple[int, str]]:
        """(user id, incident id) of the watches of one user, or on these incidents."""
        stmt = select(WATCHES.c.user_id, WATCHES.c.incident_id)
        if user_id is not None:
            stmt = stmt.where(WATCHES.c.user_id == user_id)
        if incident_ids is not None:
            stmt = stmt.where(WATCHES.c.incident_id.in_(list(incident_ids)))
        with self.engine.connect() as conn:
            return {(row.user_id, row.incident_id) for row in conn.execute(stmt)}

    # --- alerts --------------------------------------------------------------------------------------------------

    def fired(self, rule_ids: Iterable[int], incident_ids: Iterable[str]) -> set[tuple[int, str]]:
        """Of these rules and incidents, the (rule, incident) pairs that already have their alert."""
        stmt = select(ALERTS.c.rule_id, ALERTS.c.incident_id).where(
            ALERTS.c.rule_id.in_(list(rule_ids)), ALERTS.c.incident_id.in_(list(incident_ids)))
        with self.engine.connect() as conn:
            return {(row.rule_id, row.incident_id) for row in conn.execute(stmt)}

    def record(self, alert: Alert, deliveries: Sequence[Delivery]) -> bool:
        """Store an alert with its deliveries, in one transaction; False (nothing stored) when its rule already has
        an alert on that incident: the unique index decides between two writers that both checked first."""
        row = {"alert_id": alert.alert_id, "rule_id": alert.rule_id, "user_id": alert.user_id,
               "incident_id": alert.incident_id, "kind": alert.kind, "why": alert.why, "link": alert.link,
               "report_ids": " ".join(alert.report_ids), "fired_at": _utc(alert.fired_at)}
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(insert(ALERTS), [row])
                if deliveries:
                    conn.execute(insert(DELIVERIES), [_delivery_row(d) for d in deliveries])
        except IntegrityError:
            return False
        return True

    def alerts(self, *, user_id: int | None = None, alert_ids: Iterable[str] | None = None,
               limit: int | None = None) -> list[Alert]:
        """Alerts newest first: of one user, by id, or all."""
        stmt = (select(ALERTS, USERS.c.name).join(USERS, USERS.c.user_id == ALERTS.c.user_id)
                .order_by(ALERTS.c.fired_at.desc(), ALERTS.c.alert_id.desc()).limit(limit))
        if user_id is not None:
            stmt = stmt.where(ALERTS.c.user_id == user_id)
        if alert_ids is not None:
            stmt = stmt.where(ALERTS.c.alert_id.in_(list(alert_ids)))
        with self.engine.connect() as conn:
            return [_alert(row) for row in conn.execute(stmt)]

    # --- deliveries ----------------------------------------------------------------------------------------------

    def deliveries(self, alert_ids: Iterable[str]) -> list[Delivery]:
        """The deliveries of these alerts, with their attempts' times."""
        ids = list(alert_ids)
        with self.engine.connect() as conn:
            rows = conn.execute(select(DELIVERIES).where(DELIVERIES.c.alert_id.in_(ids))
                                .order_by(DELIVERIES.c.alert_id, DELIVERIES.c.channel)).all()
            times = _attempt_times(conn, ids)
        return [_delivery(row, times.get((row.alert_id, row.channel), ())) for row in rows]

    def due(self, now: datetime, limit: int = 100) -> list[Delivery]:
        """Deliveries due by `now`, the longest-waiting first."""
        stmt = (select(DELIVERIES).where(DELIVERIES.c.state == "due", DELIVERIES.c.next_at <= _utc(now))
                .order_by(DELIVERIES.c.next_at, DELIVERIES.c.alert_id).limit(limit))
        with self.engine.connect() as conn:
            return [_delivery(row, ()) for row in conn.execute(stmt)]

    def claim(self, delivery: Delivery, until: datetime) -> bool:
        """Take a due delivery for one attempt: its next try moves to `until`, only if nobody moved it since it was
        read. Two deliverers (the watch and 'alerts deliver') never send one alert at once."""
        with write_transaction(self.engine) as conn:
            moved = conn.execute(update(DELIVERIES).where(
                DELIVERIES.c.alert_id == delivery.alert_id, DELIVERIES.c.channel == delivery.channel,
                DELIVERIES.c.state == "due", DELIVERIES.c.attempts == delivery.attempts)
                .values(next_at=_utc(until)))
        return bool(moved.rowcount)

    def settle(self, delivery: Delivery, at: datetime, outcome: str, *, state: str,
               next_at: datetime | None) -> None:
        """Record an attempt made `at` and what came of it; the delivery's new state and next try."""
        attempt = delivery.attempts + 1
        values: dict[str, Any] = {"attempts": attempt, "state": state, "next_at": _utc(next_at) if next_at else None}
        if state == "sent":
            values["delivered_at"] = _utc(at)
        else:
            values["last_error"] = outcome
        with write_transaction(self.engine) as conn:
            conn.execute(insert(ATTEMPTS), [{"alert_id": delivery.alert_id, "channel": delivery.channel,
                                             "seq": attempt, "at": _utc(at), "outcome": outcome}])
            conn.execute(update(DELIVERIES).where(and_(DELIVERIES.c.alert_id == delivery.alert_id,
                                                       DELIVERIES.c.channel == delivery.channel)).values(**values))


def _attempt_times(conn: Any, alert_ids: list[str]) -> dict[tuple[str, str], tuple[datetime, ...]]:
    found: dict[tuple[str, str], list[datetime]] = {}
    stmt = select(ATTEMPTS).where(ATTEMPTS.c.alert_id.in_(alert_ids)).order_by(ATTEMPTS.c.seq)
    for row in conn.execute(stmt):
        found.setdefault((row.alert_id, row.channel), []).append(_from_db(row.at))
    return {key: tuple(times) for key, times in found.items()}


def _rule(row: Row[Any]) -> AlertRule:
    return AlertRule(user=row.name, kind=row.kind, party=row.party, province=row.province, event_type=row.event_type,
                     webhook_url=row.webhook_url, webhook_secret=row.webhook_secret, email=row.email,
                     rule_id=row.rule_id, user_id=row.user_id, created_at=_from_db(row.created_at))


def _alert(row: Row[Any]) -> Alert:
    return Alert(alert_id=row.alert_id, rule_id=row.rule_id, user=row.name, incident_id=row.incident_id,
                 kind=row.kind, why=row.why, link=row.link, report_ids=tuple(row.report_ids.split()),
                 fired_at=_from_db(row.fired_at), user_id=row.user_id)


def _delivery(row: Row[Any], times: tuple[datetime, ...]) -> Delivery:
    return Delivery(alert_id=row.alert_id, channel=row.channel, target=row.target, state=row.state,
                    attempts=row.attempts, next_at=_from_db(row.next_at) if row.next_at else None,
                    last_error=row.last_error,
                    delivered_at=_from_db(row.delivered_at) if row.delivered_at else None, attempt_times=times)


def _delivery_row(d: Delivery) -> dict[str, Any]:
    return {"alert_id": d.alert_id, "channel": d.channel, "target": d.target, "state": d.state,
            "attempts": d.attempts, "next_at": _utc(d.next_at) if d.next_at else None, "last_error": d.last_error,
            "delivered_at": None}


def _user(row: Row[Any]) -> User:
    return User(name=row.name, role=row.role, party=row.party, guarantor=row.guarantor, disabled=bool(row.disabled),
                user_id=row.user_id)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _from_db(at: datetime) -> datetime:
    """SQLite gives times back without their zone; they were stored in UTC."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)
