"""Brands as Russian shoppers type them: hit rates on the judged lists of bench/brand_queries.py.

Runs every query through Vitrina's SearchService over an index of the 100k catalog
and prints, for the tuned list and the two held-out lists apart: P@1 (the first result is
of the brand), hit@5 (one of the first five is), P@5 (the share of the first five
that are, out of min(5, the brand's products)) and hit@10 (page one).

    python bench/eval_brands.py --data-dir DIR [--catalog PATH] [--show-misses]
        [--relexicon]

DIR is an index data dir built from the catalog (`VITRINA_DATA_DIR=DIR vitrina index
../shared/data/catalog-ru-100k.jsonl`, or the `var` of eval_queries.py --index-dir).
`--relexicon` rebuilds the vocabulary's brand lexicon with the current code before
querying (what a re-index would store), to try lexicon changes without re-indexing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from brand_queries import HELD_OUT, HELD_OUT_3, TUNED  # noqa: E402

from search.params import SearchParams  # noqa: E402
from search.understanding.brands import brand_spellings, build_readings  # noqa: E402
from vitrina.config import Settings  # noqa: E402
from vitrina.services import Services  # noqa: E402

DEFAULT_CATALOG = ROOT.parent / "shared" / "data" / "catalog-ru-100k.jsonl"
_NOT_LETTERS = re.compile(r"[^a-z]+")


def letters(text: str) -> str:
    return _NOT_LETTERS.sub("", text.lower())


def load_catalog(path: Path) -> dict[str, str]:
    """Product id -> the Latin letters of its brand and title."""
    found = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            product = json.loads(line)
            title = " ".join(product.get("title", {}).values())
            found[product["id"]] = letters(product.get("brand") or "") + " " + letters(title)
    return found


def run(services: Services, products: dict[str, str], queries: list[tuple[str, str]], show: bool):
    counts = {brand: sum(brand in text for text in products.values()) for _, brand in queries}
    p1 = hit5 = p5 = hit10 = 0.0
    for query, brand in queries:
        params = SearchParams(q=query, locale="ru", country="RU", per_page=10)
        outcome = services.search.run(params)
        ids = [hit.id for hit in outcome.result.hits]
        good = [brand in products.get(i, "") for i in ids]
        p1 += bool(good[:1] and good[0])
        hit5 += any(good[:5])
        p5 += sum(good[:5]) / max(1, min(5, counts[brand]))
        hit10 += any(good)
        if show and not (good[:1] and good[0]):
            reading = outcome.reading.text if outcome.reading else ""
            print(f"  miss {query!r} -> {reading!r} ({counts[brand]} {brand}) top: {good[:5]}")
    n = len(queries)
    return p1 / n, hit5 / n, p5 / n, hit10 / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--relexicon", action="store_true")
    args = parser.parse_args()
    services = Services(Settings(data_dir=args.data_dir))
    if args.relexicon:
        vocabulary = services.understanding.lexicon.vocabulary
        vocabulary.readings = build_readings(vocabulary.words, vocabulary.brands)
        vocabulary.spellings = brand_spellings(vocabulary.words, vocabulary.brands)
    services.understanding.warm_up()
    products = load_catalog(args.catalog)
    print(f"{'list':9} {'n':>4} {'P@1':>6} {'hit@5':>6} {'P@5':>6} {'hit@10':>6}")
    for name, queries in (("tuned", TUNED), ("held-out", HELD_OUT), ("held-out3", HELD_OUT_3)):
        if args.show_misses:
            print(f"{name}:")
        p1, hit5, p5, hit10 = run(services, products, queries, args.show_misses)
        print(f"{name:9} {len(queries):4} {p1:6.3f} {hit5:6.3f} {p5:6.3f} {hit10:6.3f}")


if __name__ == "__main__":
    main()
