"""Shared pieces of the benchmarks: the internal catalog, scaled feeds, query sampling."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CATALOG = ROOT.parent / "shared" / "data" / "catalog-ru-100k.jsonl"


def require_catalog() -> Path:
    if not CATALOG.exists():
        raise SystemExit(f"{CATALOG} is absent: the benchmarks need the team's internal catalog")
    return CATALOG


def scaled_feed(copies: int, directory: Path) -> Path:
    """The 100k catalog repeated `copies` times with changed ids (1M products at 10)."""
    source = require_catalog()
    if copies == 1:
        return source
    target = directory / f"catalog-{copies}x.jsonl"
    if target.exists():
        return target
    with open(source, encoding="utf-8") as f:
        lines = f.read().splitlines()
    with open(target, "w", encoding="utf-8") as out:
        for copy in range(copies):
            for line in lines:
                product = json.loads(line)
                product["id"] = f"{product['id']}-c{copy}"
                out.write(json.dumps(product, ensure_ascii=False) + "\n")
    return target


def sample_queries(count: int, seed: int = 7) -> list[str]:
    """1-3 word queries cut from real titles (what shoppers type), lowercased."""
    rnd = random.Random(seed)
    with open(require_catalog(), encoding="utf-8") as f:
        titles = [json.loads(line)["title"]["ru"] for line in f]
    queries = []
    while len(queries) < count:
        words = [w for w in rnd.choice(titles).lower().split() if w.isalpha() and len(w) > 2]
        if words:
            start = rnd.randrange(len(words))
            queries.append(" ".join(words[start : start + rnd.randint(1, 3)]))
    return queries


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


_RU_LAYOUT = "йцукенгшщзхъфывапролджэячсмитьбю"
_EN_LAYOUT = "qwertyuiop[]asdfghjkl;'zxcvbnm,."
_TO_QWERTY = str.maketrans(_RU_LAYOUT, _EN_LAYOUT)


def damaged(query: str, rnd: random.Random) -> str:
    """The query as shoppers damage it: typed on the wrong keyboard layout, or one typo
    (two neighbouring letters swapped in a word of four letters or more)."""
    if rnd.random() < 0.5:
        return query.translate(_TO_QWERTY)
    words = query.split()
    long = [i for i, w in enumerate(words) if len(w) >= 4]
    if not long:
        return query.translate(_TO_QWERTY)
    i = rnd.choice(long)
    w = words[i]
    j = rnd.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)
