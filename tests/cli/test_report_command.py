"""`trucewatch report` as a user runs it (the stand-in extractor codes one Pakistani air strike on civilians in Kabul
per report, dated to the report's day, with Pakistan's denial and Afghanistan's figure)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from trucewatch.cli.main import main
from trucewatch.demo import example_agreements_path


@pytest.fixture
def loaded(runner, tmp_path) -> Path:
    """A store with one strike inside the Doha ceasefire (21 October) and the example agreements."""
    folder = tmp_path / "strikes"
    folder.mkdir()
    (folder / "s21.json").write_text(json.dumps({"id": "s-21", "published": "2025-10-21", "outlet": "Test Wire",
                                                 "text": "Jets struck a compound in Kabul."}))
    assert runner.invoke(main, ["ingest", str(folder)]).exit_code == 0
    assert runner.invoke(main, ["agreements", "load", str(example_agreements_path())]).exit_code == 0
    return folder


def test_pdf_without_output_is_written_in_the_current_folder_and_the_command_says_where(runner, loaded, tmp_path,
                                                                                          monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = runner.invoke(main, ["report", "--agreement", "doha-2025-10-19", "--format", "pdf"])
    assert result.exit_code == 0, result.output
    assert (here / "report-doha-2025-10-19.pdf").read_bytes().startswith(b"%PDF-")
    assert "written to report-doha-2025-10-19.pdf" in result.stdout
    assert "1 incident inside the window" in result.stdout


def test_a_missing_output_folder_is_created_and_markdown_gets_its_figures(runner, loaded, tmp_path):
    target = tmp_path / "new" / "folder" / "doha.md"
    result = runner.invoke(main, ["report", "--agreement", "doha-2025-10-19", "--format", "md", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.parent.iterdir()) == ["doha-map.svg", "doha-timeline.svg", "doha.md"]
    assert "doha-map.svg" in result.stdout
    text = target.read_text(encoding="utf-8")
    assert "| **PAK** Pakistan | 1 |" in text and "Test Wire" in text


def test_html_report_shows_the_denial_under_pakistan(runner, loaded, tmp_path):
    target = tmp_path / "doha.html"
    assert runner.invoke(main, ["report", "--agreement", "doha-2025-10-19", "--format", "html", "-o",
                                str(target), "--from", "2025-10-20", "--to", "2025-10-22"]).exit_code == 0
    page = target.read_text(encoding="utf-8")
    assert "2025-10-20 to 2025-10-22" in page and "Government of Pakistan" in page


def test_an_unknown_agreement_is_a_clear_error(runner, loaded, tmp_path):
    result = runner.invoke(main, ["report", "--agreement", "no-such-deal", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert "TW-E503: no agreement 'no-such-deal'" in result.output and "doha-2025-10-19" in result.output
    assert not (tmp_path / "x.pdf").exists()
