"""The word-start index: one pass over a text's words tells every phrase list where its phrases may start, and a
list tries its pattern only there. What it finds must be what the list's whole pattern finds."""
import re

import pytest

from trucewatch.pipeline.extract import lexicon


def cue_list(*phrases: str) -> lexicon.Cues:
    starts = lexicon.anchors(list(phrases))
    return lexicon.Cues(lexicon.alternation(list(phrases)), starts, (), lexicon._register(starts))


def found(cues: lexicon.Cues, text: str) -> list[str]:
    return [m.group(0) for m in cues.finditer(text)]


def test_whole_words_only():
    cues = cue_list("strike", "shell*")
    assert found(cues, "The strikers ended the strike; shelling resumed.") == ["strike", "shelling"]
    assert found(cues, "Airstrike on the outskirts.") == []  # "strike" inside a longer word starts nothing


def test_case_does_not_matter():
    cues = cue_list("did not comment")
    assert found(cues, "The Ministry DID NOT COMMENT. Kabul Did Not Comment either.") == [
        "DID NOT COMMENT", "Did Not Comment"]


def test_overlapping_entries_the_longest_wins_and_none_overlap():
    cues = cue_list("air strike", "air strike* on", "strike")
    assert found(cues, "An air strike on the village and a second strike.") == ["air strike on", "strike"]


def test_multiword_names_across_hyphens_and_spaces():
    cues = cue_list("cross~border fire", "according to")
    text = "Cross-border fire, according to residents; crossborder fire later, according  to police."
    assert found(cues, text) == ["Cross-border fire", "according to", "crossborder fire", "according  to"]


def test_search_finds_the_first_match_as_the_whole_pattern_would():
    cues = cue_list("denied", "rejected the claim*")
    text = "Officials rejected the claims and later denied any role."
    assert cues.search(text).group(0) == re.search(cues.pattern, text).group(0) == "rejected the claims"


def test_a_list_compiled_after_a_text_was_read_still_finds_its_phrases():
    text = "Militants ambushed a convoy and the army retaliated."
    first = cue_list("ambush*")
    assert found(first, text) == ["ambushed"]  # the text is now in the index, without the next list
    second = cue_list("retaliat*")
    assert found(second, text) == ["retaliated"]
    assert found(first, text) == ["ambushed"]


@pytest.mark.parametrize("text", [
    "Two drones struck a house near the border crossing on Monday night.",
    "Gunmen opened fire on a police checkpost; the attackers fled.",
    "Talks on a ceasefire agreement resumed in Doha.",
])
def test_trigger_starts_agree_with_each_tables_own_word_scan(text):
    words = [(w.start(), w.group(0).lower()) for w in re.finditer(r"\w+", text)]
    for table, starts in zip(lexicon.triggers(), lexicon.trigger_starts(text)):
        if table.starts is None:
            continue
        assert list(starts) == [at for at, word in words if table.starts.admit(word)]


def actor_names(text: str) -> list[str]:
    from datetime import date

    from trucewatch.pipeline.extract.actors import find_actors
    from trucewatch.pipeline.extract.sentences import split_sentences

    return [m.surface for m in find_actors(split_sentences(text), date(2025, 10, 20))]


def test_actor_names_keep_the_case_of_acronyms_whatever_word_was_seen_first():
    # "is" and "IS" are one word folded: the dictionary's memory of which words start an alias must keep them apart.
    assert actor_names("The area is quiet, officials said.") == ["officials"]
    assert actor_names("IS claimed the attack; the FC said it is investigating.") == ["IS", "FC"]
    assert actor_names("The levies fled. Levies returned fire.") == ["Levies"]  # a proper name, capitals kept


def test_lists_compiled_in_several_threads_each_find_their_phrases():
    from concurrent.futures import ThreadPoolExecutor

    words = ["shelled", "raided", "ambushed", "bombed", "stormed", "besieged", "mortared", "overran"]
    text = "Fighters " + ", ".join(words) + " and then withdrew."

    def compile_and_find(word: str) -> list[str]:
        cues = cue_list(word[:-2] + "*")
        return [found(cues, text) for _ in range(50)][-1]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(compile_and_find, words))
    assert results == [[word] for word in words]
