"""Synthetic news-style reports for benchmarks: realistic in shape, made up in substance.

`generate_reports(n, seed, words)` builds `n` articles in the corpus format (`id`, `url`, `outlet`, `published`,
`title`, `text`) about violence and diplomacy along the Pakistan–Afghanistan frontier in 2025: attacks by the TTP (under
several names), BLA, ISKP and the Hafiz Gul Bahadur group, army operations, police killed, cross-border clashes and
strikes, talks and ceasefires. Dates are absolute or relative to the publication date, figures come with "at least",
ranges, words or digits, and parties claim, deny and decline to comment. Background paragraphs pad each report to about
`words` words, so extraction meets the amount of non-event text a real page has.

Every incident here is invented; the wording is this file's own. Report `i` depends only on (seed, i), so the first
1,000 reports of a 10,000-report run are the 1,000-report run.

    python benchmarks/generate_reports.py --n 5 --words 600 > sample.jsonl
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta

FIRST_DAY, LAST_DAY = date(2025, 1, 3), date(2025, 12, 28)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")

OUTLETS = ("Frontier Ledger", "Khyber Evening Post", "Indus Daily Wire", "Hindu Kush Dispatch", "Quetta Courier",
           "Margalla Review", "Gulf Meridian", "Eastern Wire", "Silk Route Times", "Border Monitor Network",
           "Bosphorus Bulletin", "Corniche Daily", "Kabul Morning Star", "Suleiman Range Herald")


@dataclass(frozen=True)
class Place:
    name: str
    district: str
    province: str
    country: str
    border: bool = False  # on or near the frontier: cross-border clashes happen here


PLACES_PAKISTAN = (
    Place("Bannu", "Bannu", "Khyber Pakhtunkhwa", "Pakistan"),
    Place("Lakki Marwat", "Lakki Marwat", "Khyber Pakhtunkhwa", "Pakistan"),
    Place("Dera Ismail Khan", "Dera Ismail Khan", "Khyber Pakhtunkhwa", "Pakistan"),
    Place("Tank", "Tank", "Khyber Pakhtunkhwa", "Pakistan"),
    Place("Mir Ali", "North Waziristan", "Khyber Pakhtunkhwa", "Pakistan"),
    Place("Miranshah", "North Waziristan", "Khyber Pakhtunkhwa", "Pakistan", border=True),
    Place("Wana", "South Waziristan", "Khyber Pakhtunkhwa", "Pakistan"),
    Place("Angoor Adda", "South Waziristan", "Khyber Pakhtunkhwa", "Pakistan", border=True),
    Place("Parachinar", "Kurram", "Khyber Pakhtunkhwa", "Pakistan", border=True),
    Place("Khar", "Bajaur", "Khyber Pakhtunkhwa", "Pakistan", border=True),
    Place("Kalaya", "Orakzai", "Khyber Pakhtunkhwa", "Pakistan"),
    Place("Tirah", "Khyber", "Khyber Pakhtunkhwa", "Pakistan", border=True),
    Place("Landi Kotal", "Khyber", "Khyber Pakhtunkhwa", "Pakistan", border=True),
    Place("Peshawar", "Peshawar", "Khyber Pakhtunkhwa", "Pakistan"),
    Place("Chitral", "Chitral", "Khyber Pakhtunkhwa", "Pakistan", border=True),
    Place("Hangu", "Hangu", "Khyber Pakhtunkhwa", "Pakistan"),
    Place("Kohat", "Kohat", "Khyber Pakhtunkhwa", "Pakistan"),
    Place("Quetta", "Quetta", "Balochistan", "Pakistan"),
    Place("Turbat", "Kech", "Balochistan", "Pakistan"),
    Place("Gwadar", "Gwadar", "Balochistan", "Pakistan"),
    Place("Kalat", "Kalat", "Balochistan", "Pakistan"),
    Place("Mastung", "Mastung", "Balochistan", "Pakistan"),
    Place("Noshki", "Noshki", "Balochistan", "Pakistan"),
    Place("Chaman", "Killa Abdullah", "Balochistan", "Pakistan", border=True),
    Place("Zhob", "Zhob", "Balochistan", "Pakistan", border=True),
    Place("Khuzdar", "Khuzdar", "Balochistan", "Pakistan"),
    Place("Panjgur", "Panjgur", "Balochistan", "Pakistan"),
)
PLACES_AFGHANISTAN = (
    Place("Kabul", "Kabul", "Kabul", "Afghanistan"),
    Place("Kandahar", "Kandahar", "Kandahar", "Afghanistan"),
    Place("Spin Boldak", "Spin Boldak", "Kandahar", "Afghanistan", border=True),
    Place("Khost", "Khost", "Khost", "Afghanistan", border=True),
    Place("Barmal", "Barmal", "Paktika", "Afghanistan", border=True),
    Place("Urgun", "Urgun", "Paktika", "Afghanistan", border=True),
    Place("Asadabad", "Asadabad", "Kunar", "Afghanistan", border=True),
    Place("Jalalabad", "Jalalabad", "Nangarhar", "Afghanistan"),
    Place("Torkham", "Momand Dara", "Nangarhar", "Afghanistan", border=True),
    Place("Lashkar Gah", "Lashkar Gah", "Helmand", "Afghanistan"),
    Place("Gardez", "Gardez", "Paktia", "Afghanistan"),
    Place("Kunduz", "Kunduz", "Kunduz", "Afghanistan"),
)

# Surface names, several per actor, as outlets write them.
PAK_FORCES = ("Pakistani security forces", "the Pakistan Army", "Frontier Corps troops", "Pakistani troops",
              "soldiers of the Pakistan Army")
PAK_SOURCES = ("Inter-Services Public Relations (ISPR)", "the army's media wing ISPR", "the ISPR",
               "a Pakistani security official", "Pakistan's Foreign Office", "the interior ministry in Islamabad")
AFG_FORCES = ("Afghan Taliban forces", "forces of the Islamic Emirate", "Taliban border guards", "Afghan forces")
AFG_SOURCES = ("the Taliban government's spokesman Zabihullah Mujahid", "Afghanistan's Ministry of National Defence",
               "a Taliban spokesman in Kabul", "the Afghan interior ministry", "deputy spokesman Hamdullah Fitrat")
POLICE = ("police", "the Counter-Terrorism Department (CTD)", "Khyber Pakhtunkhwa police", "Balochistan Levies",
          "local police")
ARMED_GROUPS = {
    "TTP": ("the Tehreek-e-Taliban Pakistan (TTP)", "the Pakistani Taliban", "Fitna al-Khawarij", "TTP fighters",
            "the banned Tehrik-i-Taliban Pakistan"),
    "BLA": ("the Baloch Liberation Army (BLA)", "BLA fighters", "the outlawed Baloch Liberation Army",
            "Fitna al-Hindustan"),
    "HGB": ("the Hafiz Gul Bahadur group", "fighters loyal to Hafiz Gul Bahadur"),
    "ISKP": ("Islamic State Khorasan Province (ISKP)", "the Islamic State's regional branch", "IS-K", "Daesh"),
    "UNK": ("unidentified gunmen", "armed men on motorcycles", "unknown attackers"),
}
OFFICIAL_NAMES = ("Sajjad Khan", "Imran Baloch", "Fazal Rahim", "Naveed Akhtar", "Shah Wali", "Abdul Basit",
                  "Gul Zaman", "Asad Marwat", "Nasir Mengal", "Tariq Afridi")


# --- small helpers ---------------------------------------------------------------------------------------------------

def count(rng: random.Random, n: int) -> str:
    """A number as a reporter writes it: words up to twelve, sometimes digits."""
    if n < len(NUMBER_WORDS) and rng.random() < 0.6:
        return NUMBER_WORDS[n]
    return str(n)


def figure(rng: random.Random, n: int) -> str:
    """A fatality figure with the hedges of real reports: exact, "at least", "more than", or a range."""
    style = rng.random()
    if style < 0.35:
        return count(rng, n)
    if style < 0.65:
        return f"at least {count(rng, n)}"
    if style < 0.8:
        return f"more than {count(rng, n)}"
    return f"between {count(rng, n)} and {count(rng, n + rng.randint(1, 4))}"


def day_phrase(rng: random.Random, day: date, published: date) -> str:
    """How a report dates something: a weekday, "overnight", "last week", or the date itself."""
    gap = (published - day).days
    weekday = WEEKDAYS[day.weekday()]
    choices = [f"on {day.day} {MONTHS[day.month - 1]}", f"on {MONTHS[day.month - 1]} {day.day}"]
    if gap == 0:
        choices += ["on " + weekday, "earlier today", "early on " + weekday]
    elif gap == 1:
        choices += ["overnight", f"late on {weekday}", f"on {weekday} night", "yesterday"]
    elif gap < 7:
        choices += ["on " + weekday, f"last {weekday}", f"early on {weekday}"]
    else:
        choices += ["last week" if gap < 14 else "earlier this month"]
    return rng.choice(choices)


def pick_day(rng: random.Random) -> date:
    return FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- incidents -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    """What one incident paragraph may use."""

    day: date
    published: date
    place: Place

    def when(self, rng: random.Random) -> str:
        return day_phrase(rng, self.day, self.published)

    def said_on(self, rng: random.Random) -> str:
        """Sometimes the day of the statement, which is not the day of the event."""
        return f" on {WEEKDAYS[self.published.weekday()]}" if rng.random() < 0.3 else ""

    def where(self, rng: random.Random) -> str:
        p = self.place
        if p.name == p.province:
            return rng.choice([f"in {p.name}", f"in the city of {p.name}", f"in {p.name} province"])
        if p.name == p.district:
            return rng.choice([f"in {p.name}", f"in {p.name} district of {p.province}", f"in {p.province}'s {p.name}"])
        return rng.choice([f"in {p.name}, {p.district}", f"near {p.name} in {p.district} district",
                           f"in the {p.name} area of {p.district}, {p.province}"])


def ambush(rng: random.Random, s: Setting) -> list[str]:
    group = rng.choice(["TTP", "TTP", "HGB", "UNK"] if s.place.province != "Balochistan" else ["BLA", "BLA", "UNK"])
    attacker, source = rng.choice(ARMED_GROUPS[group]), rng.choice(PAK_SOURCES[:3])
    dead, militants = rng.randint(2, 16), rng.randint(2, 25)
    victims = rng.choice(["soldiers", "security personnel", "Frontier Corps men", "policemen"])
    lines = [
        f"{capitalise(figure(rng, dead))} {victims} were killed {s.when(rng)} when {attacker} attacked a security "
        f"convoy {s.where(rng)}, officials said{s.said_on(rng)}.",
        f"{capitalise(source)} said troops returned fire and that {figure(rng, militants)} attackers were killed "
        f"in the exchange, which lasted several hours.",
    ]
    lines.append(_responsibility(rng, group, attacker))
    if rng.random() < 0.5:
        claimed = dead + rng.randint(5, 30)
        lines.append(f"In a statement, the attackers put the number of troops killed at {claimed}, a figure the "
                     f"military rejected as propaganda.")
    return lines


def operation(rng: random.Random, s: Setting) -> list[str]:
    group = rng.choice(["TTP", "TTP", "HGB"] if s.place.province != "Balochistan" else ["BLA", "TTP"])
    name, forces = rng.choice(ARMED_GROUPS[group]), rng.choice(PAK_FORCES)
    killed, lost = rng.randint(3, 35), rng.choice([0, 0, 2, 3, 4, 5, 6])
    lines = [f"{capitalise(forces)} killed {figure(rng, killed)} militants of {name} in an intelligence-based "
             f"operation {s.where(rng)} {s.when(rng)}, according to {rng.choice(PAK_SOURCES[:3])}."]
    if lost:
        lines.append(f"{capitalise(count(rng, lost))} soldiers, including a captain, died during the fighting, the "
                     f"statement said.")
    else:
        lines.append("The statement did not mention any losses among the troops.")
    lines.append(rng.choice([
        "Weapons, ammunition and explosives were recovered from the hideout, it added.",
        "A search of the area was still under way to clear any militants left, the military said.",
        "Residents said they had been told to stay indoors while the operation went on.",
    ]))
    return lines


def suicide_bombing(rng: random.Random, s: Setting) -> list[str]:
    afghan = s.place.country == "Afghanistan"
    group = "ISKP" if afghan else rng.choice(["BLA", "TTP"] if s.place.province == "Balochistan" else ["TTP", "HGB"])
    target = rng.choice(["a police station", "a crowded market", "a mosque during Friday prayers", "a checkpoint",
                         "a government office", "a bank branch where salaries were being paid"])
    dead, hurt = rng.randint(2, 30), rng.randint(5, 60)
    lines = [f"A suicide bomber blew himself up at {target} {s.where(rng)} {s.when(rng)}, killing "
             f"{figure(rng, dead)} people and wounding {count(rng, hurt)} others, "
             f"{rng.choice(AFG_SOURCES[3:]) if afghan else 'the district police chief'} said."]
    lines.append(f"A doctor at the main hospital said the toll could rise because {count(rng, rng.randint(3, 9))} of "
                 f"the wounded were in a critical condition.")
    lines.append(_responsibility(rng, group, rng.choice(ARMED_GROUPS[group])))
    return lines


def roadside_bomb(rng: random.Random, s: Setting) -> list[str]:
    police, dead = rng.choice(POLICE), rng.randint(2, 9)
    lines = [f"A roadside bomb struck a vehicle carrying {police} {s.where(rng)} {s.when(rng)}, killing "
             f"{figure(rng, dead)} people, among them a sub-inspector, officials said.",
             f"District police officer {rng.choice(OFFICIAL_NAMES)} said the device had been planted under a culvert "
             f"and set off by remote control as the vehicle passed."]
    if rng.random() < 0.6:
        lines.append("No group claimed the bombing, but officials blamed militants who have stepped up attacks on "
                     "police in the area.")
    else:
        group = rng.choice(["TTP", "UNK"])
        lines.append(_responsibility(rng, group, rng.choice(ARMED_GROUPS[group])))
    return lines


def border_clash(rng: random.Random, s: Setting) -> list[str]:
    pak, afg = rng.choice(PAK_FORCES), rng.choice(AFG_FORCES)
    pak_dead, afg_dead = rng.randint(2, 25), rng.randint(3, 60)
    lines = [f"{capitalise(pak)} and {afg} exchanged heavy fire {s.where(rng)} {s.when(rng)}, with mortars and "
             f"machine guns used on both sides of the border, residents said.",
             f"{capitalise(rng.choice(PAK_SOURCES[:3]))} said {figure(rng, pak_dead)} Pakistani soldiers were killed "
             f"and that {figure(rng, afg_dead)} Taliban fighters died when troops responded.",
             f"{capitalise(rng.choice(AFG_SOURCES[:3]))} rejected that account, saying Pakistan had started the firing "
             f"and that {count(rng, rng.randint(2, 8))} Afghan civilians were among the dead."]
    if rng.random() < 0.5:
        lines.append("The crossing was closed to traders and travellers after the fighting, stranding hundreds of "
                     "loaded trucks on both sides.")
    return lines


def air_strike(rng: random.Random, s: Setting) -> list[str]:
    dead = rng.randint(3, 40)
    lines = [f"Air strikes hit houses {s.where(rng)} {s.when(rng)}, and {rng.choice(AFG_SOURCES[:3])} said "
             f"{figure(rng, dead)} civilians, most of them women and children, were killed.",
             "The Taliban government blamed Pakistan and called the raid a violation of Afghanistan's sovereignty."]
    lines.append(rng.choice([
        "Pakistan's military did not confirm or deny carrying out the strikes.",
        f"{capitalise(rng.choice(PAK_SOURCES[3:]))} denied that any civilians were killed and said the targets were "
        f"hideouts of {rng.choice(ARMED_GROUPS['TTP'] + ARMED_GROUPS['HGB'])}.",
        "Pakistani officials did not respond to requests for comment.",
    ]))
    return lines


def targeted_killing(rng: random.Random, s: Setting) -> list[str]:
    victim = rng.choice(["a tribal elder", "a polio vaccinator", "a shopkeeper", "a local journalist",
                         "a retired police officer", "two labourers from Punjab"])
    attacker = rng.choice(ARMED_GROUPS["UNK"])
    return [f"{capitalise(attacker)} shot dead {victim} {s.where(rng)} {s.when(rng)}, police said.",
            f"The attackers escaped, and {rng.choice(POLICE)} said a search had been launched.",
            "Relatives blocked the main road for several hours with the body, demanding the arrest of the killers."]


def abduction(rng: random.Random, s: Setting) -> list[str]:
    taken = rng.randint(2, 12)
    group = rng.choice(["BLA", "UNK"] if s.place.province == "Balochistan" else ["TTP", "UNK"])
    return [f"Gunmen abducted {count(rng, taken)} {rng.choice(['government employees', 'workers', 'passengers'])} "
            f"{s.where(rng)} {s.when(rng)} after stopping their vehicle on the highway, officials said.",
            _responsibility(rng, group, rng.choice(ARMED_GROUPS[group])),
            _released(rng, rng.randint(1, taken - 1))]


def talks(rng: random.Random, s: Setting) -> list[str]:
    city = rng.choice(["Doha", "Istanbul", "Riyadh", "Kabul", "Islamabad"])
    return [f"Delegations from Pakistan and Afghanistan met in {city} {s.when(rng)} to discuss the ceasefire and "
            f"attacks by militants based across the border, officials said.",
            f"{capitalise(rng.choice(PAK_SOURCES[3:]))} said Islamabad wanted written guarantees and a way to verify "
            f"them, while {rng.choice(AFG_SOURCES[:3])} said Afghan soil was not used against any country.",
            rng.choice(["The two sides agreed to meet again and to keep the ceasefire in place.",
                        "The talks ended without agreement, and no date was set for another round.",
                        "Mediators from Qatar and Türkiye said the sides had agreed on a monitoring mechanism."])]


PAKISTAN_INCIDENTS = (ambush, ambush, operation, operation, suicide_bombing, roadside_bomb, targeted_killing,
                      abduction, border_clash)
AFGHANISTAN_INCIDENTS = (air_strike, air_strike, border_clash, suicide_bombing)


def _released(rng: random.Random, n: int) -> str:
    verb = "was" if n == 1 else "were"
    return f"{capitalise(count(rng, n))} of them {verb} later released, according to a local elder."


def _responsibility(rng: random.Random, group: str, name: str) -> str:
    if group == "UNK":
        return "No group immediately said it was behind the attack."
    return rng.choice([f"{capitalise(name)} claimed responsibility in a message to journalists.",
                       f"{capitalise(name)} said in a statement that its fighters carried out the attack.",
                       f"Officials blamed {name}, which denied any involvement.",
                       f"Officials blamed {name}, which did not comment."])


def incident_paragraph(rng: random.Random, published: date) -> tuple[str, Place]:
    afghan = rng.random() < 0.3
    place = rng.choice(PLACES_AFGHANISTAN if afghan else PLACES_PAKISTAN)
    day = published - timedelta(days=rng.choice([0, 1, 1, 1, 2, 3, 5, 9]))
    build = rng.choice(AFGHANISTAN_INCIDENTS if afghan else PAKISTAN_INCIDENTS)
    if build is border_clash and not place.border:
        build = operation if not afghan else air_strike
    if rng.random() < 0.05:
        build = talks
    return " ".join(build(rng, Setting(day, published, place))), place


# --- background ------------------------------------------------------------------------------------------------------

# (first publication day it fits, text); {place}, {district} and {province} name the report's first incident.
BACKGROUND: tuple[tuple[date | None, str], ...] = (
    (None, "Violence in the north-west has risen steadily since the Taliban returned to power in Kabul in August 2021, "
           "and Pakistani officials say fighters find shelter and training across the border. The Taliban reject the "
           "charge and say Pakistan's security problems are its own to solve."),
    (None, "Casualty figures in the border districts are hard to check. Journalists need permission to travel there, "
           "mobile internet is often suspended during operations, and each side tends to publish the losses of the "
           "other."),
    (None, "Trade between the two countries has suffered each time the crossings close. Drivers say they can wait a "
           "week or more with perishable goods, and traders in Peshawar and Quetta count losses in the millions of "
           "rupees."),
    (None, "The frontier, drawn in 1893 and never formally accepted by any Afghan government, runs for about 2,600 "
           "kilometres through mountains and desert. Pakistan has fenced most of it, a project Kabul has objected to."),
    (None, "Pakistan has also pressed ahead with sending Afghan refugees home, a policy that has pushed hundreds of "
           "thousands of people across the border since late 2023 and strained relations further."),
    (None, "In Balochistan, separatist groups have attacked security forces, infrastructure and workers from other "
           "provinces for years, saying the province's gas and minerals benefit others. The state calls them proxies "
           "of India, which denies any role."),
    (None, "Analysts say the Pakistani Taliban have grown bolder, using night-vision equipment and small drones and "
           "moving in larger groups than before. Security officials say many of the weapons were left behind by "
           "foreign forces in Afghanistan."),
    (None, "Tribal elders around {place} have held several jirgas this year to ask both the militants and the security "
           "forces to keep fighting away from villages. Many families have left for Peshawar or Dera Ismail Khan until "
           "things calm down."),
    (date(2025, 10, 20), "The ceasefire agreed in Doha in October, and the talks that followed in Istanbul, were meant "
                         "to create a way of checking complaints from either side. Monitors say they still depend "
                         "mostly on what officials and local reporters tell them."),
    (None, "Health workers say polio vaccination campaigns in {province} have been suspended several times because of "
           "threats to teams and to the police who guard them."),
    (None, "Leaders in {province} have complained that decisions about military operations are taken without "
           "consulting them, and that people displaced by the fighting receive too little help."),
    (None, "The United Nations mission in Kabul has called on all sides to protect civilians and to allow independent "
           "investigations of incidents in which civilians are reported killed."),
    (None, "Traders in {place} said prices of flour, fuel and vegetables had risen sharply since the roads were "
           "closed, and that schools in several villages of {district} had not opened for weeks."),
    (None, "The military says it has carried out thousands of intelligence-based operations this year, and publishes "
           "the number of militants it says were killed in each. Independent groups that track the conflict count "
           "fewer."),
    (None, "Officials in Islamabad have said repeatedly that talks with the militants are not on the table, while some "
           "tribal leaders argue that force alone has not brought lasting peace to the area."),
    (None, "Kabul says its forces have arrested members of the Islamic State's regional branch and that the group no "
           "longer controls territory in Afghanistan, though it still carries out attacks in cities."),
    (None, "Residents of {district} described long nights of gunfire and said they rarely left home after dark. Shops "
           "close early, and few vehicles use the main road once the checkpoints shut."),
    (None, "Rights groups have asked for an independent inquiry into the deaths of civilians in operations in "
           "{province}, saying official accounts are seldom tested in court."),
    (date(2025, 10, 13), "Relations between Islamabad and Kabul reached their lowest point in October, when the "
                         "heaviest fighting in years broke out along the border before mediators from Qatar and "
                         "Türkiye brokered a ceasefire."),
)
CLOSINGS = (
    "Further details were awaited.",
    "This is a developing story and will be updated.",
    "Additional reporting by our correspondents in the region.",
    "Officials said an investigation had been ordered.",
)
DATELINES = {"Khyber Pakhtunkhwa": "PESHAWAR", "Balochistan": "QUETTA"}


def background_paragraph(rng: random.Random, published: date, place: Place, used: set[int]) -> str:
    """A background paragraph that fits the publication date, not yet used in this report if any is left."""
    fitting = [i for i, (start, _) in enumerate(BACKGROUND) if start is None or start <= published]
    choice = rng.choice([i for i in fitting if i not in used] or fitting)
    used.add(choice)
    return BACKGROUND[choice][1].format(place=place.name, district=place.district, province=place.province)


# --- reports ---------------------------------------------------------------------------------------------------------

def _words(text: str) -> int:
    return len(text.split())


def _dateline(rng: random.Random, place: Place) -> str:
    capital = DATELINES.get(place.province, "KABUL")
    return rng.choice([capital, capital, place.name.upper()])


def build_report(rng: random.Random, report_id: str, words: int) -> dict:
    published = pick_day(rng)
    incidents = [incident_paragraph(rng, published) for _ in range(rng.choice([1, 1, 1, 2, 2, 3]))]
    paragraphs = [text for text, _ in incidents]
    first_place = incidents[0][1]
    target = int(words * rng.uniform(0.85, 1.15))
    used: set[int] = set()
    while sum(map(_words, paragraphs)) < target - 20:
        position = rng.randint(1, len(paragraphs))  # background sits after the lead, between or after incidents
        paragraphs.insert(position, background_paragraph(rng, published, first_place, used))
    paragraphs.append(rng.choice(CLOSINGS))
    return _report_record(rng, report_id, published, first_place, paragraphs)


def _report_record(rng: random.Random, report_id: str, published: date, place: Place,
                   paragraphs: list[str]) -> dict[str, str]:
    """A report as `trucewatch ingest` reads it: an outlet drawn at random, its dateline, title and paragraphs."""
    outlet = rng.choice(OUTLETS)
    return {
        "id": report_id,
        "url": f"https://example.org/{outlet.lower().replace(' ', '-')}/{published:%Y/%m/%d}/{report_id}",
        "outlet": outlet,
        "published": published.isoformat(),
        "title": _title(paragraphs[0]),
        "text": f"{_dateline(rng, place)} — " + "\n\n".join(paragraphs) + "\n",
    }


def _title(lead: str) -> str:
    first = lead.split(", ")[0].split(" when ")[0].rstrip(".")
    return first if len(first) <= 90 else first[:87].rsplit(" ", 1)[0] + "..."


def generate_reports(n: int, seed: int = 0, words: int = 600) -> list[dict]:
    """`n` synthetic reports of about `words` words each; the same (n, seed, words) always gives the same reports."""
    if n < 0 or words < 50:
        raise ValueError("n must be >= 0 and words >= 50")
    return [build_report(random.Random(seed * 1_000_003 + i), f"bench-{seed}-{i:06d}", words) for i in range(n)]


# --- a war: many outlets, the same few happenings -------------------------------------------------------------------

WAR_FIRST_DAY = date(2025, 10, 9)  # the fortnight of open fighting along the border in October 2025
WAR_BUILDERS = (border_clash, border_clash, air_strike, ambush, operation, suicide_bombing, roadside_bomb)


class _Retelling(random.Random):
    """The randomness of one outlet's account of one happening: its wording (the hedges, the sources named, the
    phrasing) comes from the report's own stream, while the facts every outlet shares come from the happening's:
    each figure (`randint`) and the choice of the armed group (`choice` among ARMED_GROUPS keys) is drawn from a
    stream keyed by the happening, the call's arguments and how often the builder asked for them, so two accounts
    agree on them even when their wording made a builder take another branch."""

    def __init__(self, wording_seed: int, happening_seed: int) -> None:
        super().__init__(wording_seed)
        self._happening = happening_seed
        self._asked: dict[object, int] = {}

    def _fact(self, key: object) -> random.Random:
        times = self._asked.get(key, 0)
        self._asked[key] = times + 1
        return random.Random(f"{self._happening}|{key}|{times}")

    def randint(self, a: int, b: int) -> int:
        return self._fact(("randint", a, b)).randint(a, b)

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        if seq and all(isinstance(x, str) and x in ARMED_GROUPS for x in seq):
            return self._fact(("group", tuple(seq))).choice(seq)
        return super().choice(seq)


def war_sizes(n: int, rng: random.Random, largest: int = 500) -> list[int]:
    """Reports per happening, Zipf-like: the k-th biggest happening gets about `top`/k reports, so a few are told
    hundreds of times and most once to three times, `n` reports in all. `top` is `largest`, or n/10 for a small n
    (so a 2,000-report run still has many happenings)."""
    top = max(1, min(largest, n // 10))
    sizes: list[int] = []
    rank = 1
    while sum(sizes) < n:
        size = round(top / rank * rng.uniform(0.8, 1.2)) if rank <= top else rng.randint(1, 3)
        sizes.append(max(1, min(size, largest, n - sum(sizes))))
        rank += 1
    return sizes


def generate_war_reports(n: int, seed: int = 0, words: int = 600, days: int = 14,
                         largest: int = 500) -> list[dict]:
    """`n` reports of a war's shape: happenings over `days` days from 9 October 2025, each told by a Zipf-like
    number of reports (`war_sizes`, up to `largest`); the reports of one happening share its date, place, armed
    group and figures and vary their wording, outlet, dateline, background and publication day (the day itself or
    up to two days later). Reports come in order of publication, the happenings interleaved, as a feed delivers
    them. Each report also carries `happening` (its number, the biggest first), which ingest ignores."""
    if n < 0 or words < 50 or days < 1:
        raise ValueError("n must be >= 0, words >= 50 and days >= 1")
    rng = random.Random(f"war|{seed}")
    plan = []
    for number, size in enumerate(war_sizes(n, rng, largest)):
        afghan = rng.random() < 0.3
        place = rng.choice(PLACES_AFGHANISTAN if afghan else PLACES_PAKISTAN)
        build = rng.choice(WAR_BUILDERS)
        if build is border_clash and not place.border:
            build = air_strike if afghan else operation
        if build is air_strike and not afghan:
            build = ambush
        day = WAR_FIRST_DAY + timedelta(days=rng.randrange(days))
        for _ in range(size):
            published = day + timedelta(days=rng.choice([0, 0, 0, 1, 1, 2]))
            plan.append((published, rng.random(), number, place, build, day))
    plan.sort(key=lambda p: (p[0], p[1]))
    return [_war_report(seed, i, words, *p) for i, p in enumerate(plan)]


def _war_report(seed: int, i: int, words: int, published: date, _order: float, number: int, place: Place,
                build, day: date) -> dict:  # type: ignore[no-untyped-def]
    rng = _Retelling(seed * 1_000_003 + i, seed * 1_000_003 + number)
    paragraphs = [" ".join(build(rng, Setting(day, published, place)))]
    target = int(words * rng.uniform(0.85, 1.15))
    used: set[int] = set()
    while sum(map(_words, paragraphs)) < target - 20:
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), background_paragraph(rng, published, place, used))
    paragraphs.append(rng.choice(CLOSINGS))
    return {**_report_record(rng, f"war-{seed}-{i:06d}", published, place, paragraphs), "happening": number}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print synthetic reports as JSON Lines.")
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--shape", choices=("plain", "war"), default="plain",
                        help="war: happenings told by many reports each (generate_war_reports)")
    args = parser.parse_args(argv)
    make = generate_war_reports if args.shape == "war" else generate_reports
    for report in make(args.n, args.seed, args.words):
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
