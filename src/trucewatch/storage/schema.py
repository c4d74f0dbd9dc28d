"""The database schema: one table per record kind, plain columns, no JSON blobs.

The models only describe tables; the repository (`repository.py`) reads and writes them and converts rows to the
records of `trucewatch.records`. The schema is created and changed only by the Alembic revisions in `migrations/`; a
test checks that these models and the migrations agree.

Child rows (mentions, figures, claims, provenance) keep their order in the event through `seq`. `incidents` is a cache
of each incident's summary for fast listing (the record itself is described afresh from its events); `overrides` is
append-only: monitors' decisions are never changed or deleted, a later one overrides an earlier one.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    false as sa_false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ReportRow(Base):
    __tablename__ = "reports"

    report_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str | None] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date] = mapped_column(Date)
    published_basis: Mapped[str] = mapped_column(String(40))
    media_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revision_of: Mapped[str | None] = mapped_column(String(200))  # the report id this changed content revises


class ReportStoryRow(Base):
    """The story (syndication group) of each report: the id of the first stored report it is a copy of, else its own
    (`trucewatch.pipeline.stories`). Written with the report, never changed."""

    __tablename__ = "report_stories"
    __table_args__ = (Index("ix_report_stories_story_id", "story_id"),)

    report_id: Mapped[str] = mapped_column(ForeignKey("reports.report_id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[str] = mapped_column(String(200))


class StoryBandRow(Base):
    """The locality-sensitive band keys of each story's first report: a new report is compared only with the
    founders it shares a key with."""

    __tablename__ = "story_bands"

    band: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.report_id", ondelete="CASCADE"), primary_key=True)


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_event_date", "event_date", "event_id"),
        Index("ix_events_report_id", "report_id"),
        Index("ix_events_incident_id", "incident_id"),
        Index("ix_events_country_admin1", "country", "admin1"),
    )

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.report_id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)  # position among its report's events (order of first mention)
    event_type: Mapped[str] = mapped_column(String(60))
    sub_event_type: Mapped[str] = mapped_column(String(100))
    event_date: Mapped[date | None] = mapped_column(Date)
    event_date_end: Mapped[date | None] = mapped_column(Date)
    time_precision: Mapped[int] = mapped_column(Integer)
    actor1: Mapped[str | None] = mapped_column(String(300))
    actor2: Mapped[str | None] = mapped_column(String(300))
    location: Mapped[str | None] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(100))
    admin1: Mapped[str | None] = mapped_column(String(200))
    admin2: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geo_precision: Mapped[int | None] = mapped_column(Integer)
    feature: Mapped[str | None] = mapped_column(String(40))
    incident_id: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text)


def _event_fk() -> Mapped[str]:
    return mapped_column(ForeignKey("events.event_id", ondelete="CASCADE"), primary_key=True)


class MentionRow(Base):
    __tablename__ = "mentions"

    event_id: Mapped[str] = _event_fk()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sentence: Mapped[int] = mapped_column(Integer)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(60))
    sub_event_type: Mapped[str] = mapped_column(String(100))
    trigger: Mapped[str] = mapped_column(Text)


class FigureRow(Base):
    """A reported fatality figure."""

    __tablename__ = "figures"

    event_id: Mapped[str] = _event_fk()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    low: Mapped[int] = mapped_column(Integer)
    high: Mapped[int | None] = mapped_column(Integer)
    victims: Mapped[str] = mapped_column(String(40))
    claimed_by: Mapped[str | None] = mapped_column(String(300))
    surface: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[int] = mapped_column(Integer)


class ClaimRow(Base):
    __tablename__ = "claims"

    event_id: Mapped[str] = _event_fk()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    claimant: Mapped[str] = mapped_column(String(300))
    stance: Mapped[str] = mapped_column(String(40))
    about: Mapped[str] = mapped_column(String(40))
    stated_on: Mapped[date | None] = mapped_column(Date)
    surface: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[int] = mapped_column(Integer)
    # what was claimed (migration 0007_claim_content): null for claims stored before it, and where none was found
    content: Mapped[str | None] = mapped_column(Text)
    content_start: Mapped[int | None] = mapped_column(Integer)
    content_end: Mapped[int | None] = mapped_column(Integer)
    figure: Mapped[int | None] = mapped_column(Integer)


class ProvenanceRow(Base):
    """Which span of the report text an event field was read from."""

    __tablename__ = "provenance"

    event_id: Mapped[str] = _event_fk()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    field: Mapped[str] = mapped_column(String(60))
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)


class IncidentRow(Base):
    """One incident's summary, rewritten whenever resolution touches the incident."""

    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_first_date", "first_date", "incident_id"),
        Index("ix_incidents_country_admin1", "country", "admin1"),
        Index("ix_incidents_sub_event_type", "sub_event_type"),
        Index("ix_incidents_contested", "contested"),
    )

    incident_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    first_date: Mapped[date | None] = mapped_column(Date)
    last_date: Mapped[date | None] = mapped_column(Date)
    time_precision: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(60))
    sub_event_type: Mapped[str] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100))
    admin1: Mapped[str | None] = mapped_column(String(200))
    admin2: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geo_precision: Mapped[int | None] = mapped_column(Integer)
    actor1: Mapped[str | None] = mapped_column(String(300))
    actor2: Mapped[str | None] = mapped_column(String(300))
    n_events: Mapped[int] = mapped_column(Integer)
    n_reports: Mapped[int] = mapped_column(Integer)
    contested: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[str] = mapped_column(Text)  # one reason per line
    # all deaths, whoever died: see docs/incidents.md for how the categories are added up
    fatalities_low: Mapped[int | None] = mapped_column(Integer)
    fatalities_best: Mapped[int | None] = mapped_column(Integer)
    fatalities_high: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IncidentDigestRow(Base):
    """The tallies an incident's summary is made from (`trucewatch.pipeline.digest`), as JSON (migration
    0014_incident_digests): ingest adds a new report's tallies to them rather than read every member again. Derived,
    never edited: rewriting the incident's row deletes it (the foreign key cascades), and the next report to join the
    incident makes it again from the members."""

    __tablename__ = "incident_digests"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.incident_id", ondelete="CASCADE"),
                                             primary_key=True)
    digest: Mapped[str] = mapped_column(Text)


# the filtered incident list's indexes (migration 0011_list_indexes): the few incidents that span days, and the
# province and country as the list compares them (any case), each followed by the list's order
SPANNING = IncidentRow.last_date > IncidentRow.first_date
Index("ix_incidents_spans", IncidentRow.last_date, IncidentRow.first_date,
      sqlite_where=SPANNING, postgresql_where=SPANNING)
for _column in (IncidentRow.admin1, IncidentRow.country):
    Index(f"ix_incidents_lower_{_column.key}_first_date", func.lower(_column), IncidentRow.first_date,
          IncidentRow.incident_id)


class OverrideRow(Base):
    """A monitor's decision about resolution (merge, split, pin); rows are only ever added."""

    __tablename__ = "overrides"

    override_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))
    event_id: Mapped[str] = mapped_column(String(200))  # no foreign key: a decision outlives the rows it names
    target_event_id: Mapped[str | None] = mapped_column(String(200))
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text)


class AgreementRow(Base):
    """An agreement (truce, ceasefire, arrangement); lists are kept one item per line, as `incidents.reasons` is."""

    __tablename__ = "agreements"

    agreement_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    start: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # stored in UTC
    end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: open-ended
    tz: Mapped[str] = mapped_column(String(64))  # the zone the times are shown in
    supersedes: Mapped[str] = mapped_column(Text)  # agreement ids, one per line
    sources: Mapped[str] = mapped_column(Text)  # URLs, one per line
    notes: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _agreement_fk() -> Mapped[str]:
    return mapped_column(ForeignKey("agreements.agreement_id", ondelete="CASCADE"), primary_key=True)


class AgreementPartyRow(Base):
    """A party, guarantor or mediator of an agreement (`role`), in the order the agreement lists them."""

    __tablename__ = "agreement_parties"

    agreement_id: Mapped[str] = _agreement_fk()
    role: Mapped[str] = mapped_column(String(20), primary_key=True)  # party | guarantor | mediator
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(Text)
    answers_for: Mapped[str] = mapped_column(Text)  # sides, one per line


class AgreementCommitmentRow(Base):
    __tablename__ = "agreement_commitments"

    agreement_id: Mapped[str] = _agreement_fk()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    commitment_id: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    binds: Mapped[str] = mapped_column(Text)  # party codes, one per line
    concerns: Mapped[str] = mapped_column(Text)  # one per line


# --- the workplace: users, their sessions and tokens, sign-in attempts, complaints (migration 0004_web) -------------


class UserRow(Base):
    """An account; the password is kept as an argon2 hash only."""

    __tablename__ = "users"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    party: Mapped[str | None] = mapped_column(String(10))  # liaison officers
    guarantor: Mapped[str | None] = mapped_column(String(10))  # guarantor monitors
    password_hash: Mapped[str] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebSessionRow(Base):
    """A signed-in browser: the SHA-256 of its cookie (never the cookie) and its CSRF token."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user_id", "user_id"),)

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiTokenRow(Base):
    """An API token: its public id and the SHA-256 of its secret part."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)

    token_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttemptRow(Base):
    """A sign-in attempt, kept for rate limiting by user name and by client address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_name_at", "name", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    attempt_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    succeeded: Mapped[bool] = mapped_column(Boolean)


class ComplaintRow(Base):
    """A party's complaint, filed by its liaison officer."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_party_filed_at", "party", "filed_at", "complaint_id"),)

    complaint_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    party: Mapped[str] = mapped_column(String(10))
    incident_id: Mapped[str | None] = mapped_column(String(200))  # no foreign key: incidents come and go
    text: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(100))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))


class ComplaintEvidenceRow(Base):
    """A file attached to a complaint; the file itself is kept in the evidence folder under its SHA-256."""

    __tablename__ = "complaint_evidence"

    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaints.complaint_id", ondelete="CASCADE"),
                                              primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)


# --- the audit log and the keys that sign its checkpoints (migration 0005_audit; docs/audit.md) -------------------


class AuditLogRow(Base):
    """One entry of the append-only audit log; the leaf of the Merkle tree is computed from every other column."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # UTC, ISO 8601, as hashed
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    leaf_hash: Mapped[str] = mapped_column(String(64))


class AuditKeyRow(Base):
    """A guarantor's Ed25519 public key for checkpoints; keys are added, never changed."""

    __tablename__ = "audit_keys"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    guarantor: Mapped[str] = mapped_column(String(10))
    public_key: Mapped[str] = mapped_column(String(64))  # base64 of the 32 raw bytes
    added_at: Mapped[str] = mapped_column(String(40))


# --- verification: complaints' history, findings, evidence originals (migration 0006_findings; docs/findings.md) --
# Nothing here is ever deleted, and triggers refuse it: a complaint's history, signatures and publications are only
# added; a finding is refused any change once anyone has signed it (a change is a new version); evidence originals
# never change, and a withdrawal is a row of its own.


class EvidenceOriginalRow(Base):
    """An evidence original, once per SHA-256: the file is in the evidence folder under that hash."""

    __tablename__ = "evidence_originals"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(Text)
    received_at: Mapped[str] = mapped_column(String(40))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(Text)
    captured_at: Mapped[str | None] = mapped_column(String(40))
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())  # 0008_monitor_keys


class EvidenceAnnotationRow(Base):
    """A monitor's note on an original, with an annotated working copy (its SHA-256) when one was made."""

    __tablename__ = "evidence_annotations"
    __table_args__ = (Index("ix_evidence_annotations_complaint_id_sha256", "complaint_id", "sha256"),)

    annotation_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaints.complaint_id"))
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_originals.sha256"))
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[str] = mapped_column(String(40))
    anchor: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    copy_sha256: Mapped[str | None] = mapped_column(String(64))


class EvidenceWithdrawalRow(Base):
    """A file withdrawn from a complaint (once): the file and its complaint_evidence row stay."""

    __tablename__ = "evidence_withdrawals"

    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaints.complaint_id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)


class ComplaintTransitionRow(Base):
    """One move of a complaint between states: the complaint's history (its `status` is the last `to_state`)."""

    __tablename__ = "complaint_transitions"

    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaints.complaint_id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    at: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text)
    finding_id: Mapped[str | None] = mapped_column(String(40))


class FindingRow(Base):
    """One version of a finding; its lists are the finding_* rows below. `content_hash` is the SHA-256 of its
    canonical bytes (trucewatch.casework.findings)."""

    __tablename__ = "findings"
    __table_args__ = (Index("uq_findings_series_version", "series", "version", unique=True),)

    finding_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    series: Mapped[str] = mapped_column(String(40))
    supersedes: Mapped[str | None] = mapped_column(ForeignKey("findings.finding_id"), unique=True)
    agreement_id: Mapped[str] = mapped_column(String(200))
    commitment_id: Mapped[str] = mapped_column(String(200))
    grade: Mapped[str] = mapped_column(String(20))
    attribution: Mapped[str] = mapped_column(String(30))
    attributed_party: Mapped[str | None] = mapped_column(String(20))
    reasoning: Mapped[str] = mapped_column(Text)
    drafted_by: Mapped[str] = mapped_column(String(100))
    drafted_at: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))


class FindingComplaintRow(Base):
    __tablename__ = "finding_complaints"

    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.finding_id"), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaints.complaint_id"), primary_key=True)


class FindingIncidentRow(Base):
    __tablename__ = "finding_incidents"

    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.finding_id"), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(200), primary_key=True)  # no foreign key: incidents come and go


class FindingEvidenceRow(Base):
    __tablename__ = "finding_evidence"

    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.finding_id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_originals.sha256"), primary_key=True)


class FindingSignatureRow(Base):
    """A guarantor monitor's sign-off of a finding's content hash: one per guarantor."""

    __tablename__ = "finding_signatures"

    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.finding_id"), primary_key=True)
    guarantor: Mapped[str] = mapped_column(String(10), primary_key=True)
    signer: Mapped[str] = mapped_column(String(100))
    at: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    key_name: Mapped[str | None] = mapped_column(String(200))  # 0008_monitor_keys; null before it
    signature: Mapped[str | None] = mapped_column(String(100))  # base64 Ed25519 signature; null before 0008


class MonitorKeyRow(Base):
    """A guarantor monitor's Ed25519 public key for signing findings (0008_monitor_keys): added once, revoked at
    most once, never deleted (triggers)."""

    __tablename__ = "monitor_keys"
    __table_args__ = (Index("ix_monitor_keys_user", "user"),)

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    user: Mapped[str] = mapped_column(String(100))
    guarantor: Mapped[str] = mapped_column(String(10))
    public_key: Mapped[str] = mapped_column(String(64), unique=True)  # base64 of the 32 raw bytes
    registered_at: Mapped[str] = mapped_column(String(40))
    registered_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[str | None] = mapped_column(String(40))
    revoked_by: Mapped[str | None] = mapped_column(String(100))


class FindingPublicationRow(Base):
    __tablename__ = "finding_publications"

    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.finding_id"), primary_key=True)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[str] = mapped_column(String(40))


# --- live intake: watched sources and the items taken from them (migration 0012_sources) ---------------------------


class SourceRow(Base):
    """A feed or page the watch polls, with the state of its last polls (`trucewatch.jobs.sources`)."""

    __tablename__ = "sources"
    __table_args__ = (Index("ix_sources_next_poll_at", "next_poll_at"),)

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # rss, atom, page, sitemap
    every_seconds: Mapped[int] = mapped_column(Integer)
    paused: Mapped[bool] = mapped_column(Boolean)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    etag: Mapped[str | None] = mapped_column(Text)  # validators of the last answer: conditional requests
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer)  # in a row: the backoff grows with it
    next_poll_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SourceItemRow(Base):
    """An item already taken from a source (by guid, else URL): a restarted watch never ingests it again."""

    __tablename__ = "source_items"

    source: Mapped[str] = mapped_column(ForeignKey("sources.name", ondelete="CASCADE"), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(2000), primary_key=True)
    url: Mapped[str | None] = mapped_column(Text)
    report_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # added, unchanged, refused, failed
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- alerts: users' rules, the alerts they fired and their deliveries (migration 0013_alerts) -----------------------


class AlertRuleRow(Base):
    """A user's alert rule (`trucewatch.jobs.alerts`): its kind, its filters, and where its alerts go."""

    __tablename__ = "alert_rules"
    __table_args__ = (Index("ix_alert_rules_user_id", "user_id"),)

    rule_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # violation, claim, deaths
    party: Mapped[str | None] = mapped_column(String(10))
    province: Mapped[str | None] = mapped_column(String(200))
    event_type: Mapped[str | None] = mapped_column(String(200))
    webhook_url: Mapped[str | None] = mapped_column(Text)
    webhook_secret: Mapped[str | None] = mapped_column(Text)  # the HMAC key: kept as given, never shown
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertWatchRow(Base):
    """An incident a user watches: new claims and denials on it fire their 'claim' rules."""

    __tablename__ = "alert_watches"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertRow(Base):
    """An alert a rule fired on an incident, with why: at most one per (rule, incident)."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_rule_id_incident_id", "rule_id", "incident_id", unique=True),
                      Index("ix_alerts_user_id_fired_at", "user_id", "fired_at"))

    alert_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.rule_id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Integer)
    incident_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    why: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(Text)
    report_ids: Mapped[str] = mapped_column(Text)  # the new reports that fired it, space-separated
    fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertDeliveryRow(Base):
    """One way an alert goes out (webhook or e-mail): due, sent, or given up, with when to try next."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_state_next_at", "state", "next_at"),)

    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.alert_id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)  # webhook, email
    target: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))  # due, sent, failed
    attempts: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AlertAttemptRow(Base):
    """Each attempt to deliver an alert: when, and what came of it."""

    __tablename__ = "alert_attempts"

    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.alert_id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(Text)
