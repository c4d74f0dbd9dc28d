"""Which happening a sentence reports, in ACLED's event taxonomy.

Trigger phrases live in `data/lexicon/event_triggers.toml`, most specific first: a "suicide blast" is a suicide bomb
before it is a blast, and a blast before it is an attack. Each sentence gives at most one `Mention` per sub-event type.
Generic words ("the attack", "the incident") are marked `generic`: they continue the event being told, and open one
only with a toll or a scene of their own (events.py decides).
"""
from __future__ import annotations

from trucewatch.pipeline.extract import lexicon
from trucewatch.records import Mention, Sentence, Span

BATTLES = "Battles"
EXPLOSIONS = "Explosions/Remote violence"
VIOLENCE_CIVILIANS = "Violence against civilians"
STRATEGIC = "Strategic developments"
PROTESTS = "Protests"
GENERIC = "generic"


Trigger = lexicon.LexiconTrigger


def triggers() -> tuple[Trigger, ...]:
    """The trigger table of `data/lexicon/event_triggers.toml`, most specific first."""
    return lexicon.triggers()


# Sub-event types that one complex happening is often described with; they never split an event on their own.
DEFENSIBLE = {
    frozenset({"Suicide bomb", "Armed clash"}),
    frozenset({"Suicide bomb", "Remote explosive/landmine/IED"}),
    frozenset({"Air/drone strike", "Remote explosive/landmine/IED"}),
    frozenset({"Grenade", "Remote explosive/landmine/IED"}),
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
    starts = lexicon.trigger_starts(sentence.text)
    for trigger, positions in zip(triggers(), starts):
        for match in trigger.finditer(sentence.text, positions):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            if trigger.sub_event_type in found or _negated(sentence.text, match.start()):
                continue
            if trigger.sub_event_type == "Agreement" and passing_agreement(sentence.text):
                continue
            start = sentence.span.start + match.start()
            found[trigger.sub_event_type] = Mention(
                sentence=sentence.index, span=Span(start, sentence.span.start + match.end()),
                event_type=trigger.event_type, sub_event_type=trigger.sub_event_type, trigger=match.group(0))
    return sorted(found.values(), key=lambda m: m.span.start)


def is_generic(mention: Mention) -> bool:
    return mention.event_type == GENERIC




def _negated(text: str, start: int) -> bool:
    """'No firing was heard', 'without a shot fired': a negation among the three words before the trigger."""
    words = text[max(0, start - 40):start].split()[-3:]
    return bool(words) and lexicon.cues("cues", "negation_before").search(" ".join(words) + " ") is not None


def is_hypothetical(sentence_text: str) -> bool:
    """A threat, a plan or a possibility ("vowed to carry out attacks"), not a report of a happening."""
    return bool(lexicon.cues("cues", "hypothetical").search(sentence_text))


def passing_agreement(sentence_text: str) -> bool:
    """'Despite the ceasefire, firing continued': an agreement named in passing, or as broken, is not a new one.
    A sentence makes an agreement when it says so (agreed, signed, brokered, announced, took effect)."""
    made = lexicon.cues("cues", "agreement_made").search(sentence_text)
    return not made or bool(lexicon.cues("cues", "agreement_ended").search(sentence_text))
