"""A report of our own words, coded as ingest codes one: the extraction tests' common entry."""
from datetime import date

from trucewatch.pipeline.extract.events import assemble_events
from trucewatch.records import Event, Report


def code(text: str, published: date) -> list[Event]:
    report = Report(report_id="t", sha256="0", text=text, published=published, published_basis="file",
                    outlet="example.org")
    return assemble_events(report)
