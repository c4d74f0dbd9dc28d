"""Fatality figures in a sentence, coded the way ACLED codes them.

`find_figures` reads one sentence and returns every reported death figure in it, in reading order: "at least 23" gives
low=23, high=None; "seven to eight" gives 7..8; "no casualties" gives 0. Injured, rescued or abducted counts, dates,
ages, money and vehicles are left alone. Who claims a figure is the event assembler's business: `claimed_by` stays
None.

The reader works on word tokens. Each number expression ("at least 12", "seven to eight", "a dozen", "one") is tied to
the noun phrase after it ("Pakistani soldiers", "of the militants") and counts as a death figure when death language
governs it: a predicate after it ("were martyred", "died", "embraced shahadat", "were sent to hell"), a verb before it
("killing at least five", "the deaths of 21"), or a toll ("the death toll rose to 8"). docs/fatalities.md has the rules.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from trucewatch.records import Figure, Sentence, Span

# --- vocabulary ------------------------------------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
# Vague amounts, as ACLED codes them. True: a floor ("dozens" is at least 12); False: ACLED's stand-in value.
_VAGUE = {
    "dozens": (12, True), "scores": (20, True), "tens": (10, True), "hundreds": (100, True),
    "thousands": (1000, True), "several": (10, False), "many": (10, False), "numerous": (10, False),
}
_OPEN_QUALIFIERS = (
    ("at", "least"), ("more", "than"), ("over",), ("upwards", "of"), ("in", "excess", "of"), ("not", "less", "than"),
    ("no", "fewer", "than"), ("no", "less", "than"), ("a", "minimum", "of"), ("well", "over"), ("above",),
)
_EXACT_QUALIFIERS = (
    ("about",), ("around",), ("nearly",), ("almost",), ("some",), ("approximately",), ("roughly",), ("close", "to"),
    ("an", "estimated"), ("estimated",), ("a", "total", "of"), ("total", "of"), ("only",), ("all",), ("up", "to"),
    ("as", "many", "as"), ("just",),
)

_SOLDIER_NOUNS = frozenset("""soldier soldiers troop troops trooper troopers personnel force forces officer officers
    policeman policemen policewoman police cop cops constable constables guard guards levies levy paramilitary
    paramilitaries jawan jawans sepoy sepoys commando commandos serviceman servicemen ranger rangers sentry sentries
    cadet cadets militiamen inspector inspectors sub-inspector sub-inspectors captain captains colonel colonels
    lieutenant lieutenants brigadier brigadiers sergeant sergeants subedar subedars havildar havildars""".split())
_MILITANT_NOUNS = frozenset("""militant militants terrorist terrorists attacker attackers insurgent insurgents
    assailant assailants bomber bombers khawarij khwarij khariji kharijis khawarijis fighter fighters gunman gunmen
    rebel rebels jihadist jihadists extremist extremists separatist separatists miscreant miscreants hijacker
    hijackers infiltrator infiltrators abductor abductors kidnapper kidnappers""".split())
_CIVILIAN_NOUNS = frozenset("""civilian civilians woman women child children kid kids boy boys girl girls infant
    infants baby babies passenger passengers student students schoolchildren worshipper worshippers worshiper
    worshipers resident residents villager villagers driver drivers cricketer cricketers labourer labourers laborer
    laborers worker workers pilgrim pilgrims refugee refugees commuter commuters shopkeeper shopkeepers farmer farmers
    teacher teachers journalist journalists reporter reporters doctor doctors nurse nurses employee employees minor
    minors tribesman tribesmen local locals elder elders trader traders mourners devotees relatives miner miners
    engineer engineers tourist tourists citizen citizens shepherd shepherds herder herders vendor vendors
    schoolboy schoolboys schoolgirl schoolgirls""".split())
_GENERIC_NOUNS = frozenset("""people persons person individuals individual others other victims victim hostages
    hostage men man adults adult members member sons officials official youths youth souls nationals taliban""".split())
_PERSON_NOUNS = _SOLDIER_NOUNS | _MILITANT_NOUNS | _CIVILIAN_NOUNS | _GENERIC_NOUNS
_SINGULAR = frozenset("""soldier trooper officer policeman policewoman cop constable guard paramilitary jawan sepoy
    commando serviceman ranger militant terrorist attacker insurgent assailant bomber khariji fighter gunman rebel
    jihadist extremist hijacker civilian woman child kid boy girl infant baby passenger student worshipper resident
    villager driver cricketer labourer worker pilgrim refugee commuter shopkeeper farmer teacher journalist reporter
    doctor nurse employee minor tribesman elder trader person individual victim hostage man adult member official
    youth personnel inspector sub-inspector captain colonel lieutenant brigadier sergeant subedar havildar miner
    engineer tourist citizen schoolboy schoolgirl""".split())
_DEATH_NOUNS = frozenset("deaths death fatalities fatality dead bodies body corpses martyrs lives".split())

# Words in a noun phrase (or just before it) that say which side the dead were on.
_SOLDIER_CUES = frozenset("""security police army military paramilitary fc frontier corps levies law enforcement
    soil troops forces force defence defense jawans border navy airforce personnel enemy""".split())
_MILITANT_CUES = frozenset("""militant militants terrorist terrorists ttp bla tehreek tehrik khawarij khwarij fitna
    armed masked insurgent insurgents gunmen bomber bombers""".split())
_CIVILIAN_CUES = frozenset("""civilian civilians family families train bus school railway village women children
    kids worshippers passengers""".split())
_PAKISTANI_TALIBAN = frozenset("pakistani pakistan ttp tehreek tehrik".split())
_TALIBAN_FORCES = frozenset("fighters forces members militia men personnel troops soldiers guards taliban".split())

_BE = frozenset("was were is are be been being".split())
_AUX = _BE | frozenset("""has have had also reportedly allegedly later subsequently all both then who that which said
    to feared believed confirmed reported thought presumed likely initially eventually immediately now tragically may
    might could would will""".split())
_MONTHS = frozenset("""january february march april june july august september october november december jan feb
    apr jun jul aug sep sept oct nov dec""".split())
_UNIT_WORDS = frozenset("""million billion crore lakh percent per % km kms kilometres kilometers miles metres meters
    feet hours hour minutes days weeks months years am pm kg tonnes tons""".split())
_CURRENCY = frozenset("$ £ € rs pkr usd afn afs".split())

# Death language after the dead: "were killed", "embraced shahadat", "lost their lives" ...
_DEATH_AFTER = tuple(tuple(p.split()) for p in (
    "shot and killed", "shot dead", "gunned down", "tortured and killed", "tortured , killed", "sent to hell",
    "sent to their deaths", "lost their lives", "lost his life", "lost her life", "lost lives", "embraced martyrdom",
    "embraced shahadat", "embraced shahadah", "attained martyrdom", "achieved martyrdom", "made the ultimate sacrifice",
    "paid the ultimate sacrifice", "laid down their lives", "sacrificed their lives", "found dead", "found killed",
    "burnt to death", "burned to death", "among those killed", "among the dead", "among the killed",
    "among those martyred", "among the martyred", "confirmed dead", "declared dead", "pronounced dead", "killed",
    "martyred", "dead", "died", "perished", "succumbed", "eliminated", "neutralised", "neutralized", "slain",
    "murdered", "assassinated", "executed", "beheaded", "massacred", "slaughtered", "kia",
))
# Verbs that can be active ("two bombers killed six people"): the subject is dead only in the passive.
_TRANSITIVE = frozenset("""killed martyred eliminated neutralised neutralized murdered assassinated executed beheaded
    massacred slaughtered shot gunned tortured sent""".split())
_NOT_DEATH = frozenset("""injured wounded hurt hospitalised hospitalized rescued freed released arrested detained
    abducted kidnapped missing evacuated displaced taken held captured surrendered escaped fled survived sustained
    suffered treated shifted rushed admitted trapped stranded injuring wounding injuries""".split())
# Death language before the dead: "killing at least five", "the deaths of 21 passengers" ...
_DEATH_BEFORE = tuple((tuple(p.split()), need) for p, need in (
    ("claimed the lives of", ""), ("claiming the lives of", ""), ("took the lives of", ""),
    ("taking the lives of", ""), ("shot dead", ""), ("gunned down", ""), ("death of", ""), ("deaths of", ""),
    ("killing of", ""), ("killings of", ""), ("martyrdom of", ""), ("bodies of", ""), ("killed", ""),
    ("killing", ""), ("kills", ""), ("kill", ""), ("martyred", ""), ("martyring", ""), ("executed", ""),
    ("executing", ""), ("murdered", ""), ("massacred", ""), ("slaughtered", ""), ("beheaded", ""),
    ("neutralised", ""), ("neutralized", ""), ("neutralising", ""), ("neutralizing", ""), ("eliminated", ""),
    ("eliminating", ""), ("sent", "hell"), ("sending", "hell"), ("left", "dead"), ("leaving", "dead"),
    ("leaves", "dead"), ("lost", "person"), ("losing", "person"),
))
_KILL_VERBS = frozenset("killed killing kills kill martyred martyring executed murdered".split())
_TOLL_WORDS = frozenset("toll tolls fatalities".split())
_TOLL_PAIRS = frozenset({("death", "count"), ("body", "count"), ("death", "tally"), ("death", "figure")})
_NUMBER_OF_DEAD = frozenset("killed dead deaths fatalities martyred martyrs".split())
_PARTIAL_CUES = frozenset("including included includes include".split())
_CLAUSE_BREAKS = frozenset(". ; : ! ? while but whereas".split())
_PREPOSITIONS = frozenset("""in on at from aboard inside near during of to for with by after before since into
    across outside under over belonging travelling traveling guarding escorting manning carrying""".split())
_STOP = (_AUX | _PREPOSITIONS | _NOT_DEATH | _KILL_VERBS | frozenset(
    """a an the this these those and or but while including among said says say plus killed martyred dead died
    embraced perished succumbed eliminated neutralised neutralized sent shot gunned lost made paid found
    whom whose""".split()))
_TIME_WORDS = frozenset("""overnight yesterday today tonight so earlier later according when where monday tuesday
    wednesday thursday friday saturday sunday""".split())
_QUOTES = frozenset("\" “ ” ‘ ’ ' « »".split())

# Cheap test on the lower-cased sentence: no death or casualty word, no figure. (No IGNORECASE and few \b: 6x faster.)
_PREFILTER = re.compile(
    r"kill|dead|death|die[ds]?\b|dying|martyr|shahad|lives|life|perish|succumb|shot|gunned|eliminat|neutrali|hell\b"
    r"|bodies|body|fatalit|toll|casualt|sacrifice|slain|murder|assassinat|execut|behead|massacr|slaughter|kia\b"
    r"|lost\b|losing"
)
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*[A-Za-z]*|[A-Za-z]+(?:[-'’][A-Za-z]+)*|\S")
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_ADVERB = re.compile(r"[a-z]{4,}ly")

_ZERO = re.compile(
    r"\bno\s+(?:immediate\s+|other\s+|further\s+|official\s+)?(?:reports?\s+of\s+(?:any\s+)?)?"
    r"(?:casualt(?:y|ies)|deaths?|fatalit(?:y|ies)|loss\s+of\s+(?:life|lives)|lives\s+(?:were|was)\s+lost)\b"
    r"(?!\s+(?:figures?|counts?|tolls?|numbers?|details?|estimates?|tally))"
    r"|\b(?:without|caused\s+no|did\s+not\s+cause|not\s+cause)\s+(?:any\s+)?(?:casualties|deaths|loss\s+of\s+life)\b"
    r"|\bzero\s+(?:casualties|deaths|fatalities)\b",
    re.IGNORECASE,
)
_SOLDIER_RANKS = (
    "Constable", "Sub-Inspector", "Inspector", "ASI", "SHO", "DSP", "Sepoy", "Naik", "Havildar", "Subedar", "Captain",
    "Capt", "Major", "Maj", "Lieutenant", "Lt", "Colonel", "Col", "Brigadier", "Brig", "Sergeant", "Sgt", "Soldier",
)
_CIVIL_TITLES = ("Mufti", "Maulana", "Maulvi", "Mullah", "Qari", "Sheikh", "Haji", "Dr", "Mr", "Mrs", "Ms", "Professor")
_TITLE_NAME = (
    r"(?:(?:Head|Senior|Lance|Assistant|Deputy|Naib)\s+)?(?P<title>" + "|".join(_SOLDIER_RANKS + _CIVIL_TITLES) + r")"
    r"\.?(?:\s+[A-Z][\w'’-]*){1,4}"
)
_TITLED_OBJECT = re.compile(
    r"\b(?:killed|killing|martyred|shot\s+dead|gunned\s+down|assassinated|murdered|executed|beheaded)\s+"
    + _TITLE_NAME + r"\b"
)
_TITLED = re.compile(
    r"\b" + _TITLE_NAME + r",?\s+(?:(?:who\s+)?(?:was|has\s+been|had\s+been)\s+(?:[a-z]+ly\s+)?"
    r"(?:shot\s+and\s+killed|shot\s+dead|gunned\s+down|killed|martyred|assassinated|murdered|slain|executed|beheaded)"
    r"|(?:later\s+)?(?:died|succumbed|embraced\s+(?:martyrdom|shahadat)|lost\s+his\s+life))\b"
)


def _index(phrases: list, key) -> dict[str, list]:
    """Phrases grouped by one of their words, so a lookup tries only the few that can match."""
    index: dict[str, list] = {}
    for item in phrases:
        index.setdefault(key(item), []).append(item)
    return index


_QUALIFIERS = _index([(w, True) for w in _OPEN_QUALIFIERS] + [(w, False) for w in _EXACT_QUALIFIERS],
                     key=lambda item: item[0][0])
_DEATH_AFTER_INDEX = _index(list(_DEATH_AFTER), key=lambda words: words[0])
_DEATH_BEFORE_INDEX = _index(list(_DEATH_BEFORE), key=lambda item: item[0][-1])
_QUANTITY_STARTS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_VAGUE) | frozenset(_QUALIFIERS) | frozenset(
    "a an half no none nobody another both between from".split())
_TITLE_WORDS = frozenset(_SOLDIER_RANKS + _CIVIL_TITLES)
_ZERO_WORDS = frozenset("no without zero not".split())


# --- public API ------------------------------------------------------------------------------------------------------


def find_figures(sentence: Sentence) -> list[Figure]:
    """Every reported death figure in the sentence, in reading order; spans index the report text."""
    text = sentence.text
    if not _PREFILTER.search(text.lower()):
        return []
    reader = _Reader(text)
    found = reader.read()
    words = {t.text for t in reader.toks}
    if not words.isdisjoint(_ZERO_WORDS) or "No" in words or "Zero" in words:
        found += _beside(found, _zero_figures(text))
    if not words.isdisjoint(_TITLE_WORDS):
        found += _beside(found, _titled_figures(text))
    found.sort(key=lambda f: (f.start, f.end))
    base = sentence.span.start
    return [
        Figure(f.low, f.high, f.victims, None, text[f.start:f.end], Span(base + f.start, base + f.end), sentence.index)
        for f in found
    ]


def parse_number(text: str) -> int | None:
    """The number a figure word stands for: "1,200", "eighteen", "twenty-one", "a dozen", "two dozen", "hundreds"."""
    tokens = _tokens(text.strip())
    core = _core(tokens, 0) if tokens else None
    if core is None or core.end != len(tokens) or core.kind == "article":
        return None
    return core.low


def victims_of(noun_phrase: str) -> str:
    """Who the dead in a noun phrase were: "soldiers", "militants", "civilians" or "unspecified"."""
    words = re.findall(r"[a-z]+", noun_phrase.lower())
    heads = [w for w in words if w in _PERSON_NOUNS]
    head = heads[-1] if heads else None
    cues = set(words)
    if "taliban" in cues and not cues & _PAKISTANI_TALIBAN and (head in _TALIBAN_FORCES or head is None):
        return "soldiers"  # the Afghan Taliban are Afghanistan's forces
    if head in _SOLDIER_NOUNS:
        return "soldiers"
    if head in _MILITANT_NOUNS:
        return "militants"
    if head in _CIVILIAN_NOUNS:
        return "civilians"
    return _victims_from_cues(cues)


def _victims_from_cues(cues: set[str]) -> str:
    if cues & _MILITANT_CUES:
        return "militants"
    if cues & _SOLDIER_CUES:
        return "soldiers"
    if cues & _CIVILIAN_CUES:
        return "civilians"
    return "unspecified"


# --- tokens and number expressions -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Token:
    text: str
    low: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Core:
    low: int
    high: int | None  # None: open-ended
    end: int  # token index after the number
    kind: str = "number"  # number | article | zero | vague


@dataclass(frozen=True, slots=True)
class _Quantity:
    first: int  # first token, qualifier included
    last: int  # token index after the expression
    low: int
    high: int | None
    kind: str
    revision: tuple[int, int] | None = None  # "from five to eight": token indexes of the two numbers


@dataclass(frozen=True, slots=True)
class _Found:
    start: int  # character offsets in the sentence
    end: int
    low: int
    high: int | None
    victims: str


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(), m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _word_value(word: str) -> int | None:
    if word in _UNITS:
        return _UNITS[word]
    if word in _TENS:
        return _TENS[word]
    tens, _, unit = word.partition("-")
    if tens in _TENS and unit in _UNITS and 0 < _UNITS[unit] < 10:
        return _TENS[tens] + _UNITS[unit]
    return None


def _core(toks: list[_Token], i: int) -> _Core | None:
    """A bare number at token i: digits, words, dozens, vague amounts, "a"/"an"/"no"."""
    w = toks[i].low
    nxt = toks[i + 1].low if i + 1 < len(toks) else ""
    if _DIGITS.fullmatch(w):
        return _multiplied(toks, i + 1, int(w.replace(",", "")))
    if w in ("a", "an"):
        return _article(toks, i, nxt)
    if w == "half" and nxt == "a" and i + 2 < len(toks) and toks[i + 2].low == "dozen":
        return _Core(6, 6, i + 3)
    if w in _VAGUE:
        return _vague(toks, i)
    if w in ("no", "none", "nobody"):
        return _zero(toks, i, w, nxt)
    if w == "another":
        return _Core(1, 1, i + 1)
    if w == "both":
        return _Core(2, 2, i + 1)
    return _spelled(toks, i)


def _multiplied(toks: list[_Token], j: int, value: int) -> _Core:
    """`value` possibly followed by "dozen" or "hundred"."""
    nxt = toks[j].low if j < len(toks) else ""
    if nxt == "dozen":
        return _Core(value * 12, value * 12, j + 1)
    if nxt == "hundred":
        return _Core(value * 100, value * 100, j + 1)
    return _Core(value, value, j)


def _article(toks: list[_Token], i: int, nxt: str) -> _Core:
    after = toks[i + 2].low if i + 2 < len(toks) else ""
    if nxt == "dozen":
        return _Core(12, 12, i + 2)
    if nxt == "hundred":
        return _Core(100, 100, i + 2)
    if nxt == "couple" and after == "of":
        return _Core(2, 2, i + 3)
    if nxt == "number" and after == "of":
        return _Core(10, 10, i + 3, "vague")
    if nxt in ("large", "huge", "great", "significant") and _match(toks, i + 2, ("number", "of")):
        return _Core(10, 10, i + 4, "vague")
    return _Core(1, 1, i + 1, "article")


def _vague(toks: list[_Token], i: int) -> _Core:
    value, floor = _VAGUE[toks[i].low]
    j = i + 1
    if j + 1 < len(toks) and toks[j].low == "of" and toks[j + 1].low in ("thousands", "hundreds"):
        value *= _VAGUE[toks[j + 1].low][0]  # "tens of thousands"
        j += 2
    return _Core(value, None if floor else value, j, "vague")


def _zero(toks: list[_Token], i: int, w: str, nxt: str) -> _Core:
    if w == "no" and nxt == "one":
        return _Core(0, 0, i + 2, "zero-bare")
    return _Core(0, 0, i + 1, "zero" if w == "no" else "zero-bare")


def _spelled(toks: list[_Token], i: int) -> _Core | None:
    value = _word_value(toks[i].low)
    if value is None:
        return None
    j = i + 1
    if value in _TENS.values() and j < len(toks) and toks[j].low in _UNITS and 0 < _UNITS[toks[j].low] < 10:
        value += _UNITS[toks[j].low]  # "twenty one"
        j += 1
    return _multiplied(toks, j, value)


def _match(toks: list[_Token], i: int, words: tuple[str, ...]) -> bool:
    return i + len(words) <= len(toks) and all(toks[i + k].low == w for k, w in enumerate(words))


def _qualifier(toks: list[_Token], i: int) -> tuple[int, bool | None]:
    """(token index after a qualifier at i, True if it opens the figure upwards / None if there is none)."""
    for words, opens in _QUALIFIERS.get(toks[i].low, ()):
        if _match(toks, i, words):
            return i + len(words), opens
    return i, None


def _quantity(toks: list[_Token], i: int) -> _Quantity | None:
    """A number expression starting at token i: qualifier, number, range, "or more"."""
    j, opened = _qualifier(toks, i)
    lead = toks[j].low if j < len(toks) and toks[j].low in ("between", "from") else ""
    start = j + 1 if lead else j
    core = _core(toks, start) if start < len(toks) else None
    if core is None:
        return None
    low, high, end, revision = core.low, core.high, core.end, None
    ranged = _range_end(toks, core, lead == "between")
    if lead and ranged is None:
        return None  # "from five": the number itself is read at the next token
    if ranged is not None:
        high, end = ranged.low, ranged.end
        if lead == "from":
            revision = (start, core.end + 1)
    elif end < len(toks) and _postfix(toks, end):
        end, high = _postfix(toks, end), None
    if opened:
        high = None
    return _Quantity(i, end, low, high, core.kind, revision)


def _range_end(toks: list[_Token], core: _Core, between: bool) -> _Core | None:
    """The upper end of "30 to 45", "30-45", "five or six", "between 30 and 45"."""
    j = core.end
    if core.kind not in ("number",) or j + 1 >= len(toks):
        return None
    joiner = toks[j].low
    if joiner not in ("to", "-", "–", "—", "or") and not (between and joiner == "and"):
        return None
    if joiner == "-" and (toks[j].start != toks[j - 1].end or toks[j + 1].start != toks[j].end):
        return None
    upper = _core(toks, j + 1)
    if upper is None or upper.kind != "number" or upper.low <= core.low:
        return None
    return upper


def _postfix(toks: list[_Token], j: int) -> int:
    """Token index after "or more", "-plus", "+"; 0 if there is none."""
    if _match(toks, j, ("or", "more")):
        return j + 2
    if _match(toks, j, ("-", "plus")) and toks[j].start == toks[j - 1].end:
        return j + 2
    if toks[j].low in ("plus", "+") and (toks[j].low == "plus" or toks[j].start == toks[j - 1].end):
        return j + 1
    return 0


# --- the reader ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Phrase:
    """A noun phrase of people (or of deaths) after a number."""

    end: int  # token index after the phrase
    victims: str
    head: str  # the head noun, lower case
    death_noun: bool = False


class _Reader:
    """Reads one sentence's tokens left to right and collects the death figures."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.quantities: dict[int, _Quantity] = {}
        self.consumed: set[int] = set()
        self.found: list[_Found] = []

    def read(self) -> list[_Found]:
        self._scan_quantities()
        for first in sorted(self.quantities):
            if first not in self.consumed:
                self._consider(self.quantities[first])
        return self.found

    def _scan_quantities(self) -> None:
        i = 0
        while i < len(self.toks):
            w = self.toks[i].low
            if not (w[0].isdigit() or w in _QUANTITY_STARTS or "-" in w and _word_value(w) is not None):
                i += 1
                continue
            q = _quantity(self.toks, i)
            if q is not None and not self._excluded(q):
                self.quantities[q.first] = q
                i = q.last
            else:
                i += 1

    # -- what is not a figure: dates, years, ages, units, money, sub-counts

    def _excluded(self, q: _Quantity) -> bool:
        toks = self.toks
        prev = toks[q.first - 1] if q.first > 0 else None
        nxt = toks[q.last] if q.last < len(toks) else None
        for t in toks[q.first:q.last]:
            if t.low[0].isdigit() and not _DIGITS.fullmatch(t.low):
                return True  # 20.5, 4:00, 1st
            if len(t.low) == 4 and t.low.isdigit() and 1900 <= int(t.low) <= 2100:
                return True  # a year
        if prev is not None and (prev.low in _MONTHS or prev.text == "May" or prev.low in _CURRENCY):
            return True
        if prev is not None and prev.low == "-" and q.first > 1 and prev.start == toks[q.first - 2].end:
            return True  # N-40
        if nxt is not None and (nxt.low in _MONTHS or nxt.text == "May" or nxt.low in _UNIT_WORDS):
            return True
        if nxt is not None and nxt.low == "-" and nxt.start == toks[q.last - 1].end:
            return True  # 48-hour, 12-year-old
        return q.kind == "zero" and not self._person_after(q.last)

    def _person_after(self, j: int) -> bool:
        return self._phrase(j) is not None

    def _is_partial(self, i: int) -> bool:
        """A sub-count of a total given just before: "including three children", "the dead included four women"."""
        for k in range(i - 1, max(-1, i - 10), -1):
            w = self.toks[k].low
            if w in _PARTIAL_CUES or (w in ("them", "whom") and k > 0 and self.toks[k - 1].low == "among"):
                return True
            if w in _CLAUSE_BREAKS or w in _NOT_DEATH or w in _KILL_VERBS or w in ("dead", "died", "killed"):
                return False
        return False

    # -- one number expression

    def _consider(self, q: _Quantity) -> None:
        if self._is_partial(q.first):
            return
        j = q.last
        if j < len(self.toks) and self.toks[j].low == "of":
            self._partitive(q)
            return
        phrase = self._phrase(j)
        if phrase is None and not self._bare_ok(q, j):
            return
        if q.kind == "article" and phrase is not None and phrase.head not in _SINGULAR and not phrase.death_noun:
            return  # "a few soldiers" is no count
        self._decide(q, phrase)

    def _decide(self, q: _Quantity, phrase: _Phrase | None) -> None:
        end = phrase.end if phrase else q.last
        victims = phrase.victims if phrase else "unspecified"
        if phrase is not None and phrase.death_noun:
            if q.kind != "article":  # "a victim's body" is no count
                self._emit(q.first, end, q.low, q.high, "unspecified")
            return
        verdict, pred_end, hint = self._predicate_after(end)
        if hint and victims == "unspecified" and hint in ("civilians", "militants"):
            victims = hint
        if verdict == "death":
            named = self._named_before(q, phrase, subject=True)
            if named is not None:
                self._emit(named, pred_end, q.low + 1, None if q.high is None else q.high + 1, "unspecified")
                return
            self._emit_with_company(q, victims, pred_end)
            return
        if verdict == "not":
            return
        if self._list(q, phrase):
            return
        self._governed(q, phrase, victims)

    def _governed(self, q: _Quantity, phrase: _Phrase | None, victims: str) -> None:
        """Death language before the number: a killing verb, "the minister and two others", or a death toll."""
        end = phrase.end if phrase else q.last
        verb = self._death_before(q.first)
        if verb is not None:
            start, need = verb
            if need == "person" and phrase is None or need in ("hell", "dead") and not self._followed_by(end, need):
                return
            if need == "person":
                need = ""
            self._emit(start, self._need_end(end, need) if need else end, q.low, q.high, victims)
            return
        named = self._named_before(q, phrase, subject=False)
        if named is not None:
            self._emit(named, end, q.low + 1, None if q.high is None else q.high + 1, "unspecified")
            return
        cue = self._toll_before(q.first)
        if q.kind == "article" or cue is None:
            return
        if phrase is None:
            victims = victims_of(self.text[self.toks[cue].start:self.toks[q.first - 1].end])
        if q.revision is None:
            if cue > 0 and self.toks[cue - 1].low in ("death", "body", "casualty", "fatality"):
                cue -= 1
            self._emit(cue, end, q.low, q.high, victims)  # surface: "death toll rose to 8"
            return
        for k in q.revision:  # "raised the toll from five to eight": both tolls were reported
            v = _core(self.toks, k)
            if v is None:  # cannot happen: the revision's indexes were found by _core
                continue
            self._emit(k, v.end, v.low, v.high, victims)

    def _bare_ok(self, q: _Quantity, j: int) -> bool:
        """A number with no noun ("only five were killed", "kills 10"): what follows must not be another noun."""
        if q.kind in ("article", "zero"):
            return False
        if j >= len(self.toks):
            return True
        t = self.toks[j]
        if not t.low[0].isalpha():
            return True
        return t.low in _STOP or t.low in _DEATH_NOUNS or t.low in _TIME_WORDS or bool(_ADVERB.fullmatch(t.low))

    # -- noun phrases

    def _phrase(self, j: int) -> _Phrase | None:
        """People after a number: up to five modifiers, then person nouns ("Frontier Corps (FC) soldiers")."""
        toks, head, k, modifiers = self.toks, None, j, 0
        while k < len(toks) and modifiers <= 5:
            w = toks[k].low
            if w in _QUOTES or w in ("(", ")", "[", "]"):
                k += 1
                continue
            if w in _PERSON_NOUNS:
                head = k
                k += 1
                continue
            if head is not None:
                break
            if w in _DEATH_NOUNS:
                return _Phrase(k + 1, "unspecified", w, death_noun=True) if self._ends_phrase(k + 1) else None
            if self._compound_number(k):  # "a 12-year-old boy", "a five-member team"
                k += 3
                continue
            if w in _STOP or not w[0].isalpha() or _core(toks, k) is not None:
                return None
            modifiers += 1
            k += 1
        if head is None:
            return None
        end = self._complement(head + 1, toks[head].low)
        return _Phrase(end, victims_of(self.text[toks[j].start:toks[end - 1].end]), toks[head].low)

    def _compound_number(self, k: int) -> bool:
        toks = self.toks
        return (k + 2 < len(toks) and toks[k].low[0].isdigit() and toks[k + 1].low == "-"
                and toks[k + 1].start == toks[k].end and toks[k + 2].start == toks[k + 1].end)

    def _ends_phrase(self, k: int) -> bool:
        """ "12 deaths" but not "a death toll" or "the death squad"."""
        return k >= len(self.toks) or not self.toks[k].low[0].isalpha() or self.toks[k].low in _STOP

    def _complement(self, k: int, head: str) -> int:
        """ "members of its security forces", "sons of the soil": the "of" part says who they were."""
        toks = self.toks
        if head not in ("members", "member", "sons", "personnel") or k >= len(toks) or toks[k].low != "of":
            return k
        for m in range(k + 1, min(len(toks), k + 6)):
            w = toks[m].low
            if w in _PERSON_NOUNS or w in ("soil", "family", "families", "forces"):
                return m + 1
            if w in _CLAUSE_BREAKS or w == "," or w in _BE:
                break
        return k

    # -- death language after the dead

    def _predicate_after(self, j: int) -> tuple[str, int, str | None]:
        """("death" | "not" | "none", token index after the verb, victims named in an "including" aside)."""
        hint = None
        k = self._skip_including(j)
        if k != j:
            hint = self._including_victims(j, k)
        verdict, end = self._verb_at(k)
        if verdict == "none":
            verdict, end = self._verb_after_gap(k)
        return verdict, end, hint

    def _including_victims(self, j: int, k: int) -> str:
        """One group for the people named in an "including" aside, or "unspecified" when they differ."""
        aside = self.text[self.toks[j].start:self.toks[k - 1].end]
        parts = [p for p in re.split(r",|\band\b|\bincluding\b", aside) if re.search(r"[A-Za-z]", p)]
        groups = {victims_of(p) for p in parts}
        return groups.pop() if len(groups) == 1 else "unspecified"

    def _verb_at(self, k: int, need_be: bool = False) -> tuple[str, int]:
        """Death or injury language at token k, after auxiliaries and adverbs ("have also been", "reportedly")."""
        toks, passive = self.toks, False
        start = k
        while k < len(toks) and k - start < 6 and (
            toks[k].low in _AUX or toks[k].low in _QUOTES or _ADVERB.fullmatch(toks[k].low) and toks[k].low != "only"
        ):
            passive |= toks[k].low in _BE
            k += 1
        if k >= len(toks):
            return "none", k
        if toks[k].low in _NOT_DEATH:
            return "not", k
        for words in _DEATH_AFTER_INDEX.get(toks[k].low, ()):
            if _match(toks, k, words):
                return self._death_verdict(k, words, passive, need_be)
        return "none", k

    def _death_verdict(self, k: int, words: tuple[str, ...], passive: bool, need_be: bool) -> tuple[str, int]:
        end = k + len(words)
        if need_be and not passive:
            return "none", k
        if words[0] in _TRANSITIVE and not passive and self._object_at(end):
            return "none", k  # active voice: these people killed someone else
        toks = self.toks
        if end + 1 < len(toks) and toks[end].low in ("and", "or", "/") and toks[end + 1].low in _NOT_DEATH:
            return "not", k  # "killed or injured" is not a death count
        return "death", end

    def _object_at(self, k: int) -> bool:
        """Whether an object follows the verb, which makes it active: "bombers killed six", "killed a guard"."""
        if k >= len(self.toks):
            return False
        w = self.toks[k].low
        return w in ("a", "an", "the", "his", "her", "their", "its", "at", "over", "more") or w in _PERSON_NOUNS or (
            _core(self.toks, k) is not None and w not in ("no",))

    def _verb_after_gap(self, k: int) -> tuple[str, int]:
        """Death language after an aside: ", having fought gallantly, embraced shahadat"; "in the bus were killed"."""
        toks = self.toks
        if k < len(toks) and toks[k].low == ",":
            close = next((m for m in range(k + 1, min(len(toks), k + 8)) if toks[m].low == ","), None)
            if close is not None and self._clean(k + 1, close):
                return self._verb_at(close + 1)
            return "none", k
        if k < len(toks) and (toks[k].low in _PREPOSITIONS or toks[k].low in ("who", "that")):
            for m in range(k + 1, min(len(toks), k + 10)):
                if toks[m].low in _BE:
                    return self._verb_at(m, need_be=True) if self._clean(k + 1, m) else ("none", k)
                if toks[m].low in (",", ".", ";") or toks[m].low in _NOT_DEATH:
                    break
        return "none", k

    def _clean(self, a: int, b: int) -> bool:
        """No number, and no verb of death or injury, between tokens a and b."""
        for t in self.toks[a:b]:
            if t.low[0].isdigit() or t.low in _UNITS or t.low in _NOT_DEATH or t.low in _KILL_VERBS:
                return False
        return True

    def _skip_including(self, j: int) -> int:
        """Token index after an "including ..." or "among them ..." aside; the counts inside it are sub-counts, never
        coded."""
        toks = self.toks
        k = j + 1 if j < len(toks) and toks[j].low in (",", "(") else j
        among = k + 1 < len(toks) and toks[k].low in ("among", "amongst") and toks[k + 1].low in ("them", "whom")
        if k >= len(toks) or not (toks[k].low == "including" or among):
            return j
        commas = [m for m in range(k + 1, len(toks)) if toks[m].low in (",", ")")]
        end = next((m for m in commas if self._verb_at(m + 1)[0] != "none"), None)
        if end is None:
            end = commas[0] if commas else len(toks)
        self._consume(k, end)
        return end + 1 if end < len(toks) else end

    def _consume(self, a: int, b: int) -> None:
        self.consumed.update(first for first in self.quantities if a <= first < b)

    # -- lists: "12 soldiers and 13 terrorists were killed", "three women, two kids and two civilians"

    def _list(self, q: _Quantity, phrase: _Phrase | None) -> bool:
        items = [(q, phrase)]
        end = phrase.end if phrase else q.last
        while True:
            k = end
            while k < len(self.toks) and self.toks[k].low in (",", "and"):
                k += 1
            nxt = self.quantities.get(k)
            if k == end or nxt is None or nxt.first in self.consumed:
                break
            nphrase = self._phrase(nxt.last)
            if nphrase is None or nphrase.death_noun:
                break
            items.append((nxt, nphrase))
            end = nphrase.end
        if len(items) < 2:
            return False
        verdict, _, _ = self._predicate_after(end)
        if verdict != "death" and self._death_before(q.first) is None:
            return False
        if verdict == "not":
            items = items[:-1]
        self._emit_items(items)
        return True

    def _emit_items(self, items: list[tuple[_Quantity, _Phrase | None]]) -> None:
        groups: dict[str, list[tuple[_Quantity, _Phrase | None]]] = {}
        for item in items:
            groups.setdefault(item[1].victims if item[1] else "unspecified", []).append(item)
            self.consumed.add(item[0].first)
        for victims, members in groups.items():
            low = sum(m[0].low for m in members)
            highs = [m[0].high for m in members if m[0].high is not None]
            high = sum(highs) if len(highs) == len(members) else None  # one open-ended figure opens the sum
            last = members[-1]
            self._emit(members[0][0].first, last[1].end if last[1] else last[0].last, low, high, victims)

    # -- partitives: "eleven of the militants", "six of them", "18 of the 26 hostages killed were soldiers"

    def _partitive(self, q: _Quantity) -> None:
        toks, k = self.toks, q.last + 1
        if k < len(toks) and toks[k].low in ("them", "those", "these", "whom"):
            self._decide(q, _Phrase(k + 1, "unspecified", toks[k].low))
            return
        if k < len(toks) and toks[k].low in ("the", "its", "their", "our"):
            k += 1
        if k < len(toks) and toks[k].low in ("wounded", "injured", "dead", "hostages", "victims", "missing"):
            if k + 1 >= len(toks) or toks[k + 1].low not in _PERSON_NOUNS:
                self._decide(q, _Phrase(k + 1, "unspecified", toks[k].low))  # "two of the wounded died"
                return
            k += 1
        whole = self.quantities.get(k)
        if whole is not None:
            self._subset_of_total(q, whole)
            return
        phrase = self._phrase(k)
        if phrase is not None:
            self._decide(q, phrase)

    def _subset_of_total(self, part: _Quantity, whole: _Quantity) -> None:
        """Part of a total. "one of the 12 killed" gives 12; "18 of the 26 hostages killed were soldiers" gives 26
        hostages and 18 soldiers; in "3 of the 5 hostages were killed" or "killed 3 of the 5 hostages" only 3 died."""
        phrase = self._phrase(whole.last)
        end = phrase.end if phrase else whole.last
        victims = phrase.victims if phrase else "unspecified"
        self.consumed.add(whole.first)
        verdict, verb_end = self._verb_at(end)
        if verdict == "not":  # "two of the 7 injured later died"
            end = verb_end + 1
        if verdict != "death" or self.toks[end].low in _AUX:
            self._decide(part, _Phrase(end, victims, phrase.head if phrase else ""))
            return
        self._emit(whole.first, verb_end, whole.low, whole.high, victims)  # "the 26 hostages killed"
        if verb_end >= len(self.toks) or self.toks[verb_end].low not in ("were", "was"):
            return
        stop = next((m for m in range(verb_end + 1, len(self.toks)) if self.toks[m].low in (",", ".", ";", "while")),
                    len(self.toks))
        if stop > verb_end + 1:
            described = self.text[self.toks[verb_end + 1].start:self.toks[stop - 1].end]
            self._emit(part.first, stop, part.low, part.high, victims_of(described))

    # -- death language before the dead

    def _death_before(self, i: int) -> tuple[int, str] | None:
        """(first token of a killing verb that governs the number at i, what must follow the people)."""
        if i == 0:
            return None
        for words, need in _DEATH_BEFORE_INDEX.get(self.toks[i - 1].low, ()):
            start = i - len(words)
            if start >= 0 and _match(self.toks, start, words):
                return start, need
        return None

    def _followed_by(self, end: int, need: str) -> bool:
        return self._need_end(end, need) > end

    def _need_end(self, end: int, need: str) -> int:
        toks = self.toks
        if need == "hell" and _match(toks, end, ("to", "hell")):
            return end + 2
        if need == "dead" and end < len(toks) and toks[end].low in ("dead", "killed"):
            return end + 1
        return end

    def _toll_before(self, i: int) -> int | None:
        """The token that opens "the death toll rose to 8", "death count rises to 12", "number of killed militants"."""
        toks = self.toks
        for k in range(i - 1, max(-1, i - 9), -1):
            w = toks[k].low
            if w in _TOLL_WORDS or (k > 0 and (toks[k - 1].low, w) in _TOLL_PAIRS):
                return k
            if w == "of" and k > 0 and toks[k - 1].low == "number" and k + 1 < i and toks[k + 1].low in _NUMBER_OF_DEAD:
                return k + 1
            if w in _CLAUSE_BREAKS or w[0].isdigit() or w in _NOT_DEATH:
                return None
        return None

    def _named_before(self, q: _Quantity, phrase: _Phrase | None, subject: bool) -> int | None:
        """Where "the minister" starts in "killed the minister and two others" (the dead are the others plus one).

        As an object the named person follows a killing verb; as a subject ("Mufti X and two others were killed") it
        opens the sentence or follows a comma. None when the number is not "N others" after such a person.
        """
        toks = self.toks
        if phrase is None or phrase.head not in ("others", "other") or q.first < 2 or toks[q.first - 1].low != "and":
            return None
        for k in range(q.first - 2, max(-1, q.first - 10), -1):
            w = toks[k].low
            if w in _KILL_VERBS and not subject:
                return k + 1 if k + 1 < q.first - 1 else None
            if w in (",", ":", "said", "says", "that") and subject:
                return k + 1 if k + 1 < q.first - 1 else None
            if w in (",", ";", ".") or w[0].isdigit() or w in _STOP and w not in ("the", "a", "an"):
                return None
        return 0 if subject and q.first - 1 < 10 else None

    # -- output

    def _emit_with_company(self, q: _Quantity, victims: str, end: int) -> None:
        """ "17 troops were martyred, along with another" adds the companion to the count."""
        low, high = q.low, q.high
        toks = self.toks
        if end + 2 < len(toks) and toks[end].low == "," and _match(toks, end + 1, ("along", "with")):
            extra = self.quantities.get(end + 3)
            if extra is not None and extra.kind in ("number", "article"):
                low, high = low + extra.low, None if high is None or extra.high is None else high + extra.high
                self.consumed.add(extra.first)
                end = extra.last
        self._emit(q.first, end, low, high, victims)

    def _emit(self, first: int, end: int, low: int, high: int | None, victims: str) -> None:
        self._consume(first, max(end, first + 1))
        start_char, end_char = self.toks[first].start, self.toks[max(first, end - 1)].end
        self.found.append(_Found(start_char, end_char, low, high, victims))


# --- figures without a number word -----------------------------------------------------------------------------------


def _zero_figures(text: str) -> list[_Found]:
    """ "No casualties were reported", "no loss of life": a figure of 0."""
    return [_Found(m.start(), m.end(), 0, 0, "unspecified") for m in _ZERO.finditer(text)]


def _titled_figures(text: str) -> list[_Found]:
    """ "Constable X was shot and killed", "Mufti Y succumbed": one named person dead."""
    found: list[_Found] = []
    for pattern in (_TITLED, _TITLED_OBJECT):
        for m in pattern.finditer(text):
            victims = "soldiers" if m.group("title") in _SOLDIER_RANKS else "civilians"
            found += _beside(found, [_Found(m.start(), m.end(), 1, 1, victims)])
    return found


def _beside(found: list[_Found], extra: list[_Found]) -> list[_Found]:
    """The extra figures that do not overlap one already found."""
    return [e for e in extra if all(e.end <= f.start or e.start >= f.end for f in found)]
