"""The lexicon: word lists that live in data files (`data/lexicon/*.toml`), compiled once into patterns.

Vocabulary is data, mechanisms are code: a reviewer extends a list of phrases without reading a regular expression.
A phrase is matched case-insensitively on whole words, with a small syntax:

- a space between words matches spaces or one hyphen ("air strike" finds "air-strike"); `~` between two words
  matches a space, a hyphen or nothing ("air~strike" finds "airstrike" too);
- `word*` takes any ending ("clash*" finds clash, clashes, clashed); `*` alone is any one word;
- `[word]` is an optional word; `a|b` is either word;
- `_N` (N a digit) is up to N words of any kind ("attacked _2 post*" finds "attacked a border post").

A list entry may also be a table `{phrase = "...", re = "..."}` where plain words cannot say it; `re` is a regular
expression used as written (kept rare, each with a comment in the file).
"""
from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

_GAP = r"[\s\-–]+"
_TIGHT_GAP = r"[\s\-–]*"


def compile_phrase(phrase: str) -> str:
    """One phrase of the lexicon as a regular expression (without flags)."""
    parts: list[str] = []
    for chunk in re.split(r"(\s+|~)", phrase.strip()):
        if not chunk:
            continue
        gap = _TIGHT_GAP if chunk == "~" else _GAP if chunk.isspace() else None
        if gap is not None:
            if parts and parts[-1] in (_GAP, _TIGHT_GAP):
                parts[-1] = gap
            elif parts and not _carries_gap(parts[-1]):
                parts.append(gap)
            continue
        parts.append(_token(chunk))
    return r"(?<![\w])" + "".join(parts) + r"(?![\w])"


# A gap holds the words that modify what follows ("a remote border post"), never the start of another clause
# ("the attack when a convoy ..."): these words end it.
_NOT_A_CLAUSE = (r"(?!(?:when|while|after|before|as|since|because|that|which|who|whom|whose|where|and|but|or|if|"
                 r"then|than|although|though|until|during|following)\b)")


def _carries_gap(part: str) -> bool:
    """Optional words and word gaps end with their own gap ("[the] attack" also finds "attack")."""
    return part.endswith(_OWN_GAP_END)


_OWN_GAP_END = ")?"  # both kinds of token below end so


def _token(token: str) -> str:
    if re.fullmatch(r"_\d", token):
        return rf"(?:(?:{_NOT_A_CLAUSE}[\w'’.,]+\s+){{0,{token[1]}}})?"
    if token.startswith("[") and token.endswith("]"):
        return "(?:" + _token(token[1:-1]) + _GAP + ")?"
    if token == "*":
        return r"[\w'’-]+"
    alternatives = [_word(w) for w in token.split("|")]
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


def _word(word: str) -> str:
    if word.endswith("*"):
        return re.escape(word[:-1]) + r"[\w'’]*"
    return re.escape(word)


def entry_pattern(entry: Any) -> str:
    """A list entry: a phrase, or a table with a raw `re`."""
    if isinstance(entry, str):
        return compile_phrase(entry)
    if isinstance(entry, dict) and "re" in entry:
        return str(entry["re"])
    if isinstance(entry, dict) and "phrase" in entry:
        return compile_phrase(str(entry["phrase"]))
    raise ValueError(f"lexicon entry {entry!r} is neither a phrase nor a table with 'phrase' or 're'")


def alternation(entries: list[Any]) -> re.Pattern[str]:
    """Every entry of a list as one case-insensitive pattern, longest alternatives first."""
    patterns = sorted((entry_pattern(e) for e in entries), key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)", re.IGNORECASE)


@cache
def load(name: str) -> dict[str, Any]:
    """A lexicon file of the package by name (`data/lexicon/NAME.toml`)."""
    text = resources.files("trucewatch.data").joinpath("lexicon", f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def cues(name: str, key: str) -> Cues:
    """One list of a lexicon file, to search text with: `cues("cues", "background").search(text)`."""
    table: Any = load(name)
    for part in key.split("."):
        table = table[part]
    phrases = [e for e in table if not (isinstance(e, dict) and "re" in e)]
    raws = tuple(re.compile(str(e["re"]), re.IGNORECASE) for e in table if isinstance(e, dict) and "re" in e)
    starts = anchors(phrases)
    return Cues(alternation(phrases), starts, raws, _register(starts))


@dataclass(frozen=True)
class Anchors:
    """The words a list's phrases can start with, so that a pattern is tried only where one of them stands.

    Python's regular expressions try every alternative at every position; a list of two hundred phrases is then
    tried two hundred times per character. Looking up each word of the text in a set first is much cheaper, and the
    pattern runs only at the few words that can start a match. A list whose phrases can start anywhere (a raw `re`,
    a leading wildcard) has no anchors and is scanned as a whole.
    """

    words: frozenset[str]  # whole words, lower case
    stems: tuple[str, ...]  # word beginnings ("clash" of "clash*", "air" of "air~strike")

    def admit(self, word: str) -> bool:
        return word in self.words or word.startswith(self.stems)


def anchors(entries: list[Any]) -> Anchors | None:
    """The starting words of every entry, or None when one entry can start with any word."""
    words: set[str] = set()
    stems: set[str] = set()
    for entry in entries:
        phrase = entry if isinstance(entry, str) else entry.get("phrase") if isinstance(entry, dict) else None
        if phrase is None or (isinstance(entry, dict) and "re" in entry):
            return None
        if not _first_words(str(phrase), words, stems):
            return None
    return Anchors(frozenset(words), tuple(sorted(stems)))


def _first_words(phrase: str, words: set[str], stems: set[str]) -> bool:
    """Add the words `phrase` may begin with; false if it may begin with any word."""
    pieces = re.split(r"(\s+|~)", phrase.strip())
    tokens = [(pieces[i], pieces[i + 1] if i + 1 < len(pieces) else "") for i in range(0, len(pieces), 2)]
    for token, separator in tokens:
        optional = token.startswith("[") and token.endswith("]")
        if re.fullmatch(r"_\d", token):
            continue
        bare = token[1:-1] if optional else token
        if bare == "*":
            return False
        for word in bare.lower().split("|"):
            if word.endswith("*") or separator == "~":
                stems.add(word.rstrip("*"))
            else:
                words.add(word)
        if not optional:
            return True
    return False


_WORD = re.compile(r"\w+")
_WORD_CACHE_LIMIT = 200_000  # distinct words remembered per process (news has far fewer; a crafted file may not)
_TEXT_CACHE_LIMIT = 4_096  # texts whose word starts are kept: a report's sentences, asked about by many lists


class WordStarts:
    """Where the phrases of every list can start in a text, found in one pass over the text's words.

    Each list of phrases with anchors (the cue lists, the trigger tables) registers here once. The first time a text
    is asked about, its words are read once and each word's lists are looked up in a dictionary (computed once per
    distinct word per process); the answer for every list is kept, so the twenty-odd lists asked about one sentence
    cost one pass over it, not twenty. A list then tries its compiled pattern only at those positions.
    """

    def __init__(self) -> None:
        self._lists = 0
        self._by_word: dict[str, list[int]] = {}  # a whole first word -> the lists it starts
        self._by_stem: dict[str, list[int]] = {}  # a first word's beginning ("clash" of "clash*") -> its lists
        self._longest_stem = 0
        self._lists_of_word: dict[str, tuple[int, ...]] = {}
        self._texts: dict[str, dict[int, list[int]]] = {}
        # Extraction may run in several threads (a web upload beside the watch): a list registers, and a word or a
        # text is first worked out, under this lock, so that none is kept that misses a list registered meanwhile.
        self._lock = threading.Lock()
        self._generation = 0  # lists registered so far: a text's index read before the last one is not kept

    def register(self, starts: Anchors) -> int:
        """A new list's number. The words already seen learn whether they start it; the texts already read are
        forgotten, since their index lacks it."""
        with self._lock:
            number = self._lists
            self._lists += 1
            for word in starts.words:
                self._by_word.setdefault(word, []).append(number)
            for stem in starts.stems:
                self._by_stem.setdefault(stem, []).append(number)
                self._longest_stem = max(self._longest_stem, len(stem))
            for word, lists in self._lists_of_word.items():
                if starts.admit(word):
                    self._lists_of_word[word] = (*lists, number)
            self._generation += 1
            self._texts.clear()
            return number

    def positions(self, text: str, list_number: int) -> Sequence[int]:
        """The offsets of the words of `text` that can start a phrase of that list, left to right."""
        return self.of_text(text).get(list_number, ())

    def of_text(self, text: str) -> dict[int, list[int]]:
        """Every registered list's start offsets in `text` (a list with none is absent); read once per text."""
        index = self._texts.get(text)
        if index is None:
            generation = self._generation
            index = self._index(text)
            with self._lock:
                if len(self._texts) >= _TEXT_CACHE_LIMIT:
                    self._texts.clear()
                if generation == self._generation:
                    self._texts[text] = index
        return index

    def _index(self, text: str) -> dict[int, list[int]]:
        index: dict[int, list[int]] = {}
        for word in _WORD.finditer(text):
            for number in self._lists_of(word.group(0).lower()):
                index.setdefault(number, []).append(word.start())
        return index

    def _lists_of(self, word: str) -> tuple[int, ...]:
        lists = self._lists_of_word.get(word)
        if lists is None:
            with self._lock:
                # The lists whose words hold it, and those with a stem it begins with: a lookup per beginning of
                # the word, whatever the number of lists (Anchors.admit, for every list at once).
                found = set(self._by_word.get(word, ()))
                for end in range(min(len(word), self._longest_stem) + 1):
                    found.update(self._by_stem.get(word[:end], ()))
                lists = tuple(sorted(found))
                if len(self._lists_of_word) < _WORD_CACHE_LIMIT:
                    self._lists_of_word[word] = lists
        return lists


_STARTS = WordStarts()  # the process's one index: lists register when first compiled (cues(), triggers())


def _register(starts: Anchors | None) -> int:
    return _STARTS.register(starts) if starts is not None else -1


@dataclass(frozen=True, slots=True)
class LexiconTrigger:
    event_type: str
    sub_event_type: str
    pattern: re.Pattern[str]
    starts: Anchors | None = None
    list_number: int = -1  # in the word-start index; -1: no anchors, the pattern scans the whole text

    def finditer(self, text: str, starts: Sequence[int] | None = None) -> list[re.Match[str]]:
        """Non-overlapping matches left to right, as `pattern.finditer` would find them. `starts` are the positions
        of the words that can begin a phrase (from `trigger_starts`), when the caller has them."""
        if self.starts is None:
            return list(self.pattern.finditer(text))
        if starts is None:
            starts = _starts_of(text, self.starts, self.list_number)
        found: list[re.Match[str]] = []
        end = 0
        for start in starts:
            if start < end:
                continue
            match = self.pattern.match(text, start)
            if match is not None and match.end() > match.start():
                found.append(match)
                end = match.end()
        return found


def _starts_of(text: str, starts: Anchors, list_number: int) -> Sequence[int]:
    """Where a list's phrases can start: from the shared index when the list is registered in it."""
    if list_number >= 0:
        return _STARTS.positions(text, list_number)
    return [w.start() for w in _WORD.finditer(text) if starts.admit(w.group(0).lower())]


def trigger_starts(text: str) -> list[Sequence[int]]:
    """For each trigger table, the positions of the words of `text` that can start one of its phrases (from the one
    pass over the text's words that serves every list)."""
    tables = triggers()  # first: compiling the tables registers them in the index
    index = _STARTS.of_text(text)
    return [index.get(t.list_number, ()) if t.list_number >= 0 else _starts_of(text, t.starts, -1) if t.starts
            else () for t in tables]


@cache
def words(name: str, key: str) -> frozenset[str]:
    """One list of plain words, lower case and without a final full stop, for lookups of a single word."""
    return frozenset(str(w).lower().rstrip(".") for w in load(name)[key])


@dataclass(frozen=True, slots=True)
class Cues:
    """A list of cue phrases; `search` finds the first, trying the pattern only at words that can start one."""

    pattern: re.Pattern[str]
    starts: Anchors | None = None
    raws: tuple[re.Pattern[str], ...] = ()  # the list's raw expressions, searched as they are
    list_number: int = -1  # in the word-start index; -1: no anchors, the pattern scans the whole text

    def search(self, text: str) -> re.Match[str] | None:
        found = [m for m in (raw.search(text) for raw in self.raws) if m is not None]
        phrase = self._search_phrases(text)
        if phrase is not None:
            found.append(phrase)
        return min(found, key=lambda m: m.start()) if found else None

    def finditer(self, text: str) -> list[re.Match[str]]:
        """Every non-overlapping match, left to right."""
        found = [m for raw in self.raws for m in raw.finditer(text)]
        end = -1
        for match in self._phrase_matches(text):
            if match.start() >= end:
                found.append(match)
                end = match.end()
        return sorted(found, key=lambda m: m.start())

    def _phrase_matches(self, text: str) -> list[re.Match[str]]:
        if self.starts is None:
            return list(self.pattern.finditer(text))
        out = []
        for start in _starts_of(text, self.starts, self.list_number):
            match = self.pattern.match(text, start)
            if match is not None and match.end() > match.start():
                out.append(match)
        return out

    def _search_phrases(self, text: str) -> re.Match[str] | None:
        if self.starts is None:
            return self.pattern.search(text)
        for start in _starts_of(text, self.starts, self.list_number):
            match = self.pattern.match(text, start)
            if match is not None:
                return match
        return None


@lru_cache(maxsize=1)
def triggers() -> tuple[LexiconTrigger, ...]:
    """The event triggers in file order, most specific first."""
    return tuple(_trigger(t) for t in load("event_triggers")["trigger"])


def _trigger(table: dict[str, Any]) -> LexiconTrigger:
    starts = anchors(table["phrases"])
    return LexiconTrigger(table["event_type"], table["sub_event_type"], alternation(table["phrases"]), starts,
                          _register(starts))
