"""Agreements: `load_agreements` validates an agreements file and upserts it; `assess_agreement` assesses the
stored incidents against one agreement afresh each time it is called (nothing of an assessment is stored, so it
always reflects the incidents as they are now). See docs/agreements.md.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from trucewatch.agreements import (
    clock_in,
    dump_agreements,
    local_time,
    read_agreements,
    supersession_problem,
)
from trucewatch.audit.log import (
    agreement_entry,
    default_actor,
)
from trucewatch.conflict import Conflict, shipped_conflict
from trucewatch.errors import (
    AgreementError,
)
from trucewatch.jobs.ingest import DESCRIBE_BATCH, describe_all, sides_of
from trucewatch.pipeline.assess import PartySummary, assess, party_summary, potential_violation, window_of
from trucewatch.pipeline.sides import Sides
from trucewatch.records import (
    Agreement,
    Assessment,
    Incident,
    IncidentFilter,
    Override,
    Window,
)
from trucewatch.storage import Database, Store
from trucewatch.storage.audit_log import recorder

# --- agreements and compliance -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgreementChange:
    """What loading a file did to one agreement: "added", "updated" or "unchanged"."""

    agreement_id: str
    status: str


def load_agreements(db: Database, path: Path, conflict: Conflict | None = None) -> list[AgreementChange]:
    """Validate an agreements file (TW-E501/502/504) against the conflict's sides and store its agreements, each
    replacing the stored one of its id; agreements stored but not in the file are kept. All or nothing."""
    conflict = conflict or shipped_conflict()
    store = db.reports
    known = {a.agreement_id: a for a in store.agreements()}
    agreements = read_agreements(path, sides=conflict.side_codes, parties=conflict.party_codes, known=known)
    logged = [agreement_entry("agreement.load", a, file=path.name,
                              status="updated" if a.agreement_id in known else "added")
              for a in agreements if known.get(a.agreement_id) != a]
    statuses = store.save_agreements(agreements, audit=recorder(default_actor(), *logged))
    return [AgreementChange(a.agreement_id, statuses[a.agreement_id]) for a in agreements]


def list_agreements(db: Database) -> list[Agreement]:
    """Every stored agreement, by start."""
    store = db.reports
    return store.agreements()


def get_agreement(db: Database, agreement_id: str) -> Agreement:
    """One stored agreement; TW-E503, naming the known ids, for an unknown one."""
    return require_agreement(list_agreements(db), agreement_id)


def set_agreement(db: Database, agreement_id: str, *, end: str | datetime | None = None, tz: str | None = None,
                  open_ended: bool = False, superseded_by: str | None = None,
                  note: str | None = None) -> Agreement:
    """Edit a stored agreement: a new `end` (a local time in zone `tz`, default the agreement's, or an aware
    datetime), or `open_ended`; `superseded_by` another stored agreement (added to that one's `supersedes`); a `note`
    added to its notes. Refused edits (TW-E505) change nothing. Returns the agreement as stored now."""
    if end is not None and open_ended:
        raise AgreementError("TW-E505", detail="give an end or open-ended, not both")
    if end is None and not open_ended and superseded_by is None and not note:
        raise AgreementError("TW-E505", detail="nothing to change; give an end, open-ended, superseded-by or a note")
    store = db.reports
    agreements = store.agreements()
    agreement = require_agreement(agreements, agreement_id)
    changed = replace(agreement, end=None if open_ended else _new_end(agreement, end, tz),
                      notes="\n".join(part for part in (agreement.notes, (note or "").strip()) if part))
    writes = [changed]
    if superseded_by is not None:
        later = require_agreement(agreements, superseded_by)
        problem = supersession_problem(later, changed, agreement_id, [a.agreement_id for a in agreements])
        if problem:
            raise AgreementError("TW-E505", detail=f"{superseded_by} cannot supersede {agreement_id}: {problem}")
        if agreement_id not in later.supersedes:
            writes.append(replace(later, supersedes=(*later.supersedes, agreement_id)))
    logged = agreement_entry("agreement.set", changed, end=changed.end.isoformat() if changed.end else None,
                             superseded_by=superseded_by, note=note or None)
    store.save_agreements(writes, audit=recorder(default_actor(), logged))
    return store.get_agreement(agreement_id) or changed


def _new_end(agreement: Agreement, end: str | datetime | None, tz: str | None) -> datetime | None:
    if end is None:
        return agreement.end
    try:
        instant = end if isinstance(end, datetime) and end.tzinfo else local_time(end, tz or agreement.tz)
    except ValueError as err:
        raise AgreementError("TW-E505", detail=f"end: {err}") from err
    if instant.astimezone(UTC) <= agreement.start.astimezone(UTC):
        raise AgreementError("TW-E505", detail=f"the end must be after the start of {agreement.agreement_id} "
                                               f"({clock_in(agreement.start, agreement.tz)} in {agreement.tz})")
    return instant


def window_in_force(db: Database, agreement: Agreement) -> Window:
    """When `agreement` is in force as the stored agreements make it: to its end, or to the start of a later stored
    agreement that supersedes it, whichever is first."""
    return window_of(agreement, list_agreements(db))


def remove_agreement(db: Database, agreement_id: str) -> list[str]:
    """Remove a stored agreement (TW-E503 if unknown), and its id from the `supersedes` of the others; returns the
    ids of those others."""
    store = db.reports
    changed = store.remove_agreement(agreement_id, audit=recorder(default_actor(),
                                                                  ("agreement.remove", agreement_id, {})))
    if changed is None:
        raise AgreementError("TW-E503", agreement_id=agreement_id, known=_known(store.agreements()))
    return changed


def export_agreements(db: Database, out: TextIO) -> int:
    """Write every stored agreement to `out` as an agreements file (it loads back unchanged); returns how many."""
    agreements = list_agreements(db)
    out.write(dump_agreements(agreements))
    return len(agreements)


def assess_agreement(db: Database, agreement_id: str, date_from: date | None = None,
                     date_to: date | None = None, conflict: Conflict | None = None) -> list[Assessment]:
    """Every stored incident (those overlapping [date_from, date_to] when given; undated ones only without dates)
    assessed against the agreement, in date order; computed afresh from the incidents' events. TW-E503 for an
    unknown agreement."""
    require_agreement(db.reports.agreements(), agreement_id)  # TW-E503 before any incident is read
    ids = [s.incident_id for s in db.reports.list_incidents(IncidentFilter(date_from=date_from, date_to=date_to))]
    return assess_incidents(db, agreement_id, ids, conflict)


def assess_incidents(db: Database, agreement_id: str, incident_ids: Sequence[str],
                     conflict: Conflict | None = None) -> list[Assessment]:
    """These incidents (unknown ids are left out) assessed against the agreement, in the order given; as
    `assess_agreement` does for all. TW-E503 for an unknown agreement."""
    sides = sides_of(conflict)
    store = db.reports
    agreements = store.agreements()
    agreement = require_agreement(agreements, agreement_id)
    window = window_of(agreement, agreements)
    overrides = store.overrides()
    return _assess_in_batches(store, list(incident_ids), agreement, window, overrides, sides)


def _assess_in_batches(store: Store, ids: list[str], agreement: Agreement, window: Window, overrides: list[Override],
                       sides: Sides) -> list[Assessment]:
    """The incidents of `ids` (unknown ones left out), described a batch at a time and assessed, in that order."""
    found: list[Assessment] = []
    for start in range(0, len(ids), DESCRIBE_BATCH):
        chunk = ids[start:start + DESCRIBE_BATCH]
        described = {i.incident_id: i for i in describe_all(store, store.events_of_incidents(chunk), sides,
                                                               overrides)}
        found += [assess(described[i], agreement, window=window, sides=sides) for i in chunk if i in described]
    return found


def require_agreement(agreements: list[Agreement], agreement_id: str) -> Agreement:
    for agreement in agreements:
        if agreement.agreement_id == agreement_id:
            return agreement
    raise AgreementError("TW-E503", agreement_id=agreement_id, known=_known(agreements))


def _known(agreements: list[Agreement]) -> str:
    if not agreements:
        return "none stored yet; load some with 'trucewatch agreements load FILE'"
    return ", ".join(a.agreement_id for a in agreements) + " (see 'trucewatch agreements list')"


def incident_compliance(db: Database, incident: Incident, conflict: Conflict | None = None) \
        -> list[tuple[Agreement, Assessment]]:
    """One incident assessed against every stored agreement, afresh (the incident page's compliance table)."""
    sides = sides_of(conflict)
    agreements = list_agreements(db)
    return [(a, assess(incident, a, agreements, sides=sides)) for a in agreements]


@dataclass(frozen=True)
class ComplianceSummary:
    """What an agreement's page shows of its assessments: one line per party (and one for the unattributed), the
    potential violations and the boundary cases."""

    parties: list[PartySummary]
    violations: list[Assessment]
    boundary: list[Assessment]


def compliance_summary(assessments: Sequence[Assessment], agreement: Agreement) -> ComplianceSummary:
    """The per-party summary, potential violations and boundary cases of these assessments against `agreement`."""
    return ComplianceSummary(party_summary(assessments, agreement),
                             [a for a in assessments if potential_violation(a)],
                             [a for a in assessments if a.window_status == "uncertain"])
