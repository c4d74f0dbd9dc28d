"""Assemble one report's findings into events: one per happening the report tells of.

The report is read in order. A sentence with a specific trigger ("suicide bombing", "exchanged fire") joins the
event it is compatible with (same or defensible type, no conflicting date or place) or opens a new one; sentences
that only continue the story (figures, claims, "the attack") join the event being told. Each event then takes its
date, place, actors, figures and claims from its own sentences, with the character span of each sentence kept as
provenance. Background happenings dated only to a month or year are dropped, as ACLED would not code them from a
passing reference.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from math import asin, cos, radians, sin, sqrt

from trucewatch.pipeline.extract import event_types as et, learned, lexicon
from trucewatch.pipeline.extract.actors import (
    GENERIC_SIDE,
    ActorDictionary,
    load_actor_dictionary,
)
from trucewatch.pipeline.extract.budget import Deadline
from trucewatch.pipeline.extract.claims import (
    SPEAKER_KINDS,
    another_person,
    find_claims,
    find_cues,
    introduced_people,
    people_speaking,
    speaker_country,
)
from trucewatch.pipeline.extract.dates import find_dates
from trucewatch.pipeline.extract.fatalities import find_figures
from trucewatch.pipeline.extract.places import (
    Gazetteer,
    find_places,
    load_gazetteer,
    province_capital,
)
from trucewatch.pipeline.extract.sentences import split_sentences
from trucewatch.records import (
    GEO_NEAR,
    TIME_DAY,
    TIME_MONTH,
    TIME_WEEK,
    Actor,
    ActorMention,
    Claim,
    DateMention,
    Event,
    Figure,
    Mention,
    Place,
    PlaceMention,
    Report,
    Sentence,
    Span,
)

SAME_PLACE_KM = 30.0
NEAR_KM = 60.0  # an area or district and a place in or next to it
# Words that show a sentence opens a new, separate happening even without a date of its own (data/lexicon/cues.toml).
_NEW_HAPPENING = lexicon.cues("cues", "new_happening")
_ANOTHER_HAPPENING = lexicon.cues("cues", "another_happening")


_PERFECT = re.compile(r"\b(?:had\s+(?:been\s+)?\w+ed|have\s+\w+ed)\b", re.IGNORECASE)
_PLUPERFECT = re.compile(r"\bhad\s+(?:been\s+)?\w+ed\b", re.IGNORECASE)


def _background(text: str) -> bool:
    """A sentence that looks back at earlier happenings: a cue word ("recent strikes", "since 2021") or a pluperfect
    ("had carried out") or plural present perfect ("militants have attacked"), which tell of what was before the
    news. The singular "has killed" is left out: leads use it for the news itself ("a blast has killed five")."""
    return bool(lexicon.cues("cues", "background").search(text) or _PERFECT.search(text))


def _looking_back(text: str) -> bool:
    """The strong part of `_background`: a look back for certain (cue words, or a pluperfect)."""
    return bool(lexicon.cues("cues", "looking_back").search(text) or _PLUPERFECT.search(text))
# A date right after a reporting verb dates the statement, not the happening ("ISPR said on Saturday"), and so does
# one right before it ("Mujahid on Wednesday claimed that ..."); the verbs are in data/lexicon/cues.toml.
_STATEMENT_VERB = re.compile(
    "(?:" + lexicon.alternation(lexicon.load("cues")["statement_verbs"]).pattern
    + r")\s*(?:on|late on|early on|,)?\s*$",
    re.IGNORECASE)
_STATEMENT_VERB_AFTER = re.compile(
    r"^\s*,?\s*(?:" + lexicon.alternation(lexicon.load("cues")["statement_verbs"]).pattern + ")", re.IGNORECASE)
_NIGHT = re.compile(r"night|overnight|evening", re.IGNORECASE)
# "ISLAMABAD:", "KABUL, AFGHANISTAN –", "Islamabad (TDI):", "QUETTA/RAWALPINDI:", "KABUL, Feb 13, 2025 (BSS/AFP) -"
_DATELINE = re.compile(
    r"^(?:date \d{4}-\d\d-\d\d\s+)?"  # a web archive's header line, kept in some excerpts
    r"(?:[A-Z][\w'’.-]*(?:[ /][A-Z][\w'’.-]*){0,3}|[A-Z][a-z]{2,8}\.? \d{1,2}(?:,? \d{4})?|\d{1,2} [A-Z][a-z]{2,8}\.?"
    r"(?:,? \d{4})?)"  # a place, or only the day of filing ("August 1:")
    r"(?:, [A-Z][\w ,]{0,25}?)?(?: \([^)]{1,30}\))?\s*(?::|--|–|—|-\s)")


@dataclass
class SentenceFacts:
    """What the finders saw in one sentence."""

    sentence: Sentence
    mentions: list[Mention]
    actors: list[ActorMention]
    places: list[PlaceMention]
    dates: list[DateMention]
    event_dates: list[DateMention]
    figures: list[Figure]
    claims: list[Claim]
    sentence_year: int = 0  # the publication year, for telling background years apart
    published: date | None = None
    gazetteer: Gazetteer | None = None  # the report's gazetteer, for places the sentence implies (a capital)

    @property
    def specific(self) -> list[Mention]:
        return [m for m in self.mentions if not et.is_generic(m)]


@dataclass
class Draft:
    """An event being put together from the sentences that tell of it."""

    mentions: list[Mention] = field(default_factory=list)
    facts: list[SentenceFacts] = field(default_factory=list)
    date: DateMention | None = None
    place: PlaceMention | None = None
    opened_with_date: bool = False
    figures: list[Figure] = field(default_factory=list)
    place_firm: bool = True  # false while the place is only a route, a destination or someone's home
    claim_facts: list[SentenceFacts] = field(default_factory=list)  # statements about "these attacks", told elsewhere
    wide: bool = False  # a happening across a province ("attacks in Mastung, Kalat, Turbat and Sibi")

    @property
    def sub_types(self) -> set[str]:
        return {m.sub_event_type for m in self.mentions if not et.is_generic(m)}

    def add(self, facts: SentenceFacts, mentions: list[Mention], scene: Scene | None = None) -> None:
        scene = scene or Scene.of(facts)
        if scene.wide and self.place is None:
            self.wide = True
        if self.place is None and _many_across_a_province(facts, mentions, scene):
            scene, self.wide = scene.widened(facts.gazetteer), True
        if not self.facts or self.facts[-1] is not facts:
            self.facts.append(facts)
        self.mentions.extend(m for m in mentions if m not in self.mentions)
        self.figures.extend(x for x in scene.figures if x not in self.figures)
        if scene.dates and (self.date is None or scene.dates[0].time_precision < self.date.time_precision):
            self.date = scene.dates[0]
        best = best_place(scene.places, facts.sentence)
        firm = best is not None and _place_rank(best, facts.sentence)[0] == 0
        if best is not None and not (self.wide and self.place is not None) and (
                self.place is None or _more_specific(best, self.place) or (firm and not self.place_firm)):
            self.place, self.place_firm = best, firm


@dataclass(frozen=True)
class Scene:
    """The dates and places that go with one trigger: the whole sentence's, unless the sentence tells of several
    happenings ("a ceasefire agreed in Doha ... ahead of talks in Istanbul on Oct. 25"), when each trigger takes
    the ones nearest to it."""

    dates: tuple[DateMention, ...]
    places: tuple[PlaceMention, ...]
    figures: tuple[Figure, ...] = ()
    wide: bool = False  # a happening across many sites of a province, placed at its capital

    def widened(self, gazetteer: Gazetteer | None) -> Scene:
        """The scene as one happening across its province, placed at the capital."""
        province = next((p for p in self.places if p.place.feature == "province"), None)
        capital = province_capital(province.place.country, province.place.admin1, gazetteer) if province and (
            province.place.admin1) else None
        if province is None or capital is None:
            return self
        return replace(self, places=(replace(province, place=capital),), wide=True)

    @staticmethod
    def of(facts: SentenceFacts) -> Scene:
        whole = Scene(tuple(facts.event_dates), tuple(facts.places), tuple(facts.figures))
        return _across(facts.sentence, whole, facts.gazetteer) or whole


def _scenes(f: SentenceFacts) -> list[tuple[Mention, Scene]]:
    specific = f.specific
    whole = Scene.of(f)
    causes = [m for m in specific if _is_cause(f.sentence, m)]
    if causes:  # "hit several points in retaliation for airstrikes last week": last week dates the airstrikes
        owned = _near_all(causes, specific, f)
        return [(m, scene) for m, scene in owned if m not in causes]
    if len(specific) < 2 or all(_defensible(a.sub_event_type, b.sub_event_type) for a in specific for b in specific):
        # The date written nearest the trigger comes first: "talks on Sunday ... after October's border clashes".
        scenes = [(m, replace(whole, dates=tuple(sorted(whole.dates, key=lambda d: _gap(d.span, m.span)))))
                  for m in specific]
    else:
        return _near_all([], specific, f)
    return [(m, part) for m, scene in scenes for part in _split_places(f.sentence, scene, f.gazetteer)]


def _near_all(causes: list[Mention], specific: list[Mention], f: SentenceFacts) -> list[tuple[Mention, Scene]]:
    """Each trigger with the dates, places and figures that belong to it (causes keep theirs to themselves)."""
    scenes = [(m, Scene(_near(m, specific, f.event_dates, m not in causes, f.sentence),
                        _near(m, specific, f.places, False, f.sentence),
                        _near(m, specific, f.figures, False, f.sentence)))
              for m in specific]
    return [(m, part) for m, scene in scenes for part in _split_places(f.sentence, scene, f.gazetteer)]


def _is_container(place: PlaceMention, places: tuple[PlaceMention, ...], sentence: Sentence) -> bool:
    """'Dera Ismail Khan's Paniyala area', 'Khyber Pakhtunkhwa's Bannu': the first place holds the second."""
    after = sentence.text[place.span.end - sentence.span.start:place.span.end - sentence.span.start + 3]
    return after[:2] in ("'s", "’s") and any(0 < p.span.start - place.span.end < 25 for p in places)


def _figure_owner(figure: Figure, anchors: list[PlaceMention]) -> PlaceMention:
    """The place named last before a figure ("in Bajaur, 22 ... while in South Waziristan, 12 ..."), else the first."""
    before = [a for a in anchors if a.span.end <= figure.span.start]
    return max(before, key=lambda a: a.span.end) if before else anchors[0]


def _near(mention: Mention, specific: list[Mention], items: list, inherit: bool, sentence: Sentence) -> tuple:
    """The dates (or places) that belong to this trigger: each goes to the nearest trigger written before it
    ("a ceasefire announced Sunday after talks in Doha"), or the first trigger if none is. A trigger with no date of
    its own takes the dates written before it, since a fronted clause sets the time for what follows ("When the
    truce expired on Friday, ... new airstrikes killed 17"); places are not shared that way."""
    mine = tuple(x for x in items if _owner(x.span, specific, sentence) is mention)
    if mine or not inherit:
        return mine
    base = sentence.span.start
    # "aircraft hit targets during last week's fighting": the date of the fighting dates the strike too.
    during = tuple(x for x in items if x.span.start >= mention.span.end
                   and _DURING.search(sentence.text[max(0, x.span.start - base - 30):x.span.start - base]))
    return tuple(x for x in items if x.span.end <= mention.span.start) + during


_DURING = re.compile(r"\b(?:during|amid|throughout|in the course of)\s+(?:the\s+)?$", re.IGNORECASE)


_MODIFIER_GAP = re.compile(r"^(?:['’]s)?(?:\s+(?!(?:after|before|ahead|following|during|in|on|at|of|with|and|but|"
                           r"was|were|is|are|had|has)\b)[\w-]+){0,2}\s+$", re.IGNORECASE)


def _modifies(span: Span, mention: Mention, sentence: Sentence) -> bool:
    base = sentence.span.start
    return bool(_MODIFIER_GAP.match(sentence.text[span.end - base:mention.span.start - base]))


def _owner(span: Span, specific: list[Mention], sentence: Sentence) -> Mention:
    # "October's border clashes", "last week's strikes": a date or place right before a trigger modifies it.
    modified = [m for m in specific if 0 <= m.span.start - span.end <= 25 and _modifies(span, m, sentence)]
    if modified:
        return min(modified, key=lambda m: m.span.start)
    before = [m for m in specific if m.span.end <= span.start]
    if before:
        return max(before, key=lambda m: m.span.end)
    return min(specific, key=lambda m: _gap(m.span, span))


def _gap(a: Span, b: Span) -> int:
    return max(0, b.start - a.end, a.start - b.end)


_COORDINATION = re.compile(r"^(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)$")


_ACROSS = re.compile(r"\b(?:across|throughout|all over)\s+(?:the\s+)?(?:province|region|restive\s+province|"
                     r"(?=[A-Z]))", re.IGNORECASE)


def _across(sentence: Sentence, scene: Scene, gazetteer: Gazetteer | None) -> Scene | None:
    """'Attacks across the province left 40 dead', 'protests across Khyber Pakhtunkhwa': one happening across a
    province, placed at its capital (precision 3) whatever single towns the sentence also names."""
    match = _ACROSS.search(sentence.text)
    if match is None:
        return None
    after = sentence.span.start + match.end()
    named = [p for p in scene.places if p.place.feature == "province" and 0 <= p.span.start - after <= 2]
    provinces = {(p.place.country, p.place.admin1) for p in scene.places if p.place.admin1}
    if named:
        country, admin1 = named[0].place.country, named[0].place.admin1
    elif len(provinces) == 1 and match.group(0).lower().rstrip().endswith(("province", "region")):
        country, admin1 = next(iter(provinces))
    else:
        return None
    capital = province_capital(country, admin1, gazetteer) if admin1 else None
    anchor = named[0] if named else next(p for p in scene.places if p.place.admin1 == admin1)
    if capital is None:
        return None
    return Scene(scene.dates, (replace(anchor, place=capital),), scene.figures, wide=True)


_PLURAL_HEAD = re.compile(r"s$|ings$")


def _many_across_a_province(facts: SentenceFacts, mentions: list[Mention], scene: Scene) -> bool:
    """'Several coordinated attacks in Balochistan killed 37': a plural happening placed only by its province is one
    happening across it; the sites the story names next are happenings of their own."""
    best = best_place(list(scene.places), facts.sentence)
    if best is None or best.place.feature != "province":
        return False
    base = facts.sentence.span.start
    return any(_PLURAL_HEAD.search(m.trigger.lower()) and lexicon.cues("cues", "many_happenings").search(
        facts.sentence.text[max(0, m.span.start - base - 40):m.span.start - base]) for m in mentions)


def _split_places(sentence: Sentence, scene: Scene, gazetteer: Gazetteer | None = None) -> list[Scene]:
    """One event per location, as ACLED codes them: 'airstrikes in Kabul and Kandahar', or 'in the first operation in
    Bajaur, 22 were killed, while in the second encounter in South Waziristan, 12 soldiers died'. Places on the way
    ("from Thall to Parachinar") and places that contain another (a district and a town in it) do not split."""
    wide = _across(sentence, scene, gazetteer)
    if wide is not None:
        return [wide]
    scenes = [p for p in scene.places if p.place.feature != "country" and p.place.geo_precision < 3
              and _place_rank(p, sentence)[0] == 0 and not _is_container(p, scene.places, sentence)]
    distinct: list[PlaceMention] = []
    for p in scenes:
        if all(not _same_area(p.place, q.place) and _km(p.place, q.place) > SAME_PLACE_KM for q in distinct):
            distinct.append(p)
    if len(distinct) < 2:
        return [scene]
    others = tuple(p for p in scene.places if p not in scenes)
    if len(distinct) >= _MANY_SITES:
        return _province_wide(scene, distinct, others, gazetteer)
    parts = []
    for anchor in distinct:
        figures = tuple(x for x in scene.figures if _figure_owner(x, distinct) is anchor)
        parts.append(Scene(_dates_of_site(anchor, distinct, scene.dates), (anchor,) + others, figures))
    return parts


def _dates_of_site(anchor: PlaceMention, sites: list[PlaceMention], dates: tuple[DateMention, ...]
                   ) -> tuple[DateMention, ...]:
    """'A post in Turbat on May 2 and the port in Gwadar on May 20': each site takes the days written after it and
    before the next site; a site with none keeps the sentence's."""
    later = [p.span.start for p in sites if p.span.start > anchor.span.start]
    end = min(later) if later else None
    own = tuple(d for d in dates if d.span.start > anchor.span.start and (end is None or d.span.start < end))
    return own or dates


_MANY_SITES = 3  # a list this long, in one breath, tells of one coordinated happening rather than of separate ones


def _province_wide(scene: Scene, sites: list[PlaceMention], others: tuple[PlaceMention, ...],
                   gazetteer: Gazetteer | None = None) -> list[Scene]:
    """'Attacks in Mastung, Kalat, Turbat and Panjgur': one happening across a province, placed at its capital (geo
    precision 3, as ACLED does), plus a site of its own for each place the sentence gives a toll for."""
    parts = []
    tolled = {id(_figure_owner(x, sites)): _figure_owner(x, sites) for x in scene.figures}
    for anchor in tolled.values():
        figures = tuple(x for x in scene.figures if _figure_owner(x, sites) is anchor)
        parts.append(Scene(scene.dates, (anchor,) + others, figures))
    rest = [p for p in sites if id(p) not in tolled]
    capital = _shared_capital(rest, gazetteer)
    if capital is not None and len(rest) >= 2:
        parts.append(Scene(scene.dates, (replace(rest[0], place=capital),) + others, (), wide=True))
    elif rest:
        parts.append(Scene(scene.dates, (rest[0],) + others, ()))
    return parts


def _shared_capital(sites: list[PlaceMention], gazetteer: Gazetteer | None) -> Place | None:
    """The capital of the one province all the sites lie in; None when they lie in several, or in no known one."""
    provinces = {(p.place.country, p.place.admin1) for p in sites}
    if len(provinces) != 1:
        return None
    country, admin1 = next(iter(provinces))
    return province_capital(country, admin1, gazetteer) if admin1 else None


def assemble_events(report: Report, dictionary: ActorDictionary | None = None,
                    gazetteer: Gazetteer | None = None, deadline: Deadline | None = None) -> list[Event]:
    """The events one report tells of. The actor dictionary and gazetteer are the shipped ones unless the caller
    hands others (another conflict's, read from its data folder). Past the `deadline` (checked between stories,
    sentences and events) it raises TW-E119 and returns nothing."""
    dictionary = (dictionary or load_actor_dictionary()).on(report.published)
    gazetteer = gazetteer or load_gazetteer()
    deadline = deadline or Deadline.none()
    events: list[Event] = []
    for story in stories(report.text, split_sentences(report.text)):
        deadline.check()
        events += _assemble_story(report, story, dictionary, gazetteer, deadline, first_number=len(events))
    return _same_actors_at_every_site(events)


def _assemble_story(report: Report, sentences: list[Sentence], dictionary: ActorDictionary, gazetteer: Gazetteer,
                    deadline: Deadline, first_number: int) -> list[Event]:
    facts = _read_sentences(report, sentences, dictionary, gazetteer, deadline)
    dateline = _split_dateline(facts)
    country = _report_country(facts, dictionary.party_countries())
    drafts = _group(facts, deadline)
    _share_plural_claims(drafts)
    events: list[Event] = []
    context = _Discourse(report.published, dateline=dateline[0] if dateline else None, facts=facts,
                         drafts_by_sentence={f.sentence.index: d for d in drafts for f in d.facts}, gazetteer=gazetteer)
    for draft in drafts:
        deadline.check()
        event = _finish(draft, report, dictionary, country, context, number=first_number + len(events))
        if event is not None:
            events.append(event)
    return events


# A story: the stretch of a report that its report-level readings span (the happening a sentence continues, a
# group named once for the whole story, the speakers it introduced, a date or place later events inherit). A news
# article is one story; a longer text (a digest, a compilation, a crafted file) is read as consecutive stories, each
# closed at the first paragraph break after STORY_CHARS characters, or, without one, at the first sentence end after
# STORY_SLACK more. This keeps the work per story bounded, so extraction time grows linearly with the text
# (docs/extraction.md); a small slack keeps stories of text without paragraphs as long as those of text with them, so
# the two cost the same per MB (at twice the length, text without paragraphs took twice as long).
STORY_CHARS = 20_000  # about 3,300 words: longer than a long news article
STORY_SLACK = 2_000


def stories(text: str, sentences: list[Sentence]) -> list[list[Sentence]]:
    """The report's sentences in consecutive stories (see STORY_CHARS); one story for a text of news length."""
    runs: list[list[Sentence]] = []
    run: list[Sentence] = []
    for sentence, following in zip(sentences, [*sentences[1:], None]):
        run.append(sentence)
        size = sentence.span.end - run[0].span.start
        paragraph_ends = following is None or "\n" in text[sentence.span.end:following.span.start]
        if size >= STORY_CHARS + STORY_SLACK or (size >= STORY_CHARS and paragraph_ends):
            runs.append(run)
            run = []
    return [*runs, run] if run else runs


def _same_actors_at_every_site(events: list[Event]) -> list[Event]:
    """The sites of one happening (one trigger sentence, one type and date, split by place) share their actors: the
    pair read from the site whose sentences name them ("Afghan units ...") goes to a site whose own sentences only say
    "its forces"."""
    def key(e: Event) -> tuple:
        trigger = next((span.start for name, span in e.provenance if name == "event_type"), None)
        return trigger, e.event_type, e.event_date, e.event_date_end

    named: dict[tuple, tuple[str | None, str | None]] = {}
    for e in events:
        if e.actor1 and not e.actor1.startswith("Unidentified"):
            named.setdefault(key(e), (e.actor1, e.actor2))
    return [replace(e, actor1=named[key(e)][0], actor2=named[key(e)][1])
            if (not e.actor1 or e.actor1.startswith("Unidentified")) and key(e) in named else e for e in events]


# --- reading sentences ------------------------------------------------------------------------------------

def _read_sentences(report: Report, sentences: list[Sentence], dictionary: ActorDictionary,
                    gazetteer: Gazetteer | None = None, deadline: Deadline | None = None) -> list[SentenceFacts]:
    gazetteer = gazetteer or load_gazetteer()
    actors = dictionary.find(sentences, report.published)
    places = find_places(report.text, sentences, gazetteer)
    dates = find_dates(sentences, report.published)
    mentions = et.find_mentions(sentences)
    by_sentence = [SentenceFacts(s, [], [], [], [], [], find_figures(s), [], report.published.year, report.published,
                                 gazetteer) for s in sentences]
    first = sentences[0].index if sentences else 0  # the story's first sentence: indices run on across stories
    for item, bucket in ((actors, "actors"), (places, "places"), (dates, "dates"), (mentions, "mentions")):
        for x in item:
            getattr(by_sentence[x.sentence - first], bucket).append(x)
    for f in by_sentence:
        if deadline is not None:
            deadline.check()
        f.places = [p for p in f.places if not _inside_actor(p, f.actors) and not _in_compound(p, report.text)
                    and not _a_persons_name(p, report.text)
                    and (_is_strategic(f) or not _where_spoken(p, report.text))]
        f.event_dates = [d for d in f.dates if (_is_strategic(f) or not _dates_a_statement(f.sentence, d)) and (
            d.start <= report.published or _is_strategic(f))]
        if f.specific and et.is_hypothetical(f.sentence.text) and not f.figures:
            f.mentions = []
    return by_sentence


def _is_strategic(f: SentenceFacts) -> bool:
    """Talks and ceasefires may be announced ahead; violence is reported after the fact."""
    return any(m.event_type == et.STRATEGIC for m in f.mentions)


def _in_compound(place: PlaceMention, text: str) -> bool:
    """'Islamabad-Kabul talks', 'the Türkiye–Qatar track': names joined by a dash describe a relation, not a scene."""
    before, after = text[max(0, place.span.start - 2):place.span.start], text[place.span.end:place.span.end + 2]
    return bool(re.match(r"[-–][A-ZÀ-Þ]", after)) or bool(re.search(r"[A-Za-zà-ÿ][-–]$", before))


_SPOKEN_IN = re.compile(
    r"\b(?:speaking|spoke|talking|told|said|says|briefing|briefed|statement|interview|(?:news|press) conference)"
    r"(?:\s+(?:to\s+)?(?:reporters|journalists|the\s+media|the\s+press|a\s+(?:news|press)\s+conference|"
    r"parliament|the\s+senate|lawmakers))?\s+(?:in|from)\s+(?:the\s+)?$", re.IGNORECASE)


def _where_spoken(place: PlaceMention, text: str) -> bool:
    """'Speaking to reporters in Kabul, the spokesman said ...': where a party spoke, not where anything happened
    (talks and agreements are the exception: the caller keeps those places)."""
    return bool(_SPOKEN_IN.search(text[max(0, place.span.start - 60):place.span.start]))




_LAST_WORD = re.compile(r"([\w.]+)\s+$")


def _a_persons_name(place: PlaceMention, text: str) -> bool:
    """'Dr Qaisar Abbas', 'Mullah Kunar Khan': a title before the name makes it a person's."""
    before = _LAST_WORD.search(text[max(0, place.span.start - 20):place.span.start])
    return before is not None and before.group(1).lower().rstrip(".") in lexicon.words("cues", "person_title_before")


def _someones_home(place: PlaceMention, text: str, offset: int = 0) -> bool:
    """'Sepoy X, resident of Khairpur', 'taken to a hospital in Quetta': a home, a route or a destination, not the
    scene (the cue words are in data/lexicon/cues.toml). Such a place ranks last: it places an event only when
    nothing else does, since a witness may live where it happened ("a resident of Barmal said")."""
    start = place.span.start - offset
    window = _last_words(text[max(0, start - 60):start], 6)
    cue = lexicon.cues("cues", "not_scene_before").search(window)
    # "traveling to work in Bannu": a scene preposition after the cue puts the place back at the scene.
    return cue is not None and not _SCENE_PREPOSITION.search(window[cue.end():])


def _last_words(text: str, count: int) -> str:
    """The last `count` words before a position, as written (commas kept), ending with a space."""
    return " ".join(text.split()[-count:]) + " "


_SCENE_PREPOSITION = re.compile(r"\b(?:in|at|near|inside|outside)\b", re.IGNORECASE)


def _inside_actor(place: PlaceMention, actors: list[ActorMention]) -> bool:
    """'Islamabad denied', 'Kurram police': the name stands for a speaker or is part of one, not the scene."""
    return any(a.span.start <= place.span.start and place.span.end <= a.span.end for a in actors)


def _split_dateline(facts: list[SentenceFacts]) -> list[PlaceMention]:
    """Take the dateline places ("QUETTA:", "KABUL, Feb 13 (AFP) -") out of the first sentences.

    A dateline says where the reporter filed from, which is often not where it happened (a Kabul bombing filed from
    Islamabad), so it only places an event that names no place of its own.
    """
    for f in facts[:8]:
        match = _DATELINE.match(f.sentence.text)
        if match:
            end = f.sentence.span.start + match.end()
            dateline = [p for p in f.places if p.span.start < end]
            f.places = [p for p in f.places if p.span.start >= end]
            f.event_dates = [d for d in f.event_dates if d.span.start >= end]  # "KABUL, Feb 13 (AFP) -" dates the copy
            return dateline
    return []


def _dates_a_statement(sentence: Sentence, mention: DateMention) -> bool:
    if _NIGHT.search(mention.surface):
        return False  # "said last night, militants ..." dates the attack: statements are dated by the day
    before = sentence.text[:mention.span.start - sentence.span.start]
    after = sentence.text[mention.span.end - sentence.span.start:]
    return bool(_STATEMENT_VERB.search(before[-40:]) or _STATEMENT_VERB_AFTER.match(after))


def _report_country(facts: list[SentenceFacts], parties: tuple[str, ...]) -> str | None:
    """The conflict country the report is mostly about, for naming generic actors before an event has a place."""
    counts = {c: 0 for c in parties}
    if not counts:
        return None
    for f in facts:
        for p in f.places:
            if p.place.country in counts:
                counts[p.place.country] += 1 if p.place.feature == "country" else 2
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else None


# --- grouping sentences into events -----------------------------------------------------------------------

def _group(facts: list[SentenceFacts], deadline: Deadline | None = None) -> list[Draft]:
    drafts: list[Draft] = []
    current: Draft | None = None
    # The scene set by the sentence just before, when it has no trigger: "Eight men tried to enter the port complex
    # in Gwadar. Troops responded, and in the ensuing exchange of fire ..."; before the first happening, the headline's
    # ("... Reopen Torkham Border Crossing. Published on. On September 6th, gunfire erupted ...").
    setting: PlaceMention | None = None
    lead: list[SentenceFacts] = []  # generic sentences before the first happening opens ("X was attacked on Monday")
    for f in facts:
        if deadline is not None:
            deadline.check()
        if not drafts and not f.specific and any(et.is_generic(m) for m in f.mentions):
            lead.append(f)
        if not f.specific:
            place = best_place(f.places, f.sentence)
            if place is not None and _place_rank(place, f.sentence)[0] == 0:
                setting = place
        if f.specific:
            here: Draft | None = None  # the draft this sentence's first trigger went to
            looks_back = not f.event_dates and (_looking_back(f.sentence.text) or _names_a_past_year(f))
            previous: Mention | None = None
            for mention, scene in _scenes(f):
                if here is not None and previous is not None and _coordinated(previous, mention, f.sentence):
                    here.add(f, [mention], scene)  # "explosions and heavy gunfire": two words for one happening
                    continue
                previous = mention
                if looks_back:  # "the first strikes since 2022, when Pakistan hit ...": no place for today's news
                    scene = replace(scene, places=())
                target = _compatible_draft(drafts, current, mention, f, scene)
                if target is None and here is not None and _same_scene(here, scene) and any(
                        _defensible(mention.sub_event_type, s) for s in here.sub_types):
                    target = here  # "a follow-up operation ... terrorists were gunned down": one happening
                if target is None:
                    if _is_cause(f.sentence, mention) or not _may_open(drafts, f, scene):
                        continue
                    target = Draft(opened_with_date=bool(scene.dates), wide=scene.wide)
                    if not drafts:
                        _take_the_lead(target, lead, f, scene)
                    drafts.append(target)
                    if setting is not None and (setting.sentence == f.sentence.index - 1 or len(drafts) == 1) and (
                            best_place(list(scene.places)) is None):
                        target.place, target.place_firm = setting, True
                target.add(f, [mention], scene)
                current = here = target
        elif current is not None and (f.mentions and _own_day(f, current) or (
                (f.mentions or f.figures) and _generic_opens(f, current))):
            earlier = _told_before(drafts, f)
            if earlier is not None:
                earlier.add(f, f.mentions)  # a return to a happening told before; the story goes on where it was
            else:
                for scene in _dated_clauses(f):  # "attacked Mach on January 29 and Gwadar on March 20": two
                    current = _opened(drafts, f)
                    current.add(f, f.mentions, scene)
        elif current is not None and _continues(f, current):
            current.add(f, [m for m in f.mentions])
        elif current is None and f.figures and any(m for m in f.mentions):
            current = Draft(opened_with_date=bool(f.event_dates))
            current.add(f, f.mentions)
            drafts.append(current)
    return _fold_overviews([d for d in drafts if d.sub_types or d.mentions or d.figures])


def _fold_overviews(drafts: list[Draft]) -> list[Draft]:
    """An overview dated only to a month ("strikes carried out earlier this month") is folded into the day-dated
    event of the same kind and place it sums up, so its claims (a later acknowledgement, say) are not lost."""
    kept = []
    for draft in drafts:
        if draft.date is None or draft.date.time_precision < TIME_MONTH:
            kept.append(draft)
            continue
        host = next((d for d in drafts if d is not draft and d.date is not None and d.date.time_precision == TIME_DAY
                     and d.sub_types & draft.sub_types and _within(d.date, draft.date)
                     and (d.place is None or draft.place is None or _same_area(d.place.place, draft.place.place))),
                    None)
        if host is None:
            kept.append(draft)
            continue
        host.facts = sorted(host.facts + [f for f in draft.facts if f not in host.facts],
                            key=lambda f: f.sentence.index)
        host.mentions += [m for m in draft.mentions if m not in host.mentions]
        host.figures += [x for x in draft.figures if x not in host.figures]
    return kept


def _within(day: DateMention, period: DateMention) -> bool:
    return period.start <= day.start <= (period.end or period.start)


def _same_scene(draft: Draft, scene: Scene) -> bool:
    place = best_place(list(scene.places))
    return draft.place is None or place is None or draft.place.place == place.place


_CAUSE = re.compile(r"(?:retaliation|revenge|reprisal|response|retaliate|avenge)\s+(?:for|to|against)\s+(?:the\s+)?"
                    r"(?:[\w’'-]+\s+){0,4}$", re.IGNORECASE)


_AND = re.compile(r"^\s*(?:,\s*)?(?:and|as well as|with|or)?\s*(?:heavy\s+|intense\s+|several\s+)?$",
                  re.IGNORECASE)


def _coordinated(first: Mention, second: Mention, sentence: Sentence) -> bool:
    """'explosions and heavy gunfire', 'blasts, gunfire': triggers joined by 'and' name one happening together."""
    base = sentence.span.start
    between = sentence.text[first.span.end - base:second.span.start - base]
    return 0 <= second.span.start - first.span.end <= 20 and bool(_AND.match(between))


def _is_cause(sentence: Sentence, mention: Mention) -> bool:
    """'in retaliation for Pakistani air strikes': a happening named as the cause of this one, told elsewhere."""
    at = mention.span.start - sentence.span.start
    before = sentence.text[max(0, at - 60):at]
    return bool(_CAUSE.search(before))


def _take_the_lead(draft: Draft, lead: list[SentenceFacts], f: SentenceFacts, scene: Scene) -> None:
    """The first happening is the one the lead told in generic words ("the naval air station was attacked on
    Monday"): its date dates it when its own sentence has none."""
    if scene.dates:
        return
    for earlier in lead:
        dates = [d for d in earlier.event_dates if d.time_precision <= TIME_WEEK]
        if dates and (f.published is None or _dates_overlap(_news_week(f.published), dates[0])):
            draft.add(earlier, [m for m in earlier.mentions if et.is_generic(m)],
                      Scene(tuple(dates), tuple(earlier.places), tuple(earlier.figures)))
            return


def _dated_clauses(f: SentenceFacts) -> list[Scene]:
    """The happenings a sentence without a trigger dates one by one ("the group attacked Mach city on January 29 and
    the intelligence office in Gwadar on March 20"): each day with the places written between it and the day before.
    One day, or places that do not pair up, and the sentence is one scene."""
    whole = Scene.of(f)
    days = [d for d in f.event_dates if d.time_precision == TIME_DAY]
    if len(days) < 2:
        return [whole]
    scenes, previous_end = [], f.sentence.span.start
    for day in days:
        places = tuple(p for p in f.places if previous_end <= p.span.start < day.span.start
                       and p.place.feature != "country")
        if not places:
            return [whole]
        scenes.append(Scene((day,), places, tuple(x for x in f.figures if previous_end <= x.span.start < day.span.end)))
        previous_end = day.span.end
    return scenes


_PLURAL_REFERENCE = re.compile(r"\b(?:these|those|the|both|all|three|two|four|all the)\s+(?:\w+\s+)?"
                               r"(?:attacks|strikes|incidents|clashes|bombings|blasts|raids|killings|operations)\b",
                               re.IGNORECASE)


def _share_plural_claims(drafts: list[Draft]) -> None:
    """'The Taliban have not commented on these attacks': a statement about several happenings of the story is a
    claim about each of them, not only about the one whose sentences it sits among; a date of its own ('said on
    Monday that the strikes ...') keeps it to the happenings of that day. The day of the happening it sits among
    does not: that one may be an earlier happening the story dates back ('two days after insurgents killed ...')."""
    for draft in drafts:
        for f in draft.facts:
            cues = find_cues(f.sentence.text)
            if not cues:
                continue
            # "confirmed for the first time that it carried out airstrikes during the conflict": an admission or a
            # denial of the kind of happening as a whole reaches every happening of that kind the story tells.
            of_the_kind = any(c.stance in ("acknowledges_later", "denies") for c in cues) and any(
                m.sub_event_type in draft.sub_types and _PLURAL_HEAD.search(m.trigger.lower()) for m in f.mentions)
            if not (of_the_kind or _PLURAL_REFERENCE.search(f.sentence.text)):
                continue
            for other in drafts:
                if other is draft or other.wide != draft.wide or f in other.facts or f in other.claim_facts:
                    continue
                if _is_talk(draft) != _is_talk(other):
                    continue  # what is said of the strikes is not said of the talks
                if of_the_kind:
                    if not draft.sub_types & other.sub_types:
                        continue
                elif f.event_dates and other.date is not None and not _dates_overlap(f.event_dates[0], other.date):
                    continue
                other.claim_facts.append(f)


def _is_talk(draft: Draft) -> bool:
    return bool(draft.sub_types) and all(m.event_type == et.STRATEGIC for m in draft.mentions if not et.is_generic(m))


def _told_before(drafts: list[Draft], f: SentenceFacts) -> Draft | None:
    """An earlier happening at the same site on a compatible day: the story comes back to it ("11 killed in Kalat"
    in the summary, "eleven people were dead in Kalat" after a paragraph on other districts)."""
    place = _firm_place(f.places, f.sentence)
    if place is None or _background(f.sentence.text) or _ANOTHER_HAPPENING.search(f.sentence.text):
        return None  # a look back, or "in a separate attack": not a return to one told before
    for draft in reversed(drafts):
        if draft.wide or draft.place is None or _km(draft.place.place, place.place) > SAME_PLACE_KM:
            continue
        if f.event_dates and (draft.date is None or not _dates_overlap(draft.date, f.event_dates[0])):
            continue
        return draft
    return None


def _opened(drafts: list[Draft], f: SentenceFacts) -> Draft:
    draft = Draft(opened_with_date=bool(f.event_dates))
    drafts.append(draft)
    return draft


def _generic_opens(f: SentenceFacts, current: Draft) -> bool:
    """'In Parwan, its fighters attacked the gate of an airfield, killing four', 'six people found shot dead in
    Bolan': a generic head word, or a toll alone, opens a happening of its own when its sentence says what it did
    (a toll) or marks it as separate ("in a separate attack"), at a scene of its own away from the event being told,
    and does not look back. Its type then comes from who died."""
    place = _scene_of_violence(f)
    separate = bool(_NEW_HAPPENING.search(f.sentence.text))
    if place is None or _place_rank(place, f.sentence)[0] != 0 or place.place.geo_precision > (3 if separate else 2):
        return False
    if current.place is not None and _same_area(current.place.place, place.place) and not separate and not current.wide:
        return False
    if _background(f.sentence.text) or _names_a_past_year(f):
        return False
    return bool(f.figures or separate)


def _own_day(f: SentenceFacts, current: Draft) -> bool:
    """'On January 4, a convoy was attacked near X': a day of its own, apart from the event being told."""
    day = next((d for d in f.event_dates if d.time_precision == TIME_DAY), None)
    place = _scene_of_violence(f)
    if place is None or (place.place.geo_precision >= 3 and _background(f.sentence.text)):
        return False  # "although militant attacks continue in the province": the situation, not a happening
    return day is not None and current.date is not None and not _dates_overlap(current.date, day)


def _scene_of_violence(f: SentenceFacts) -> PlaceMention | None:
    """Where a sentence without a trigger of its own could place violence: not a far capital where talks were held
    ("the ceasefire agreed in Doha has held, though attacks go on")."""
    return best_place([p for p in f.places if p.place.feature != "world_city"], f.sentence)


def _may_open(drafts: list[Draft], f: SentenceFacts, scene: Scene) -> bool:
    """The first happening always opens; a later one needs a date, a figure, or words that mark it as separate."""
    if not drafts:
        return True
    if not scene.dates and (_background(f.sentence.text) or _names_a_past_year(f)):
        return False
    return bool(scene.dates or f.figures or _NEW_HAPPENING.search(f.sentence.text) or scene.wide
                or _has_new_place(drafts, f, scene))


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def _names_a_past_year(f: SentenceFacts) -> bool:
    """'in 2007', 'since 2021': the sentence tells of an earlier year, not of this report's news."""
    published_year = f.sentence_year
    return any(int(y) < published_year for y in _YEAR.findall(f.sentence.text))


def _firm_place(places: list[PlaceMention], sentence: Sentence) -> PlaceMention | None:
    """The sentence's scene, unless all it names is a route, a destination or someone's home."""
    place = best_place(places, sentence)
    return place if place is not None and _place_rank(place, sentence)[0] == 0 else None


def _has_new_place(drafts: list[Draft], f: SentenceFacts, scene: Scene) -> bool:
    place = _firm_place(list(scene.places), f.sentence)
    if place is None or place.place.geo_precision > 2:
        return False
    return all(d.place is None or not _same_area(d.place.place, place.place) for d in drafts)


def _compatible_draft(drafts: list[Draft], current: Draft | None, mention: Mention, f: SentenceFacts,
                      scene: Scene) -> Draft | None:
    """The event this mention belongs to: the current one first, then earlier ones, newest first."""
    # "In a separate attack": not the one being told, unless at its very place (a quoted statement that told the
    # happenings in another order than the story around it).
    separate = bool(_ANOTHER_HAPPENING.search(f.sentence.text)) and not (
        current is not None and current.place is not None and (here := _firm_place(list(scene.places), f.sentence))
        is not None and _km(here.place, current.place.place) <= SAME_PLACE_KM)
    ordered = ([current] if current and not separate else []) + [
        d for d in reversed(drafts) if d is not current]
    for draft in ordered:
        if mention.sub_event_type in draft.sub_types and _fits(draft, f, scene):
            return draft
    if current is not None and not separate and _fits(current, f, scene) and not _names_another_town(
            current, f, scene) and (
            not current.sub_types or any(_defensible(mention.sub_event_type, s) for s in current.sub_types)):
        if not (_NEW_HAPPENING.search(f.sentence.text) and mention.sub_event_type not in current.sub_types):
            return current
    return None


_defensible = et.defensible


def _fits(draft: Draft, f: SentenceFacts, scene: Scene) -> bool:
    """No conflicting date and no conflicting place. A draft dated only to a month ("earlier this month") takes
    no trigger that has a day of its own: that is a new happening the overview sentence did not date. A province-wide
    happening and one at a single site are told apart even inside one province."""
    if scene.wide != draft.wide:
        return False
    if draft.date is not None and scene.dates:
        day = scene.dates[0]
        if not _dates_overlap(draft.date, day):
            return False
        if draft.date.time_precision == TIME_MONTH and day.time_precision == TIME_DAY:
            return False
    elif scene.dates and f.published is not None and not _dates_overlap(_news_week(f.published), scene.dates[0]):
        return False  # an undated story is the news of the week; a date well before it is another happening
    place = _firm_place(list(scene.places), f.sentence)
    if draft.place is not None and place is not None and not _same_area(draft.place.place, place.place):
        return False
    return True


def _news_week(published: date) -> DateMention:
    """The days an undated report of violence speaks of: the week up to its publication."""
    return DateMention(start=published - timedelta(days=6), end=published, time_precision=TIME_WEEK, surface="",
                       span=Span(0, 0), sentence=-1)


def _names_another_town(draft: Draft, f: SentenceFacts, scene: Scene) -> bool:
    """A second town named for a different kind of happening is a separate event (a bombing, then a shoot-out
    in the next town), even inside one district."""
    place = best_place(list(scene.places), f.sentence)
    if draft.place is None or place is None:
        return False
    towns = ("town", "area", "post", "crossing")
    return (place.place.feature in towns and draft.place.place.feature in towns
            and place.place.name != draft.place.place.name and _km(place.place, draft.place.place) > 5)


def _continues(f: SentenceFacts, current: Draft) -> bool:
    """A sentence without a trigger of its own still tells of the current event when it adds figures or claims."""
    if f.event_dates and current.date is not None and not _dates_overlap(current.date, f.event_dates[0]):
        return False
    if f.event_dates and current.date is None and _looking_back(f.sentence.text) and (
            f.published is not None and not _dates_overlap(_news_week(f.published), f.event_dates[0])):
        return False  # "the group had attacked Mach on January 29": a look back does not date today's news
    cues = find_cues(f.sentence.text)
    # A denial, a "no comment" or a late admission with nothing else in its sentence answers the happening in
    # focus ("Local officials did not share details"); a plain "said" needs a word of harm to belong to it.
    return bool(f.figures or f.mentions or any(c.stance != "asserts" for c in cues)
                or (cues and _mentions_harm(f.sentence.text)))


_HARM = re.compile(r"attack|strike|blast|bomb|kill|dead|death|martyr|responsib|clash|fire|casualt|injur|wound|toll"
                   r"|figures|claim|allegation|accusation|comment|respond|incident|talks", re.IGNORECASE)


def _mentions_harm(text: str) -> bool:
    return bool(_HARM.search(text))


def _dates_overlap(a: DateMention, b: DateMention) -> bool:
    """Within a day of each other; a week- or month-precision date ("last week") is only as firm as it sounds."""
    slack = timedelta(days=1 if max(a.time_precision, b.time_precision) == TIME_DAY else 7)
    a_end, b_end = a.end or a.start, b.end or b.start
    return a.start - slack <= b_end and b.start - slack <= a_end


def _same_area(a: Place, b: Place) -> bool:
    if a.country != b.country:
        return False
    if _km(a, b) <= SAME_PLACE_KM:
        return True
    coarse = a if a.geo_precision >= b.geo_precision else b
    fine = b if coarse is a else a
    if coarse.feature == "province" or coarse.geo_precision == 3:
        return coarse.admin1 == fine.admin1
    if coarse.feature in ("district", "area"):
        # "Lower Kurram" and a village in it; a district and its towns; never across a provincial border.
        return (coarse.admin2 is not None and coarse.admin2 == fine.admin2) or (
            _km(a, b) <= NEAR_KM and coarse.admin1 == fine.admin1)
    return False


def _km(a: Place, b: Place) -> float:
    p1, p2 = radians(a.latitude), radians(b.latitude)
    dp, dl = p2 - p1, radians(b.longitude - a.longitude)
    h = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 6371.0 * 2 * asin(sqrt(min(1.0, h)))


# --- places -----------------------------------------------------------------------------------------------

# Where a place stands in the sentence: "from X to Y" names the road, "in X" or "near X" the scene.
# ("to" and "for" only right before the place: "to reopen Torkham" is an infinitive, not a destination.)
_PLACE_PASSING = re.compile(
    r"(?:(?:\bto|\btoward|\btowards|\bfor)\s+(?:the\s+)?"
    r"|(?:\bfrom|en route to|\bvia|\bbound for|way to|\bcarrying)\s+(?:the\s+)?"
    r"(?:(?!(?:in|at|near|inside|outside)\b)[\w’'-]+\s+){0,2}"
    r"|\b(?:km|kms|kilometres|kilometers|miles)\s+(?:[\w-]+\s+){0,2}(?:of|from)\s+)$", re.IGNORECASE)
_FEATURE_RANK = {"post": 0, "crossing": 0, "town": 0, "world_city": 0, "area": 1, "district": 2, "province": 3}


def best_place(places: Sequence[PlaceMention], sentence: Sentence | None = None) -> PlaceMention | None:
    """The place a sentence puts its happening: the most specific, preferring 'in/at/near X' over 'from X to Y'."""
    candidates = [p for p in places if p.place.feature != "country"]
    if sentence is not None:
        inner = [p for p in candidates if not _is_container(p, tuple(candidates), sentence)]
        candidates = inner or candidates
    if not candidates:
        return None
    return min(candidates, key=lambda p: _place_rank(p, sentence))


def _place_rank(p: PlaceMention, sentence: Sentence | None) -> tuple[int, int, int]:
    passing = 0
    if sentence is not None:
        before = sentence.text[max(0, p.span.start - sentence.span.start - 40):p.span.start - sentence.span.start]
        passing = 1 if _PLACE_PASSING.search(before) or _someones_home(p, sentence.text, sentence.span.start) else 0
    return (passing, _FEATURE_RANK.get(p.place.feature, 2), p.span.start)


def _more_specific(new: PlaceMention, old: PlaceMention) -> bool:
    return new.place.geo_precision < old.place.geo_precision and _same_area(new.place, old.place)


# --- finishing an event -----------------------------------------------------------------------------------

@dataclass
class _Discourse:
    """What the story has established so far: later events without a date or place inherit it."""

    published: date
    date: DateMention | None = None
    place: PlaceMention | None = None
    dateline: PlaceMention | None = None
    facts: list[SentenceFacts] = field(default_factory=list)  # the whole report, for report-level fallbacks
    drafts_by_sentence: dict[int, Draft] = field(default_factory=dict)  # which happening each sentence told
    gazetteer: Gazetteer | None = None
    _people: dict[str, ActorMention] | None = None  # see people()

    def people(self) -> dict[str, ActorMention]:
        """The people the story introduces with their side (claims.introduced_people): read from the story's
        sentences once, though every event asks (the story's actor mentions are settled before any event is)."""
        if self._people is None:
            self._people = introduced_people([(f.sentence, f.actors) for f in self.facts])
        return self._people


def _finish(draft: Draft, report: Report, dictionary: ActorDictionary, report_country: str | None,
            discourse: _Discourse, number: int) -> Event | None:
    event_type, sub_type = _event_type(draft, [m for f in discourse.facts for m in f.mentions])
    date_mention = draft.date
    if date_mention is not None and date_mention.time_precision >= TIME_MONTH:
        return None  # a passing reference dated to a month or a year: not coded
    if date_mention is not None and date_mention.time_precision >= 2 and not draft.figures and _possessive(
            date_mention, report.text) and 0 <= draft.mentions[0].span.start - date_mention.span.end <= 25:
        return None  # "during last week's fighting", without a toll: a look back, not a report of the fighting
    start, end, precision = _event_dates(date_mention, discourse, report.published)
    if event_type != et.STRATEGIC and start is not None and start > report.published:
        # Violence is reported after the fact: a later day borrowed from the story (a truce "to begin on Wednesday")
        # does not date it.
        start, end, precision = report.published, None, 2
    own_place = draft.place if event_type == et.STRATEGIC or draft.place is None or (
        draft.place.place.feature != "world_city") else None  # violence is not placed in a far capital of talks
    place_mention = own_place or _first_place(draft, event_type) or _borrowed_place(draft, discourse)
    country = place_mention.place.country if place_mention else (
        _country_of(draft, dictionary.party_countries()) or report_country)
    if place_mention is None and event_type != et.STRATEGIC:
        return None  # nowhere to put it on a map, and nothing to match it with
    discourse.date = date_mention or discourse.date
    if event_type != et.STRATEGIC and place_mention is own_place:  # talks in Doha do not place the next airstrike
        discourse.place = place_mention or discourse.place
    stated = draft.facts + [f for f in draft.claim_facts if f not in draft.facts]
    speakers = _speaker_names(stated, dictionary, country, discourse.people())
    issuer = _issuer(report, dictionary)
    claims = tuple(c for f in stated for c in find_claims(f.sentence, speakers[f.sentence.index], f.dates,
                                                          bool(f.figures), issuer, f.figures)
                   if not _the_outlet_itself(c, report, dictionary))
    figures = () if event_type == et.STRATEGIC else tuple(
        _with_claimant(fig, claims, report, issuer) for fig in draft.figures)
    actor1, actor2 = _actors(draft, dictionary, country, event_type, sub_type, claims, figures, discourse, start,
                             place_mention.place if place_mention else None)
    return Event(
        event_id=_event_id(report.report_id, number), report_id=report.report_id,
        event_type=event_type, sub_event_type=sub_type, event_date=start, event_date_end=end,
        time_precision=precision, actor1=actor1, actor2=actor2,
        place=place_mention.place if place_mention else None, fatalities=figures, claims=claims,
        mentions=tuple(draft.mentions),
        provenance=_provenance(draft, date_mention, place_mention) + _actor_provenance(
            actor1, draft, discourse, dictionary, country),
    )


def _possessive(mention: DateMention, text: str) -> bool:
    return text[mention.span.end:mention.span.end + 2] in ("'s", "’s")


def _event_id(report_id: str, number: int) -> str:
    return "evt-" + hashlib.sha1(f"{report_id}:{number}".encode()).hexdigest()[:12]


def _event_type(draft: Draft, story: list[Mention] | None = None) -> tuple[str, str]:
    """The rules' type, which the learned layer may overrule only where the rules abstain or disagree."""
    rule_type = _rule_type(draft, story or [])
    votes = [m.sub_event_type for m in draft.mentions if not et.is_generic(m)]
    disagree = any(not _defensible(a, b) for a in votes for b in votes)
    if votes and not disagree:
        return rule_type
    text = " ".join(f.sentence.text for f in draft.facts)
    return learned.refine(text, rule_type, votes, abstained=not votes)


def _rule_type(draft: Draft, story: list[Mention]) -> tuple[str, str]:
    specific = [m for m in draft.mentions if not et.is_generic(m)]
    if not specific:
        return _story_type(draft, story) or _type_from_victims(draft)
    ranked = sorted(specific, key=lambda m: _TYPE_ORDER.index(m.sub_event_type)
                    if m.sub_event_type in _TYPE_ORDER else len(_TYPE_ORDER))
    if ranked[0].event_type == et.PROTESTS and not any(m in draft.facts[0].mentions for m in ranked):
        return _type_from_victims(draft)  # a story of violence that mentions a protest later is still violence
    return _typed_by_victims(draft, ranked[0], specific)


def _hit_civilians(draft: Draft, clashes: list[Mention]) -> bool:
    """'Gunmen attacked a convoy of passenger vehicles': what the one-sided trigger hit is civilian, not armed."""
    for mention in clashes:
        for f in draft.facts:
            if f.sentence.index != mention.sentence:
                continue
            base = f.sentence.span.start
            after = f.sentence.text[max(0, mention.span.start - base - 80):mention.span.end - base + 80]
            if lexicon.cues("cues", "civilian_targets").search(after) and not lexicon.cues(
                    "cues", "military_targets").search(after):
                return True
    return False


def _story_type(draft: Draft, story: list[Mention]) -> tuple[str, str] | None:
    """'The strikes in Paktika', in a story of air strikes: a generic head stands for the story's own specific type
    (data/lexicon/event_triggers.toml, [generic_heads])."""
    heads = lexicon.load("event_triggers").get("generic_heads", {})
    named = [m for m in story if not et.is_generic(m)]
    for mention in draft.mentions:
        word = mention.trigger.lower()
        for stem, types in heads.items():
            if word.startswith(stem):
                found = next((m for m in named if m.sub_event_type in types), None)
                if found is not None:
                    return found.event_type, found.sub_event_type
    return None


def _typed_by_victims(draft: Draft, best: Mention, specific: list[Mention]) -> tuple[str, str]:
    """Who fought back and who died decide between a battle and an attack on civilians, as ACLED's definitions do:
    gunmen who opened fire on a bus and killed only passengers attacked civilians; gunmen who shot dead policemen
    fought the state's forces; blasts and gunfire at a base, with an exchange of fire, are one battle."""
    victims = {f.victims for f in draft.figures} - {"unspecified"}
    clashes = [m for m in specific if m.sub_event_type == "Armed clash"]
    two_sided = any(lexicon.cues("cues", "two_sided_fire").search(m.trigger) for m in clashes)
    if best.sub_event_type == "Armed clash" and not two_sided and (
            victims == {"civilians"} or (not victims - {"civilians"} and _hit_civilians(draft, clashes))):
        return et.VIOLENCE_CIVILIANS, "Attack"
    if best.sub_event_type == "Attack" and victims and victims <= {"soldiers"}:
        return et.BATTLES, "Armed clash"
    if best.sub_event_type == "Abduction/forced disappearance" and clashes and victims and victims <= {
            "soldiers", "militants"}:
        return et.BATTLES, "Armed clash"  # hostage-takers who fought the forces sent against them
    if best.sub_event_type in ("Remote explosive/landmine/IED", "Grenade") and clashes and (
            two_sided or victims & {"soldiers", "militants"}):
        return et.BATTLES, "Armed clash"
    return best.event_type, best.sub_event_type


# When one event's sentences use several triggers, the most telling wins; a ground fight outranks the rockets and
# mortars fired in it, as ACLED codes shelling within a battle as the battle.
_TYPE_ORDER = [
    "Suicide bomb", "Air/drone strike", "Remote explosive/landmine/IED", "Grenade", "Abduction/forced disappearance",
    "Armed clash", "Shelling/artillery/missile attack", "Attack", "Agreement", "Arrests", "Other",
]


def _type_from_victims(draft: Draft) -> tuple[str, str]:
    """A happening named only by a generic word ("the attack", a toll): who died says what it was. Only civilians
    dead, or people dead in an attack on civilians' vehicles and places, is an attack on civilians."""
    victims = {fig.victims for fig in draft.figures} - {"unspecified"}
    generic = [m for m in draft.mentions if et.is_generic(m)]
    if victims == {"civilians"} or (not victims and _hit_civilians(draft, generic)):
        return et.VIOLENCE_CIVILIANS, "Attack"
    return et.BATTLES, "Armed clash"


def _event_dates(mention: DateMention | None, discourse: _Discourse, published: date
                 ) -> tuple[date, date | None, int]:
    if mention is None:
        mention = discourse.date
    if mention is None:  # the report never dates it: about the time of publication, and no more precise than that
        return published, None, TIME_WEEK
    end = mention.end if mention.end and mention.end != mention.start else None
    return mention.start, end, mention.time_precision


def _borrowed_place(draft: Draft, discourse: _Discourse) -> PlaceMention | None:
    """An event that names no place of its own: on the same day as the story's last place, it happened there or near
    (ACLED precision 2); on another day, only that country is known (precision 3)."""
    known = discourse.place or discourse.dateline
    if known is None:
        return None
    same_day = draft.date is None or (discourse.date is not None and _dates_overlap(draft.date, discourse.date))
    if same_day:
        return _inherited(known)
    country = next((p for p in (discourse.gazetteer or load_gazetteer()).lookup(known.place.country)
                    if p.feature == "country"), None)
    return replace(known, place=country) if country else None


def _inherited(mention: PlaceMention | None) -> PlaceMention | None:
    """A place taken from the story around the event, not from its own sentences: no better than 'near' (ACLED 2)."""
    if mention is None or mention.place.geo_precision >= GEO_NEAR:
        return mention
    return replace(mention, place=replace(mention.place, geo_precision=GEO_NEAR))


def _first_place(draft: Draft, event_type: str) -> PlaceMention | None:
    """Any place named in the event's sentences; violence is not placed in a far capital where talks were held."""
    for f in draft.facts:
        for p in f.places:
            if p.place.feature != "country" and (event_type == et.STRATEGIC or p.place.feature != "world_city"):
                return p
    return None


def _country_of(draft: Draft, parties: tuple[str, ...]) -> str | None:
    for f in draft.facts:
        for p in f.places:
            if p.place.country in parties:
                return p.place.country
    return None


def _the_outlet_itself(claim: Claim, report: Report, dictionary: ActorDictionary) -> bool:
    """'told Dawn', 'Dawn reported' in Dawn's own report: the narrator, not a party to the ledger."""
    if not report.outlet:
        return False
    outlet = dictionary.actor_for(report.outlet, report.published)
    if outlet is not None and outlet.kind != "media":
        return False  # a party's own statement: its claims are the point
    named = outlet.name if outlet is not None else report.outlet
    return claim.claimant.lower() == named.lower() or claim.claimant.lower() in report.outlet.lower()


def _provenance(draft: Draft, date_mention: DateMention | None, place_mention: PlaceMention | None
                ) -> tuple[tuple[str, Span], ...]:
    first = draft.facts[0].sentence.span
    spans = [("event_type", first)]
    if date_mention is not None:
        spans.append(("event_date", _sentence_span(draft, date_mention.sentence)))
    if place_mention is not None:
        spans.append(("location", _sentence_span(draft, place_mention.sentence)))
    spans += [("fatalities", f.sentence.span) for f in draft.facts if any(x.sentence == f.sentence.index
                                                                          for x in draft.figures)]
    return tuple(spans)


def _actor_provenance(actor1: str | None, draft: Draft, discourse: _Discourse, dictionary: ActorDictionary,
                      country: str | None) -> tuple[tuple[str, Span], ...]:
    """Where actor 1 was read: the sentence that names it (its own first, then the story's), or that puts a demonym on
    the strike ("Pakistani airstrikes"). An unidentified actor 1 has no source sentence."""
    if actor1 is None or actor1.startswith("Unidentified"):
        return ()
    for facts in (draft.facts, discourse.facts):
        for f in facts:
            if any((actor := dictionary.resolve(m.actor, country)) is not None and actor.name == actor1
                   for m in f.actors):
                return (("actor1", f.sentence.span),)
    named = _demonym_on_trigger(draft)
    if named is not None:
        for f in draft.facts:
            if any(word in lexicon.load("cues")["demonyms"] for word in f.sentence.text.split()):
                return (("actor1", f.sentence.span),)
    return ()


def _sentence_span(draft: Draft, index: int) -> Span:
    for f in draft.facts:
        if f.sentence.index == index:
            return f.sentence.span
    return draft.facts[0].sentence.span


# --- speakers, claimants and actors -----------------------------------------------------------------------

def _speaker_names(facts: list[SentenceFacts], dictionary: ActorDictionary, country: str | None,
                   people: dict[str, ActorMention]) -> dict[int, list[tuple[ActorMention, str]]]:
    names: dict[int, list[tuple[ActorMention, str]]] = {}
    for f in facts:
        speakers = []
        # a surname the dictionary knows only through a person named in full before ("Asif" after "Khawaja Asif")
        mentions = [m for m in f.actors if dictionary.actor_for(m.surface) is not None
                    or not another_person(f.sentence, m)]
        mentions = sorted(mentions + people_speaking(f.sentence, people, mentions), key=lambda m: m.span.start)
        for mention in mentions:
            own = speaker_country(f.sentence, mention) if mention.actor.side == GENERIC_SIDE else None
            actor = dictionary.resolve(mention.actor, _country_for_generic(own or country, dictionary))
            if actor is not None and actor.kind in SPEAKER_KINDS and actor.side != "UNK":
                speakers.append((mention, claimant_name(actor, mention.surface)))
        names[f.sentence.index] = speakers
    return names


def _country_for_generic(country: str | None, dictionary: ActorDictionary) -> str | None:
    return country if country in dictionary.party_countries() else None


def claimant_name(actor: Actor, surface: str) -> str:
    """ACLED's name of the party; the office or person as written stays in the claim's `surface`."""
    return actor.name


def _with_claimant(figure: Figure, claims: tuple[Claim, ...], report: Report, issuer: str | None) -> Figure:
    for claim in claims:
        if claim.sentence == figure.sentence and claim.stance in ("asserts", "acknowledges_later"):
            return replace(figure, claimed_by=claim.claimant)
    if issuer is not None:  # a party's own statement: its figures are its claims
        return replace(figure, claimed_by=issuer)
    return replace(figure, claimed_by=f"{report.outlet or report.report_id} (unattributed)")


def _issuer(report: Report, dictionary: ActorDictionary) -> str | None:
    """The party whose own statement or complaint this is: the outlet is a party's office the dictionary knows
    ("Inter-Services Public Relations"), not a news medium."""
    if not report.outlet:
        return None
    actor = dictionary.actor_for(report.outlet, report.published)
    if actor is None or actor.kind not in SPEAKER_KINDS or actor.kind in ("media", "international"):
        return None
    return actor.name


def _actors(draft: Draft, dictionary: ActorDictionary, country: str | None, event_type: str, sub_type: str,
            claims: tuple[Claim, ...], figures: tuple[Figure, ...], discourse: _Discourse, day: date | None,
            where: Place | None = None) -> tuple[str | None, str | None]:
    all_facts, drafts_by_sentence = discourse.facts, discourse.drafts_by_sentence
    armed = _armed_actors(draft, dictionary, country)
    if event_type == et.STRATEGIC:
        governments = _governments(draft.facts, dictionary, country) or _governments(all_facts, dictionary, country)
        return (governments + [None, None])[0], (governments + [None, None])[1]
    if event_type == et.PROTESTS:
        return dictionary.generic_names.get(country or "", {}).get("protesters"), None
    perpetrator = _perpetrator(claims, armed, dictionary) or next(iter(_agents(draft, dictionary)), None)
    story_group = _story_perpetrator(all_facts, dictionary, country, day, drafts_by_sentence, where)
    state = [a for a in armed if a.kind in ("military", "police")]
    groups = [a for a in armed if a.kind == "armed_group"]
    civilians = _civilians_name(dictionary, country)
    if sub_type == "Air/drone strike" or sub_type == "Shelling/artillery/missile attack":
        attacker = _striking_state(draft, state, claims, dictionary, country)
        target = civilians if any(f.victims == "civilians" for f in figures) or _claims_civilian_deaths(claims) else (
            groups[0].name if groups else None)
        return attacker, target
    if event_type == et.BATTLES:
        invader = _foreign_attacker(draft, state, country)
        if invader is not None:  # 'Afghan forces and TTP fighters attacked Pakistani posts': the posts' army fights
            return invader.name, _state_military(dictionary, country)
        first = perpetrator or (groups[0].name if groups else None) or story_group
        second = next((a.name for a in state if a.name != first), None)
        if first is None:
            others = [a.name for a in state if a.name != second]
            first = others[0] if others else _unidentified(dictionary, country)
        second = second or _state_military(dictionary, country)
        if _state_initiated(draft) and second and perpetrator is None:
            return second, first  # ACLED puts the initiator first: "forces conducted an operation against ..."
        return first, second
    # A bombing's perpetrator is only who claims it or is said to have done it; a group named otherwise in the story
    # ("the founder of Lashkar-e-Islam was killed") is not.
    attacker = perpetrator or story_group or _unidentified(dictionary, country)
    return attacker, _target(state, figures, civilians)


# The state forces as the doers of an operation: "security forces conducted an intelligence-based operation", "police
# raided a hideout" ("soldiers were martyred during an operation" says nothing of who began the fighting).
_STATE_OPERATION = re.compile(
    r"\b(?:forces|police|troops|army|personnel|soldiers|CTD)\b[^.;]{0,60}?\b(?:conducted|launched|carried out"
    r"|initiated|raided|cordoned)\b[^.;]{0,50}?\b(?:operations?|IBO|raids?|search|hideouts?|compound)\b",
    re.IGNORECASE)
_ATTACKED_BY_THEM = re.compile(r"\b(?:militants|terrorists|gunmen|attackers|insurgents|fighters)\s+(?:had\s+|have\s+)?"
                               r"(?:attacked|stormed|ambushed|opened fire|raided|targeted|struck)\b", re.IGNORECASE)


def _state_initiated(draft: Draft) -> bool:
    """'Security forces conducted an intelligence-based operation', not 'militants attacked a checkpoint'."""
    first = draft.facts[0].sentence.text
    return bool(_STATE_OPERATION.search(first)) and not _ATTACKED_BY_THEM.search(first)


def _foreign_attacker(draft: Draft, state: list[Actor], country: str | None) -> Actor | None:
    """A foreign state's forces written as the doers of an attack in this country, alone or with a group."""
    for f in draft.facts:
        for mention in f.actors:
            actor = next((a for a in state if a.name == mention.actor.name), None)
            if actor is None or not actor.country or not country or actor.country == country:
                continue
            end = mention.span.end - f.sentence.span.start
            if _AGENT_AFTER.match(_COORDINATED.sub("", f.sentence.text[end:end + 160], count=1)):
                return actor
    return None


# 'Afghan forces and fighters of the TTP opened fire': the second doer is skipped to reach the verb.
_COORDINATED = re.compile(r"^\s+(?:forces\s+)?(?:and|together with|along with)\s+[^,.;]{0,60}?(?:\([^)]{0,60}\))?(?=\s+"
                          r"(?:has|have|had|also|hijacked|attacked|ambushed|stormed|targeted|carried|launched|struck"
                          r"|killed|fired|opened|detonated|abducted|kidnapped|seized|raided)\b)", re.IGNORECASE)


def _target(state: list[Actor], figures: tuple[Figure, ...], civilians: str | None) -> str | None:
    """Who was hit: read from who died where the figures say, else the forces named, else civilians."""
    victims = {f.victims for f in figures}
    if "civilians" in victims and "soldiers" not in victims:
        return civilians
    return next((a.name for a in state), None) or civilians


def _armed_actors(draft: Draft, dictionary: ActorDictionary, country: str | None) -> list[Actor]:
    found: list[Actor] = []
    for f in draft.facts:
        for mention in f.actors:
            actor = dictionary.resolve(mention.actor, country)
            if actor is None or actor.speaker_only or actor.kind not in ("military", "police", "armed_group"):
                continue
            if actor.name.startswith("Unidentified"):
                continue
            if actor not in found:
                found.append(actor)
    return found


def _perpetrator(claims: tuple[Claim, ...], armed: list[Actor], dictionary: ActorDictionary) -> str | None:
    """An armed group that claims responsibility, or that a responsibility claim names."""
    for claim in claims:
        actor = dictionary.actors.get(claim.claimant)
        if actor is not None and actor.kind == "armed_group" and claim.about == "responsibility":
            return actor.name
    return None


_AGENT_AFTER = re.compile(
    r"^\s*(?:\([^)]{0,40}\)\s*)?(?:,[^,]{0,80},\s*)?(?:militants\s+|fighters\s+)?(?:has\s+|have\s+|had\s+|also\s+)?"
    r"(?:hijacked|attacked|ambushed|stormed|targeted|carried out|launched|struck|killed|fired|opened fire|detonated"
    r"|abducted|kidnapped|seized|raided)\b", re.IGNORECASE)
_AGENT_BEFORE = re.compile(r"\b(?:by|claimed by|carried out by)\s+(?:the\s+)?$", re.IGNORECASE)


def _agents(draft: Draft, dictionary: ActorDictionary) -> list[str]:
    """Armed groups written as the doers: 'the BLA, which hijacked the train', 'hijacked by the BLA'."""
    found: list[str] = []
    for f in draft.facts:
        for mention in f.actors:
            if mention.actor.kind != "armed_group" or mention.actor.side == GENERIC_SIDE:
                continue
            start, end = mention.span.start - f.sentence.span.start, mention.span.end - f.sentence.span.start
            if _AGENT_BEFORE.search(f.sentence.text[max(0, start - 20):start]) or _AGENT_AFTER.match(
                    f.sentence.text[end:end + 120]):
                if mention.actor.name not in found:
                    found.append(mention.actor.name)
    return found


def _striking_state(draft: Draft, state: list[Actor], claims: tuple[Claim, ...], dictionary: ActorDictionary,
                    country: str | None) -> str | None:
    """Who flew or fired: the state a demonym on the trigger names ("Pakistani airstrikes"), a foreign state's forces
    named in the text, else the other party blamed in a cross-border story; where nothing names one, an unidentified
    armed group, as ACLED codes an unattributed drone strike (who accuses whom stays in the claims)."""
    named = _demonym_on_trigger(draft)
    if named is not None and _state_military(dictionary, named):
        return _state_military(dictionary, named)
    doer = _state_doer(draft, dictionary, country)
    if doer is not None:
        return doer
    foreign = [a for a in state if a.country and a.country != country]
    if foreign:
        return foreign[0].name
    parties = dictionary.party_countries()
    for f in draft.facts:
        for mention in f.actors:
            other = mention.actor.country
            if other and other != country and other in parties and country in parties and mention.actor.kind in (
                    "government", "military"):
                return _state_military(dictionary, other)
    return _unidentified(dictionary, country)


def _state_doer(draft: Draft, dictionary: ActorDictionary, country: str | None) -> str | None:
    """State forces written as doing it, even by an accuser: 'airstrikes allegedly carried out by the Pakistan Air
    Force', 'security forces carried out an airstrike'. Who alleges it is in the claims."""
    for f in draft.facts:
        for mention in f.actors:
            actor = dictionary.resolve(mention.actor, country)
            if actor is None or actor.kind not in ("military", "police") or actor.speaker_only:
                continue
            start, end = mention.span.start - f.sentence.span.start, mention.span.end - f.sentence.span.start
            if _AGENT_BEFORE.search(f.sentence.text[max(0, start - 30):start]) or _STRIKE_DOER_AFTER.match(
                    f.sentence.text[end:end + 60]):
                return actor.name
    return None


_STRIKE_DOER_AFTER = re.compile(r"^\s*(?:\w+\s+)?(?:carried out|conducted|launched|dropped|fired|struck|bombed|hit|"
                                r"targeted|pounded)\b", re.IGNORECASE)


def _demonym_on_trigger(draft: Draft) -> str | None:
    """'Pakistani airstrikes', 'Iranian mortar fire': the country a demonym right before a trigger names."""
    demonyms = lexicon.load("cues")["demonyms"]
    for f in draft.facts:
        base = f.sentence.span.start
        for mention in f.mentions:
            if mention not in draft.mentions:
                continue
            words = f.sentence.text[max(0, mention.span.start - base - 30):mention.span.start - base].split()[-2:]
            for word in reversed(words):  # "Pakistani airstrikes", "Pakistani drone strikes"
                if word in demonyms:
                    return demonyms[word]
    return None


def _story_perpetrator(facts: list[SentenceFacts], dictionary: ActorDictionary, country: str | None,
                       day: date | None, drafts_by_sentence: dict[int, Draft], where: Place | None) -> str | None:
    """The one armed group the story names as doing or claiming what it reports ("the attack was claimed by the
    BLA", "AFF fighters attacked ..."): the perpetrator of its happenings on that day that name none of their own.
    Two such groups, and the story does not say which did what; a group named for another day's happening (a look
    back) does not reach this one."""
    groups: list[str] = []
    for f in facts:
        owner = drafts_by_sentence.get(f.sentence.index)
        if owner is not None and owner.date is not None and day is not None and not _dates_overlap(
                owner.date, _day_mention(day)):
            continue
        if owner is not None and owner.place is not None and where is not None and (
                owner.place.place.admin1 != where.admin1):
            continue  # a group named for a happening in another province
        for mention in f.actors:
            actor = dictionary.resolve(mention.actor, country)
            if actor is None or actor.kind != "armed_group" or actor.name.startswith("Unidentified"):
                continue
            if _as_agent(mention, f) and actor.name not in groups:
                groups.append(actor.name)
    return groups[0] if len(groups) == 1 else None


def _day_mention(day: date) -> DateMention:
    return DateMention(start=day, end=None, time_precision=TIME_DAY, surface="", span=Span(0, 0), sentence=-1)


_CLAIMED_BY = re.compile(r"\b(?:claimed|owned|carried out|conducted|perpetrated|orchestrated)\s+by\s+(?:the\s+)?"
                         r"(?:[\w-]+\s+){0,3}$", re.IGNORECASE)
_CLAIMS_AFTER = re.compile(r"^(?:\s*\([^)]{0,40}\))?(?:\s*,[^,]{0,120},)?\s*(?:'s\s+\w+\s+)?(?:\w+\s+){0,2}?"
                           r"(?:claimed|claims|owned|was behind|were behind|is behind|took responsibility"
                           r"|accepted responsibility|said (?:it|its))\b", re.IGNORECASE)


def _as_agent(mention: ActorMention, f: SentenceFacts) -> bool:
    """A group written as doing or claiming: 'claimed by the BLA', 'the BLA claimed', 'AFF fighters attacked'."""
    start, end = mention.span.start - f.sentence.span.start, mention.span.end - f.sentence.span.start
    text = f.sentence.text
    return bool(_CLAIMED_BY.search(text[max(0, start - 60):start]) or _CLAIMS_AFTER.match(text[end:end + 100])
                or _AGENT_AFTER.match(text[end:end + 120]))


def _claims_civilian_deaths(claims: tuple[Claim, ...]) -> bool:
    return any(c.about == "civilian deaths" and c.stance == "asserts" for c in claims)


def _governments(facts: list[SentenceFacts], dictionary: ActorDictionary, country: str | None) -> list[str]:
    """The conflict parties' governments named in these sentences, in order of first mention."""
    named: list[tuple[int, str]] = []  # (position, country): actors and the countries "between Pakistan and ..."
    for f in facts:
        for mention in f.actors:
            actor = dictionary.resolve(mention.actor, country)
            if actor is not None and actor.country in dictionary.party_countries():
                named.append((mention.span.start, actor.country))
        named += [(p.span.start, p.place.country) for p in f.places
                  if p.place.feature == "country" and p.place.country in dictionary.party_countries()]
    found: list[str] = []
    for _, party in sorted(named):
        name = dictionary.generic_names[party]["government"]
        if name not in found:
            found.append(name)
    return found


def _state_military(dictionary: ActorDictionary, country: str | None) -> str | None:
    """The forces of a country's state: a party's from `generic_names`, another state's from its actor entry."""
    named = dictionary.generic_names.get(country or "", {}).get("military")
    if named is not None or country is None:
        return named
    return next((a.name for a in dictionary.actors.values() if a.kind == "military" and a.country == country), None)


def _unidentified(dictionary: ActorDictionary, country: str | None) -> str | None:
    return dictionary.generic_names.get(country or "", {}).get("unidentified")


def _civilians_name(dictionary: ActorDictionary, country: str | None) -> str | None:
    return dictionary.generic_names.get(country or "", {}).get("civilians")
