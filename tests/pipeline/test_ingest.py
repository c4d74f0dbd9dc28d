"""Reading reports, and the ingest job around extraction and storage.

Nothing here depends on what the extractor finds: the job tests replace it with a stand-in.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from trucewatch import jobs
from trucewatch.errors import IngestError
from trucewatch.pipeline.ingest import iter_sources, read_reports
from trucewatch.records import Event, Report
from trucewatch.storage import Database

ARTICLE = {"id": "t-001", "url": "https://example.org/clash", "outlet": "example.org", "published": "2025-10-12",
           "title": "Guards trade fire at a crossing", "text": "Border guards traded fire at a crossing on Saturday."}
PAGE = """<html><head><title>Shelling reported near a border town</title>
<meta property="article:published_time" content="2025-10-13T06:30:00+05:00">
<style>body {{ color: red }}</style><script>alert(1)</script></head>
<body><nav>Home | World | Sport</nav><article><h1>Shelling reported near a border town</h1>
<p>Residents said shells landed near the market late on Sunday.</p><script>alert(1)</script>
<p>{more}</p></article><footer>All rights reserved</footer></body></html>"""


def one(path: Path, published: date | None = None, **kwargs) -> Report | IngestError:
    (result,) = read_reports(path, published, **kwargs)
    return result


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


# --- formats -------------------------------------------------------------------------------------------------


def test_json_article_keeps_its_fields_and_hashes_the_original_bytes(tmp_path):
    path = write(tmp_path / "a.json", json.dumps(ARTICLE, indent=1))
    report = one(path)
    assert (report.report_id, report.outlet, report.url, report.title) == (
        "t-001", "example.org", "https://example.org/clash", "Guards trade fire at a crossing")
    assert (report.published, report.published_basis) == (date(2025, 10, 12), "file")
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report.text == ARTICLE["text"] and report.source == str(path)


@pytest.mark.parametrize("unstated", [None, "", "  "])
def test_json_without_published_uses_published_inferred(tmp_path, unstated):
    article = {**ARTICLE, "published": unstated, "published_inferred": "2025-10-11"}
    report = one(write(tmp_path / "a.json", json.dumps(article)))
    assert (report.published, report.published_basis) == (date(2025, 10, 11), "file-inferred")


def test_jsonl_gives_one_report_per_line_and_refuses_a_bad_line_by_number(tmp_path):
    lines = [json.dumps({**ARTICLE, "id": "l-1"}), "", "{not json", json.dumps({**ARTICLE, "id": "l-4"})]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    first, bad, last = read_reports(path)
    assert (first.report_id, last.report_id) == ("l-1", "l-4")
    assert first.sha256 == hashlib.sha256(lines[0].encode()).hexdigest()
    assert first.source == f"{path}:1"
    assert isinstance(bad, IngestError) and str(bad).startswith(f"TW-E105: {path}:3: not valid JSON")


def test_jsonl_line_over_the_limit_is_refused_and_the_next_line_read(tmp_path):
    lines = [json.dumps({**ARTICLE, "text": "word " * 100}), json.dumps({**ARTICLE, "id": "short"})]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines))
    too_long, short = read_reports(path, max_bytes=300)
    assert str(too_long).startswith(f"TW-E108: {path}:1: more than 300 bytes")
    assert short.report_id == "short"


def test_text_file_gets_an_id_from_its_hash_and_its_first_line_as_title(tmp_path):
    path = write(tmp_path / "note.txt", "Clash at the crossing\r\nTwo guards were hurt, officials said.\r\n")
    report = one(path, date(2025, 10, 14))
    assert report.report_id == "r-" + hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    assert report.title == "Clash at the crossing"
    assert report.text == "Clash at the crossing\nTwo guards were hurt, officials said.\n"
    assert (report.published, report.published_basis) == (date(2025, 10, 14), "option")


def test_text_is_nfc_and_nothing_else_changes(tmp_path):
    decomposed = "  Cafe\u0301 owners in the bazaar  \n\n\tsaid little.  "
    report = one(write(tmp_path / "n.txt", decomposed), date(2025, 1, 1))
    assert report.text == "  Caf\u00e9 owners in the bazaar  \n\n\tsaid little.  "


@pytest.mark.parametrize("top, expected", [
    (" date 2025-10-14\nGuards traded fire.", date(2025, 10, 14)),
    ("Example Times Published: October 9, 2025\nGuards traded fire.", date(2025, 10, 9)),
    ("By a reporter\nPublished On 7 Oct 2025\nGuards traded fire.", date(2025, 10, 7)),
])
def test_a_date_header_at_the_top_of_the_text_dates_the_report(tmp_path, top, expected):
    report = one(write(tmp_path / "h.txt", top), published=date(2000, 1, 1))
    assert (report.published, report.published_basis) == (expected, "text-header")


def test_html_main_text_without_scripts_with_the_page_title_and_date(tmp_path):
    page = PAGE.format(more="Two people were hurt, a local official said, and shops closed early.")
    report = one(write(tmp_path / "page.html", page))
    assert "alert(1)" not in report.text and "color: red" not in report.text
    assert "shells landed near the market" in report.text
    assert report.title == "Shelling reported near a border town"
    assert (report.published, report.published_basis) == (date(2025, 10, 13), "file")
    assert report.media_type == "text/html"


def test_html_too_short_for_main_text_rules_still_leaves_scripts_out(tmp_path):
    page = "<html><body><script>alert(1)</script><noscript>alert(1)</noscript><p>Calm today.</p></body></html>"
    report = one(write(tmp_path / "tiny.htm", page), date(2025, 10, 13))
    assert report.text == "Calm today."


# --- bad inputs: one clear line each -------------------------------------------------------------------------

BAD = {
    "empty.txt": (b"", "TW-E104", "empty report"),
    "blank.txt": (b"  \n\n ", "TW-E104", "empty report"),
    "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "TW-E103", "binary data"),
    "latin1.txt": ("Caf\u00e9 prices rose near the border.".encode("latin-1"), "TW-E102", "not valid UTF-8"),
    "utf16.txt": ("Prices rose near the border.".encode("utf-16"), "TW-E102", "(it is UTF-16)"),
    "notext.json": (json.dumps({"id": "x", "published": "2025-10-12"}).encode(), "TW-E106", "missing field 'text'"),
    "broken.json": (b'{"id": "x", "text": ', "TW-E105", "not valid JSON"),
    "list.json": (b'[{"text": "a"}]', "TW-E112", "holds a list"),
    "y99999.json": (json.dumps({**ARTICLE, "published": "99999-10-12"}).encode(), "TW-E107", "'99999-10-12'"),
    "feb30.json": (json.dumps({**ARTICLE, "published": "2025-02-30"}).encode(), "TW-E107", "is not a date"),
    "year1066.json": (json.dumps({**ARTICLE, "published": "1066-10-14"}).encode(), "TW-E115", "outside 1900-2100"),
    "nodate.json": (json.dumps({**ARTICLE, "published": None}).encode(), "TW-E101", "no publication date"),
    "slides.pdf": (b"%PDF-1.4", "TW-E109", "unsupported file type '.pdf'"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_input_gives_one_line_naming_the_file(tmp_path, name):
    content, code, words = BAD[name]
    path = write(tmp_path / name, content)
    error = one(path)
    assert isinstance(error, IngestError)
    message = str(error)
    assert message.startswith(f"{code}: {path}: ") and words in message
    assert "\n" not in message


def test_a_50_mb_text_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        for _ in range(50):
            fh.write(b"Guards traded fire at the crossing. " * 29128)  # about 1 MiB a time
    error = one(path, date(2025, 1, 1))
    assert str(error).startswith(f"TW-E108: {path}: 5")  # "5xxxxxxx bytes is over the 8388608-byte limit"


def test_iter_sources_walks_folders_sorted_and_skips_hidden_and_other_files(tmp_path):
    for name in ("b/2.txt", "b/1.json", "a.html", ".hidden.txt", ".git/x.txt", "notes.md", "c.jsonl"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = list(iter_sources([tmp_path, tmp_path / "missing.txt", tmp_path / "notes.md"]))
    assert found[:4] == [tmp_path / "a.html", tmp_path / "c.jsonl", tmp_path / "b/1.json", tmp_path / "b/2.txt"]
    assert str(found[4]) == f"TW-E110: {tmp_path / 'missing.txt'}: no such file or folder"
    assert found[5] == tmp_path / "notes.md"  # named explicitly: read, then refused as unsupported


def test_an_empty_folder_is_reported(tmp_path):
    (error,) = iter_sources([tmp_path])
    assert str(error).startswith("TW-E116")


# --- the ingest job ------------------------------------------------------------------------------------------


def stand_in_extractor(report: Report, *_conflict: object) -> list[Event]:
    """One event per report, so the tests need nothing from the real extractor (nor the conflict's data it is
    handed)."""
    return [Event(event_id=f"{report.report_id}-e1", report_id=report.report_id, event_type="Battles",
                  sub_event_type="Armed clash", event_date=report.published)]


@pytest.fixture
def db(tmp_path, monkeypatch) -> Iterator[Database]:
    monkeypatch.setattr(jobs.ingest, "extract_events", stand_in_extractor)
    with Database.open(f"sqlite:///{tmp_path / 'ingest.sqlite3'}") as opened:
        yield opened


@pytest.fixture
def batch(tmp_path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    write(folder / "01-good.json", json.dumps(ARTICLE))
    write(folder / "02-good.txt", " date 2025-10-15\nA drone struck a compound, residents said.")
    write(folder / "03-page.html", PAGE.format(more="Schools stayed shut on Monday as a precaution."))
    for name, (content, _, _) in BAD.items():
        write(folder / name, content)
    return folder


def test_a_batch_stores_the_good_reports_and_refuses_each_bad_one_with_its_reason(batch, db):
    results = jobs.ingest.ingest_paths([batch], db)
    by_name = {Path(r.source).name: r for r in results}
    assert {n for n, r in by_name.items() if r.status == "added"} == {"01-good.json", "02-good.txt", "03-page.html"}
    for name, (_, code, words) in BAD.items():
        if name.endswith((".txt", ".json")):  # the .pdf is skipped in a folder walk
            assert by_name[name].status == "refused" and by_name[name].reason.startswith(code + ": ")
            assert words in by_name[name].reason
    assert "slides.pdf" not in by_name
    store = db.reports
    assert (store.count_reports(), store.count_events()) == (3, 3)
    assert store.get_report("t-001").source == str(batch / "01-good.json")


def test_ingesting_the_same_files_again_changes_nothing(batch, db):
    first = jobs.ingest.ingest_paths([batch / "01-good.json", batch / "02-good.txt"], db)
    again = jobs.ingest.ingest_paths([batch / "01-good.json", batch / "02-good.txt"], db)
    assert [r.status for r in first] == ["added", "added"] and [r.events for r in first] == [1, 1]
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    store = db.reports
    assert (store.count_reports(), store.count_events()) == (2, 2)


def test_published_option_dates_only_reports_without_a_date(tmp_path, db):
    write(tmp_path / "undated.txt", "Guards traded fire at the crossing.")
    write(tmp_path / "dated.json", json.dumps(ARTICLE))
    jobs.ingest.ingest_paths([tmp_path / "undated.txt", tmp_path / "dated.json"], db, published=date(2025, 10, 20))
    store = db.reports
    dates = {r.report_id: (r.published, r.published_basis) for e in store.iter_events()
             for r in [store.get_report(e.report_id)]}
    assert dates["t-001"] == (date(2025, 10, 12), "file")
    assert (date(2025, 10, 20), "option") in dates.values()


def test_a_crash_in_extraction_refuses_that_report_loudly_and_the_batch_goes_on(batch, db, monkeypatch, caplog):
    def fragile(report, *_conflict):
        if report.report_id == "t-001":
            raise ZeroDivisionError("division by zero")
        return stand_in_extractor(report)

    monkeypatch.setattr(jobs.ingest, "extract_events", fragile)
    with caplog.at_level(logging.ERROR, logger="trucewatch.jobs"):
        results = jobs.ingest.ingest_paths([batch / "01-good.json", batch / "02-good.txt"], db)
    assert [r.status for r in results] == ["refused", "added"]
    assert results[0].reason == ("TW-E114: event extraction failed (ZeroDivisionError: division by zero); "
                                 "the report was not stored; please report this with the file")
    assert str(batch / "01-good.json") in caplog.text


def test_a_report_that_fails_to_save_leaves_nothing_and_the_others_are_stored(batch, db, monkeypatch):
    def twice(report, *_conflict):
        return stand_in_extractor(report) * (2 if report.report_id == "t-001" else 1)  # duplicate event ids

    monkeypatch.setattr(jobs.ingest, "extract_events", twice)
    results = jobs.ingest.ingest_paths([batch / "01-good.json", batch / "02-good.txt"], db)
    assert [r.status for r in results] == ["refused", "added"]
    assert results[0].reason.startswith("TW-E204: could not store the report (")
    store = db.reports
    assert store.get_report("t-001") is None
    assert (store.count_reports(), store.count_events()) == (1, 1)


def test_a_missing_path_is_refused_and_the_rest_ingested(batch, db):
    results = jobs.ingest.ingest_paths([batch / "nope.json", batch / "01-good.json"], db)
    assert [(r.status, r.reason[:7]) for r in results] == [("refused", "TW-E110"), ("added", "")]


def test_progress_bar_is_drawn_on_stderr_only_when_asked(batch, db, capsys):
    jobs.ingest.ingest_paths([batch / "01-good.json"], db, progress=False)
    assert capsys.readouterr().err == ""
    jobs.ingest.ingest_paths([batch / "02-good.txt"], db, progress=True)
    captured = capsys.readouterr()
    assert "1/1" in captured.err and captured.out == ""


def test_a_named_pipe_is_refused_with_a_code_not_read_forever(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # nothing ever writes to it: reading it would block for good
    (error,) = iter_sources([fifo])
    assert isinstance(error, IngestError) and error.code == "TW-E118"
    assert str(fifo) in str(error)
