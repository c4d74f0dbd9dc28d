"""The plain records every stage passes along.

Frozen dataclasses, no I/O: a stage takes records in and gives records out, and storage, the CLI, the web process and
the batch workers all speak in these. Character offsets (`Span`) always index the report's `text` as stored, so a
monitor can be shown the exact sentence a field came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

# ACLED's vocabularies, spelled as ACLED spells them.
EVENT_TYPES = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
)
VICTIMS = ("civilians", "soldiers", "militants", "unspecified")
STANCES = ("asserts", "denies", "neither_confirms_nor_denies", "acknowledges_later")
CLAIM_TOPICS = ("occurrence", "responsibility", "civilian deaths", "casualties", "other")

# ACLED precision codes: 1 is the most precise.
TIME_DAY, TIME_WEEK, TIME_MONTH = 1, 2, 3
GEO_TOWN, GEO_NEAR, GEO_REGION = 1, 2, 3


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range [start, end) in a report's text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")


@dataclass(frozen=True, slots=True)
class Report:
    """One ingested document, kept as it came in."""

    report_id: str
    sha256: str  # of the original bytes, before any text extraction
    text: str  # the main text extracted from the original; spans index this
    published: date  # anchors every relative date in the text
    published_basis: str  # where `published` came from: "file", "file-inferred", "text-header", "option"
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    source: str | None = None  # path or address the original was read from
    media_type: str = "text/plain"
    kind: str = "news"  # news | statement | complaint | field-report
    revision_of: str | None = None  # the report id this one revises: same id, changed content (see docs/ingest.md)


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Actor:
    """An entry of the actor dictionary, named as ACLED names it."""

    name: str  # e.g. "TTP: Tehreek-e-Taliban Pakistan"
    side: str  # who it answers to, for claims and assessment: PAK, AFG, TTP, BALOCH, ISKP, HGB, CIV_PAK, ...
    kind: str  # military | government | police | armed_group | civilians | media | international | other
    country: str | None = None
    speaker_only: bool = False  # offices and spokesmen: they make claims but are never an event's actor


@dataclass(frozen=True, slots=True)
class ActorMention:
    actor: Actor
    surface: str  # the words as written
    span: Span
    sentence: int


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry, with ACLED's administrative fields."""

    name: str
    country: str
    admin1: str | None
    admin2: str | None
    latitude: float
    longitude: float
    geo_precision: int  # 1 town, 2 near a town or a district, 3 province
    feature: str  # town | district | province | country | crossing | post | world_city | area


@dataclass(frozen=True, slots=True)
class PlaceMention:
    place: Place
    surface: str
    span: Span
    sentence: int


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression resolved against the report's publication date.

    `end` is set for ranges ("overnight", "last week", "between 10 and 13 September"); otherwise None.
    """

    start: date
    end: date | None
    time_precision: int
    surface: str
    span: Span
    sentence: int


@dataclass(frozen=True, slots=True)
class Figure:
    """One reported fatality figure: "at least 23" is low=23, high=None; "seven to eight" is 7..8."""

    low: int
    high: int | None
    victims: str  # one of VICTIMS
    claimed_by: str | None  # normalised claimant, or the outlet when the figure is the outlet's own
    surface: str
    span: Span
    sentence: int


@dataclass(frozen=True, slots=True)
class Claim:
    """A party's statement about an event: who says what about which aspect of it."""

    claimant: str
    stance: str  # one of STANCES
    about: str  # one of CLAIM_TOPICS
    surface: str  # the speaker and the verb as written ("Zabihullah Mujahid … said")
    span: Span  # the sentence the claim is in
    sentence: int
    stated_on: date | None = None  # when the statement was made, where the text says
    content: str = ""  # what was claimed: the clause or quote, as written ("17 civilians ... were killed")
    content_span: Span | None = None  # where `content` stands in the report text
    figure: int | None = None  # the death figure the claim carries, if any


@dataclass(frozen=True, slots=True)
class Mention:
    """A sentence that reports a happening, with the event type its wording suggests."""

    sentence: int
    span: Span
    event_type: str
    sub_event_type: str
    trigger: str


@dataclass(frozen=True, slots=True)
class Event:
    """One happening as one report tells it: ACLED's row, with claims, figures and provenance."""

    event_id: str
    report_id: str
    event_type: str
    sub_event_type: str
    event_date: date | None
    event_date_end: date | None = None
    time_precision: int = TIME_DAY
    actor1: str | None = None
    actor2: str | None = None
    place: Place | None = None
    fatalities: tuple[Figure, ...] = ()
    claims: tuple[Claim, ...] = ()
    mentions: tuple[Mention, ...] = ()
    # field name -> span of the sentence the value came from, so a monitor can see why
    provenance: tuple[tuple[str, Span], ...] = ()
    incident_id: str | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What happened to one input file or record."""

    source: str
    report_id: str | None
    status: str  # "added" | "unchanged" | "refused"
    reason: str = ""
    events: int = 0
    at: datetime | None = field(default=None, compare=False)


# --- incidents: many reports, one happening -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Source:
    """Where an account comes from: the report, its outlet and date, and the group of reports that are copies of one
    story (syndicated wire copy counts once when figures are corroborated)."""

    report_id: str
    outlet: str | None
    published: date
    url: str | None = None
    sha256: str | None = None
    source_group: str | None = None


@dataclass(frozen=True, slots=True)
class SourcedFigure:
    figure: Figure
    event_id: str
    source: Source


@dataclass(frozen=True, slots=True)
class SourcedClaim:
    """A claim with the party it speaks for and the day it was made (stated in the text, else the report's date)."""

    claim: Claim
    party: str  # the claimant's side: PAK, AFG, TTP, BALOCH, ...
    made_on: date
    event_id: str
    source: Source
    # what was claimed, as shown: the claim's content, else the sentence it stands in (cut to a readable length)
    quote: str = ""


@dataclass(frozen=True, slots=True)
class Estimate:
    """UCDP-style low/best/high for one victim category (see docs/incidents.md for the rule for `best`)."""

    victims: str
    low: int
    best: int
    high: int | None  # None: some source gives only "at least"
    basis: str  # why `best` is what it is, in words


@dataclass(frozen=True, slots=True)
class Override:
    """A monitor's decision about resolution, kept apart from the automatic result so it survives re-resolution.

    kind "merge": the incidents of `event_id` and `target_event_id` are one. "pin": `event_id` belongs to the incident
    of `target_event_id`. "split": `event_id` stands alone, and nothing joins it automatically.
    """

    kind: str
    event_id: str
    target_event_id: str | None
    by: str
    at: datetime
    note: str = ""
    override_id: int | None = None


@dataclass(frozen=True, slots=True)
class Incident:
    """One real-world happening with every account of it side by side."""

    incident_id: str
    events: tuple[Event, ...]
    sources: tuple[Source, ...]
    event_type: str
    sub_event_type: str
    first_date: date | None
    last_date: date | None
    time_precision: int
    place: Place | None
    actor1: str | None
    actor2: str | None
    figures: tuple[SourcedFigure, ...]
    estimates: tuple[Estimate, ...]
    claims: tuple[SourcedClaim, ...]
    contested: bool
    reasons: tuple[str, ...]
    overrides: tuple[Override, ...] = ()


# --- agreements and their assessment ----------------------------------------------------------------------------

# ACLED's sub-event types, spelled as ACLED spells them (a commitment may name any of them, or an event type).
SUB_EVENT_TYPES = (
    "Armed clash", "Government regains territory", "Non-state actor overtakes territory",
    "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
    "Remote explosive/landmine/IED", "Grenade",
    "Sexual violence", "Attack", "Abduction/forced disappearance",
    "Peaceful protest", "Protest with intervention", "Excessive force against protesters",
    "Violent demonstration", "Mob violence",
    "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use", "Headquarters or base established",
    "Looting/property destruction", "Non-violent transfer of territory", "Other",
)
AGREEMENT_KINDS = ("truce", "ceasefire", "extension", "arrangement", "agreement")
WINDOW_STATUSES = ("inside", "outside", "uncertain")
EVIDENCE_STATES = ("single source", "corroborated", "contested", "denied")


@dataclass(frozen=True, slots=True)
class Party:
    """A party to an agreement, or a guarantor or mediator of it.

    `code` is a side of the actor dictionary (PAK, AFG, QAT, TUR ...): the side its forces and spokesmen have in coded
    events and claims. `answers_for` lists the sides of non-state groups the party answers for under the agreement
    (AFG for the TTP, under "no use of Afghan soil"); always empty for guarantors and mediators."""

    code: str
    name: str
    answers_for: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Commitment:
    """One thing the parties in `binds` undertook. `concerns` says which incidents it covers: ACLED event types and
    sub-event types, and the tags of docs/agreements.md (violence, cross-border, civilians, forces, infrastructure,
    proxy)."""

    commitment_id: str
    text: str
    binds: tuple[str, ...]
    concerns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Agreement:
    """A truce, ceasefire or arrangement: who, what they undertook, and from when to when.

    `start` and `end` are instants (tz-aware, in the zone `tz` they were written in). `end` None is open-ended; an
    agreement that names this one in its `supersedes` ends it when it begins (see `Window`)."""

    agreement_id: str
    name: str
    kind: str  # one of AGREEMENT_KINDS
    parties: tuple[Party, ...]
    guarantors: tuple[Party, ...]
    mediators: tuple[Party, ...]
    start: datetime
    end: datetime | None
    tz: str  # IANA zone the times were written in: "Asia/Karachi"
    supersedes: tuple[str, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    sources: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Window:
    """When an agreement was in force: from `start` to `end` (None: open), instants in UTC, and the agreement whose
    start ended it early, if one did."""

    agreement_id: str
    start: datetime
    end: datetime | None
    ended_by: str | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """One incident against one agreement: whether it falls in the window, which commitments it may breach, who is
    accused by whom and how sure that is, with what a map or a timeline needs of the incident."""

    incident_id: str
    agreement_id: str
    window_status: str  # one of WINDOW_STATUSES
    reason: str
    commitments: tuple[str, ...]  # commitment ids
    accused: tuple[str, ...]  # party codes
    accusers: tuple[str, ...]  # party codes
    evidence_state: str  # one of EVIDENCE_STATES
    first_date: date | None
    last_date: date | None
    event_type: str
    sub_event_type: str
    location: str | None
    admin1: str | None
    country: str | None
    latitude: float | None
    longitude: float | None
    fatalities_best: int | None
    time_precision: int = TIME_DAY
    accused_under: tuple[tuple[str, str], ...] = ()  # (party, commitment id): who is accused under which commitment


# --- the workplace: users and complaints (see docs/web.md) ------------------------------------------------------

USER_ROLES = ("admin", "monitor", "liaison", "analyst")  # people without an account are the public
GUARANTOR_CODES = ("QAT", "TUR")  # a guarantor monitor is bound to one guarantor
# a complaint's states, in the order of the workflow (trucewatch.casework.workflow: who may move it, and where)
COMPLAINT_STATUSES = ("received", "under review", "needs information", "finding drafted", "finding signed",
                      "published", "closed")


@dataclass(frozen=True, slots=True)
class User:
    """An account of the workplace. Its password hash and tokens stay in the store: they are never passed around."""

    name: str
    role: str  # one of USER_ROLES
    party: str | None = None  # liaison officers: one of the conflict's parties (`Conflict.party_codes`)
    guarantor: str | None = None  # guarantor monitors: one of GUARANTOR_CODES
    disabled: bool = False
    created_at: datetime | None = None
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An API token's public part: its id (the secret is shown once, and only its hash is kept)."""

    token_id: str
    user: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """A file attached to a complaint, kept once by its SHA-256 however many complaints attach it."""

    sha256: str
    filename: str  # as the sender named it, made safe
    media_type: str  # as the sender declared it (not trusted: files are served as downloads)
    size: int


@dataclass(frozen=True, slots=True)
class Complaint:
    """A party's complaint to the mechanism, filed by its liaison officer; private to that party and the monitors."""

    complaint_id: str
    party: str  # one of the conflict's parties (`Conflict.party_codes`)
    text: str
    filed_by: str  # the liaison officer's user name
    filed_at: datetime
    incident_id: str | None = None
    status: str = "received"  # one of COMPLAINT_STATUSES
    evidence: tuple[Evidence, ...] = ()


# --- the audit log (see docs/audit.md) --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One entry of the append-only audit log: a write, who made it and when. `payload` is canonical JSON text and
    `leaf_hash` the hex SHA-256 of the entry's leaf (trucewatch.audit.log.leaf_data)."""

    seq: int  # 1, 2, 3 ... without gaps; the Merkle tree's leaf index is seq - 1
    at: str  # UTC, ISO 8601 with microseconds: 2026-11-27T10:11:12.123456Z
    actor: str  # who made the write
    action: str  # what kind of write: ingest.report, incident.override, agreement.load, audit.key ...
    subject: str  # the id of what was written
    payload: str  # what was written, as canonical JSON (sorted keys, no whitespace, UTF-8)
    leaf_hash: str


@dataclass(frozen=True, slots=True)
class AuditKey:
    """A guarantor's Ed25519 public key, registered to sign checkpoints of the audit log."""

    name: str  # the key name in signed checkpoints: letters, digits, '.', '_', '-'
    guarantor: str  # one of GUARANTOR_CODES
    public_key: bytes  # the 32 raw bytes
    added_at: str | None = None


# --- verification: complaint history, findings and their sign-off, evidence originals (see docs/findings.md) -----

GRADES = ("confirmed", "fair", "weak", "contested", "discounted")  # a finding's published scale, surest first
ATTRIBUTIONS = ("attributed", "largely attributed", "not attributable")


@dataclass(frozen=True, slots=True)
class ComplaintTransition:
    """One move of a complaint from one state to another: who made it (as which role), when, and why."""

    complaint_id: str
    seq: int  # 1, 2, 3 ... per complaint
    from_state: str
    to_state: str
    by: str  # the user name
    role: str
    at: str  # UTC, ISO 8601 with microseconds, as the audit log writes it
    note: str = ""
    finding_id: str | None = None  # the finding whose drafting, sealing or publication moved it


@dataclass(frozen=True, slots=True)
class FindingSignature:
    """A guarantor monitor's sign-off of a finding's content, by its SHA-256 (recorded as `finding.sign` in the audit
    log: that entry is the signature of record)."""

    finding_id: str
    guarantor: str  # one of GUARANTOR_CODES
    signer: str  # the monitor's user name
    at: str
    content_hash: str  # SHA-256 of the finding's canonical bytes, hex
    key_name: str = ""  # the monitor key (MonitorKey.name) that made `signature`; "" for none
    signature: str = ""  # base64 of the Ed25519 signature over `casework.findings.signed_message(content_hash)`


@dataclass(frozen=True, slots=True)
class MonitorKey:
    """A guarantor monitor's Ed25519 public key for signing findings. The private key never reaches the server: it
    is made on the monitor's machine (`trucewatch findings keys generate`) or in their browser (WebCrypto). Registered
    once (a `key.register` audit entry); a revoked key signs nothing more, and what it signed before stays signed."""

    name: str  # unique; the signed-note key name rules (c2sp.org/signed-note): no whitespace, no '+'
    user: str  # the monitor who holds it
    guarantor: str  # the monitor's guarantor at registration, one of GUARANTOR_CODES
    public_key: bytes  # the 32 raw bytes
    registered_at: str
    registered_by: str  # the monitor themselves, or the admin who registered it on their behalf
    revoked_at: str | None = None
    revoked_by: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class Finding:
    """What the mechanism established about one or more complaints: a grade on the published scale, attribution,
    the reasoning and the evidence cited (SHA-256s of originals). One version of it: a sealed version is never
    changed; a change is a new version (`version` + 1) that `supersedes` the old one, in the same `series`."""

    finding_id: str
    version: int
    series: str  # the finding_id of version 1
    complaint_ids: tuple[str, ...]
    incident_ids: tuple[str, ...]
    agreement_id: str
    commitment_id: str
    grade: str  # one of GRADES
    attribution: str  # one of ATTRIBUTIONS
    attributed_party: str | None  # None when not attributable
    reasoning: str
    evidence: tuple[str, ...]  # SHA-256s of evidence originals, sorted
    drafted_by: str
    drafted_at: str
    supersedes: str | None = None  # the finding_id of the previous version
    content_hash: str = ""  # SHA-256 of the canonical bytes (trucewatch.casework.findings.content_hash)
    signatures: tuple[FindingSignature, ...] = ()
    published_at: str | None = None
    published_by: str | None = None
    superseded_by: str | None = None  # the next version, once there is one

    @property
    def sealed(self) -> bool:
        """Signed by a monitor of every guarantor with a monitor key, on its current content. Signatures without a
        key (stored before monitor keys) do not count; the signature itself is verified when it is made and by
        `trucewatch audit verify` (casework.findings.signature_problem)."""
        signed = {s.guarantor for s in self.signatures
                  if s.content_hash == self.content_hash and s.key_name and s.signature}
        return all(g in signed for g in GUARANTOR_CODES)

    @property
    def published(self) -> bool:
        return self.published_at is not None


@dataclass(frozen=True, slots=True)
class EvidenceOriginal:
    """An evidence original, kept once by its SHA-256 and never changed: a file attached to a complaint, or a
    report's text. Who uploaded it, from where, when it came in and (as its sender says) when it was captured."""

    sha256: str
    size: int
    media_type: str  # as declared (files are served as downloads, whatever this says)
    filename: str
    received_at: str
    uploaded_by: str
    source: str  # "complaint cmp-...", "report sample-01 (its text ...)"
    captured_at: str | None = None
    public: bool = False  # marked public at upload: a published finding's bundle may carry it (else only its hash)


@dataclass(frozen=True, slots=True)
class EvidenceAnnotation:
    """A monitor's note on an evidence original (where: `anchor`, e.g. "page 3", "00:01:20-00:01:35",
    "x=120,y=40,w=80,h=60"), with an annotated working copy when one was made; the original is never touched."""

    annotation_id: str
    complaint_id: str
    sha256: str  # the original
    by: str
    at: str
    note: str
    anchor: str = ""
    copy_sha256: str | None = None  # the annotated working copy, kept in the evidence folder as originals are


@dataclass(frozen=True, slots=True)
class EvidenceWithdrawal:
    """A file withdrawn from a complaint: a recorded event; the file and its record stay."""

    complaint_id: str
    sha256: str
    by: str
    at: str
    reason: str


# --- what the store lists: summaries, filters, events with their report's source -------------------------------


class SourcedEvent(NamedTuple):
    """An event with what an export needs to know of its report."""

    event: Event
    outlet: str | None
    url: str | None
    ingested_at: datetime




@dataclass(frozen=True, slots=True)
class IncidentFilter:
    """Which incidents to list; every field left None lets all through. Text matches ignore case; `actor` is a part
    of actor1 or actor2; `event_type` matches the event type or the sub-event type; dates keep the incidents whose
    span overlaps [date_from, date_to]."""

    date_from: date | None = None
    date_to: date | None = None
    country: str | None = None
    admin1: str | None = None
    event_type: str | None = None
    actor: str | None = None
    contested: bool | None = None




@dataclass(frozen=True, slots=True)
class IncidentSummary:
    """The `incidents` row of one incident: what a list of incidents shows.

    `fatalities_*` count all deaths, whoever died: per bound, the larger of the estimate for unspecified victims and
    the sum of the estimates for civilians, soldiers and militants (a toll without victims usually counts the same dead
    as the tolls with them, so the two are never added). None when no figure was reported; `fatalities_high` is also
    None when the largest account is open-ended ("at least 200")."""

    incident_id: str
    first_date: date | None
    last_date: date | None
    time_precision: int
    event_type: str
    sub_event_type: str
    country: str | None
    admin1: str | None
    admin2: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    actor1: str | None
    actor2: str | None
    n_events: int
    n_reports: int
    contested: bool
    reasons: tuple[str, ...]
    fatalities_low: int | None
    fatalities_best: int | None
    fatalities_high: int | None
    updated_at: datetime | None = None
