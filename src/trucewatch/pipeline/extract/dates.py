"""Find date expressions in a report and resolve them against its publication date.

Compiled regular expressions and plain date arithmetic, no third-party library: dateparser's whole-text search turns
"we" into a Wednesday and "48-hour" into 1948, and costs a hundred times more. Every expression is returned with its
span; which one dates an event is the event assembler's decision ("ISPR said on Saturday" dates a statement, not the
attack). The rules, with examples, are in docs/dates.md.

Precision is ACLED's `time_precision`: 1 a day (or one night, start and end on consecutive days), 2 a week or a range
of a few days, 3 a month or anything vaguer.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from trucewatch.pipeline.extract import lexicon
from trucewatch.records import TIME_DAY, TIME_MONTH, TIME_WEEK, DateMention, Sentence, Span

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NUMBERS = {
    "January": 1, "Jan": 1, "February": 2, "Feb": 2, "March": 3, "Mar": 3, "April": 4, "Apr": 4, "May": 5,
    "June": 6, "Jun": 6, "July": 7, "Jul": 7, "August": 8, "Aug": 8, "September": 9, "Sept": 9, "Sep": 9,
    "October": 10, "Oct": 10, "November": 11, "Nov": 11, "December": 12, "Dec": 12,
}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_WEEK = timedelta(days=7)
_DAY = timedelta(days=1)


# --- public helpers -------------------------------------------------------------------------------------------------

def weekday_number(weekday: int | str) -> int:
    """0 for Monday .. 6 for Sunday; accepts the number itself or an English name ("friday", "Fri")."""
    if isinstance(weekday, int):
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday {weekday} is not 0 (Monday) .. 6 (Sunday)")
        return weekday
    key = weekday.strip().lower()
    for number, name in enumerate(WEEKDAYS):
        if len(key) >= 3 and name.lower().startswith(key):
            return number
    raise ValueError(f"{weekday!r} is not a weekday name")


def most_recent_weekday(published: date, weekday: int | str, *, strictly_before: bool = False) -> date:
    """The latest `weekday` on or before `published` ("on Friday"); strictly before it for "last Friday"."""
    back = (published.weekday() - weekday_number(weekday)) % 7
    if back == 0 and strictly_before:
        back = 7
    return published - timedelta(days=back)


def coming_weekday(published: date, weekday: int | str, *, strictly_after: bool = False) -> date:
    """The first `weekday` on or after `published` ("will meet on Tuesday"); strictly after it for "next Tuesday"."""
    ahead = (weekday_number(weekday) - published.weekday()) % 7
    if ahead == 0 and strictly_after:
        ahead = 7
    return published + timedelta(days=ahead)


def week_of(day: date) -> tuple[date, date]:
    """The Monday and the Sunday of the week `day` falls in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and the last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clipped to the month's last day (31 March - 1 month = 28/29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def precision_for_range(start: date, end: date | None) -> int:
    """ACLED time precision of a date range: one day or one night 1, up to eight days 2, longer 3."""
    days = 0 if end is None else (end - start).days
    if days <= 1:
        return TIME_DAY
    return TIME_WEEK if days <= 7 else TIME_MONTH


def nearest_year(month: int, day: int, published: date, *, future: bool = False) -> date | None:
    """The date with this month and day closest to `published`, the year being missing ("Oct. 25").

    A date on the other side of `published` from the tense counts double: in past-tense text (the default) an
    earlier date wins a near tie, in future-tense text a later one. None when no nearby year has that day (30 February).
    """
    def build(year: int) -> tuple[date, date] | None:
        try:
            return date(year, month, day), date(year, month, day)
        except ValueError:
            return None

    chosen = _closest_year(build, published, future)
    return None if chosen is None else chosen[0]


# --- what a hit is --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Hit:
    """A resolved expression inside one sentence; offsets index the sentence text."""

    start: int
    end: int
    first: date
    last: date | None
    precision: int
    kind: str  # absolute | weekday | relative | month | range | anchored
    shift: timedelta | None = None  # "two days later": resolved later, against the previous mention
    preposition: bool = False  # "two days after ...", "a day before ...": the shift introduces another clause
    clause: bool = False  # what the preposition introduces has a verb of its own ("a day after militants struck")
    untimed: bool = False  # ... and the main clause is not in the past ("Residents gather ... a day after ...")


@dataclass(frozen=True, slots=True)
class _Context:
    text: str
    published: date


def _hit(start: int, end: int, first: date, last: date | None, precision: int, kind: str) -> _Hit:
    if last is not None and last <= first:
        last = None
    return _Hit(start, end, first, last, precision, kind)


# --- regular expressions --------------------------------------------------------------------------------------------

# A month name, or an abbreviation that may carry a full stop ("Oct. 25"); "October." ending a sentence keeps its
# stop out.
_FULL_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")
_MONTH = (
    "(?:" + "|".join(_FULL_MONTHS) + r")\b"
    r"|(?:" + "|".join(sorted(set(_MONTH_NUMBERS) - set(_FULL_MONTHS), key=len, reverse=True)) + r")\b\.?"
)
_WD = "|".join(WEEKDAYS)
_DAYNUM = r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
# A day range inside one expression: "24-25", "10 to 13", and "10 and 13" only after "between".
_CONNECT = r"(?:\s*[-–—]\s*|\s+(?:to|until|till|through)\s+|(?(between)\s+and\s+|(?!)))"
_PART = (
    r"(?i:early|mid|late|the\s+(?:beginning|start|middle|end)\s+of"
    r"|(?:the\s+)?(?:first|second|third|fourth|last|final)\s+week\s+of)"
)

# Each pattern opens with a look-ahead on its possible first letters: it changes nothing matched and lets the engine
# skip most positions at once (three to six times faster).
_MONTH_DAY = re.compile(
    rf"(?=[BbJFMASOND])(?:\b(?P<between>[Bb]etween)\s+)?\b(?P<mon>{_MONTH})\s+(?P<d1>{_DAYNUM})\b"
    rf"(?:{_CONNECT}(?P<d2>{_DAYNUM})\b(?!\s+(?:of\s+)?(?:{_MONTH})))?"
    rf"(?:,?\s+(?P<year>{_YEAR})\b)?(?!:?\d)"
)
_DAY_MONTH = re.compile(
    rf"(?=[Bb\d])(?:\b(?P<between>[Bb]etween)\s+)?(?<![\d:.,/])\b(?P<d1>{_DAYNUM})(?:{_CONNECT}(?P<d2>{_DAYNUM}))?"
    rf"\s+(?:of\s+)?(?P<mon>{_MONTH})(?:,?\s+(?P<year>{_YEAR})\b)?"
)
_ISO = re.compile(r"(?<![\d/.-])\b(?P<y>(?:19|20)\d\d)(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})\b(?![-/.]?\d)")
_NUMERIC = re.compile(
    r"(?<![\d/.-])\b(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d\d)\b(?![-/.]?\d)"
)
# "on 15/10", "the night of 14/15": a yearless day and month with a slash, read only after a word that introduces a
# date (a bare "3/4" is as likely a fraction or a score).
_NUMERIC_SHORT = re.compile(r"(?<![\d/.-])\b(?P<a>\d{1,2})/(?P<b>\d{1,2})\b(?![-/.]?\d)")
_NUMERIC_SHORT_BEFORE = re.compile(r"(?i)\b(?:on|of|from|since|until|till|by|dated|night)\s+$")
_MONTH_YEAR = re.compile(
    rf"(?=[EeMmLlTtFfSsJAOND])\b(?:(?P<part>{_PART})[\s-]+)?(?P<mon>{_MONTH}),?\s+(?P<year>{_YEAR})\b(?![-–/]\d)"
)
# A month without day or year needs a word in front, so that "May" the modal and "March" the verb never match
# ("to" is left out: a title-case headline writes "Plan to March on Islamabad").
_MONTH_ALONE = re.compile(
    r"(?=[IiSsDdUuTtFfBbLlNnEeMmJAO])\b(?:(?P<pre>(?i:in|since|during|until|till|through|throughout|from|by"
    rf"|last|this|next|earlier\s+in|later\s+in))|(?P<part>{_PART}))[\s-]+(?P<mon>{_MONTH})(?!\.?\s*\d)"
    rf"|\b(?P<mon2>{_MONTH})(?=['’]s\b)"
)
_WEEKDAY = re.compile(
    rf"(?=[LlEeIiNnTtCcPpMWFS])(?:\b(?P<lead>(?i:late|early)(?:\s+on)?|(?i:in\s+the\s+early\s+hours\s+of))\s+)?"
    rf"(?:\b(?P<rel>(?i:last|next|this\s+past|this\s+coming|this|coming|past|previous))\s+)?"
    rf"\b(?P<wd>{_WD})\b(?!\s+(?:prayers?|Times|Telegraph|Express|Post|Mail)\b)"
    r"(?:\s+(?P<tod>morning|afternoon|evening|night|midnight)\b)?"
)
_RELATIVE = re.compile(
    r"""(?ix)(?=[eltyonp])\b(?:
      (?P<today>(?:earlier\s+|later\s+)?today|this\s+(?:morning|afternoon|evening)|tonight)
    | (?P<yesterday>(?:the\s+day\s+before\s+)?yesterday(?:\s+(?:morning|afternoon|evening|night))?)
    | (?P<tomorrow>(?:the\s+day\s+after\s+)?tomorrow)
    | (?P<night>(?:late\s+)?last\s+(?:night|evening)|overnight)
    | (?P<week>(?:earlier\s+|later\s+)?this\s+week|last\s+week|next\s+week|(?:the\s+)?(?:past|previous)\s+week)
    | (?P<month>(?:earlier\s+|later\s+)?this\s+month|last\s+month|next\s+month|(?:the\s+)?previous\s+month)
    | (?P<weekend>(?:this|last|next|over\s+the)\s+weekend)
    )\b"""
)
_COUNT = r"(?P<n>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+couple\s+of)"
_AGO = re.compile(rf"(?i)(?=[\dotfsena])\b{_COUNT}\s+(?P<unit>day|week|month)s?\s+ago\b")
_LATER = re.compile(
    rf"(?i)(?=[\dotfsenalhm])\b(?:{_COUNT}\s+(?P<unit>day|week)s?\s+(?P<dir>later|after|earlier|before)\b"
    r"|the\s+(?P<next>next|following|previous|preceding)\s+day\b"
    r"|the\s+day\s+(?P<dayrel>before|after)\b(?!\s+(?:yesterday|tomorrow)\b)"
    r"|(?P<same>(?:earlier|later)\s+(?:in\s+)?(?:the|that)\s+day|(?:the|that)\s+same\s+day"
    r"|(?:hours|minutes|moments|shortly)\s+(?:later|afterwards|after\s+that))\b)"
)
# Words that put a weekday or a yearless date in the future when they come shortly before it.
_FUTURE = re.compile(
    r"(?i)(?=[wsteiapgu'’])\b(?:will|would|shall|won't|to\s+be\s+held|scheduled|slated|set\s+to|expected\s+to"
    r"|(?:is|are|was|were)\s+(?:due|to)|plans?\s+to|planned|planning|going\s+to|upcoming|ahead\s+of)\b|['’]ll\b"
)
_REPORTING = re.compile(
    r"(?i)(?=[stacr])\b(?:said|says|told|announced|stated|added|confirmed|reported|claimed|according\s+to)\b"
)
_COMPANY_TODAY = re.compile(r"[A-Z][\w.]*\s+$")


# --- choosing a year ------------------------------------------------------------------------------------------------

# How much farther a date on the wrong side of publication seems than it is. News reports what happened: in
# past-tense text a yearless "January 30" written on 29 December is the January gone by (334 days back), not the
# one a month ahead; only a date within about a month ahead may still be meant without a future word.
_AGAINST_THE_TENSE = 12


def _distance(first: date, last: date, published: date, future: bool) -> int:
    if first <= published <= last:
        return 0
    if last < published:
        days = (published - last).days
        return days * 2 if future else days
    days = (first - published).days
    return days if future else days * _AGAINST_THE_TENSE


def _closest_year(
    build: Callable[[int], tuple[date, date] | None], published: date, future: bool
) -> tuple[date, date] | None:
    best, best_score = None, None
    for year in (published.year - 1, published.year, published.year + 1):
        bounds = build(year)
        if bounds is None:
            continue
        score = _distance(bounds[0], bounds[1], published, future)
        if best_score is None or score < best_score:
            best, best_score = bounds, score
    return best


def _is_future(ctx: _Context, start: int) -> bool:
    """Does a future-tense word come shortly before `start`, with no reporting verb in between?"""
    window = ctx.text[max(0, start - 60):start]
    after_reporting = 0
    for match in _REPORTING.finditer(window):
        after_reporting = match.end()
    return _FUTURE.search(window, after_reporting) is not None


def _month(text: str) -> int:
    return _MONTH_NUMBERS[text.rstrip(".")]


def _day(text: str) -> int:
    return int(text.rstrip("stndrh"))


# --- resolvers, one per expression ----------------------------------------------------------------------------------

def _absolute_days(match: re.Match[str], ctx: _Context) -> _Hit | None:
    """ "Oct. 25", "25th October 2025", "December 24-25", "between 10 and 13 September"."""
    month, start, end = _month(match["mon"]), match.start(), match.end()
    first_day = _day(match["d1"])
    last_day = _day(match["d2"]) if match["d2"] else first_day
    if last_day < first_day:  # "October 30 to 2 November": keep the day next to the month, join the range later
        if match.start("mon") < match.start("d1"):
            last_day, end = first_day, match.end("d1")
        else:
            first_day, start = last_day, match.start("d2")

    def build(year: int) -> tuple[date, date] | None:
        try:
            return date(year, month, first_day), date(year, month, last_day)
        except ValueError:
            return None

    if match["year"] and end == match.end():
        bounds = build(int(match["year"]))
    else:
        bounds = _closest_year(build, ctx.published, _is_future(ctx, start))
    if bounds is None:
        return None
    return _hit(start, end, bounds[0], bounds[1], precision_for_range(*bounds), "absolute")


def _iso(match: re.Match[str], ctx: _Context) -> _Hit | None:
    return _dated(match, int(match["y"]), int(match["m"]), int(match["d"]))


def _numeric(match: re.Match[str], ctx: _Context) -> _Hit | None:
    """Day first, as Pakistani and British papers write it; month first only when day-first is impossible."""
    a, b = int(match["a"]), int(match["b"])
    day, month = (b, a) if b > 12 >= a else (a, b)
    return _dated(match, int(match["y"]), month, day)


def _numeric_short(match: re.Match[str], ctx: _Context) -> _Hit | None:
    """ "on 15/10": day first as above, the year the nearest one in the tense of the text."""
    if not _NUMERIC_SHORT_BEFORE.search(ctx.text[max(0, match.start() - 12):match.start()]):
        return None
    a, b = int(match["a"]), int(match["b"])
    day, month = (b, a) if b > 12 >= a else (a, b)
    if month > 12:
        return None
    when = nearest_year(month, day, ctx.published, future=_is_future(ctx, match.start()))
    return None if when is None else _hit(match.start(), match.end(), when, None, TIME_DAY, "absolute")


def _dated(match: re.Match[str], year: int, month: int, day: int) -> _Hit | None:
    try:
        when = date(year, month, day)
    except ValueError:
        return None
    return _hit(match.start(), match.end(), when, None, TIME_DAY, "absolute")


def _part_of_month(part: str | None, year: int, month: int) -> tuple[date, date]:
    """The days "early", "mid", "late" or "the second week of" pick out of a month (the whole month for None)."""
    first, last = month_bounds(year, month)
    key = " ".join(part.lower().split()) if part else ""
    if not key:
        return first, last
    if key in ("early", "the beginning of", "the start of"):
        return first, first.replace(day=10)
    if key in ("mid", "the middle of"):
        return first.replace(day=11), first.replace(day=20)
    if key in ("late", "the end of"):
        return first.replace(day=21), last
    ordinal = key.removeprefix("the ").split()[0]
    if ordinal in ("last", "final"):
        return last - timedelta(days=6), last
    index = ("first", "second", "third", "fourth").index(ordinal)
    return first + timedelta(days=7 * index), first + timedelta(days=7 * index + 6)


def _month_year(match: re.Match[str], ctx: _Context) -> _Hit | None:
    """ "March 2024", "early September 2025", "the first week of October 2025"."""
    first, last = _part_of_month(match["part"], int(match["year"]), _month(match["mon"]))
    return _hit(match.start(), match.end(), first, last, precision_for_range(first, last), "month")


def _month_alone(match: re.Match[str], ctx: _Context) -> _Hit | None:
    """ "in December", "mid-October", "last March", "October's clashes": the year closest to publication."""
    month = _month(match["mon"] or match["mon2"])
    pre = " ".join((match["pre"] or "").lower().split())
    if pre in ("last", "next", "this"):
        first, last = month_bounds(_year_for(pre, month, ctx.published), month)
        return _hit(match.start(), match.end(), first, last, TIME_MONTH, "month")
    future = _is_future(ctx, match.start())
    first, last = _closest_year(lambda y: _part_of_month(match["part"], y, month), ctx.published, future) or (
        month_bounds(ctx.published.year, month)  # not reached: every year has every month
    )
    start = match.start("mon") if pre else match.start()  # "in", "since" ... stay out of the surface
    return _hit(start, match.end(), first, last, precision_for_range(first, last), "month")


def _year_for(pre: str, month: int, published: date) -> int:
    if pre == "last":
        return published.year if month < published.month else published.year - 1
    if pre == "next":
        return published.year if month > published.month else published.year + 1
    return published.year


def _weekday(match: re.Match[str], ctx: _Context) -> _Hit | None:
    """ "on Friday", "late on Friday", "last Wednesday", "Saturday evening", "will meet on Tuesday"."""
    weekday = WEEKDAYS.index(match["wd"])
    rel = " ".join((match["rel"] or "").lower().split())
    published = ctx.published
    if rel in ("last", "past", "previous", "this past"):
        when = most_recent_weekday(published, weekday, strictly_before=True)
    elif rel in ("next", "coming", "this coming"):
        when = coming_weekday(published, weekday, strictly_after=True)
    elif rel == "this":
        when = week_of(published)[0] + timedelta(days=weekday)
    elif _is_future(ctx, match.start()):
        when = coming_weekday(published, weekday)
    else:
        when = most_recent_weekday(published, weekday)
    return _hit(match.start(), match.end(), when, None, TIME_DAY, "weekday")


def _relative(match: re.Match[str], ctx: _Context) -> _Hit | None:
    """today, yesterday, tonight, last night, overnight, this/last/next week or month, weekends."""
    kind, words = match.lastgroup or "", " ".join(match.group().lower().split())
    if kind == "today" and words == "today" and _names_a_paper(match, ctx):
        return None
    first, last, precision = _RELATIVE_RULES[kind](words, ctx.published)
    return _hit(match.start(), match.end(), first, last, precision, "relative")


def _names_a_paper(match: re.Match[str], ctx: _Context) -> bool:
    """ "Pakistan Today", "USA Today": a capitalised Today after a capitalised word is a name, not a date."""
    if not match.group().startswith("T"):
        return False
    return _COMPANY_TODAY.search(ctx.text, max(0, match.start() - 40), match.start()) is not None


def _rule_today(words: str, published: date) -> tuple[date, date | None, int]:
    return published, None, TIME_DAY


def _rule_yesterday(words: str, published: date) -> tuple[date, date | None, int]:
    back = 2 if words.startswith("the day before") else 1
    return published - timedelta(days=back), None, TIME_DAY


def _rule_tomorrow(words: str, published: date) -> tuple[date, date | None, int]:
    ahead = 2 if words.startswith("the day after") else 1
    return published + timedelta(days=ahead), None, TIME_DAY


def _rule_night(words: str, published: date) -> tuple[date, date | None, int]:
    """ "last night", "overnight": the evening before publication into the publication day."""
    return published - _DAY, published, TIME_DAY


def _rule_week(words: str, published: date) -> tuple[date, date | None, int]:
    monday, sunday = week_of(published)
    if words.startswith("later"):
        return min(published + _DAY, sunday), sunday, TIME_WEEK
    if words.endswith("this week"):
        return monday, max(monday, published - _DAY), TIME_WEEK
    if words.startswith("next"):
        return monday + _WEEK, sunday + _WEEK, TIME_WEEK
    if words.startswith("last"):
        return monday - _WEEK, sunday - _WEEK, TIME_WEEK
    return published - timedelta(days=6), published, TIME_WEEK  # the past / the previous week


def _rule_month(words: str, published: date) -> tuple[date, date | None, int]:
    first, last = month_bounds(published.year, published.month)
    if words.startswith("later"):
        return min(published + _DAY, last), last, TIME_MONTH
    if words.endswith("this month"):
        return first, published, TIME_MONTH
    step = 1 if words.startswith("next") else -1
    shifted = add_months(first, step)
    return (*month_bounds(shifted.year, shifted.month), TIME_MONTH)


def _rule_weekend(words: str, published: date) -> tuple[date, date | None, int]:
    """The Saturday and Sunday of this week ("this weekend"), the week before ("last weekend", and "over the
    weekend" said on a weekday) or the week after ("next weekend")."""
    saturday = week_of(published)[0] + timedelta(days=5)
    if words.startswith("last") or (words.startswith("over") and published.weekday() < 5):
        saturday -= _WEEK
    elif words.startswith("next"):
        saturday += _WEEK
    return saturday, saturday + _DAY, TIME_WEEK


_RELATIVE_RULES: dict[str, Callable[[str, date], tuple[date, date | None, int]]] = {
    "today": _rule_today,
    "yesterday": _rule_yesterday,
    "tomorrow": _rule_tomorrow,
    "night": _rule_night,
    "week": _rule_week,
    "month": _rule_month,
    "weekend": _rule_weekend,
}


def _count(text: str) -> int:
    text = " ".join(text.lower().split())
    return int(text) if text.isdigit() else 2 if text == "a couple of" else _NUMBER_WORDS[text]


def _ago(match: re.Match[str], ctx: _Context) -> _Hit | None:
    """ "three days ago", "a week ago", "two months ago"."""
    n, unit = _count(match["n"]), match["unit"].lower()
    if unit == "month":
        return _hit(match.start(), match.end(), add_months(ctx.published, -n), None, TIME_MONTH, "relative")
    days = n * (7 if unit == "week" else 1)
    precision = TIME_WEEK if unit == "week" else TIME_DAY
    return _hit(match.start(), match.end(), ctx.published - timedelta(days=days), None, precision, "relative")


def _later(match: re.Match[str], ctx: _Context) -> _Hit | None:
    """ "two days later", "a day after", "the next day", "later that day": counted from the previous date mention."""
    if match["same"]:
        days, precision = 0, TIME_DAY
    elif match["next"]:
        days = 1 if match["next"].lower() in ("next", "following") else -1
        precision = TIME_DAY
    elif match["dayrel"]:
        days = 1 if match["dayrel"].lower() == "after" else -1
        precision = TIME_DAY
    else:
        unit = 7 if match["unit"].lower() == "week" else 1
        sign = 1 if match["dir"].lower() in ("later", "after") else -1
        days = sign * unit * _count(match["n"])
        precision = TIME_WEEK if unit == 7 else TIME_DAY
    shift = timedelta(days=days)
    preposition = bool(match["dir"] and match["dir"].lower() in ("after", "before"))
    clause = preposition and _introduces_a_clause(ctx.text[match.end():])
    untimed = clause and not _main_clause_in_the_past(ctx.text, match.start(), match.end())
    return _Hit(match.start(), match.end(), ctx.published, None, precision, "anchored", shift, preposition, clause,
                untimed)


_ASIDE = re.compile(r"\s*\([^()]*\)")  # "the Balochistan Liberation Army (BLA) claimed": an aside in brackets
_CLAUSE_WORDS = re.compile(r"[\w’'-]+|[,;:.!?()]")
_CLAUSE_END = re.compile(r"[,;:!?]|\.(?:\s|$)")
_DETERMINERS = frozenset(("the", "a", "an", "its", "their", "his", "her", "this", "that", "these", "those", "our"))
_RELATIVES = frozenset(("that", "which", "who", "whom", "whose", "where", "when"))


def _is_verb(words: list[str], i: int, verbs: frozenset[str]) -> bool:
    """A listed verb form, or a word in -ed that is neither an adjective after a determiner ("the armed men") nor a
    participle before "by" ("an attack claimed by")."""
    low = words[i].lower()
    if low in verbs:
        return True
    before = words[i - 1].lower() if i else ""
    after = words[i + 1].lower() if i + 1 < len(words) else ""
    return i > 0 and low.endswith("ed") and before not in _DETERMINERS and after != "by"


def _introduces_a_clause(rest: str) -> bool:
    """Is what follows "two days after" a clause with a verb of its own ("after militants struck a post", "after the
    ceasefire was agreed"), not a noun phrase ("after the attack", "after that")? The clause ends at punctuation or a
    relative pronoun ("after the attack that killed five" is a noun phrase)."""
    verbs = lexicon.words("cues", "past_verbs") | lexicon.words("cues", "present_verbs")
    words = _CLAUSE_WORDS.findall(_ASIDE.sub(" ", rest[:100]))
    for i, word in enumerate(words[:8]):
        if not word[0].isalnum() or (i > 0 and word.lower() in _RELATIVES):
            return False
        if _is_verb(words, i, verbs):
            return True
    return False


def _main_clause_in_the_past(text: str, start: int, end: int) -> bool:
    """Does the rest of the sentence, the clause "two days after ..." left out, tell something in the past tense?
    A caption or a headline in the present ("Residents gather near a house two days after strikes hit") has no time
    of its own to count back from."""
    rest = _ASIDE.sub(" ", text[end:])
    stop = _CLAUSE_END.search(rest)
    main = text[:start] + " " + (rest[stop.end():] if stop else "")
    words = _CLAUSE_WORDS.findall(main)
    past = lexicon.words("cues", "past_verbs")
    return any(word[0].isalnum() and _is_verb(words, i, past) for i, word in enumerate(words))


# Each family of patterns runs only near its trigger words: a literal regex (case matters: "May", "Friday") or plain
# lower-case words found with str.find. Running every pattern over whole sentences cost ten times more (docs/dates.md).
_Resolver = Callable[[re.Match[str], _Context], _Hit | None]
_Trigger = re.Pattern[str] | tuple[str, ...]
_FAMILIES: tuple[tuple[_Trigger, tuple[tuple[re.Pattern[str], _Resolver], ...]], ...] = (
    (
        re.compile("|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True))),
        ((_MONTH_DAY, _absolute_days), (_DAY_MONTH, _absolute_days), (_MONTH_YEAR, _month_year),
         (_MONTH_ALONE, _month_alone)),
    ),
    (re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"), ((_WEEKDAY, _weekday),)),
    (re.compile(r"\d[-/.]\d"), ((_ISO, _iso), (_NUMERIC, _numeric), (_NUMERIC_SHORT, _numeric_short))),
    (
        ("today", "tonight", "tomorrow", "yesterday", "night", "week", "month", "morning", "afternoon", "evening"),
        ((_RELATIVE, _relative),),
    ),
    (("ago",), ((_AGO, _ago),)),
    (
        ("later", "earlier", "same day", "afterwards", "day after", "days after", "day before", "days before",
         "week after", "weeks after", "week before", "weeks before", "next day", "following day", "previous day",
         "preceding day"),
        ((_LATER, _later),),
    ),
)
_BACK, _AHEAD = 30, 25  # characters a pattern may reach before and after its trigger word
_CONTEXT = 45  # characters looked at before a hit for "since", "from", "the night of", "the overnight attack on"


# --- joining neighbouring hits --------------------------------------------------------------------------------------

_WEEKDAY_THEN_DATE = re.compile(r"\s*,\s*|\s*\(\s*|\s+")
_OFFSET_THEN_DATE = re.compile(r"\s+(?:the\s+)?")
_RANGE_JOIN = re.compile(r"\s*(?:[-–—]|to|until|till|through|and)\s*")
_BETWEEN_BEFORE = re.compile(r"\b[Bb]etween\s+$")
_FROM_BEFORE = re.compile(r"\b(?:[Ff]rom|[Bb]etween)\s+$")
_SINCE_BEFORE = re.compile(r"\b[Ss]ince\s+$")
_NIGHT_BEFORE = re.compile(
    r"(?i)(?:\b(?:on\s+|during\s+)?the\s+night\s+of\s+"
    r"|\b(?:the|an?|its|their|this|that)\s+overnight\s+(?:[\w’'-]+\s+){1,2}?(?:on|of)\s+"
    r"|\bovernight\s+(?:on\s+)?)$"
)
_INTO_BEFORE = re.compile(r"(?i)\bovernight\s+into\s+$")
_OVERNIGHT_AFTER = re.compile(r"(?i)\s+overnight\b")


def _join_weekday_and_date(hits: list[_Hit], text: str) -> list[_Hit]:
    """ "Monday, March 3, 2025" and "Tuesday (March 4)" are one mention; the written date wins."""
    out: list[_Hit] = []
    for hit in hits:
        prev = out[-1] if out else None
        if prev and prev.kind == "weekday" and hit.kind == "absolute" and _WEEKDAY_THEN_DATE.fullmatch(
            text, prev.end, hit.start
        ):
            end = hit.end + 1 if "(" in text[prev.end:hit.start] and text.startswith(")", hit.end) else hit.end
            out[-1] = replace(hit, start=prev.start, end=end)
        else:
            out.append(hit)
    return out


def _join_ranges(hits: list[_Hit], text: str) -> list[_Hit]:
    """ "from Oct 11 to Oct 13", "from Friday to Sunday", "between 30 September and 2 October"."""
    out: list[_Hit] = []
    for hit in hits:
        prev = out[-1] if out else None
        joined = _range_of(prev, hit, text) if prev else None
        if joined:
            out[-1] = joined
        else:
            out.append(hit)
    return out


def _range_of(a: _Hit, b: _Hit, text: str) -> _Hit | None:
    if "anchored" in (a.kind, b.kind):
        return None
    gap = _RANGE_JOIN.fullmatch(text, a.end, b.start)
    if gap is None or b.first <= a.first:
        return None
    between = _BETWEEN_BEFORE.search(text, max(0, a.start - _CONTEXT), a.start) or text.startswith(
        ("between", "Between"), a.start
    )
    if "and" in gap.group() and not between:
        return None
    start = a.start
    before = _FROM_BEFORE.search(text, max(0, a.start - _CONTEXT), a.start)
    if before:
        start = before.start()
    last = b.last or b.first
    precision = max(a.precision, b.precision, precision_for_range(a.first, last))
    return _Hit(start, b.end, a.first, last, precision, "range")


def _join_offset_and_date(hits: list[_Hit], text: str) -> list[_Hit]:
    """ "two days after March 4", "a day before the Friday talks": counted from the date that follows."""
    out: list[_Hit] = []
    for hit in hits:
        prev = out[-1] if out else None
        if prev and prev.shift is not None and hit.shift is None and _OFFSET_THEN_DATE.fullmatch(
            text, prev.end, hit.start
        ):
            precision = max(prev.precision, hit.precision)
            out[-1] = _Hit(prev.start, hit.end, hit.first + prev.shift, None, precision, "relative")
        else:
            out.append(hit)
    return out


def _night_of(hit: _Hit, text: str) -> _Hit:
    """ "the night of December 24", "the overnight attack on Friday", "overnight into Saturday": a night range."""
    if hit.last is not None or hit.precision != TIME_DAY or hit.kind == "anchored":
        return hit
    into = _INTO_BEFORE.search(text, max(0, hit.start - _CONTEXT), hit.start)
    if into:
        return _Hit(into.start(), hit.end, hit.first - _DAY, hit.first, TIME_DAY, hit.kind)
    before = _NIGHT_BEFORE.search(text, max(0, hit.start - _CONTEXT), hit.start)
    after = _OVERNIGHT_AFTER.match(text, hit.end)
    if not (before or after):
        return hit
    start = before.start() if before else hit.start
    end = after.end() if after else hit.end
    return _Hit(start, end, hit.first, hit.first + _DAY, TIME_DAY, hit.kind)


def _since(hit: _Hit, text: str, published: date) -> _Hit:
    """ "since Saturday", "since November": from that day (or month) up to publication."""
    before = _SINCE_BEFORE.search(text, max(0, hit.start - _CONTEXT), hit.start)
    if before is None or hit.first >= published or hit.kind == "anchored":
        return hit
    precision = max(hit.precision, precision_for_range(hit.first, published))
    return _Hit(before.start(), hit.end, hit.first, published, precision, "range")


def _absorb(hits: list[_Hit]) -> list[_Hit]:
    """After a hit grew ("the overnight attack on Friday"), drop the smaller hits it now covers."""
    out: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if out and hit.start < out[-1].end:
            continue
        out.append(hit)
    return out


# --- finding --------------------------------------------------------------------------------------------------------

def _longest_first(hits: list[_Hit]) -> list[_Hit]:
    """Overlapping matches resolved to the longest (the earlier on a tie), returned in reading order."""
    chosen: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        if all(hit.end <= other.start or hit.start >= other.end for other in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


def _trigger_spans(trigger: _Trigger, text: str, lowered: str) -> list[tuple[int, int]]:
    if isinstance(trigger, re.Pattern):
        return [match.span() for match in trigger.finditer(text)]
    spans = []
    for word in trigger:
        at = lowered.find(word)
        while at >= 0:
            spans.append((at, at + len(word)))
            at = lowered.find(word, at + 1)
    return sorted(spans)


def _regions(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Stretches of `text` around the trigger words, overlapping ones merged; each ends at a word's end."""
    regions: list[tuple[int, int]] = []
    for start, end in spans:
        lo, hi = max(0, start - _BACK), min(len(text), end + _AHEAD)
        while hi < len(text) and text[hi].isalnum():
            hi += 1
        if regions and lo <= regions[-1][1]:
            regions[-1] = (regions[-1][0], max(hi, regions[-1][1]))
        else:
            regions.append((lo, hi))
    return regions


def _raw_hits(text: str, ctx: _Context) -> list[_Hit]:
    hits: list[_Hit] = []
    lowered = text.lower()
    for trigger, patterns in _FAMILIES:
        for lo, hi in _regions(_trigger_spans(trigger, text, lowered), text):
            for pattern, resolve in patterns:
                for match in pattern.finditer(text, lo, hi):
                    hit = resolve(match, ctx)
                    if hit is not None:
                        hits.append(hit)
    return hits


def _sentence_hits(text: str, published: date) -> list[_Hit]:
    hits = _raw_hits(text, _Context(text, published))
    if not hits:
        return hits
    hits = _join_ranges(_join_weekday_and_date(_longest_first(hits), text), text)
    hits = _join_offset_and_date(hits, text)
    hits = [_since(_night_of(hit, text), text, published) for hit in hits]
    return _absorb(hits)


def _anchor(hit: _Hit, previous: DateMention | None, published: date, same_clause: bool = False) -> _Hit:
    """ "two days later": counted from the previous date mention of the report, or from publication if none.

    "Two days after" that introduces a clause of its own dates that clause, which came before the main clause: the
    shift counts backwards from the main clause's time. That time is the date written before it in the sentence ("the
    toll rose on Monday, a day after the ceasefire was agreed"), else the story's last date ("The strikes came two
    days after insurgents killed seven soldiers"), else publication: a story opening "A day after the group claimed
    the attack, officials said ..." tells today's news, so the claim was the day before. "A day after that" or "two
    days after the attack" names nothing new and counts forward."""
    if hit.shift is None:
        return hit
    backward = hit.preposition and (same_clause or hit.clause)
    if backward and not same_clause and hit.untimed:
        # A caption or a headline in the present: its "now" is about the time of publication, no firmer than a week.
        return replace(hit, first=published + -hit.shift, precision=max(hit.precision, TIME_WEEK))
    if backward and not same_clause and previous is not None and previous.time_precision != TIME_DAY:
        previous = None  # "last week" cannot carry a count of days: count from the news's own day
    base = previous.start if previous else published
    precision = max(hit.precision, previous.time_precision if previous else TIME_DAY)
    shift = -hit.shift if backward else hit.shift
    return replace(hit, first=base + shift, precision=precision)


def find_dates(sentences: list[Sentence], published: date) -> list[DateMention]:
    """Every date expression of a report, resolved against `published`, in reading order, each once.

    Spans index the report text (`sentence.span.start` + offset in the sentence). Overlapping matches resolve to
    the longest. Nothing is chosen as the event date here: statement dates and event dates are both returned.
    """
    if isinstance(published, datetime):
        published = published.date()
    mentions: list[DateMention] = []
    for sentence in sentences:
        for hit in _sentence_hits(sentence.text, published):
            previous = mentions[-1] if mentions else None
            same_clause = previous is not None and previous.sentence == sentence.index
            hit = _anchor(hit, previous, published, same_clause)
            offset = sentence.span.start
            mentions.append(
                DateMention(
                    start=hit.first,
                    end=hit.last,
                    time_precision=hit.precision,
                    surface=sentence.text[hit.start:hit.end],
                    span=Span(offset + hit.start, offset + hit.end),
                    sentence=sentence.index,
                )
            )
    return mentions
