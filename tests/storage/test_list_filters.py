"""The filtered incident list keeps its meaning with the indexes of 0011_list_indexes: a date range keeps every
incident whose days overlap it, including one that began long before the range and reaches into it, on the API's
pages and in `trucewatch incidents`' list and count; province and country match in any case. On both back ends."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from trucewatch.records import IncidentFilter, IncidentSummary
from trucewatch.storage import Database
from trucewatch.storage.workplace import PageQuery

BASE = IncidentSummary("inc-0", date(2024, 1, 1), date(2024, 1, 1), 1, "Battles", "Armed clash", "Pakistan",
                       "Khyber Pakhtunkhwa", None, "Bannu", 33.0, 70.6, 1, "TTP", None, 1, 1, False, (), None, None,
                       None, datetime(2026, 1, 1, tzinfo=UTC))


def summaries() -> list[IncidentSummary]:
    """One incident a day through 2024, a siege from 2023-03-01 to 2024-06-10, and an undated one."""
    days = [replace(BASE, incident_id=f"inc-{n:03d}", first_date=date(2024, 1, 1) + timedelta(days=n),
                    last_date=date(2024, 1, 1) + timedelta(days=n),
                    admin1="Balochistan" if n % 2 else "Khyber Pakhtunkhwa") for n in range(366)]
    siege = replace(BASE, incident_id="inc-siege", first_date=date(2023, 3, 1), last_date=date(2024, 6, 10))
    undated = replace(BASE, incident_id="inc-undated", first_date=None, last_date=None)
    return [*days, siege, undated]


def expected(found: list[IncidentSummary], f: IncidentFilter) -> list[str]:
    """The incidents the filter means, worked out here from the records."""
    def keep(s: IncidentSummary) -> bool:
        if s.first_date is None or s.last_date is None:
            return f.date_from is None and f.date_to is None
        overlaps = (f.date_from is None or s.last_date >= f.date_from) \
            and (f.date_to is None or s.first_date <= f.date_to)
        return overlaps and (f.admin1 is None or (s.admin1 or "").lower() == f.admin1.lower())
    return [s.incident_id for s in sorted(found, key=lambda s: (s.first_date is None, s.first_date or date.min,
                                                                  s.incident_id)) if keep(s)]


def test_a_date_range_keeps_an_incident_that_began_before_it(db_url):
    rows = summaries()
    filters = [IncidentFilter(date(2024, 6, 1), date(2024, 6, 30)),
               IncidentFilter(date(2024, 6, 11), None),
               IncidentFilter(date(2024, 5, 1), date(2024, 5, 31), admin1="BALOCHISTAN"),
               IncidentFilter(None, date(2023, 12, 31))]
    with Database.open(db_url) as db:
        db.reports.save_incidents((s, []) for s in rows)
        for f in filters:
            want = expected(rows, f)
            listed = [s.incident_id for s in db.reports.list_incidents(f)]
            page = [s.incident_id for s in db.workplace.incident_page(f, PageQuery("date", limit=500))]
            assert listed == page == want, f
            assert db.reports.count_incidents(f) == len(want)
        june = [s.incident_id for s in db.reports.list_incidents(filters[0])]
        assert june[0] == "inc-siege" and len(june) == 31  # the siege reaches June; 30 days of June
        assert "inc-siege" not in [s.incident_id for s in db.reports.list_incidents(filters[1])]
