"""Keyset pages walk every incident once, in order, with the undated (or unknown-toll) ones last in either direction,
whatever the page size: what a reader paging the API's incident list sees."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from trucewatch.records import IncidentFilter, IncidentSummary
from trucewatch.storage.workplace import INCIDENT_SORTS, PageQuery, WebStore


def _summary(n: int) -> IncidentSummary:
    dated = n % 4 != 0  # a quarter are undated
    day = date(2025, 10, 1) + timedelta(days=n % 7) if dated else None  # days shared by several: ties broken by id
    return IncidentSummary(
        incident_id=f"inc-{n:03d}", first_date=day, last_date=day, time_precision=1, event_type="Battles",
        sub_event_type="Armed clash", country="Pakistan", admin1=None, admin2=None, location=None, latitude=None,
        longitude=None, geo_precision=None, actor1=None, actor2=None, n_events=0, n_reports=0, contested=False,
        reasons=(), fatalities_low=None, fatalities_best=n % 5 or None, fatalities_high=None)


def _walk(workplace, sort: str, descending: bool, size: int) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        rows = workplace.incident_page(IncidentFilter(), PageQuery(sort, descending, after, size))
        seen += [r.incident_id for r in rows]
        if len(rows) < size:
            return seen
        last = rows[-1]
        value = last.first_date if sort == "date" else last.fatalities_best
        after = (INCIDENT_SORTS[sort].value(value, descending), last.incident_id)


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("sort", ["date", "deaths"])
@pytest.mark.parametrize("size", [1, 3, 7, 50])
def test_pages_walk_every_incident_once_in_order_missing_values_last(store, sort, descending, size):
    summaries = [_summary(n) for n in range(40)]
    store.save_incidents([(s, []) for s in summaries])
    def key(s: IncidentSummary):
        value = s.first_date if sort == "date" else s.fatalities_best
        return value is None, value if value is not None else 0, s.incident_id

    present = sorted((s for s in summaries if key(s)[0] is False), key=key, reverse=descending)
    absent = sorted((s for s in summaries if key(s)[0]), key=lambda s: s.incident_id, reverse=descending)
    expected = [s.incident_id for s in present + absent]
    assert _walk(WebStore(store.engine), sort, descending, size) == expected
