"""The compliance report a guarantor circulates: parties summed up, every account side by side, untrusted text
escaped, figures that are real images, pages that print."""
from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest

from trucewatch import jobs
from trucewatch.demo import example_agreements_path
from trucewatch.publish.charts import BarSeries, MapPoint, map_svg, timeline_svg
from trucewatch.publish.report import (
    NOT_ATTRIBUTED,
    build_report,
    html_to_pdf,
    render_html,
    render_markdown,
    write_report,
)
from trucewatch.records import (
    Agreement,
    Assessment,
    Claim,
    Commitment,
    Estimate,
    Figure,
    Incident,
    Party,
    Place,
    Source,
    SourcedClaim,
    SourcedFigure,
    Span,
)
from trucewatch.storage import Database

PKT = timezone(timedelta(hours=5))
AT = datetime(2025, 10, 30, 9, 0, tzinfo=UTC)
DOHA = Agreement(
    agreement_id="doha-test", name="Test ceasefire", kind="ceasefire",
    parties=(Party("PAK", "Pakistan"), Party("AFG", "Afghanistan", ("TTP",))),
    guarantors=(Party("QAT", "Qatar"), Party("TUR", "Turkey")), mediators=(),
    start=datetime(2025, 10, 19, 0, 0, tzinfo=PKT), end=None, tz="Asia/Karachi",
    commitments=(Commitment("C1", "No cross-border attacks.", ("PAK", "AFG"), ("cross-border",)),
                 Commitment("C2", "No attacks on civilians.", ("PAK", "AFG"), ("civilians",))),
)
SPIN = Place("Spin Boldak", "Afghanistan", "Kandahar", "Spin Boldak", 31.0, 66.4, 1, "town")
HOSTILE = "<script>alert('x')</script>"


def source(report_id: str, outlet: str, day: int, url: str | None = None) -> Source:
    return Source(report_id, outlet, date(2025, 10, day), url or f"https://example.org/{report_id}",
                  f"{report_id:0<64}"[:64].replace("-", "0"))


def claim(claimant: str, party: str, stance: str, words: str, src: Source, about: str = "occurrence") -> SourcedClaim:
    return SourcedClaim(Claim(claimant, stance, about, words, Span(0, len(words)), 0), party, src.published, "e-1",
                        src)


def shelling(incident_id: str = "inc-1", claims: tuple[SourcedClaim, ...] = (), **changes) -> Incident:
    a, b = source("r-pk", "Border Herald", 21), source("r-af", "Kabul Evening", 22)
    figure = SourcedFigure(Figure(4, None, "civilians", "Government of Afghanistan", "four civilians", Span(0, 4), 0),
                           "e-1", b)
    base = dict(incident_id=incident_id, events=(), sources=(a, b), event_type="Explosions/Remote violence",
                sub_event_type="Shelling/artillery/missile attack", first_date=date(2025, 10, 21),
                last_date=date(2025, 10, 21), time_precision=1, place=SPIN, actor1="Military Forces of Pakistan",
                actor2="Civilians (Afghanistan)", figures=(figure,),
                estimates=(Estimate("civilians", 4, 4, None, "the only figure"),), claims=claims or (
                    claim("Government of Afghanistan", "AFG", "asserts", "Afghan officials said Pakistani guns "
                          "shelled the town", b),
                    claim("Government of Pakistan", "PAK", "denies", "Islamabad denied firing across the border", a),
                ), contested=True, reasons=("the parties contradict each other about occurrence",))
    return Incident(**{**base, **changes})


def assessment(incident_id: str, status: str, accused: tuple[str, ...], day: int, **changes) -> Assessment:
    base = dict(incident_id=incident_id, agreement_id="doha-test", window_status=status,
                reason="after the start" if status == "inside" else "dated only to the week of the start",
                commitments=("C1", "C2") if accused else (), accused=accused, accusers=("AFG",) if accused else (),
                evidence_state="contested", first_date=date(2025, 10, day), last_date=date(2025, 10, day),
                event_type="Explosions/Remote violence", sub_event_type="Shelling/artillery/missile attack",
                location="Spin Boldak", admin1="Kandahar", country="Afghanistan", latitude=31.0, longitude=66.4,
                fatalities_best=4)
    base = {**base, **changes}
    base["accused_under"] = tuple((party, c) for party in base["accused"] for c in base["commitments"])
    return Assessment(**base)


@pytest.fixture
def report():
    assessments = [
        assessment("inc-1", "inside", ("PAK",), 21),
        assessment("inc-2", "inside", (), 23, location="Chaman", admin1="Balochistan", country="Pakistan",
                   latitude=30.92, longitude=66.45, fatalities_best=None, evidence_state="single source"),
        assessment("inc-3", "uncertain", ("AFG",), 19, reason="dated only to the week of 19 October"),
        assessment("inc-4", "outside", ("AFG",), 12),
        assessment("inc-5", "inside", (), 24, event_type="Strategic developments", sub_event_type="Agreement",
                   location="Doha", admin1=None, country="Qatar", latitude=None, longitude=None,
                   fatalities_best=None),
    ]
    incidents = {"inc-1": shelling(), "inc-2": shelling("inc-2", claims=(), figures=(), estimates=()),
                 "inc-3": shelling("inc-3")}
    return build_report(DOHA, assessments, incidents, generated_at=AT)


class Cells(HTMLParser):
    """The text of each table's cells, by table class: {class: [[cell text, ...] per row]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.table: list[list[str]] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.table = self.tables.setdefault(dict(attrs).get("class", ""), [])
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.table is not None:
            self.table[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def cells(page: str) -> dict[str, list[list[str]]]:
    parser = Cells()
    parser.feed(page)
    return parser.tables


def test_html_has_a_summary_row_per_party_and_one_for_the_unattributed(report):
    summary = cells(render_html(report))["summary"]
    assert summary[0][:3] == ["Party", "Potential violations", "of which boundary cases"]
    rows = {row[0]: row[1:] for row in summary[1:]}
    # potential violations, boundary cases, corroborated, alleged only, denied, by commitment, accused by
    assert rows["PAK Pakistan"] == ["1", "0", "0", "1", "0", "C1: 1, C2: 1", "AFG (1)"]
    assert rows["AFG Afghanistan"] == ["1", "1", "0", "1", "0", "C1: 1, C2: 1", "—"]
    assert rows[NOT_ATTRIBUTED] == ["1", "0", "0", "1", "0", "—", "—"]


def test_html_puts_each_party_s_claims_in_its_own_column(report):
    claims = cells(render_html(report))["claims cols-2"]
    head, *rows = claims[:3]
    assert head == ["Made on", "PAK: Pakistan", "AFG: Afghanistan"]
    by_day = {row[0]: row for row in rows}
    assert "denies" in by_day["2025-10-21"][1] and "Islamabad denied firing" in by_day["2025-10-21"][1]
    assert by_day["2025-10-21"][2] == ""
    assert "Afghan officials said Pakistani guns shelled the town" in by_day["2025-10-22"][2]
    assert "— Government of Afghanistan, 2025-10-22, report r-af, sentence 1 (Kabul Evening)" in by_day["2025-10-22"][2]


MUJAHID = SourcedClaim(
    Claim("Government of Afghanistan (Taliban)", "asserts", "civilian deaths", "Zabihullah Mujahid … said",
          Span(0, 95), 4, stated_on=date(2025, 10, 17),
          content="17 civilians, including women and children, were killed", content_span=Span(38, 93), figure=17),
    "AFG", date(2025, 10, 17), "e-1", source("r-af", "Kabul Evening", 22),
    quote="17 civilians, including women and children, were killed")


def test_a_claim_shows_what_was_claimed_who_said_it_when_and_links_to_those_words_in_the_original():
    made = build_report(DOHA, [assessment("inc-1", "inside", ("PAK",), 21)], {"inc-1": shelling(claims=(MUJAHID,))},
                        generated_at=AT)
    page = render_html(made)
    [_, row] = cells(page)["claims cols-2"]
    assert row[2] == ("AFG asserts (civilian deaths, figure 17): 17 civilians, including women and children, were "
                      "killed — Zabihullah Mujahid, 2025-10-17, report r-af, sentence 5 (Kabul Evening)")
    assert ('<a href="https://example.org/r-af#:~:text=17%20civilians%2C%20including%20women%20and%20children%2C'
            '%20were%20killed">report r-af, sentence 5</a>') in page
    assert 'data-stance="asserts"' in page and "<q>17 civilians" in page  # <q>: in quotation marks on the page
    markdown = render_markdown(made, {"timeline": "t.svg", "map": "m.svg"})
    assert ("**AFG asserts** (civilian deaths, figure 17): “17 civilians, including women and children, were killed” — "
            "Zabihullah Mujahid, 2025-10-17, report r-af, sentence 5 (Kabul Evening)") in markdown


def test_claims_of_other_sides_get_a_column_of_their_own():
    other = claim("TTP spokesman", "TTP", "asserts", "the group said its fighters attacked", source("r-x", "Wire", 22))
    with_other = build_report(DOHA, [assessment("inc-1", "inside", ("PAK",), 21)],
                              {"inc-1": shelling(claims=(*shelling().claims, other))}, generated_at=AT)
    head = cells(render_html(with_other))["claims cols-3"][0]
    assert head == ["Made on", "PAK: Pakistan", "AFG: Afghanistan", "Others"]


def test_an_incident_nobody_is_accused_of_says_not_attributed(report):
    page = render_html(report)
    article = page[page.index('id="inc-2"'):]
    article = article[:article.index("</article>")]
    assert f"<i>{NOT_ATTRIBUTED}</i>" in article
    assert "PAK" not in re.sub(r"<th>.*?</th>", "", cells(article)["facts"][2][1])
    assert f"**Accused:** {NOT_ATTRIBUTED}" in render_markdown(report, {"timeline": "t.svg", "map": "m.svg"})


def test_text_from_reports_is_escaped_in_html_and_markdown(report):
    hostile_source = source("r-h", HOSTILE, 22, url="javascript:alert(1)")
    incident = shelling(claims=(claim(HOSTILE, "AFG", "asserts", f"officials said {HOSTILE}", hostile_source),),
                        sources=(hostile_source,))
    hostile = build_report(DOHA, [assessment("inc-1", "inside", ("PAK",), 21, reason=HOSTILE)], {"inc-1": incident},
                           generated_at=AT)
    page = render_html(hostile)
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert 'href="javascript' not in page
    markdown = render_markdown(hostile, {"timeline": "t.svg", "map": "m.svg"})
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown


def test_charts_are_valid_svg_and_the_same_on_every_run():
    days = [date(2025, 10, 19) + timedelta(n) for n in range(5)]
    series = [BarSeries("PAK", (1, 0, 2, 0, 1), (1, 0, 0, 0, 0)), BarSeries("unattributed", (0, 1, 0, 0, 0), (0,) * 5)]
    points = [MapPoint(31.0, 66.4, "inside", 4, "1"), MapPoint(34.5, 69.2, "uncertain", None, "2")]
    for make in (lambda: timeline_svg(days, series, days[0]), lambda: map_svg(points)):
        svg = make()
        root = ElementTree.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 10
        assert make() == svg
        assert "<dc:date>" not in svg


def test_markdown_embeds_the_figures_written_beside_it(report, tmp_path):
    written = write_report(report, "md", tmp_path / "new" / "doha.md")
    assert [p.name for p in written] == ["doha.md", "doha-timeline.svg", "doha-map.svg"]
    text = written[0].read_text(encoding="utf-8")
    assert "![Timeline](doha-timeline.svg)" in text and "![Map of incidents](doha-map.svg)" in text
    assert "| PAK: Pakistan | AFG: Afghanistan |" in text
    ElementTree.parse(written[2])


def test_html_is_one_self_contained_file(report, tmp_path):
    page = write_report(report, "html", tmp_path / "doha.html")[0].read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and "<style>" in page
    assert not re.search(r'(src|href)="(?!#|https?://example\.org/)', page)  # no file or resource outside it


def test_pdf_pages_are_a4_numbered_not_blank_and_hold_every_incident(report):
    import pypdfium2  # noqa: PLC0415

    pdf = pypdfium2.PdfDocument(html_to_pdf(render_html(report)))
    texts = [pdf[n].get_textpage().get_text_range() for n in range(len(pdf))]
    assert len(pdf) >= 2  # the overview, then the map (too large to share the first page with the summary)
    assert "Summary by party" in texts[0] and "Map of incidents" not in texts[0]
    assert all(f"Page {n} of {len(pdf)}" in text for n, text in enumerate(texts, 1))
    pages = [next(n for n, text in enumerate(texts) if f"Incident {s.incident_id}" in text) for s in report.incidents]
    assert len(pages) == 3 and pages == sorted(pages)  # every incident in full, in order
    for n in range(len(pdf)):
        page = pdf[n]
        assert (round(page.get_width() / 72 * 25.4), round(page.get_height() / 72 * 25.4)) == (210, 297)
        dark = sum(page.render(scale=0.5).to_pil().convert("L").histogram()[:200])  # pixels darker than light grey
        assert dark > 2000, f"page {n + 1} is (nearly) blank"
    pdf.close()


AGREEMENT_TOML = """
[[agreements]]
id = "test-truce"
name = "Test truce"
kind = "ceasefire"
[agreements.window]
start = "2025-10-19T00:00"
tz = "Asia/Karachi"
[[agreements.parties]]
code = "PAK"
name = "Pakistan"
[[agreements.parties]]
code = "AFG"
name = "Afghanistan"
[[agreements.commitments]]
id = "no-attacks"
text = "No attacks by either side's forces across the border."
binds = ["PAK", "AFG"]
concerns = ["cross-border", "civilians"]
"""
# Two short reports written for this test: Kabul's accusation and Islamabad's denial of one shelling.
ACCOUNTS = {
    "ledger.json": {"id": "t-ledger-1", "published": "2025-10-22", "outlet": "Frontier Ledger",
                    "text": "Afghan officials said Pakistani artillery shelled Spin Boldak on Tuesday, killing four "
                            "civilians."},
    "courier.json": {"id": "t-courier-1", "published": "2025-10-23", "outlet": "Chaman Courier",
                     "text": "The Taliban government said Pakistani shelling killed four civilians in Spin Boldak on "
                             "21 October. Pakistan's foreign ministry denied the allegation on Wednesday."},
}


def test_a_report_from_ingested_reports_puts_accusation_and_denial_side_by_side(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, account in ACCOUNTS.items():
        (folder / name).write_text(json.dumps(account), encoding="utf-8")
    (tmp_path / "agreements.toml").write_text(AGREEMENT_TOML, encoding="utf-8")
    with Database.open(f"sqlite:///{tmp_path / 'store.sqlite3'}") as db:
        assert {r.status for r in jobs.ingest.ingest_paths([folder], db)} == {"added"}
        jobs.agreements.load_agreements(db, tmp_path / "agreements.toml")
        made = jobs.exports.compliance_report(db, "test-truce", generated_at=AT)

    assert [(s.status, s.accused) for s in made.incidents] == [("inside", "PAK")]
    tables = cells(render_html(made))
    assert tables["summary"][1][:2] == ["PAK Pakistan", "1"]
    head, *rows = tables["claims cols-2"]
    assert head == ["Made on", "PAK: Pakistan", "AFG: Afghanistan"]
    pakistan, afghanistan = (" ".join(row[n] for row in rows) for n in (1, 2))
    assert "denies" in pakistan and "Chaman Courier" in pakistan and "Afghan" not in pakistan
    assert "asserts" in afghanistan and "Frontier Ledger" in afghanistan and "Pakistan's" not in afghanistan


# --- what a guarantor reads first, and what is left out ---------------------------------------------------------


def headings(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2>(.*?)</h2>", page)]


def test_violations_lead_then_boundary_cases_then_the_annex_of_everything_else(report):
    page = render_html(report)
    order = headings(page)
    assert order.index("Summary by party") < order.index("Potential violations") < order.index("Boundary cases") \
        < order.index("Annex: other incidents in the window")
    violations = page[page.index("<h2>Potential violations</h2>"):page.index("<h2>Boundary cases</h2>")]
    groups = [h for h in re.findall(r"<h3>(.*?)</h3>", violations) if not h[0].isdigit()]
    assert groups[0] == "Attributed to PAK: Pakistan alone (1)" and groups[-1] == "Not attributed (1)"
    assert 'id="inc-1"' in violations and 'id="inc-2"' in violations and 'id="inc-3"' not in violations
    annex = cells(page)["annex"]
    assert annex[1][:4] == ["4", "2025-10-24", "Doha, Qatar", "Strategic developments / Agreement"]
    assert 'id="inc-5"' not in page  # talks get a row, never a section of their own
    markdown = render_markdown(report, {"timeline": "t.svg", "map": "m.svg"})
    assert markdown.index("## Potential violations") < markdown.index("## Boundary cases") \
        < markdown.index("## Annex: other incidents in the window")


def test_empty_sections_and_empty_placeholders_are_left_out(report):
    page = render_html(report)
    for gone in ("No claims", "No death figures", "No estimates", "No finding", "Findings</h2>"):
        assert gone not in page
    silent = build_report(DOHA, [assessment("inc-1", "inside", ("PAK",), 21)],
                          {"inc-1": dataclasses.replace(shelling(), claims=(), figures=(), estimates=())},
                          generated_at=AT)
    article = render_html(silent)
    assert "<h4>Claims side by side</h4>" not in article and "<h4>Estimates</h4>" not in article
    assert "<h4>Reports</h4>" in article
    quiet = build_report(DOHA, [assessment("inc-4", "outside", ("AFG",), 12)], {}, generated_at=AT)
    assert headings(render_html(quiet)) == ["Summary by party", "Timeline", "Map of incidents",
                                            "How to read this report"]


def test_no_database_address_in_any_format(report, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'secret-store.sqlite3'}"
    with Database.open(db_url) as db:
        jobs.agreements.load_agreements(db, example_agreements_path())
        made = jobs.exports.compliance_report(db, "doha-2025-10-19", generated_at=AT)
    import pypdfium2  # noqa: PLC0415

    html_text = write_report(made, "html", tmp_path / "r.html")[0].read_text(encoding="utf-8")
    md_text = write_report(made, "md", tmp_path / "r.md")[0].read_text(encoding="utf-8")
    pdf = pypdfium2.PdfDocument(write_report(made, "pdf", tmp_path / "r.pdf")[0])
    pdf_text = " ".join(pdf[n].get_textpage().get_text_range() for n in range(len(pdf)))
    pdf.close()
    for text in (html_text, md_text, pdf_text):
        assert "secret-store" not in text and "sqlite" not in text and "Database" not in text


def test_the_attributed_to_table_counts_each_incident_and_death_once():
    both = assessment("inc-b", "inside", ("PAK", "AFG"), 22, fatalities_best=6)
    made = build_report(DOHA, [assessment("inc-1", "inside", ("PAK",), 21), both,
                               assessment("inc-2", "inside", (), 23, fatalities_best=3)],
                        {"inc-1": shelling(), "inc-b": shelling("inc-b"), "inc-2": shelling("inc-2")},
                        generated_at=AT)
    tables = cells(render_html(made))
    assert tables["attribution"][1:] == [["PAK: Pakistan", "1", "4"], ["several parties accused", "1", "6"],
                                         ["not attributed", "1", "3"], ["all violent incidents", "3", "13"]]
    summary = {row[0]: row[1] for row in tables["summary"][1:]}
    assert summary["PAK Pakistan"] == "2" and summary["AFG Afghanistan"] == "1"  # each party answers for it
    assert [s.label for s in made.series] == ["attributed to PAK alone", "several parties accused", "not attributed"]
    assert [sum(s.counts) for s in made.series] == [1, 1, 1]  # the bars add up to the incidents, once each
    assert "each incident counted once" in render_html(made)


def test_many_violations_are_one_row_each_with_the_claims_they_carry():
    many = [assessment(f"inc-{n:03d}", "inside", ("PAK",), 20 + n % 10, fatalities_best=n) for n in range(150)]
    made = build_report(DOHA, many, {"inc-149": shelling("inc-149", claims=(MUJAHID,))}, generated_at=AT)
    assert not made.detailed
    page = render_html(made)
    assert "<article" not in page and "Attributed to PAK: Pakistan alone (150; 100 listed)" in page
    rows = cells(page)["rows"]
    assert len(rows) == 101 and rows[0][-1] == "What the parties say"
    assert {row[2][-7:] for row in rows[1:]} == {f"inc-{n:03d}" for n in range(50, 150)}  # the most deaths
    assert "trucewatch compliance --agreement ID --format csv" in page
    first = next(row for row in rows if "inc-149" in row[2])
    assert "AFG asserts (civilian deaths, figure 17): 17 civilians" in first[-1]


def test_the_first_pdf_pages_render_with_the_title_and_are_not_blank(report, tmp_path):
    import pypdfium2  # noqa: PLC0415

    pdf = pypdfium2.PdfDocument(html_to_pdf(render_html(report)))
    assert "Test ceasefire" in pdf[0].get_textpage().get_text_range()
    assert "Potential violations" in " ".join(pdf[n].get_textpage().get_text_range() for n in range(len(pdf)))
    for n in range(2):
        image = pdf[n].render(scale=1.5).to_pil().convert("L")
        assert (image.width, image.height) == (round(595.3 * 1.5), round(841.9 * 1.5))
        histogram = image.histogram()
        dark = sum(histogram[:128]) / (image.width * image.height)
        assert 0.005 < dark < 0.5, f"page {n + 1}: {dark:.3f} of it dark"
        image.save(tmp_path / f"page-{n + 1}.png")
    pdf.close()
