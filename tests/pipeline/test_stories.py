"""Stories: copies of one wire story found at once by their band keys, and only copies."""
from __future__ import annotations

import random

from trucewatch.pipeline.stories import band_keys, copies, jaccard, shingles, source_groups

WORDS = ("border post shelling night district officials said villagers fled mortar rounds hit homes market "
         "police station guards convoy road checkpoint hills valley crossing trade trucks refugees camp clinic "
         "school mosque elders council talks delegation spokesman statement denied confirmed").split()


def story(seed: int, n: int = 120) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def reworded(text: str, share: float, seed: int) -> str:
    """The text with about `share` of its words replaced by others."""
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + "x" if rng.random() < share else w for w in text.split())


def test_a_reprint_shares_a_band_key_and_passes_the_exact_check():
    wire = story(1)
    reprint = "AGENCY DESK - " + wire + " Copyright the agency."
    assert copies(shingles(wire), shingles(reprint))
    assert set(band_keys(shingles(wire))) & set(band_keys(shingles(reprint)))


def test_reports_told_in_their_own_words_share_no_band_and_are_not_copies():
    shared_keys = 0
    for seed in range(20):
        a, b = shingles(story(100 + seed)), shingles(story(200 + seed))
        assert not copies(a, b)
        shared_keys += bool(set(band_keys(a)) & set(band_keys(b)))
    assert shared_keys <= 1  # unrelated texts almost never become candidates


def test_band_keys_find_nearly_every_pair_above_the_threshold():
    found = 0
    pairs = 0
    for seed in range(40):
        a = story(300 + seed)
        b = reworded(a, 0.06, seed)  # each changed word breaks five shingles: Jaccard about 0.55-0.65
        sa, sb = shingles(a), shingles(b)
        if jaccard(sa, sb) < 0.55:
            continue
        pairs += 1
        found += bool(set(band_keys(sa)) & set(band_keys(sb)))
    assert pairs >= 20 and found == pairs


def test_source_groups_put_copies_under_the_first_report_of_their_story():
    wire, other = story(7), story(8)
    groups = source_groups({"r-wire": wire, "r-own": other, "r-reprint": wire + " (Agency)"})
    assert groups == {"r-wire": "r-wire", "r-own": "r-own", "r-reprint": "r-wire"}
