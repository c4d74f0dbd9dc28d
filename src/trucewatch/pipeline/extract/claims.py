"""Claims: who asserts, denies, neither confirms nor denies, or acknowledges later, and about what.

A claim is found from a cue (a reporting verb, a denial, a "did not comment") and its speaker: the nearest actor
before the cue in the same clause ("ISPR said", "Kabul denied"), or after it ("according to police", "claimed by the
BLA"). Speakers are normalised through the actor dictionary; generic speakers ("police said", "officials said") are
named after the country where the event happened.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from trucewatch.records import ActorMention, Claim, DateMention, Sentence

ASSERTS, DENIES, NCND, LATER = "asserts", "denies", "neither_confirms_nor_denies", "acknowledges_later"

# Ordered: the first family whose cue covers a stretch of text wins it.
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (NCND, re.compile(
        r"neither confirm(?:ed|s)? nor den(?:ied|ies|y)|did not (?:immediately )?(?:comment|respond|confirm|say (?:if|whether))"
        r"|(?:was|were|is|are) not (?:immediately )?available for comment|not immediately available"
        r"|ha(?:s|ve|d) not (?:yet )?(?:officially )?(?:responded|commented|confirmed|acknowledged)|yet to (?:respond|comment|confirm)"
        r"|declined to comment|issued no (?:public )?statement|no immediate comment|refused to comment|not confirm(?:ed)? (?:or|nor) den",
        re.IGNORECASE)),
    (LATER, re.compile(
        r"(?:confirmed|acknowledged|admitted|conceded) for the first time|first (?:public )?acknowledg(?:e)?ment"
        r"|\b(?:later|belatedly|finally) (?:acknowledged|admitted|confirmed|conceded)|\badmitted\b|\bconceded\b",
        re.IGNORECASE)),
    (DENIES, re.compile(
        r"\bden(?:y|ies|ied|ying|ial)\b|\breject(?:s|ed|ing)?\b|\bdismiss(?:ed|es|ing)\b|\brefut(?:e|es|ed)\b"
        r"|\bbaseless\b|\bunfounded\b",
        re.IGNORECASE)),
    (ASSERTS, re.compile(
        r"\bsaid\b|\bsays\b|\bsaying\b|\btold\b|\bconfirm(?:ed|s|ing)?\b|\bstated\b|\bclaim(?:ed|s|ing)?\b"
        r"|\baccording to\b|\breported\b|\bannounced\b|\baccus(?:ed|es|ing)\b|\bblam(?:ed|es|ing)\b|\balleg(?:ed|es|ing)\b"
        r"|\bmaintain(?:ed|s)\b|\bin a statement\b|\bstatement\b|\bcondemn(?:ed|s)\b|\badded\b|\bquoting\b|\bciting\b"
        r"|\binsist(?:ed|s)\b|\bposted on\b|\bpress release\b",
        re.IGNORECASE)),
)
# Where the speaker stands after the cue instead of before it.
_SPEAKER_AFTER = re.compile(
    r"according to|citing|quoting|claimed by|said by|announced by|confirmed by|denied by|rejected by",
    re.IGNORECASE)
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
SPEAKER_KINDS = frozenset({"military", "police", "government", "armed_group", "media", "international"})


@dataclass(frozen=True, slots=True)
class Cue:
    stance: str
    start: int  # offsets within the sentence text
    end: int


def find_cues(text: str) -> list[Cue]:
    cues: list[Cue] = []
    for stance, pattern in _CUES:
        for match in pattern.finditer(text):
            if not any(c.start < match.end() and match.start() < c.end for c in cues):
                cues.append(Cue(stance, match.start(), match.end()))
    return sorted(cues, key=lambda c: c.start)


def find_claims(sentence: Sentence, speakers: list[tuple[ActorMention, str]], dates: list[DateMention],
                has_figure: bool, issuer: str | None = None) -> list[Claim]:
    """Claims in one sentence. `speakers` are the sentence's actor mentions with the claimant name each stands for;
    `issuer` is the party whose own statement the report is: it speaks where no one else does ("The figures are
    rejected as false")."""
    if _HABITUAL.search(sentence.text):
        return []  # "Pakistan has repeatedly accused ...": a standing position, not a statement about this event
    claims: list[Claim] = []
    for cue in find_cues(sentence.text):
        if cue.stance == DENIES and _GENERAL_DENIAL.fullmatch(sentence.text[cue.start:cue.end]):
            continue  # "a charge the Taliban denies": present tense, a standing denial
        found = None if issuer and _passive(sentence.text, cue) else _speaker_for(sentence, cue, speakers)
        if found is None and issuer is None:
            continue
        claimant = found[1] if found else issuer
        about = topic_of(sentence.text, cue, has_figure)
        words = f"{found[0].surface} … {sentence.text[cue.start:cue.end]}" if found else sentence.text[cue.start:cue.end]
        claims.append(Claim(claimant=claimant, stance=cue.stance, about=about, surface=words,
                            span=sentence.span, sentence=sentence.index, stated_on=_statement_date(sentence, cue, dates)))
    return _one_per_claimant(claims)


def _passive(text: str, cue: Cue) -> bool:
    """'are rejected', 'was denied': no subject speaks; in a party's statement, the party does."""
    return bool(re.search(r"\b(?:is|are|was|were|been|be)\s+$", text[max(0, cue.start - 8):cue.start]))


def _speaker_for(sentence: Sentence, cue: Cue, speakers: list[tuple[ActorMention, str]]
                 ) -> tuple[ActorMention, str] | None:
    text, base = sentence.text, sentence.span.start
    cue_text = text[cue.start:cue.end]
    if _SPEAKER_AFTER.search(cue_text) or cue.start == 0:
        after = [s for s in speakers if s[0].span.start - base >= cue.end and s[0].span.start - base - cue.end < 60]
        if after:
            return after[0]
    clause_start = max(_clause_start(text, cue.start), cue.start - _SPEAKER_REACH)
    before = [s for s in speakers if clause_start <= s[0].span.start - base < cue.start
              and (s[0].actor.kind != "armed_group" or _is_subject_of(text, s[0].span.end - base, cue.start))]
    if before:
        return before[-1]
    # "..., a Pakistani official told AP" and "said X" put the speaker after the verb.
    after = [s for s in speakers if 0 <= s[0].span.start - base - cue.end < 40]
    return after[0] if after else None


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
    best: dict[str, Claim] = {}
    for claim in claims:
        held = best.get(claim.claimant)
        if held is None or _STANCE_WEIGHT[claim.stance] < _STANCE_WEIGHT[held.stance]:
            best[claim.claimant] = claim
    return sorted(best.values(), key=lambda c: claims.index(c))
