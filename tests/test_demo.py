"""The bundled demo reports are well-formed articles that `trucewatch ingest` accepts, and say they are synthetic."""
from __future__ import annotations

import json
import re
from datetime import date

from trucewatch.demo import sample_report_paths, sample_reports_dir

KINDS = {"news", "statement", "complaint", "field-report"}


def _reports() -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sample_report_paths()]


def test_the_demo_folder_holds_ten_to_fourteen_reports() -> None:
    assert sample_reports_dir().is_dir()
    assert 10 <= len(sample_report_paths()) <= 14


def test_each_report_is_a_short_article_with_a_date() -> None:
    ids = set()
    for path, report in zip(sample_report_paths(), _reports()):
        assert set(report) == {"id", "url", "outlet", "published", "kind", "title", "text"}, path.name
        assert report["id"] == path.stem and report["id"] not in ids
        ids.add(report["id"])
        assert report["url"].startswith("https://example.org/")
        assert date(2025, 10, 1) <= date.fromisoformat(report["published"]) <= date(2025, 11, 30)
        assert report["kind"] in KINDS
        assert 120 <= len(re.findall(r"\S+", report["text"])) <= 350, path.name


def test_the_reports_cover_each_kind_and_the_contested_figures() -> None:
    reports = {r["id"]: r for r in _reports()}
    assert {r["kind"] for r in reports.values()} == KINDS
    texts = " ".join(r["text"] for r in reports.values())
    for needed in ("58", "23", "17", "Doha", "Istanbul", "Khawaja Asif", "overnight", "last Wednesday", "on Friday"):
        assert needed in texts


def test_the_readme_says_the_reports_are_synthetic_and_lists_each() -> None:
    readme = (sample_reports_dir().parent / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower()
    for path in sample_report_paths():
        assert path.stem in readme
