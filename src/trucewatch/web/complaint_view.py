"""What a complaint's one page shows (`complaint_context`) and what its draft form sends (`draft_of_form`).

The page (/complaints/ID, also at /complaints/ID/history) is rendered by `findings_pages._history_page` with the
verification templates; this module gathers its content: the complaint with its label, files (public or restricted),
history, the moves the visitor may make, the findings it led to, the monitors' question and the answer form for its
liaison officer, and for a monitor the draft form's choices. The draft form preselects nothing that is a judgement
(grade, attribution, commitment, evidence, reports): the complaint's own incident is the only choice made for them.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import Request

from trucewatch.casework.access import Resource, decide
from trucewatch.jobs import casework
from trucewatch.jobs.casework import Desk, Draft
from trucewatch.jobs.inbox import QUESTION, question_of
from trucewatch.records import ATTRIBUTIONS, GRADES, Complaint, IncidentFilter
from trucewatch.storage.workplace import PageQuery
from trucewatch.web import pages
from trucewatch.web.findings_api import history_json, user_of
from trucewatch.web.guard import identity_of

CHOICE_DAYS = timedelta(days=30)  # incidents offered to a draft: within this of the complaint's incident
INCIDENT_CHOICES = 200
EMPTY_DRAFT: dict[str, Any] = {**dict.fromkeys(("commitment", "grade", "attribution", "attributed_party",
                                                "reasoning"), ""), "reports": (), "evidence": (), "incident_ids": ()}
FIELD_OF = {"agreement_id": "commitment", "commitment_id": "commitment"}  # the form's one select for both


def complaint_context(request: Request, desk: Desk, complaint: Complaint, *,
                      problems: list[dict[str, str]] | None = None, form: dict[str, Any] | None = None,
                      filed: bool = False, answered: bool = False, answer_error: str = "",
                      answer_note: str = "") -> dict[str, Any]:
    """Everything the complaint's page shows to the visitor of `request`."""
    identity = identity_of(request)
    user = user_of(identity)
    history = history_json(request, desk, complaint)
    can_draft = complaint.status == "under review" and decide(identity, "create", Resource("finding"))
    asking = complaint.status == QUESTION
    can_answer = asking and identity.role == "liaison" and any(t["to"] == "under review" for t in history["allowed"])
    findings = casework.list_findings(desk, user, complaint.complaint_id)
    named = [complaint.incident_id] if complaint.incident_id else []
    return {
        "complaint": complaint, "complaint_label": pages.complaint_label(complaint), "history": history,
        "evidence": casework.evidence_of(desk, user, complaint), "findings": findings,
        "incident_labels": pages.incident_labels(desk.db, [*named, *(i for f in findings for i in f.incident_ids)]),
        "filed": filed, "answered": answered,
        "question": question_of(desk, complaint) if asking else None, "can_answer": can_answer,
        "answer_error": answer_error, "answer_note": answer_note,
        "can_draft": can_draft, "agreements": desk.store.agreements() if can_draft else [], "grades": GRADES,
        "attributions": ATTRIBUTIONS, "problems": problems or [], "form": {**EMPTY_DRAFT, **(form or {})},
        "by_field": by_field(problems or []),
        "incident_choices": incident_choices(desk, complaint) if can_draft else [],
        "report_choices": report_choices(desk, complaint) if can_draft else []}


def by_field(problems: list[dict[str, str]]) -> dict[str, list[str]]:
    """A refused draft's problems by the draft form's field they belong to ("commitment", "grade" ...)."""
    found: dict[str, list[str]] = {}
    for p in problems:
        name = str(p.get("field", "")).removeprefix("body -> ").split(" -> ")[0]
        found.setdefault(FIELD_OF.get(name, name), []).append(str(p.get("problem", "")))
    return found


def incident_choices(desk: Desk, complaint: Complaint) -> list[tuple[str, str]]:
    """Incidents a finding on the complaint may concern, as (id, label): the complaint's own first, then those
    within CHOICE_DAYS of its date (or of the complaint's filing)."""
    own = pages.incident_labels(desk.db, [complaint.incident_id] if complaint.incident_id else [])
    around = complaint.filed_at.date()
    for label in own.values():
        around = _day(label) or around
    near = desk.web.incident_page(IncidentFilter(date_from=around - CHOICE_DAYS, date_to=around + CHOICE_DAYS),
                                  PageQuery("date", True, None, INCIDENT_CHOICES))
    return [*own.items(), *((s.incident_id, pages.incident_label(s)) for s in near if s.incident_id not in own)]


def _day(label: str) -> date | None:
    try:
        return date.fromisoformat(label[:10])
    except ValueError:
        return None


def report_choices(desk: Desk, complaint: Complaint) -> list[tuple[str, str]]:
    """The reports of the complaint's incident, as (id, "date · outlet · title"), to cite as evidence."""
    if not complaint.incident_id:
        return []
    choices = []
    for report_id in dict.fromkeys(e.report_id for e in desk.store.events_of_incident(complaint.incident_id)):
        report = desk.web.report(report_id)
        if report is not None:
            words = [str(report.published), report.outlet or "", report.title or report_id]
            choices.append((report_id, " · ".join(w for w in words if w)))
    return choices


def draft_of_form(complaint_id: str, form: Any) -> tuple[Draft, dict[str, Any]]:
    """The draft the form sends, and its fields as sent (to show the form again when it is refused). A choice left
    at "choose…" is sent empty, and the job refuses it by field (TW-E806)."""
    commitment = str(form.get("commitment", ""))
    agreement, _, commitment_id = commitment.partition("/")
    fields: dict[str, Any] = {
        "commitment": commitment, "grade": str(form.get("grade", "")), "attribution": str(form.get("attribution", "")),
        "attributed_party": str(form.get("attributed_party", "")) or None, "reasoning": str(form.get("reasoning", "")),
        "reports": tuple(dict.fromkeys(r for v in form.getlist("reports") for r in str(v).replace(",", " ").split())),
        "evidence": tuple(str(v) for v in form.getlist("evidence")),
        "incident_ids": tuple(dict.fromkeys(s for v in form.getlist("incident_ids") if (s := str(v).strip())))}
    draft = Draft(complaint_ids=(complaint_id,), agreement_id=agreement, commitment_id=commitment_id,
                  grade=fields["grade"], attribution=fields["attribution"],
                  attributed_party=fields["attributed_party"], reasoning=fields["reasoning"],
                  evidence=fields["evidence"], reports=fields["reports"], incident_ids=fields["incident_ids"])
    return draft, fields
