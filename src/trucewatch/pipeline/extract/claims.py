"""Claims: who asserts, denies, neither confirms nor denies, or acknowledges later, and about what.

A claim is found from a cue (a reporting verb, a denial, a "did not comment") and its speaker: the nearest actor
before the cue in the same clause ("ISPR said", "Kabul denied"), or after it ("according to police", "claimed by the
BLA"). Speakers are normalised through the actor dictionary; generic speakers ("police said", "officials said") are
named after the country where the event happened.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from trucewatch.pipeline.extract import lexicon
from trucewatch.pipeline.extract.attribution import Attribution, attribute
from trucewatch.records import ActorMention, Claim, DateMention, Figure, Sentence, Span

ASSERTS, DENIES, NCND, LATER = "asserts", "denies", "neither_confirms_nor_denies", "acknowledges_later"

# Ordered: the first family whose cue covers a stretch of text wins it (data/lexicon/claims.toml).
_FAMILIES = ((NCND, "neither_confirms_nor_denies"), (LATER, "acknowledges_later"), (DENIES, "denies"),
             (ASSERTS, "asserts"))


def _cue_lists() -> tuple[tuple[str, lexicon.Cues], ...]:
    return tuple((stance, lexicon.cues("claims", key)) for stance, key in _FAMILIES)


def _speaker_after(cue_text: str) -> bool:
    """'according to police', 'claimed by the BLA': the speaker stands after the cue."""
    return lexicon.cues("claims", "speaker_after").search(cue_text) is not None


_CLAUSE_BREAK = re.compile(r"[;:—–]|, (?:while|but|whereas|as|and|who|which)\b| but |\bwhile\b")

_RESPONSIBILITY = re.compile(
    r"responsib|claimed (?:the|an|this|that) (?:attack|bombing|blast|strike)|claim(?:ed|s)? (?:the )?attack|carried out"
    r"|\bbehind\b|blam|accus|link(?:ed|s)? (?:to|with)|sponsor|involve|perpetrat|initiat|started|fired first"
    r"|unprovoked|behest|hideouts?|\bcamps?\b|aimed at|targeted|own soil|their soil|its soil|soil for attacks|sanctuar",
    re.IGNORECASE)
_CIVILIANS = re.compile(r"civilian|women|children|villagers|residents|refugees|passengers|cricketers", re.IGNORECASE)
_DEATHS = re.compile(r"kill|dead|death|died|toll|casualt|martyr|lives|bodies|perish|\bfigures\b", re.IGNORECASE)

_HABITUAL = re.compile(
    r"\b(?:consistently|repeatedly|routinely|long (?:accused|denied|maintained)|has long|have long|frequently)\b",
    re.IGNORECASE)
_GENERAL_DENIAL = re.compile(r"denies|deny", re.IGNORECASE)
_SPEAKER_REACH = 70  # characters: a speaker further back than this before the verb is rarely its subject
SPEAKER_KINDS = frozenset({"military", "police", "government", "armed_group", "media", "international", "political"})


@dataclass(frozen=True, slots=True)
class Cue:
    stance: str
    start: int  # offsets within the sentence text
    end: int


def find_cues(text: str) -> list[Cue]:
    """The claim cues of a sentence, left to right (the assembler asks of a sentence several times: cached)."""
    return list(_cues_of(text))


@lru_cache(maxsize=4096)
def _cues_of(text: str) -> tuple[Cue, ...]:
    cues: list[Cue] = []
    for stance, cue_list in _cue_lists():
        for match in cue_list.finditer(text):
            if not any(c.start < match.end() and match.start() < c.end for c in cues):
                cues.append(Cue(stance, match.start(), match.end()))
    return tuple(sorted(cues, key=lambda c: c.start))


def find_claims(sentence: Sentence, speakers: list[tuple[ActorMention, str]], dates: list[DateMention],
                has_figure: bool, issuer: str | None = None, figures: Sequence[Figure] = ()) -> list[Claim]:
    """Claims in one sentence. `speakers` are the sentence's actor mentions with the claimant name each stands for;
    `issuer` is the party whose own statement the report is: it speaks where no one else does ("The figures are
    rejected as false"). Each claim carries its content — the clause or quote claimed — and the figure in it.

    The rules find the speaker next to the cue; where they find none, the dependency parse (`attribution.py`) reads
    the subject of the reporting verb, and an organisation the actor dictionary does not know is kept by its name."""
    claims: list[Claim] = []
    cues = _statements(sentence.text)
    found_by_rules = {id(c): (None if issuer and _passive(sentence.text, c) else _speaker_for(sentence, c, speakers))
                      for c in cues}
    parsed = _parse_where_needed(sentence, cues, found_by_rules, issuer)
    for cue in cues:
        found = found_by_rules[id(cue)]
        parse = parsed.get(id(cue))
        claimant: str | None = found[1] if found else None
        speaker_words = found[0].surface if found else ""
        if claimant is None and parse is not None and parse.speaker is not None:
            claimant, speaker_words = _speaker_from_parse(sentence, parse.speaker, speakers)
        if claims and _PARTICIPLE.match(sentence.text[cue.start:cue.end]) and sentence.text[:cue.start].rstrip(
                ).endswith(","):
            # "The TTP said ..., denying that ...": a participle's subject is the subject of the verb before it.
            claimant, speaker_words = claims[-1].claimant, claims[-1].surface.split(" … ")[0]
        if claimant is None:
            if issuer is None:
                continue
            claimant = issuer
        content, content_span = _content(sentence, cue, parse)
        about = topic_of(sentence.text, cue, has_figure)
        verb = sentence.text[cue.start:cue.end]
        words = f"{speaker_words} … {verb}" if speaker_words else verb
        claims.append(Claim(claimant=claimant, stance=cue.stance, about=about, surface=words,
                            span=sentence.span, sentence=sentence.index,
                            stated_on=_statement_date(sentence, cue, dates),
                            content=content, content_span=content_span,
                            figure=_figure_in(figures, content_span)))
    return _one_per_claimant(claims)


def _statements(text: str) -> list[Cue]:
    """The cues that report a statement about the event, not a standing position: "Pakistan has repeatedly
    accused ..., a claim Kabul denies" (a habit, and all that follows it in the sentence) and "a charge the Taliban
    denies, saying ..." (present tense, with the words that hang on it) are left out; a habit named after the
    statement ("HRCP said ..., a duty the state has repeatedly failed") does not touch it."""
    kept: list[Cue] = []
    standing_end = -1
    habit = _HABITUAL.search(text)
    for cue in find_cues(text):
        words = text[cue.start:cue.end]
        if (cue.stance == DENIES and _GENERAL_DENIAL.fullmatch(words)) or (habit and habit.start() < cue.start):
            standing_end = cue.end
            if _STANDING_CHARGE.search(text[max(0, cue.start - 60):cue.start]):
                kept = []  # "X has accused Kabul of ..., a charge the Taliban deny": the charge is standing too
        elif standing_end >= 0 and _HANGS_ON.match(text[standing_end:cue.start]):
            standing_end = cue.end
        else:
            kept.append(cue)
    return kept


_STANDING_CHARGE = re.compile(r",\s+(?:a|an|the)\s+(?:charge|accusation|claim|allegation)s?\b", re.IGNORECASE)
_HANGS_ON = re.compile(r"^[\s,]{0,3}$")  # "denies, saying": the participle says what the standing position says


def _parse_where_needed(sentence: Sentence, cues: list[Cue], found: Mapping[int, object], issuer: str | None
                        ) -> dict[int, Attribution]:
    """Parse the sentence only when a cue has no speaker by the rules and the parse could give it one: not for a
    passive without an agent (the parser costs a few milliseconds a sentence, more than all the rules of a report;
    most claims are 'X said')."""
    hard = [c for c in cues if found[id(c)] is None and not (issuer and _passive(sentence.text, c))
            and not _agentless_passive(sentence.text, c)]
    if not hard or not _may_name_an_organisation(sentence):
        return {}
    return {id(c): a for c, a in zip(hard, attribute(sentence.text, [(c.start, c.end) for c in hard]))}


_PRONOUN = re.compile(r"^(?:he|she|they|it|we|i|who|which|this|that|these|those|one|some|others?)$", re.IGNORECASE)
_ORGANISATION = re.compile(r"^(?:the\s+)?(?:[A-Z][\w'’&.-]*\s*){1,6}$")


def _speaker_from_parse(sentence: Sentence, span: tuple[int, int], speakers: list[tuple[ActorMention, str]]
                        ) -> tuple[str | None, str]:
    """The claimant the parsed subject stands for: an actor the dictionary knows inside it, else an organisation or
    person named in capitals, kept by its name ("Tasnim News Agency"); a pronoun or a common noun names no one."""
    base = sentence.span.start
    inside = [s for s in speakers if span[0] <= s[0].span.start - base < span[1]]
    words = sentence.text[span[0]:span[1]].strip(" ,")
    if inside:
        return inside[0][1], inside[0][0].surface
    if _PRONOUN.match(words) or not _ORGANISATION.match(words) or not _names_an_organisation(words):
        return None, ""
    name = re.sub(r"^the\s+", "", words, flags=re.IGNORECASE)
    return name, words


_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_CAPITALISED_RUN = re.compile(r"(?:\b[A-Z][\w'’&.-]*\s+){1,5}([A-Za-z]+)\b")


def _may_name_an_organisation(sentence: Sentence) -> bool:
    """Worth parsing only where the rules found no speaker and an organisation they do not know may be one: an
    acronym, or capitalised words ending in an organisation's head word ("the Pashtun Tahaffuz Movement")."""
    text = sentence.text
    if _ACRONYM.search(text):
        return True
    heads = lexicon.words("claims", "organisation_heads")
    return any(m.group(1).lower() in heads for m in _CAPITALISED_RUN.finditer(text))


def _names_an_organisation(words: str) -> bool:
    """'Tasnim News Agency', 'the Pashtun Tahaffuz Movement', 'HRCP': several capitalised words ending in an
    organisation's head word, or an acronym."""
    tokens = words.split()
    if len(tokens) == 1 and tokens[0].isupper() and len(tokens[0]) >= 2:
        return True
    return len(tokens) >= 2 and tokens[-1].lower().strip(".,") in lexicon.words("claims", "organisation_heads")


_CONTENT_AFTER = re.compile(r"^\s*(?:,\s*)?(?:on\s+\w+\s+|in\s+a\s+statement\s+|late\s+on\s+\w+\s+)?(?:that\s+)?",
                            re.IGNORECASE)
_TRIM = " ,;:.–—-\"“”'‘’"


def _content(sentence: Sentence, cue: Cue, parse: Attribution | None) -> tuple[str, Span | None]:
    """What was claimed: a quotation, else the parse's complement, else the clause the cue reports — after the verb
    ("said that 17 were killed") or before it ("17 were killed, police said")."""
    text, base = sentence.text, sentence.span.start
    opening = _OPENING.match(text)  # "TIRAH VALLEY –", an archive's date: the copy's, not the claim's
    quote = _QUOTATION.search(text)
    if quote is not None:
        start, end = quote.start(1), quote.end(1)
    elif parse is not None and parse.content is not None:
        start, end = parse.content
    else:
        start, end = _clause_of(text, cue)
    if opening is not None and start < opening.end():
        start = opening.end()
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    if end - start < 3:
        start, end = (opening.end() if opening else 0), len(text.rstrip(_TRIM))
    return text[start:end], Span(base + start, base + end)


# An archive's header date and a dateline at the start of a report's first sentence.
_OPENING = re.compile(r"^\s*(?:date \d{4}-\d\d-\d\d\s+)?"
                      r"(?:[A-Z][A-Z' .-]{2,40}(?:,\s*[A-Z][\w ]{2,25})?\s*(?:\([^)]{1,30}\))?"
                      r"\s*(?::|–|—|-\s))?")


_QUOTATION = re.compile(r"[\"“]([^\"“”]{12,400})[\"”]")


def _clause_of(text: str, cue: Cue) -> tuple[int, int]:
    before = text[:cue.start]
    comma = before.rfind(",")
    if comma > 20 and len(text) - cue.end < 40:  # "Seventeen civilians were killed, the ministry said."
        return 0, comma
    after = _CONTENT_AFTER.match(text[cue.end:])
    start = cue.end + (after.end() if after else 0)
    return start, len(text)


def _figure_in(figures: Sequence[Figure], span: Span | None) -> int | None:
    if span is None:
        return None
    inside = [f for f in figures if span.start <= f.span.start < span.end]
    return inside[0].low if inside else None


def _passive(text: str, cue: Cue) -> bool:
    """'are rejected', 'was denied': no subject speaks; in a party's statement, the party does."""
    return bool(re.search(r"\b(?:is|are|was|were|been|be)\s+$", text[max(0, cue.start - 8):cue.start]))


_AGENT = re.compile(r"\bby\b", re.IGNORECASE)


def _agentless_passive(text: str, cue: Cue) -> bool:
    """'civilians are reported killed', 'the claim was rejected': a reporting verb in the passive with no agent ('by
    ...') after it has no speaker in its clause — its subject is what is reported — so the parser, which reads the
    speaker as the verb's active subject or its agent, would find none. A progressive ('was saying') is active."""
    return (_passive(text, cue) and not text[cue.start:cue.end].split()[0].lower().endswith("ing")
            and _AGENT.search(text, cue.end) is None)


def _speaker_for(sentence: Sentence, cue: Cue, speakers: list[tuple[ActorMention, str]]
                 ) -> tuple[ActorMention, str] | None:
    text, base = sentence.text, sentence.span.start
    # '"... Afghan troops started shelling," said the official': a name inside a quotation is what is said, never
    # who says it, unless the cue is inside the same quotation.
    quotes = _quoted(text)
    speakers = [s for s in speakers if _same_quote(quotes, s[0].span.start - base, cue.start)]
    cue_text = text[cue.start:cue.end]
    if _speaker_after(cue_text) or cue.start == 0:
        # "According to reports by Iranian media, Taliban forces opened fire": the speaker stands inside the phrase
        # the cue opens, before its comma; what follows the comma is what is claimed.
        comma = text.find(",", cue.end)
        reach = min(60, comma - cue.end if comma >= 0 else 60)
        after = [s for s in speakers if 0 <= s[0].span.start - base - cue.end < reach]
        if after:
            return after[0]
    clause_start = max(_clause_start(text, cue.start), cue.start - _SPEAKER_REACH)
    before = [s for s in speakers if clause_start <= s[0].span.start - base < cue.start
              and (s[0].actor.kind != "armed_group" or _is_subject_of(text, s[0].span.end - base, cue.start))]
    if before:
        return before[-1]
    # "..., a Pakistani official told AP" and "said X" put the speaker after the verb; "claimed that Pakistani
    # soldiers were killed" puts what is claimed there, never who claims it — except in an admission, which is
    # of one's own deed ("confirmed for the first time that Pakistan carried out the strikes").
    if cue.stance != LATER and _COMPLEMENT_AFTER.match(text[cue.end:]):
        return None
    after = [s for s in speakers if 0 <= s[0].span.start - base - cue.end < 40]
    return after[0] if after else None


_COMPLEMENT_AFTER = re.compile(r"^\s*(?:[\w,]+\s+){0,3}?that\b|^\s+to\s+(?:be|have)\b", re.IGNORECASE)


# "Shahid Rind, a spokesman for the provincial government, said": a person's name, then an apposition saying whom
# the person speaks for.
_APPOSITION = re.compile(r"\b((?:[A-Z][a-z’'-]+\s+){1,2}([A-Z][a-z’'-]+)),\s+(?:a|an|the)\s+[^,;:.“”\"]{3,90}")


def introduced_people(sentences: Sequence[tuple[Sentence, Sequence[ActorMention]]]) -> dict[str, ActorMention]:
    """Surnames of people the report introduces with an apposition naming their side ("Shahid Rind, a spokesman for
    the Balochistan government"), mapped to that side's mention: "Rind said" later speaks for it."""
    people: dict[str, ActorMention] = {}
    for sentence, mentions in sentences:
        base = sentence.span.start
        for match in _APPOSITION.finditer(sentence.text):
            inside = [m for m in mentions if match.end(1) < m.span.start - base < match.end()]
            if inside and match.group(2) not in people and not any(
                    m.span.start - base < match.end(1) and match.start(1) < m.span.end - base for m in mentions):
                people[match.group(2)] = inside[0]
    return people


def people_speaking(sentence: Sentence, people: dict[str, ActorMention], mentions: Sequence[ActorMention]
                    ) -> list[ActorMention]:
    """The people of `introduced_people` named again in a sentence (by surname, or in full), as mentions of the side
    they speak for."""
    base, found = sentence.span.start, []
    for match in re.finditer(r"\b[A-Z][a-z’'-]+\b", sentence.text):
        side = people.get(match.group(0))
        start = base + match.start()
        if side is not None and sentence.index > side.sentence and not any(
                m.span.start <= start < m.span.end for m in mentions):
            found.append(replace(side, surface=match.group(0), span=Span(start, base + match.end()),
                                 sentence=sentence.index))
    return found


def another_person(sentence: Sentence, mention: ActorMention) -> bool:
    """'Iqbal Afridi' is not 'Sohail Afridi': a surname found alone, right after a given name that is no title, names
    another person than the one the dictionary knows by it."""
    if " " in mention.surface.strip() or not mention.surface[:1].isupper():
        return False
    before = re.search(r"([A-Z][a-z’'-]+)\s+$", sentence.text[:mention.span.start - sentence.span.start])
    titles = {t.lower() for t in lexicon.load("cues")["person_title_before"]} | lexicon.words("claims", "offices")
    return before is not None and before.group(1).lower() not in titles


_WORD_AT_END = re.compile(r"[\w'’-]+\Z")
_NOUN_PHRASE_REACH = 200  # characters: the five words of a noun phrase are never longer
_PHRASE_ENDS = frozenset("""said says told according to by from that who which when while after as of for with
at in on said, than""".split())


def speaker_country(sentence: Sentence, mention: ActorMention) -> str | None:
    """'two Pakistani security and intelligence officials', 'an Afghan official': a demonym in the noun phrase of a
    generic speaker names its country, whatever country the event happened in."""
    words = _words_before(sentence.text, mention.span.start - sentence.span.start)
    if not words:
        return None
    demonyms = lexicon.load("cues")["demonyms"]
    country = None
    for word in words:
        if word.lower() in _PHRASE_ENDS:
            country = None  # the noun phrase starts after this word
        else:
            country = demonyms.get(re.sub(r"['’]s$", "", word), country)
    return country


def _words_before(text: str, at: int) -> list[str]:
    """The one to five words (letters, digits, _ ' ’ -) right before `at`, which must follow a space: the noun phrase
    a speaker's name may end. Read from a window before `at`, so each call costs the same in any sentence."""
    window = text[max(0, at - _NOUN_PHRASE_REACH):at]
    if not window[-1:].isspace():
        return []
    words: list[str] = []
    for token in reversed(window.split()):
        word = _WORD_AT_END.search(token)
        if word is None:
            break
        words.append(word.group(0))
        if len(words) == 5 or word.start() > 0:  # five words, or a word joined to something before it
            break
    return words[::-1]


def _quoted(text: str) -> list[tuple[int, int]]:
    """The stretches of a sentence inside quotation marks (a quote left open at the end runs to it)."""
    spans, start = [], None
    for match in re.finditer(r"[\"“”]", text):
        mark = match.group(0)
        if start is None and mark != "”":
            start = match.end()
        elif start is not None and mark != "“":
            spans.append((start, match.start()))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def _same_quote(quotes: list[tuple[int, int]], a: int, b: int) -> bool:
    return all((s <= a < e) == (s <= b < e) for s, e in quotes)


def _is_subject_of(text: str, name_end: int, cue_start: int) -> bool:
    """An armed group speaks only as the subject of the verb ("the BLA said", "TTP (...) claimed"), not when it is
    named inside what someone else says ("35 khwarij of Fitna al-Khawarij were killed, the statement said")."""
    gap = re.sub(r"\([^)]*\)", "", text[name_end:cue_start])
    return len(gap.strip(" ,")) <= 12 and "," not in gap.strip(" ")[:-1]


def _clause_start(text: str, position: int) -> int:
    start = 0
    for match in _CLAUSE_BREAK.finditer(text, 0, position):
        start = match.end()
    return start


def topic_of(text: str, cue: Cue, has_figure: bool) -> str:
    """What the claim is about, read from the words of the sentence around the cue."""
    after = text[cue.start:]
    if _CIVILIANS.search(after) and _DEATHS.search(text):
        return "civilian deaths"
    if _RESPONSIBILITY.search(text):
        return "responsibility"
    if has_figure or _DEATHS.search(text):
        return "casualties"
    return "occurrence"


def _statement_date(sentence: Sentence, cue: Cue, dates: list[DateMention]):
    """The date a statement was made: a date right after the reporting verb ("said on Saturday")."""
    cue_end = sentence.span.start + cue.end
    for mention in dates:
        if 0 <= mention.span.start - cue_end <= 6:
            return mention.start
    return None


_STANCE_WEIGHT = {NCND: 0, LATER: 1, DENIES: 2, ASSERTS: 3}


def _one_per_claimant(claims: list[Claim]) -> list[Claim]:
    """One claim per claimant per sentence: "X denied Pakistan's claims" is X's denial, not also X's assertion, and
    "said ... the statement added" says one thing twice. The most specific stance wins."""
    best: dict[tuple[str, bool], Claim] = {}
    for claim in claims:
        # "The TTP said the strikes hit civilians, denying that a commander's house was hit": a denial added in a
        # participle clause of its own is a second statement beside the assertion, kept apart.
        key = (claim.claimant, claim.stance == DENIES and bool(_PARTICIPLE_DENIAL.search(claim.surface)))
        held = best.get(key)
        if held is None or _STANCE_WEIGHT[claim.stance] < _STANCE_WEIGHT[held.stance]:
            best[key] = claim
    return sorted(best.values(), key=lambda c: claims.index(c))


_PARTICIPLE = re.compile(r"^\w+ing$", re.IGNORECASE)
_PARTICIPLE_DENIAL = re.compile(r"… (?:denying|rejecting|dismissing)$", re.IGNORECASE)
