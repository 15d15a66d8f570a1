"""Co-occurrence counts: whole posting lists intersect as sets, sampled ones are checked
against the forward lists; either way the count is what looking at every candidate's
forward list finds (the reference below), and term ids are found once each."""

import random

from search.cooccurrence import POSTINGS_CAP, Cooccurrence
from search.vocabulary import TermIds


def reference_count(index: Cooccurrence, groups: list[list[int]], enough: int) -> float:
    """The count by a look at each candidate's forward list (what `count` did before)."""
    sets = [frozenset(g) for g in groups]
    if not sets or any(not s for s in sets):
        return 0.0
    df = index.term_df
    sizes = [sum(df[t] for t in s) for s in sets]
    pivot = min(range(len(sets)), key=sizes.__getitem__)
    offsets, posted = index.post_offsets, index.post_docs
    candidates: set[int] = set()
    sampled = False
    for term in sets[pivot]:
        candidates.update(posted[offsets[term] : offsets[term + 1]])
        sampled = sampled or df[term] > offsets[term + 1] - offsets[term]
    others = [s for i, s in enumerate(sets) if i != pivot]
    if not others:
        return float(sizes[pivot] if sampled else len(candidates)) * index.scale
    hits = 0
    for doc in sorted(candidates):
        row = set(index.doc_terms[index.doc_offsets[doc] : index.doc_offsets[doc + 1]])
        if all(not other.isdisjoint(row) for other in others):
            hits += 1
            if hits >= enough:
                break
    if sampled and candidates:
        return hits * sizes[pivot] / len(candidates) * index.scale
    return hits * index.scale


def catalog(seed: int = 1) -> Cooccurrence:
    """Rows of terms where a few terms are common enough to have sampled posting lists."""
    rnd = random.Random(seed)
    terms = 60
    weights = [3000 if t < 4 else 700 if t < 8 else 20 + t for t in range(terms)]
    rows = []
    for _ in range(4000):
        rows.append(rnd.sample(range(terms), k=rnd.randint(1, 6), counts=weights))
    rows = [sorted(set(row)) for row in rows]
    df = [sum(t in row for row in rows) for t in range(terms)]
    return Cooccurrence.build(rows, terms, df, len(rows))


def test_counts_are_those_of_a_look_at_every_forward_list():
    index = catalog()
    offsets = index.post_offsets
    assert any(offsets[t + 1] - offsets[t] == POSTINGS_CAP for t in range(60))  # sampled
    assert any(offsets[t + 1] - offsets[t] < POSTINGS_CAP // 4 for t in range(60))  # whole
    rnd = random.Random(2)
    for _ in range(1500):
        groups = [
            rnd.sample(range(60), k=rnd.choice((1, 1, 1, 2, 3)))
            for _ in range(rnd.choice((1, 2, 2, 3, 4)))
        ]
        enough = rnd.choice((1, 3, 1_000_000))
        assert index.count(groups, enough) == reference_count(index, groups, enough), groups


def test_a_group_without_known_terms_matches_nothing():
    index = catalog()
    assert index.count([[1], []]) == 0.0
    assert index.count([]) == 0.0


def test_term_ids_found_once_each_are_those_of_the_mapping():
    terms = ["сумка", "кофе", "tchibo", "чай", "ёж"]
    ids = TermIds(terms)
    asked = ["чай", "нет", "сумка", "", "tchibo", "zz", "ёж"]
    assert ids.known(asked) == [ids[t] for t in asked if t in ids] == [3, 0, 2, 4]
