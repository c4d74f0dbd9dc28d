"""Split a report's text into sentences with exact character spans.

A rule-based splitter: news text breaks at line ends (headlines, captions, bullet lines) and at sentence-final
punctuation followed by a capital, except after abbreviations common in this domain ("Oct.", "Dr.", "Lt.", "U.S.").
It is about 100x faster than spaCy's parser-based splitter and, on the dev corpus, no less accurate for what the
extractors need (see docs/extraction.md).
"""
from __future__ import annotations

import re

from trucewatch.records import Sentence, Span

_ABBREVIATIONS = frozenset(
    """jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    mr mrs ms dr prof gen lt col maj capt sgt cpl brig adm gov sen rep rev st vs etc approx govt dept
    u.s u.k u.n e.g i.e a.m p.m inc ltd co corp jr sr mt ft""".split()
)
# A candidate boundary: . ! or ? (and any closing quotes/brackets), then spaces, then something that can open a
# sentence.
_BOUNDARY = re.compile(r"""[.!?]["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9])""")
_LINE_BREAK = re.compile(r"\n\s*")
_TOKEN_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def split_sentences(text: str) -> list[Sentence]:
    """Sentences in reading order; whitespace-only stretches are dropped, spans index `text` unchanged."""
    sentences: list[Sentence] = []
    for line_start, line_end in _lines(text):
        for start, end in _split_line(text, line_start, line_end):
            start, end = _trim(text, start, end)
            if end > start:
                sentences.append(Sentence(len(sentences), Span(start, end), text[start:end]))
    return sentences


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
