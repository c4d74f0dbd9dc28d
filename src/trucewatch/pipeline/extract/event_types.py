"""Which happening a sentence reports, in ACLED's event taxonomy.

Trigger phrases are ordered most specific first: a "suicide blast" is a suicide bomb before it is a blast, and a blast
before it is an attack. Each sentence gives at most one `Mention` per sub-event type. Generic words ("the attack",
"the incident") are marked `generic`: they continue the event being told and never open a new one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from trucewatch.records import Mention, Sentence, Span

BATTLES = "Battles"
EXPLOSIONS = "Explosions/Remote violence"
VIOLENCE_CIVILIANS = "Violence against civilians"
STRATEGIC = "Strategic developments"
GENERIC = "generic"


@dataclass(frozen=True, slots=True)
class Trigger:
    event_type: str
    sub_event_type: str
    pattern: re.Pattern[str]


def _t(event_type: str, sub_event_type: str, pattern: str) -> Trigger:
    return Trigger(event_type, sub_event_type, re.compile(pattern, re.IGNORECASE))


# Most specific first; the first trigger that matches a stretch of text claims it.
TRIGGERS: tuple[Trigger, ...] = (
    _t(EXPLOSIONS, "Suicide bomb",
       r"\bsuicide[- ](?:bomb(?:ing|er|ers|s)?|attack(?:er|ers|s)?|blast|explosion|vest|squad|car bomb)|\bsuicide\b"
       r"|\bVBIED\b|\bvehicle[- ]borne improvised|\bexplosive[s]?[- ]laden (?:vehicle|car|truck)s?"
       r"|\bblew (?:himself|themselves) up|\bdetonated (?:himself|themselves|his explosive|her explosive)"
       r"|\bcar bomb(?:ing)?s?\b"),
    _t(EXPLOSIONS, "Air/drone strike",
       r"\bair[- ]?strikes?\b|\bair[- ]?raids?\b|\bdrone (?:strike|attack)s?\b|\baerial (?:strike|bombardment|attack)s?"
       r"|\b(?:jets|warplanes|fighter jets|aircraft|drones) (?:struck|hit|bombed|targeted|carried out)"
       r"|\bbombed by (?:jets|warplanes|aircraft)|\bair (?:attack|bombardment)s?\b"),
    _t(EXPLOSIONS, "Remote explosive/landmine/IED",
       r"\bIEDs?\b|\bimprovised explosive device|\broadside bomb|\blandmines?\b|\bmagnetic bomb|\bremote[- ]controlled bomb"
       r"|\bbomb blast|\bbomb(?:ing)? attack|\bbombings?\b|\bexplosive device|\bexplosions?\b|\bblasts?\b"
       r"|\bbomb went off|\bexploded\b"),
    _t(EXPLOSIONS, "Shelling/artillery/missile attack",
       r"\bshelling\b|\bshelled\b|\bartillery\b|\bmortars?\b|\bmortar shells?\b|\bmissiles?\b|\brocket(?:s|-propelled)?\b"),
    _t(EXPLOSIONS, "Grenade", r"\bgrenades?\b|\bhand grenade"),
    _t(VIOLENCE_CIVILIANS, "Abduction/forced disappearance",
       r"\bhijack(?:ed|ing|ers)?\b|\babduct(?:ed|ion|s)?\b|\bkidnap(?:ped|ping|s)?\b|\btaken hostage|\bhostages?\b"),
    _t(BATTLES, "Armed clash",
       r"\bclash(?:es|ed)?\b|\bexchange(?:d|s)? (?:of )?fire\b|\btraded fire\b|\bfire exchange\b|\bexchange of fire"
       r"|\bgun ?fights?\b|\bfirefights?\b|\bshoot[- ]?outs?\b|\bencounters?\b|\bfighting\b|\bambush(?:ed|es)?\b"
       r"|\bintelligence[- ]based operation|\bIBO\b|\bclearance operations?\b|\bsanitisation operations?"
       r"|\bsanitization operations?|\bsearch[- ]and[- ]strike operation|\bcounter[- ]terror(?:ism)? operations?"
       r"|\b(?:military|security|army) operations?\b|\boperation against\b|\bcross[- ]border (?:attacks?|raids?|firing)"
       r"|\bretaliatory (?:raids?|attacks?|fire|strikes?)|\battack(?:ed|s)? (?:on )?(?:\w+ )?(?:border )?(?:posts?|checkposts?|check-posts?|convoy)"
       r"|\bopened fire\b|\bstormed\b|\bfought\b|\bhit several points|\btargeted (?:\w+ ){0,3}posts"),
    _t(VIOLENCE_CIVILIANS, "Attack",
       r"\bshot dead\b|\bshot and killed\b|\bgunned down\b|\bassassinat(?:ed|ion)\b|\bbeheaded\b|\bexecuted\b"
       r"|\btortured\b|\bmassacre"),
    _t(STRATEGIC, "Agreement",
       r"\b(?:ceasefire|cease-fire|truce)\b(?!\s+(?:had\s+)?(?:expired|collapsed|lapsed|ended|broke|was violated))|\bpeace (?:agreement|deal|accord)|\bagreement was (?:signed|reached)"
       r"|\bagreed to\b|\bsigned an? (?:agreement|accord)|\barmistice\b"),
    _t(STRATEGIC, "Arrests", r"\barrested\b|\barrests\b|\bdetained\b|\btaken into custody"),
    _t(STRATEGIC, "Other",
       r"\btalks\b|\bnegotiations?\b|\bround of (?:talks|negotiations)|\bdelegations?\b|\bpeace process"
       r"|\bdiscussions?\b|\bmeet(?:ing)? again\b|\bsummit\b"),
    _t(GENERIC, GENERIC,
       r"\battacks?\b|\battacked\b|\bassault\b|\bincident\b|\bstrikes?\b|\bstruck\b|\boperations?\b|\braids?\b"),
)

# A word that is a sub-event on its own but names an earlier or hypothetical happening here ("the threat of strikes").
_NOT_AN_EVENT = re.compile(
    r"\b(?:threat|threats|warned of|warns of|risk|possible|would|could|plans? to|vowed to|vows to|future)\b",
    re.IGNORECASE)


# Sub-event types that one complex happening is often described with; they never split an event on their own.
DEFENSIBLE = {
    frozenset({"Suicide bomb", "Armed clash"}),
    frozenset({"Suicide bomb", "Remote explosive/landmine/IED"}),
    frozenset({"Air/drone strike", "Remote explosive/landmine/IED"}),
    frozenset({"Air/drone strike", "Shelling/artillery/missile attack"}),
    frozenset({"Abduction/forced disappearance", "Armed clash"}),
    frozenset({"Armed clash", "Shelling/artillery/missile attack"}),
    frozenset({"Armed clash", "Attack"}),
}


def defensible(a: str, b: str) -> bool:
    """The same sub-event type, or two a careful coder could both defend for one happening."""
    return a == b or frozenset({a, b}) in DEFENSIBLE


def find_mentions(sentences: list[Sentence]) -> list[Mention]:
    """Mentions in reading order: one per sub-event type found in a sentence, most specific trigger first."""
    mentions: list[Mention] = []
    for sentence in sentences:
        mentions.extend(_mentions_in(sentence))
    return mentions


def _mentions_in(sentence: Sentence) -> list[Mention]:
    taken: list[tuple[int, int]] = []
    found: dict[str, Mention] = {}
    for trigger in TRIGGERS:
        for match in trigger.pattern.finditer(sentence.text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            if trigger.sub_event_type in found or _negated(sentence.text, match.start()):
                continue
            start = sentence.span.start + match.start()
            found[trigger.sub_event_type] = Mention(
                sentence=sentence.index, span=Span(start, sentence.span.start + match.end()),
                event_type=trigger.event_type, sub_event_type=trigger.sub_event_type, trigger=match.group(0))
    return sorted(found.values(), key=lambda m: m.span.start)


def is_generic(mention: Mention) -> bool:
    return mention.event_type == GENERIC


# "No firing was heard", "no new attacks", "without a shot fired": the trigger is said not to have happened.
_NEGATION_BEFORE = re.compile(r"\b(?:no|without|nor|never)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATION_BEFORE.search(text[max(0, start - 30):start]))


def is_hypothetical(sentence_text: str) -> bool:
    return bool(_NOT_AN_EVENT.search(sentence_text))
