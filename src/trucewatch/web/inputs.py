"""The query parameters every listing shares, bounded before they reach the store (docs/web.md, "Query limits").

- **Dates** (`from`, `to`) are written YYYY-MM-DD, in years `FIRST_YEAR`..`LAST_YEAR`: nothing else is taken (not
  `0`, not a Unix time, not a timestamp), so no date arithmetic can run off the calendar.
- **Text filters** (`actor`, `country`, `outlet`, ids ...) are at most `MAX_TEXT` characters: the store matches them
  with LIKE, and a 60 000-character pattern is a denial of service, not a question.
- **Cursors** are at most `MAX_CURSOR` characters (`paging` checks what they say).
- **Sorts** declare their values, so the OpenAPI description lists them (`sort_parameter`).

A value outside these bounds is TW-E618 (422) with the field it came in, like any request that does not validate.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator

FIRST_YEAR, LAST_YEAR = 1900, 2200
MAX_TEXT = 200
MAX_CURSOR = 1000
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
DAY_RULE = f"a date YYYY-MM-DD in years {FIRST_YEAR}..{LAST_YEAR}"


def iso_day(value: Any) -> Any:
    """A YYYY-MM-DD date within FIRST_YEAR..LAST_YEAR, as a `date`; ValueError for anything else."""
    if isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, str) and ISO_DAY.fullmatch(value.strip()):
        text = value.strip()
    else:
        raise ValueError(f"not {DAY_RULE}")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not {DAY_RULE} (no such day)") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"not {DAY_RULE} (outside the years served)")
    return day


Day = Annotated[date, BeforeValidator(iso_day)]
DateFrom = Annotated[Day | None, Query(alias="from", description=f"the first day: {DAY_RULE}")]
DateTo = Annotated[Day | None, Query(alias="to", description=f"the last day: {DAY_RULE}")]
Text = Annotated[str | None, Query(max_length=MAX_TEXT)]
EventType = Annotated[str | None, Query(alias="type", max_length=MAX_TEXT, description="an event or sub-event type")]
Cursor = Annotated[str | None, Query(max_length=MAX_CURSOR, description="from the previous page's `next`")]


def sort_choices(names: Iterable[str]) -> list[str]:
    """The values of a listing's `sort`: each name, ascending and descending ('-name')."""
    return [value for name in names for value in (name, f"-{name}")]


def sort_parameter(names: Iterable[str]) -> Any:
    """The `Query` of a listing's `sort`, its values declared as an enum (an unknown one is TW-E618, by `paging`)."""
    choices = sort_choices(names)
    return Query(description=f"one of {', '.join(choices)}", json_schema_extra={"enum": choices})
