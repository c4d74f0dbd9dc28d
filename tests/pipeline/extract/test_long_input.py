"""Extraction stays linear on any input: no sentence longer than a real one reaches the extractors, and a report
that takes longer than the time budget is refused with TW-E119 and nothing of it stored.

The speed itself is measured by benchmarks/bench_long_input.py, not asserted here.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from coding import code

from trucewatch import jobs
from trucewatch.errors import IngestError
from trucewatch.pipeline.extract import extract_events
from trucewatch.pipeline.extract.sentences import MAX_SENTENCE_CHARS, split_sentences
from trucewatch.records import Report
from trucewatch.settings import load_settings
from trucewatch.storage import Database

PUBLISHED = date(2025, 6, 3)
HAPPENING = "Militants attacked a police post in Bannu on Monday, killing five policemen"
# Words with no trigger, place, date or figure in them: a run-on that tells nothing more.
FILLER = ("the long and winding account of the day went on with the view from the hills and the talk of the "
          "people who had come from far away to see what would be done about the roads and the schools ")


def _run_on(words: int) -> str:
    """One 'sentence' of about `words` words: the happening, then filler, and no full stop anywhere."""
    filler = FILLER.split()
    return " ".join([HAPPENING, "and", *(filler[i % len(filler)] for i in range(words))])


def test_a_run_on_sentence_is_cut_into_pieces_no_longer_than_a_real_sentence() -> None:
    text = _run_on(2000)
    assert len(text) > 4 * MAX_SENTENCE_CHARS
    sentences = split_sentences(text)
    assert len(sentences) > 4
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)
    assert all(text[s.span.start:s.span.end] == s.text for s in sentences)
    # the pieces cover the text exactly: only the spaces they were cut at lie between them
    assert sentences[0].span.start == 0 and sentences[-1].span.end == len(text)
    assert all(text[a.span.end:b.span.start] == " " for a, b in zip(sentences, sentences[1:]))


def test_the_cut_falls_at_a_word_boundary_never_inside_a_word() -> None:
    text = _run_on(2000)
    words = set(text.split())
    for sentence in split_sentences(text):
        assert set(sentence.text.split()) <= words  # every piece is made of whole words
        assert not sentence.text[0].isspace() and not sentence.text[-1].isspace()


def test_a_word_longer_than_the_cap_is_cut_at_the_cap() -> None:
    text = "x" * (2 * MAX_SENTENCE_CHARS + 10)
    sentences = split_sentences(text)
    assert [len(s.text) for s in sentences] == [MAX_SENTENCE_CHARS, MAX_SENTENCE_CHARS, 10]
    assert "".join(s.text for s in sentences) == text


def test_real_sentences_are_not_touched_by_the_cap() -> None:
    text = f"{HAPPENING}. Officials said the attackers fled. " + "Talks resumed in Doha on Tuesday. " * 30
    assert [s.text for s in split_sentences(text)][:2] == [f"{HAPPENING}.", "Officials said the attackers fled."]


def test_a_happening_at_the_head_of_a_run_on_sentence_is_coded_as_if_it_stood_alone() -> None:
    run_on = _run_on(2000)
    alone = f"{HAPPENING}. " + run_on[len(HAPPENING) + len(" and "):]
    (head,) = code(run_on, PUBLISHED)
    (expected,) = code(alone, PUBLISHED)
    assert (head.sub_event_type, head.event_date, head.place, head.actor1, head.fatalities) == (
        expected.sub_event_type, expected.event_date, expected.place, expected.actor1, expected.fatalities)
    assert head.place is not None and head.place.name == "Bannu"
    assert [(f.low, f.high) for f in head.fatalities] == [(5, 5)]


def test_a_report_over_the_time_budget_is_refused_with_tw_e119() -> None:
    report = Report(report_id="t", sha256="0", text=f"{HAPPENING}. " * 50, published=PUBLISHED,
                    published_basis="file")
    with pytest.raises(IngestError) as refused:
        extract_events(report, max_seconds=1e-9)
    assert refused.value.code == "TW-E119"
    assert "split the report or raise max_extract_seconds" in str(refused.value)


def test_ingest_refuses_a_report_past_the_time_budget_and_stores_nothing(tmp_path: Path) -> None:
    slow = tmp_path / "slow.json"
    slow.write_text(json.dumps({"id": "slow", "published": "2025-06-03", "text": f"{HAPPENING}. " * 50}))
    with Database.open(f"sqlite:///{tmp_path / 'store.sqlite3'}") as db:
        (result,) = jobs.ingest.ingest_paths([slow], db, max_extract_seconds=1e-9)
        assert result.status == "refused"
        assert result.reason is not None and result.reason.startswith("TW-E119: ")
        assert "split the report or raise max_extract_seconds" in result.reason
        assert (db.reports.count_reports(), db.reports.count_events(), db.reports.count_incidents()) == (0, 0, 0)
        (again,) = jobs.ingest.ingest_paths([slow], db)  # with the default budget it goes in
        assert again.status == "added" and db.reports.count_reports() == 1


def test_the_budget_is_a_setting_with_a_generous_default() -> None:
    assert load_settings(env={}).max_extract_seconds == 30.0
    assert load_settings(env={"TRUCEWATCH_MAX_EXTRACT_SECONDS": "2.5"}).max_extract_seconds == 2.5
