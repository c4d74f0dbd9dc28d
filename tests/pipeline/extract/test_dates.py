"""Date expressions resolved against the publication date, as a monitor reading the coded events would check them."""
from __future__ import annotations

from datetime import date

import pytest

from trucewatch.pipeline.extract.dates import (
    coming_weekday,
    find_dates,
    most_recent_weekday,
    nearest_year,
    precision_for_range,
    week_of,
)
from trucewatch.pipeline.extract.sentences import split_sentences
from trucewatch.records import TIME_DAY, TIME_MONTH, TIME_WEEK, DateMention

MONDAY = date(2025, 10, 20)  # the seed article's interview day


def found(text: str, published: date = MONDAY) -> list[DateMention]:
    return find_dates(split_sentences(text), published)


def only(text: str, published: date = MONDAY) -> DateMention:
    mentions = found(text, published)
    assert len(mentions) == 1, [m.surface for m in mentions]
    return mentions[0]


def resolved(text: str, published: date = MONDAY) -> tuple[date, date | None, int]:
    mention = only(text, published)
    return mention.start, mention.end, mention.time_precision


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- the seed's four facts, in our own words ----------------------------------------------------------------------

def test_seed_facts_resolve_from_a_monday_interview() -> None:
    text = (
        "Islamabad hit back last Wednesday with strikes on two cities. "
        "The short truce ran out on Friday and new raids followed. "
        "A second ceasefire was agreed Sunday in Doha. "
        "Both delegations are scheduled to sit down in Istanbul on Oct. 25."
    )
    mentions = found(text)
    assert [(m.surface, m.start) for m in mentions] == [
        ("last Wednesday", d("2025-10-15")),
        ("Friday", d("2025-10-17")),
        ("Sunday", d("2025-10-19")),
        ("Oct. 25", d("2025-10-25")),
    ]
    assert all(m.end is None and m.time_precision == TIME_DAY for m in mentions)


# --- weekdays -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shelling resumed on Friday.", "2025-10-17"),
        ("Shelling resumed Friday.", "2025-10-17"),
        ("Shelling resumed late on Friday.", "2025-10-17"),
        ("Shelling resumed Friday night.", "2025-10-17"),
        ("Shelling resumed on Saturday evening.", "2025-10-18"),
        ("The convoy was hit late Sunday.", "2025-10-19"),
        ("Drones circled in the early hours of Sunday.", "2025-10-19"),
        ("The governor visited the post on Monday morning.", "2025-10-20"),
        ("Officials met last Monday.", "2025-10-13"),
        ("Officials met this past Saturday.", "2025-10-18"),
    ],
)
def test_weekday_is_the_latest_on_or_before_publication(text: str, expected: str) -> None:
    assert resolved(text) == (d(expected), None, TIME_DAY)


def test_weekday_equal_to_the_publication_weekday_means_that_day() -> None:
    assert resolved("Two posts were shelled on Monday.") == (MONDAY, None, TIME_DAY)


@pytest.mark.parametrize(
    "text",
    [
        "The envoys will meet on Tuesday.",
        "The next round is scheduled for Tuesday.",
        "The jirga is expected to convene Tuesday.",
        "The sides meet next Tuesday.",
    ],
)
def test_weekday_in_future_tense_is_the_coming_one(text: str) -> None:
    assert resolved(text) == (d("2025-10-21"), None, TIME_DAY)


def test_next_weekday_said_on_that_weekday_is_a_week_ahead() -> None:
    assert resolved("The panel reconvenes next Monday.")[0] == d("2025-10-27")


def test_future_word_before_a_reporting_verb_does_not_move_the_weekday() -> None:
    assert resolved("Kabul will respond, a spokesman said on Saturday.")[0] == d("2025-10-18")


def test_weekday_names_that_are_not_dates_are_skipped() -> None:
    assert found("Markets shut before Friday prayers. The Friday Times ran the story.") == []


# --- today, yesterday, nights ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Crossings stayed shut today.", ("2025-10-20", None)),
        ("The minister spoke earlier today.", ("2025-10-20", None)),
        ("A curfew begins tonight.", ("2025-10-20", None)),
        ("Mortars fell yesterday.", ("2025-10-19", None)),
        ("Mortars fell last night.", ("2025-10-19", "2025-10-20")),
        ("Militants stormed a checkpoint overnight.", ("2025-10-19", "2025-10-20")),
        ("The checkpoint fell in the overnight attack on Friday.", ("2025-10-17", "2025-10-18")),
        ("Troops were shelled on the night of October 11.", ("2025-10-11", "2025-10-12")),
        ("Firing went on overnight into Saturday.", ("2025-10-17", "2025-10-18")),
    ],
)
def test_days_and_nights_relative_to_publication(text: str, expected: tuple[str, str | None]) -> None:
    start, end = expected
    assert resolved(text) == (d(start), None if end is None else d(end), TIME_DAY)


def test_a_newspaper_called_today_is_not_a_date() -> None:
    assert [m.surface for m in found("Pakistan Today said the road reopened today.")] == ["today"]


# --- weeks and months -----------------------------------------------------------------------------------------------

WEDNESDAY = date(2025, 10, 22)


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("Raids rose this week.", "2025-10-20", "2025-10-21", TIME_WEEK),
        ("Raids rose earlier this week.", "2025-10-20", "2025-10-21", TIME_WEEK),
        ("Raids rose last week.", "2025-10-13", "2025-10-19", TIME_WEEK),
        ("Raids rose this month.", "2025-10-01", "2025-10-22", TIME_MONTH),
        ("Raids rose earlier this month.", "2025-10-01", "2025-10-22", TIME_MONTH),
        ("Raids rose last month.", "2025-09-01", "2025-09-30", TIME_MONTH),
        ("Raids rose in mid-October.", "2025-10-11", "2025-10-20", TIME_MONTH),
        ("Raids rose in early September.", "2025-09-01", "2025-09-10", TIME_MONTH),
        ("Raids rose in late September.", "2025-09-21", "2025-09-30", TIME_MONTH),
        ("Raids rose in the first week of October.", "2025-10-01", "2025-10-07", TIME_WEEK),
        ("Raids rose over the weekend.", "2025-10-18", "2025-10-19", TIME_WEEK),
    ],
)
def test_weeks_and_months(text: str, start: str, end: str, precision: int) -> None:
    assert resolved(text, WEDNESDAY) == (d(start), d(end), precision)


def test_last_week_from_a_monday_is_the_whole_previous_monday_to_sunday() -> None:
    assert resolved("Three guards died last week.", date(2025, 12, 1)) == (
        d("2025-11-24"), d("2025-11-30"), TIME_WEEK
    )


def test_last_month_in_january_is_december_of_the_year_before() -> None:
    assert resolved("The pass was closed last month.", date(2025, 1, 15))[:2] == (d("2024-12-01"), d("2024-12-31"))


# --- absolute dates -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Talks open on Oct. 25.", "2025-10-25"),
        ("Talks open on October 25.", "2025-10-25"),
        ("Talks open on 25 October.", "2025-10-25"),
        ("Talks open on 25th October 2025.", "2025-10-25"),
        ("Talks open on the 25th of October.", "2025-10-25"),
        ("Talks open on Oct 25, 2025.", "2025-10-25"),
        ("The blast came on 2025-10-15.", "2025-10-15"),
        ("The blast came on 15/10/2025.", "2025-10-15"),
        ("The blast came on 15.10.2025.", "2025-10-15"),
        ("The army spoke on March 14, 2025.", "2025-03-14"),
        ("The feed was posted Dec 1st 2025, 4:01 pm.", "2025-12-01"),
    ],
)
def test_absolute_dates_in_common_news_forms(text: str, expected: str) -> None:
    assert resolved(text) == (d(expected), None, TIME_DAY)


def test_month_first_numeric_date_is_read_only_when_day_first_is_impossible() -> None:
    assert resolved("Filed on 10/15/2025.")[0] == d("2025-10-15")
    assert resolved("Filed on 03/04/2025.")[0] == d("2025-04-03")
    assert found("Filed on 31/02/2025.") == []


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("Jets struck on December 24-25.", "2024-12-24", "2024-12-25", TIME_DAY),
        ("Jets struck on the night of 24-25 December.", "2024-12-24", "2024-12-25", TIME_DAY),
        ("Jets struck on 24–25 December.", "2024-12-24", "2024-12-25", TIME_DAY),
        ("Sweeps ran between 10 and 13 December.", "2024-12-10", "2024-12-13", TIME_WEEK),
        ("Sweeps ran from December 10 to 13.", "2024-12-10", "2024-12-13", TIME_WEEK),
        ("Sweeps ran from Dec 10 to Dec 13.", "2024-12-10", "2024-12-13", TIME_WEEK),
        ("Sweeps ran from 30 November to 2 December.", "2024-11-30", "2024-12-02", TIME_WEEK),
        ("Sweeps ran from Friday to Sunday.", "2024-12-27", "2024-12-29", TIME_WEEK),
        ("Sweeps ran between Nov 1 and Nov 20.", "2024-11-01", "2024-11-20", TIME_MONTH),
    ],
)
def test_ranges(text: str, start: str, end: str, precision: int) -> None:
    assert resolved(text, date(2024, 12, 30)) == (d(start), d(end), precision)


def test_month_and_year_is_the_whole_month() -> None:
    assert resolved("A similar raid took place in March 2024.") == (d("2024-03-01"), d("2024-03-31"), TIME_MONTH)


def test_a_year_alone_is_not_an_event_date() -> None:
    assert found("Attacks have grown since 2021. In 2023 the pass was shut.") == []


def test_a_month_alone_takes_the_year_nearest_publication() -> None:
    assert resolved("In December, jets struck the camps.", date(2025, 3, 3))[:2] == (d("2024-12-01"), d("2024-12-31"))
    assert resolved("Clashes followed in October.", date(2025, 12, 1))[:2] == (d("2025-10-01"), d("2025-10-31"))


# --- year rollover ---------------------------------------------------------------------------------------------------

def test_a_january_article_puts_december_in_the_year_before() -> None:
    assert resolved("The strikes of December 24 killed many.", date(2025, 1, 10))[0] == d("2024-12-24")


def test_a_december_article_puts_coming_january_talks_in_the_next_year() -> None:
    assert resolved("Talks will be held on January 5.", date(2024, 12, 30))[0] == d("2025-01-05")


def test_a_range_across_new_year() -> None:
    assert resolved("Firing went on from Dec. 30 to Jan. 2.", date(2025, 1, 3))[:2] == (
        d("2024-12-30"), d("2025-01-02")
    )


def test_weekday_across_new_year() -> None:
    assert resolved("The post was overrun on Tuesday.", date(2025, 1, 2))[0] == d("2024-12-31")


# --- counted offsets, since -------------------------------------------------------------------------------------------

def test_days_ago_count_back_from_publication() -> None:
    assert resolved("The bridge was bombed three days ago.") == (d("2025-10-17"), None, TIME_DAY)
    assert resolved("The bridge was bombed two weeks ago.") == (d("2025-10-06"), None, TIME_WEEK)


def test_later_counts_from_the_previous_date_mention() -> None:
    mentions = found("The convoy was hit on October 11. Two days later, the road reopened. The next day it shut.")
    assert [(m.surface, m.start) for m in mentions] == [
        ("October 11", d("2025-10-11")),
        ("Two days later", d("2025-10-13")),
        ("The next day", d("2025-10-14")),
    ]


def test_later_that_day_keeps_the_previous_date() -> None:
    mentions = found("Guards were shot on Friday. Later that day, the area was sealed.")
    assert [m.start for m in mentions] == [d("2025-10-17"), d("2025-10-17")]


def test_later_without_an_earlier_date_counts_from_publication() -> None:
    assert resolved("A day after that, the post was retaken.")[0] == d("2025-10-21")


def test_offset_before_a_date_counts_from_that_date() -> None:
    mention = only("Police arrived two days after the October 11 raid.")
    assert (mention.surface, mention.start) == ("two days after the October 11", d("2025-10-13"))


def test_since_runs_from_that_day_to_publication() -> None:
    assert resolved("Fighting has gone on since Saturday.") == (d("2025-10-18"), MONDAY, TIME_WEEK)
    assert resolved("The road has been shut since November.", date(2025, 1, 16)) == (
        d("2024-11-01"), d("2025-01-16"), TIME_MONTH
    )


# --- what is never a date -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "Officials said the toll may rise.",
        "May God protect them, he said.",
        "Supporters plan to March on the capital.",
        "Both sides agreed a 48-hour truce.",
        "The hotline is staffed 24/7.",
        "Some 1,000 troops and 5 million rupees were sent.",
        "The raid began at 4:00 and ended at 04:00 am.",
        "A 25-year-old man, aged 25, was hurt.",
        "A second attack followed within hours.",
        "We spoke to residents who fled.",
    ],
)
def test_false_positives_are_not_matched(text: str) -> None:
    assert found(text) == []


# --- spans and overlaps ---------------------------------------------------------------------------------------------

def test_spans_index_the_report_text_and_name_the_sentence() -> None:
    text = "Headline about the border\n\nGuards were shot late on Friday. Police said on Sunday that four died."
    mentions = found(text)
    assert [text[m.span.start:m.span.end] for m in mentions] == ["late on Friday", "Sunday"]
    assert [m.surface for m in mentions] == ["late on Friday", "Sunday"]
    assert [m.sentence for m in mentions] == [1, 2]


def test_overlapping_expressions_come_back_once_as_the_longest() -> None:
    assert only("Drones flew last Friday night.").surface == "last Friday night"
    assert only("The dispatch is dated Monday, March 3, 2025.").surface == "Monday, March 3, 2025"
    assert only("A van exploded on Tuesday (March 4) in the town.", date(2025, 3, 5)).surface == "Tuesday (March 4)"


def test_a_written_date_beats_the_weekday_it_is_given_with() -> None:
    assert resolved("The blast on Tuesday (March 4) killed five.", date(2025, 3, 12))[0] == d("2025-03-04")


def test_statement_date_and_event_date_are_both_returned() -> None:
    mentions = found("The army said on Saturday that militants struck a post last night.", date(2025, 2, 1))
    assert [(m.surface, m.start, m.end) for m in mentions] == [
        ("Saturday", d("2025-02-01"), None),
        ("last night", d("2025-01-31"), d("2025-02-01")),
    ]


# --- helpers --------------------------------------------------------------------------------------------------------

def test_weekday_helpers() -> None:
    assert most_recent_weekday(MONDAY, "Wednesday") == d("2025-10-15")
    assert most_recent_weekday(MONDAY, 0) == MONDAY
    assert most_recent_weekday(MONDAY, "monday", strictly_before=True) == d("2025-10-13")
    assert coming_weekday(MONDAY, "Tue") == d("2025-10-21")
    assert coming_weekday(MONDAY, 0, strictly_after=True) == d("2025-10-27")
    assert week_of(WEDNESDAY) == (d("2025-10-20"), d("2025-10-26"))
    with pytest.raises(ValueError, match="not a weekday"):
        most_recent_weekday(MONDAY, "we")


def test_nearest_year_and_range_precision() -> None:
    assert nearest_year(12, 24, date(2025, 1, 10)) == d("2024-12-24")
    assert nearest_year(10, 25, MONDAY) == d("2025-10-25")
    assert nearest_year(2, 30, MONDAY) is None
    assert precision_for_range(d("2025-10-11"), d("2025-10-12")) == TIME_DAY
    assert precision_for_range(d("2025-10-13"), d("2025-10-19")) == TIME_WEEK
    assert precision_for_range(d("2025-10-01"), d("2025-10-31")) == TIME_MONTH


def test_a_yearless_day_in_past_tense_is_the_one_gone_by_even_eleven_months_back():
    from trucewatch.pipeline.extract.dates import find_dates
    from trucewatch.pipeline.extract.sentences import split_sentences
    found = find_dates(split_sentences("On February 3, nine workers were killed in an attack."), date(2024, 12, 20))
    assert [d.start for d in found] == [date(2024, 2, 3)]


def test_a_day_after_written_after_a_dated_clause_counts_back():
    from trucewatch.pipeline.extract.dates import find_dates
    from trucewatch.pipeline.extract.sentences import split_sentences
    text = "The toll rose to 40 on Monday, a day after elders announced a truce."
    found = find_dates(split_sentences(text), date(2025, 10, 21))
    assert [d.start for d in found] == [date(2025, 10, 20), date(2025, 10, 19)]


def test_a_day_later_in_the_next_sentence_counts_forward():
    from trucewatch.pipeline.extract.dates import find_dates
    from trucewatch.pipeline.extract.sentences import split_sentences
    text = "A blast hit the market on Monday. Two days later, gunmen attacked a checkpoint."
    found = find_dates(split_sentences(text), date(2025, 10, 24))
    assert [d.start for d in found] == [date(2025, 10, 20), date(2025, 10, 22)]


@pytest.mark.parametrize("text,expected", [
    ("On 15/10 jets struck Kabul.", [date(2025, 10, 15)]),
    ("The night of 14/10 was quiet.", [date(2025, 10, 14)]),
    ("The score was 3/4 at half time.", []),  # no word that introduces a date: a fraction or a score
])
def test_a_yearless_day_and_month_with_a_slash_is_read_day_first(text, expected):
    from trucewatch.pipeline.extract.dates import find_dates
    from trucewatch.pipeline.extract.sentences import split_sentences
    assert [d.start for d in find_dates(split_sentences(text), date(2025, 10, 20))] == expected


# --- "two days after <clause>": the clause is dated back from the main clause ---------------------------------------

def test_a_day_after_a_clause_that_opens_a_story_counts_back_from_publication() -> None:
    # No earlier date: the main clause is today's news, so what "after" introduces was the day before.
    text = "A day after the group (the Front) claimed the bombing, officials said only three men were hurt."
    assert resolved(text)[:2] == (d("2025-10-19"), None)


def test_two_days_after_a_clause_counts_back_from_the_story_s_last_date() -> None:
    text = "Jets struck a depot early on Saturday. The raids came two days after gunmen killed four guards."
    assert [m.start for m in found(text)] == [d("2025-10-18"), d("2025-10-16")]


def test_two_days_after_a_noun_phrase_still_counts_forward() -> None:
    text = "Guards were shot on Friday. Two days after the shooting, the road reopened."
    assert [m.start for m in found(text)] == [d("2025-10-17"), d("2025-10-19")]


def test_a_caption_in_the_present_counts_back_from_publication_no_firmer_than_a_week() -> None:
    text = "The ministry spoke of raids last week. Villagers gather near a ruined shop two days after shells hit it."
    mentions = found(text)
    assert (mentions[-1].start, mentions[-1].time_precision) == (d("2025-10-18"), TIME_WEEK)
