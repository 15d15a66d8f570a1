"""Which catalog terms occur together: evidence for choosing between readings of a query.

A compact in-memory index over the terms of every product's title and brand: a
forward list (product -> its term ids, sorted) and capped posting lists (term ->
up to POSTINGS_CAP products, an even sample beyond). `count(groups)` estimates how
many products match every group (a group matches with any of its terms): the rarest
group's products are checked against the forward lists, so a rare word meets a
common one exactly, and only two common words are estimated from a sample.

Built by the indexer with the vocabulary (search/vocabulary.py) and stored inside the
vocabulary file, so it is engine-independent and loads with one read. Memory is
4 bytes per (product, term) pair plus 4 per posting kept: about 6 MB at 100k products;
beyond MAX_DOCS products the rest are left out and counts are scaled up.
"""

from __future__ import annotations

import base64
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import Any

POSTINGS_CAP = 512
MAX_DOCS = 1_000_000
_TYPECODE = "I"


def _pack(values: array) -> str:
    return base64.b64encode(values.tobytes()).decode("ascii")


def _unpack(text: str) -> array:
    values = array(_TYPECODE)
    values.frombytes(base64.b64decode(text))
    return values


class Cooccurrence:
    """Forward and capped inverted lists of term ids (see the module docstring)."""

    def __init__(
        self,
        doc_offsets: array,
        doc_terms: array,
        post_offsets: array,
        post_docs: array,
        term_df: Sequence[int],
        products: int,
    ) -> None:
        self.doc_offsets = doc_offsets
        self.doc_terms = doc_terms
        self.post_offsets = post_offsets
        self.post_docs = post_docs
        self.term_df = term_df
        docs = max(0, len(doc_offsets) - 1)
        # Products left out of the forward lists (past MAX_DOCS) count through this scale.
        self.scale = products / docs if docs and products > docs else 1.0

    @property
    def documents(self) -> int:
        return max(0, len(self.doc_offsets) - 1)

    @classmethod
    def build(
        cls, rows: Iterable[Sequence[int]], term_count: int, term_df: Sequence[int], products: int
    ) -> Cooccurrence:
        """From each product's term ids (ids index `term_df`)."""
        doc_offsets = array(_TYPECODE, [0])
        doc_terms = array(_TYPECODE)
        postings: list[list[int]] = [[] for _ in range(term_count)]
        for doc, row in enumerate(rows):
            if doc >= MAX_DOCS:
                break
            ordered = sorted(set(row))
            doc_terms.extend(ordered)
            doc_offsets.append(len(doc_terms))
            for term in ordered:
                postings[term].append(doc)
        post_offsets = array(_TYPECODE, [0])
        post_docs = array(_TYPECODE)
        for docs in postings:
            if len(docs) > POSTINGS_CAP:
                step = len(docs) / POSTINGS_CAP
                docs = [docs[int(i * step)] for i in range(POSTINGS_CAP)]
            post_docs.extend(docs)
            post_offsets.append(len(post_docs))
        return cls(doc_offsets, doc_terms, post_offsets, post_docs, term_df, products)

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_offsets": _pack(self.doc_offsets),
            "doc_terms": _pack(self.doc_terms),
            "post_offsets": _pack(self.post_offsets),
            "post_docs": _pack(self.post_docs),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], term_df: Sequence[int], products: int) -> Cooccurrence:
        index = cls(
            _unpack(data["doc_offsets"]),
            _unpack(data["doc_terms"]),
            _unpack(data["post_offsets"]),
            _unpack(data["post_docs"]),
            term_df,
            products,
        )
        if len(index.post_offsets) != len(term_df) + 1:
            raise ValueError("co-occurrence lists do not match the vocabulary's terms")
        return index

    def nbytes(self) -> int:
        arrays = (self.doc_offsets, self.doc_terms, self.post_offsets, self.post_docs)
        return sum(a.itemsize * len(a) for a in arrays)

    def count(self, groups: Sequence[Iterable[int]], enough: int = 1_000_000) -> float:
        """Estimated products matching every group (a group: any of its term ids).

        Stops counting at `enough` matches of the sample (the answer is then a
        lower bound); a group without any known term matches nothing.
        """
        sets = [frozenset(g) for g in groups]
        if not sets or any(not s for s in sets):
            return 0.0
        df = self.term_df
        sizes = [sum(df[t] for t in s) for s in sets]
        pivot = min(range(len(sets)), key=sizes.__getitem__)
        candidates: set[int] | array
        sampled = False
        offsets, posted = self.post_offsets, self.post_docs
        if len(sets[pivot]) == 1:
            (term,) = sets[pivot]
            candidates = posted[offsets[term] : offsets[term + 1]]
            sampled = df[term] > len(candidates)
        else:
            union: set[int] = set()
            for term in sets[pivot]:
                union.update(posted[offsets[term] : offsets[term + 1]])
                sampled = sampled or df[term] > offsets[term + 1] - offsets[term]
            candidates = union
        others = [s for i, s in enumerate(sets) if i != pivot]
        if not others:
            return float(sizes[pivot] if sampled else len(candidates)) * self.scale
        # A group whose terms' posting lists are whole (under the cap, so not sampled)
        # has exactly the products those lists name: one set intersection in C instead
        # of a look at each candidate's forward list. The rest are checked as before.
        remaining: Iterable[int] = candidates
        partial = []
        for other in others:
            whole: set[int] | None = set()
            for term in other:
                start, end = offsets[term], offsets[term + 1]
                if end - start >= POSTINGS_CAP:
                    whole = None
                    break
                whole.update(posted[start:end])  # type: ignore[union-attr]
            if whole is None:
                partial.append(other)
            else:
                remaining = whole.intersection(remaining)
        if not partial:
            hits = min(len(remaining), enough)  # type: ignore[arg-type]
        else:
            hits = self._forward_hits(remaining, partial, enough)
        if sampled and candidates:
            return hits * sizes[pivot] / len(candidates) * self.scale
        return hits * self.scale

    def _forward_hits(self, docs: Iterable[int], groups: list[frozenset[int]], enough: int) -> int:
        """How many of `docs` have a term of every group in their forward list (up to
        `enough`): a binary search of each sorted row, which copies nothing."""
        starts, terms = self.doc_offsets, self.doc_terms
        hits = 0
        if all(len(group) == 1 for group in groups):
            wanted = [next(iter(group)) for group in groups]
            for doc in docs:
                low, high = starts[doc], starts[doc + 1]
                for term in wanted:
                    at = bisect_left(terms, term, low, high)
                    if at == high or terms[at] != term:
                        break
                else:
                    hits += 1
                    if hits >= enough:
                        break
            return hits
        for doc in docs:
            row = terms[starts[doc] : starts[doc + 1]]
            for group in groups:
                if group.isdisjoint(row):
                    break
            else:
                hits += 1
                if hits >= enough:
                    break
        return hits
