"""The workplace's part of the store: users, browser sessions, API tokens, sign-in attempts and complaints; and pages
of the public record (reports, events, incidents) read a page at a time by keyset, for the HTTP API.

`db.workplace` is a view of the same database as `db.reports` (the tables come from migration 0004_web). Secrets never
come in: the store keeps and compares only what `trucewatch.jobs.auth` hands it (argon2 hashes, SHA-256 digests).

Keyset pages: each listing is ordered by a sort key and the row id, and a page starts after the (key, id) of the
last row of the page before, so page 1000 costs what page 1 does. Missing values (an undated incident) sort last in
either direction: they are replaced by a sentinel that sorts after every real value.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Engine,
    Table,
    and_,
    delete,
    func,
    insert,
    select,
    text,
    true,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from trucewatch.errors import WebError
from trucewatch.records import (
    ApiToken,
    Complaint,
    ComplaintTransition,
    Event,
    Evidence,
    EvidenceOriginal,
    IncidentFilter,
    IncidentSummary,
    Report,
    User,
)
from trucewatch.storage.cases import apply_moves, insert_originals
from trucewatch.storage.repository import (
    EVENTS,
    INCIDENTS,
    REPORTS,
    AuditHook,
    _as_utc,
    _children,
    _event,
    _incident_where,
    _new_key,
    _report,
    _summary,
    _utc,
    common_where,
    write_transaction,
)
from trucewatch.storage.schema import (
    ApiTokenRow,
    ComplaintEvidenceRow,
    ComplaintRow,
    LoginAttemptRow,
    UserRow,
    WebSessionRow,
)

USERS: Table = UserRow.__table__  # type: ignore[assignment]
SESSIONS: Table = WebSessionRow.__table__  # type: ignore[assignment]
TOKENS: Table = ApiTokenRow.__table__  # type: ignore[assignment]
ATTEMPTS: Table = LoginAttemptRow.__table__  # type: ignore[assignment]
COMPLAINTS: Table = ComplaintRow.__table__  # type: ignore[assignment]
EVIDENCE: Table = ComplaintEvidenceRow.__table__  # type: ignore[assignment]

LAST_DAY, FIRST_DAY = date(9999, 12, 31), date(1, 1, 1)
LAST_AT = datetime(9999, 12, 31, tzinfo=UTC)
MOST, LEAST = 2**62, -1


@dataclass(frozen=True, slots=True)
class SortKey:
    """One way a listing can be ordered: `?sort=name` (or `-name`, descending), the column and how its missing
    values sort last."""

    name: str
    column: Any
    last: Any  # stands for a missing value, ascending
    first: Any  # stands for a missing value, descending

    def expression(self, descending: bool) -> ColumnElement[Any]:
        return func.coalesce(self.column, self.first if descending else self.last)

    def value(self, raw: Any, descending: bool) -> Any:
        return raw if raw is not None else (self.first if descending else self.last)


INCIDENT_SORTS = {
    "date": SortKey("date", INCIDENTS.c.first_date, LAST_DAY, FIRST_DAY),
    "deaths": SortKey("deaths", INCIDENTS.c.fatalities_best, MOST, LEAST),
    "updated": SortKey("updated", INCIDENTS.c.updated_at, LAST_AT, LAST_AT),
}
EVENT_SORTS = {"date": SortKey("date", EVENTS.c.event_date, LAST_DAY, FIRST_DAY)}
REPORT_SORTS = {"published": SortKey("published", REPORTS.c.published, LAST_DAY, FIRST_DAY)}
COMPLAINT_SORTS = {"filed": SortKey("filed", COMPLAINTS.c.filed_at, LAST_AT, LAST_AT)}


@dataclass(frozen=True, slots=True)
class PageQuery:
    """Which page: the sort key's name, its direction, the (key, id) to start after, and how many rows."""

    sort: str
    descending: bool = False
    after: tuple[Any, str] | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class AttemptClaim:
    """A sign-in attempt claimed (`attempt_id`: it may check the password) or refused (None), and the failures
    within the window before it, by name and by address, oldest first."""

    attempt_id: int | None
    by_name: list[datetime]
    by_address: list[datetime]


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events to list; like `IncidentFilter`, on the events' own columns."""

    date_from: date | None = None
    date_to: date | None = None
    country: str | None = None
    admin1: str | None = None
    event_type: str | None = None
    actor: str | None = None
    incident_id: str | None = None
    report_id: str | None = None


class WebStore:
    """Users, sessions, tokens, sign-in attempts, complaints, and keyset pages. A view over an open
    `Database` (`db.workplace`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- users ---------------------------------------------------------------------------------------------------

    def add_user(self, user: User, password_hash: str, at: datetime, audit: AuditHook | None = None) -> User:
        """Store a new user (and its `user.add` audit entry, with `audit`); TW-E602 if the name is taken."""
        row = {"name": user.name, "role": user.role, "party": user.party, "guarantor": user.guarantor,
               "password_hash": password_hash, "disabled": user.disabled, "created_at": _as_utc(at)}
        try:
            with write_transaction(self.engine) as conn:
                key = conn.execute(insert(USERS), [row]).inserted_primary_key
                if audit is not None:
                    audit(conn)
        except IntegrityError:
            raise WebError("TW-E602", name=user.name) from None
        return self.user_by_id(_new_key(key)) or user

    def get_user(self, name: str) -> User | None:
        return self._user(USERS.c.name == name)

    def user_by_id(self, user_id: int) -> User | None:
        return self._user(USERS.c.user_id == user_id)

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(row) for row in conn.execute(select(USERS).order_by(USERS.c.name))]

    def credentials(self, name: str) -> tuple[User, str] | None:
        """A user and their password hash, for signing in."""
        with self.engine.connect() as conn:
            row = conn.execute(select(USERS).where(USERS.c.name == name)).first()
        return (_user(row), row.password_hash) if row else None

    def set_password_hash(self, name: str, password_hash: str) -> bool:
        with write_transaction(self.engine) as conn:
            return conn.execute(update(USERS).where(USERS.c.name == name)
                                .values(password_hash=password_hash)).rowcount > 0

    def disable_user(self, name: str, audit: AuditHook | None = None) -> User | None:
        """Disable a user and end their browser sessions (their tokens stop working: a disabled user is nobody).
        `audit` (the `user.disable` entry) is appended only when the user was enabled."""
        with write_transaction(self.engine) as conn:
            row = conn.execute(select(USERS.c.user_id, USERS.c.disabled).where(USERS.c.name == name)).first()
            if row is None:
                return None
            conn.execute(update(USERS).where(USERS.c.user_id == row.user_id).values(disabled=True))
            conn.execute(delete(SESSIONS).where(SESSIONS.c.user_id == row.user_id))
            if audit is not None and not row.disabled:
                audit(conn)
        return self.get_user(name)

    def set_role(self, name: str, role: str, party: str | None, guarantor: str | None,
                 audit: AuditHook | None = None) -> User | None:
        """Change a user's role and binding and end their browser sessions (their next request is under the new
        role); `audit` (the `user.role` entry) is appended only when something changed. None for an unknown name."""
        with write_transaction(self.engine) as conn:
            row = conn.execute(select(USERS).where(USERS.c.name == name)).first()
            if row is None:
                return None
            if (row.role, row.party, row.guarantor) != (role, party, guarantor):
                conn.execute(update(USERS).where(USERS.c.user_id == row.user_id)
                             .values(role=role, party=party, guarantor=guarantor))
                conn.execute(delete(SESSIONS).where(SESSIONS.c.user_id == row.user_id))
                if audit is not None:
                    audit(conn)
        return self.get_user(name)

    def _user(self, where: Any) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(USERS).where(where)).first()
        return _user(row) if row else None

    # --- browser sessions ----------------------------------------------------------------------------------------

    def add_session(self, session_hash: str, user_id: int, csrf_token: str, at: datetime, expires: datetime) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(insert(SESSIONS), [{"session_hash": session_hash, "user_id": user_id,
                                             "csrf_token": csrf_token, "created_at": _as_utc(at),
                                             "expires_at": _as_utc(expires)}])

    def session(self, session_hash: str, now: datetime) -> tuple[User, str] | None:
        """The user of a live session and its CSRF token; None when unknown, expired, or the user is disabled."""
        stmt = (select(USERS, SESSIONS.c.csrf_token, SESSIONS.c.expires_at)
                .join(SESSIONS, SESSIONS.c.user_id == USERS.c.user_id)
                .where(SESSIONS.c.session_hash == session_hash))
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        if row is None or _utc(row.expires_at) <= now or row.disabled:
            return None
        return _user(row), row.csrf_token

    def drop_session(self, session_hash: str) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(delete(SESSIONS).where(SESSIONS.c.session_hash == session_hash))

    def drop_expired_sessions(self, now: datetime) -> int:
        with write_transaction(self.engine) as conn:
            return conn.execute(delete(SESSIONS).where(SESSIONS.c.expires_at <= _as_utc(now))).rowcount

    # --- API tokens ----------------------------------------------------------------------------------------------

    def add_token(self, token_id: str, user_id: int, secret_hash: str, at: datetime) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(insert(TOKENS), [{"token_id": token_id, "user_id": user_id, "secret_hash": secret_hash,
                                           "created_at": _as_utc(at), "revoked_at": None}])

    def token(self, token_id: str) -> tuple[User, str] | None:
        """The user of a token that is not revoked, and the token's secret hash."""
        stmt = (select(USERS, TOKENS.c.secret_hash).join(TOKENS, TOKENS.c.user_id == USERS.c.user_id)
                .where(TOKENS.c.token_id == token_id, TOKENS.c.revoked_at.is_(None)))
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return (_user(row), row.secret_hash) if row else None

    def tokens(self) -> list[ApiToken]:
        """Every token, revoked ones too, by user then age."""
        stmt = (select(TOKENS, USERS.c.name).join(USERS, USERS.c.user_id == TOKENS.c.user_id)
                .order_by(USERS.c.name, TOKENS.c.created_at, TOKENS.c.token_id))
        with self.engine.connect() as conn:
            return [ApiToken(row.token_id, row.name, _utc(row.created_at), _utc(row.revoked_at))
                    for row in conn.execute(stmt)]

    def revoke_token(self, token_id: str, at: datetime) -> ApiToken | None:
        """Revoke a token (a revoked one keeps its first revocation time); None if there is no such token."""
        with write_transaction(self.engine) as conn:
            conn.execute(update(TOKENS).where(TOKENS.c.token_id == token_id, TOKENS.c.revoked_at.is_(None))
                         .values(revoked_at=_as_utc(at)))
        return next((t for t in self.tokens() if t.token_id == token_id), None)

    # --- sign-in attempts ----------------------------------------------------------------------------------------

    def add_login_attempt(self, name: str, address: str, at: datetime, succeeded: bool) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(insert(ATTEMPTS), [{"name": name[:100], "address": address[:100], "at": _as_utc(at),
                                             "succeeded": succeeded}])

    def claim_attempt(self, name: str, address: str, at: datetime, since: datetime, limit: int) -> AttemptClaim:
        """Record a sign-in attempt, as failed until `settle_attempt` says otherwise, unless `limit` failures for
        this name or from this address lie since `since` already: then nothing is recorded and the claim has no id.

        Check and record are one write transaction: the insert comes first, so SQLite holds its write lock while
        counting (PostgreSQL locks the table), and parallel attempts are counted one after another: at most `limit`
        ever get an id (and so a password check) within the window."""
        name, address = name[:100], address[:100]
        with write_transaction(self.engine) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("LOCK TABLE login_attempts IN SHARE ROW EXCLUSIVE MODE"))
            added = conn.execute(insert(ATTEMPTS).values(name=name, address=address, at=_as_utc(at), succeeded=False))
            attempt_id = int(added.inserted_primary_key[0])  # type: ignore[index]
            by_name = _failures(conn, ATTEMPTS.c.name == name, since, attempt_id)
            by_address = _failures(conn, ATTEMPTS.c.address == address, since, attempt_id)
            if len(by_name) >= limit or len(by_address) >= limit:
                conn.execute(delete(ATTEMPTS).where(ATTEMPTS.c.attempt_id == attempt_id))
                return AttemptClaim(None, by_name, by_address)
        return AttemptClaim(attempt_id, by_name, by_address)

    def settle_attempt(self, attempt_id: int, succeeded: bool) -> None:
        """Say how a claimed attempt ended (claimed attempts count as failed until then)."""
        with write_transaction(self.engine) as conn:
            conn.execute(update(ATTEMPTS).where(ATTEMPTS.c.attempt_id == attempt_id).values(succeeded=succeeded))

    def failures_since(self, since: datetime, *, name: str | None = None, address: str | None = None) -> list[datetime]:
        """When the failed sign-ins for this name (or from this address) since `since` happened, oldest first."""
        column, value = (ATTEMPTS.c.name, name) if name is not None else (ATTEMPTS.c.address, address)
        stmt = (select(ATTEMPTS.c.at).where(column == value, ATTEMPTS.c.at >= _as_utc(since),
                                            ATTEMPTS.c.succeeded.is_(False)).order_by(ATTEMPTS.c.at))
        with self.engine.connect() as conn:
            return [_utc(at) for at in conn.execute(stmt).scalars()]

    def forget_attempts(self, before: datetime) -> int:
        with write_transaction(self.engine) as conn:
            return conn.execute(delete(ATTEMPTS).where(ATTEMPTS.c.at < _as_utc(before))).rowcount

    # --- complaints ----------------------------------------------------------------------------------------------

    def add_complaint(self, complaint: Complaint, originals: Sequence[EvidenceOriginal] = (),
                      audit: AuditHook | None = None) -> Complaint:
        """Store a complaint with its evidence (and the records of the evidence originals not kept yet), and its
        `complaint.file` audit entry, with `audit`."""
        c = complaint
        with write_transaction(self.engine) as conn:
            conn.execute(insert(COMPLAINTS), [{"complaint_id": c.complaint_id, "party": c.party,
                                               "incident_id": c.incident_id, "text": c.text, "filed_by": c.filed_by,
                                               "filed_at": _as_utc(c.filed_at), "status": c.status}])
            if c.evidence:
                conn.execute(insert(EVIDENCE), [{"complaint_id": c.complaint_id, "seq": seq, "sha256": e.sha256,
                                                 "filename": e.filename, "media_type": e.media_type, "size": e.size}
                                                for seq, e in enumerate(c.evidence)])
            insert_originals(conn, originals)
            if audit is not None:
                audit(conn)
        return self.get_complaint(c.complaint_id) or c

    def add_evidence(self, complaint_id: str, evidence: Sequence[Evidence], originals: Sequence[EvidenceOriginal] = (),
                     moves: Sequence[ComplaintTransition] = (), audit: AuditHook | None = None) -> Complaint:
        """Attach more files to a complaint (after those it has), keep the records of the originals not kept yet, and
        make its `moves` (TW-E801 if it was moved meanwhile): a liaison officer's answer, with `audit`'s entries."""
        with write_transaction(self.engine) as conn:
            first = int(conn.execute(select(func.coalesce(func.max(EVIDENCE.c.seq), -1))
                                     .where(EVIDENCE.c.complaint_id == complaint_id)).scalar_one()) + 1
            if evidence:
                conn.execute(insert(EVIDENCE), [{"complaint_id": complaint_id, "seq": first + n, "sha256": e.sha256,
                                                 "filename": e.filename, "media_type": e.media_type, "size": e.size}
                                                for n, e in enumerate(evidence)])
            insert_originals(conn, originals)
            apply_moves(conn, moves)
            if audit is not None:
                audit(conn)
        found = self.get_complaint(complaint_id)
        assert found is not None  # it was just written to
        return found

    def get_complaint(self, complaint_id: str) -> Complaint | None:
        found = self._complaints(COMPLAINTS.c.complaint_id == complaint_id)
        return found[0] if found else None

    def complaint_page(self, parties: Collection[str] | None, page: PageQuery, *,
                       incident_id: str | None = None, status: str | None = None) -> list[Complaint]:
        """A page of complaints of these parties (all parties when None), by filing time."""
        where: list[Any] = []
        if parties is not None:
            where.append(COMPLAINTS.c.party.in_(list(parties)))
        if incident_id:
            where.append(COMPLAINTS.c.incident_id == incident_id)
        if status:
            where.append(COMPLAINTS.c.status == status)
        return self._complaints(and_(true(), *where), page)

    def iter_complaints(self, parties: Collection[str] | None, batch: int = 500) -> Iterator[Complaint]:
        """Every complaint of these parties (all when None), newest first, a page at a time."""
        page = PageQuery("filed", descending=True, limit=batch)
        while True:
            found = self.complaint_page(parties, page)
            yield from found
            if len(found) < batch:
                return
            last = found[-1]
            page = PageQuery("filed", True, (_as_utc(last.filed_at), last.complaint_id), batch)

    def _complaints(self, where: Any, page: PageQuery | None = None) -> list[Complaint]:
        stmt = select(COMPLAINTS).where(where)
        if page is not None:
            stmt = _keyset(stmt, COMPLAINT_SORTS[page.sort], COMPLAINTS.c.complaint_id, page)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
            evidence = _evidence(conn, [row.complaint_id for row in rows])
        return [_complaint(row, evidence.get(row.complaint_id, ())) for row in rows]

    # --- the public record, a page at a time -----------------------------------------------------------------------

    def incident_exists(self, incident_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(INCIDENTS.c.incident_id)
                                .where(INCIDENTS.c.incident_id == incident_id)).first() is not None

    def incident_page(self, filters: IncidentFilter, page: PageQuery) -> list[IncidentSummary]:
        stmt = select(INCIDENTS).where(*_incident_where(filters))
        stmt = _keyset(stmt, INCIDENT_SORTS[page.sort], INCIDENTS.c.incident_id, page)
        with self.engine.connect() as conn:
            return [_summary(row) for row in conn.execute(stmt)]

    def event_page(self, filters: EventFilter, page: PageQuery) -> list[Event]:
        stmt = select(EVENTS).where(*_event_where(filters))
        stmt = _keyset(stmt, EVENT_SORTS[page.sort], EVENTS.c.event_id, page)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
            children = _children(conn, [row.event_id for row in rows])
        return [_event(row, children) for row in rows]

    def report_page(self, page: PageQuery, *, date_from: date | None = None, date_to: date | None = None,
                    outlet: str | None = None, kind: str | None = None) -> list[Report]:
        where: list[Any] = []
        if date_from is not None:
            where.append(REPORTS.c.published >= date_from)
        if date_to is not None:
            where.append(REPORTS.c.published <= date_to)
        if outlet:
            where.append(func.lower(REPORTS.c.outlet) == outlet.lower())
        if kind:
            where.append(REPORTS.c.kind == kind)
        stmt = _keyset(select(REPORTS).where(*where), REPORT_SORTS[page.sort], REPORTS.c.report_id, page)
        with self.engine.connect() as conn:
            return [_report(row) for row in conn.execute(stmt)]

    def report(self, report_id: str) -> Report | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(REPORTS).where(REPORTS.c.report_id == report_id)).first()
        return _report(row) if row else None

    def event(self, event_id: str) -> Event | None:
        with self.engine.connect() as conn:
            rows = conn.execute(select(EVENTS).where(EVENTS.c.event_id == event_id)).all()
            children = _children(conn, [row.event_id for row in rows])
        return _event(rows[0], children) if rows else None

    def ingested_at(self, report_ids: Iterable[str]) -> dict[str, datetime]:
        ids = list(dict.fromkeys(report_ids))
        with self.engine.connect() as conn:
            rows = conn.execute(select(REPORTS.c.report_id, REPORTS.c.ingested_at)
                                .where(REPORTS.c.report_id.in_(ids))).all() if ids else []
        return {row.report_id: _utc(row.ingested_at) for row in rows}


def _failures(conn: Connection, who: Any, since: datetime, but: int) -> list[datetime]:
    """When the failed sign-ins of `who` since `since` happened, oldest first, leaving out the attempt `but`."""
    stmt = (select(ATTEMPTS.c.at).where(who, ATTEMPTS.c.at >= _as_utc(since), ATTEMPTS.c.succeeded.is_(False),
                                        ATTEMPTS.c.attempt_id != but).order_by(ATTEMPTS.c.at))
    return [_utc(at) for at in conn.execute(stmt).scalars()]


def sort_value(sort: SortKey, raw: Any, descending: bool) -> Any:
    """The key a row sorts by (a sentinel for a missing value), as `_keyset` compares it."""
    return sort.value(raw, descending)


def _keyset(stmt: Any, sort: SortKey, id_column: Any, page: PageQuery) -> Any:
    """One page of `stmt` in (sort key, id) order after `page.after`, rows missing the key last.

    Two segments, each of which an index on (column, id) serves directly: the rows that have a value, in order from
    where the page starts, then the rows without one, by id. Ordering by a coalesced key instead (one expression)
    makes the database sort every matching row for each page: 5 ms a page at 35,000 incidents, most of the cost of
    the busiest read (benchmarks/bench_load.py)."""
    column, descending, after = sort.column, page.descending, page.after
    missing = sort.value(None, descending)  # what a row without a value has in a cursor
    in_missing = after is not None and after[0] == missing
    forward = (lambda a, b: a < b) if descending else (lambda a, b: a > b)
    by_id = id_column.desc() if descending else id_column.asc()
    segments = []
    if not in_missing:
        present = stmt.where(column.is_not(None))
        if after is not None:
            present = present.where(forward(tuple_(column, id_column), tuple_(*after)))
        segments.append(present.order_by(column.desc() if descending else column.asc(), by_id).limit(page.limit))
    absent = stmt.where(column.is_(None))
    if after is not None and in_missing:
        absent = absent.where(forward(id_column, after[1]))
    segments.append(absent.order_by(by_id).limit(page.limit))
    both = union_all(*(select(s.subquery()) for s in segments)).subquery()
    key, row_id = both.c[column.name], both.c[id_column.name]
    order = (key.is_(None), key.desc() if descending else key.asc(), row_id.desc() if descending else row_id.asc())
    return select(both).order_by(*order).limit(page.limit)


def _event_where(f: EventFilter) -> list[Any]:
    c = EVENTS.c
    where = common_where(c, f, first=c.event_date, last=c.event_date_end)
    if f.incident_id:
        where.append(c.incident_id == f.incident_id)
    if f.report_id:
        where.append(c.report_id == f.report_id)
    return where


def _user(row: Row[Any]) -> User:
    return User(name=row.name, role=row.role, party=row.party, guarantor=row.guarantor, disabled=bool(row.disabled),
                created_at=_utc(row.created_at), user_id=row.user_id)


def _evidence(conn: Connection, complaint_ids: list[str]) -> dict[str, tuple[Evidence, ...]]:
    found: dict[str, list[Evidence]] = {}
    for start in range(0, len(complaint_ids), 500):
        chunk = complaint_ids[start:start + 500]
        stmt = select(EVIDENCE).where(EVIDENCE.c.complaint_id.in_(chunk)).order_by(EVIDENCE.c.complaint_id,
                                                                                  EVIDENCE.c.seq)
        for row in conn.execute(stmt):
            found.setdefault(row.complaint_id, []).append(Evidence(row.sha256, row.filename, row.media_type,
                                                                   row.size))
    return {key: tuple(value) for key, value in found.items()}


def _complaint(row: Row[Any], evidence: tuple[Evidence, ...]) -> Complaint:
    return Complaint(complaint_id=row.complaint_id, party=row.party, text=row.text, filed_by=row.filed_by,
                     filed_at=_utc(row.filed_at), incident_id=row.incident_id, status=row.status, evidence=evidence)
