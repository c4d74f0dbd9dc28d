"""Split a report's text into sentences with exact character spans.

A rule-based splitter: news text breaks at line ends (headlines, captions, bullet lines) and at sentence-final
punctuation followed by a capital, except after abbreviations common in this domain ("Oct.", "Dr.", "Lt.", "U.S.").
It is about 100x faster than spaCy's parser-based splitter and, on the dev corpus, no less accurate for what the
extractors need (see docs/extraction.md).

No sentence is longer than `MAX_SENTENCE_CHARS`: a longer stretch without a sentence end (a run-on list, a crafted
file, text that lost its punctuation) is cut at the last space before the cap, so every later stage works on pieces
of a bounded size and extraction time grows linearly with the text whatever it holds.
"""
from __future__ import annotations

import re

from trucewatch.records import Sentence, Span

# The longest real sentence of the dev and broad corpora is 387 characters (about 60 words); a longer stretch is cut
# at a word boundary. Per-sentence work (the parser, speakers against names) grows faster than the sentence: text
# without sentence ends cut at 2,000 characters took 5x as long per MB as the same prose with them, at 600 about 2.7x,
# at 400 about 1.7x (benchmarks/bench_long_input.py, which holds it within 2x).
MAX_SENTENCE_CHARS = 400
_ABBREVIATIONS = frozenset(
    """jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    mr mrs ms dr prof gen lt col maj capt sgt cpl brig adm gov sen rep rev st vs etc approx govt dept
    u.s u.k u.n e.g i.e a.m p.m inc ltd co corp jr sr mt ft""".split()
)
# A candidate boundary: . ! or ? (and any closing quotes/brackets), then spaces, then something that can open a
# sentence.
_BOUNDARY = re.compile(r"""[.!?]["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9])""")
_LINE_BREAK = re.compile(r"\n\s*")
_LAST_SPACE = re.compile(r"\s(?=\S*\Z)")  # searched with an end position: \Z is that end
_TOKEN_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def split_sentences(text: str) -> list[Sentence]:
    """Sentences in reading order; whitespace-only stretches are dropped, spans index `text` unchanged."""
    sentences: list[Sentence] = []
    for line_start, line_end in _lines(text):
        for piece_start, piece_end in _split_line(text, line_start, line_end):
            for start, end in _capped(text, *_trim(text, piece_start, piece_end)):
                sentences.append(Sentence(len(sentences), Span(start, end), text[start:end]))
    return sentences


def _capped(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The stretch start..end (trimmed) in pieces of at most MAX_SENTENCE_CHARS, each cut at the last whitespace
    before the cap (a word longer than the cap is cut at the cap) and trimmed; none when the stretch is empty."""
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        space = _LAST_SPACE.search(text, start + 1, limit + 1)  # a space at `limit` leaves a piece of exactly the cap
        cut = space.start() if space else limit
        pieces.append(_trim(text, start, cut))
        start, end = _trim(text, cut, end)
    if end > start:
        pieces.append((start, end))
    return pieces


def _lines(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for match in _LINE_BREAK.finditer(text):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(text)))
    return bounds


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces, piece_start = [], start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.start() + 1
        if _ends_with_abbreviation(text, piece_start, stop):
            continue
        close = match.end() - len(match.group(0)) + len(match.group(0).rstrip())
        pieces.append((piece_start, close))
        piece_start = match.end()
    pieces.append((piece_start, end))
    return pieces


def _ends_with_abbreviation(text: str, start: int, stop: int) -> bool:
    """True when the full stop at stop-1 closes an abbreviation or an initial, not a sentence."""
    window = text[max(start, stop - 12):stop]
    match = _TOKEN_BEFORE.search(window)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    return word in _ABBREVIATIONS or len(word) == 1


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
