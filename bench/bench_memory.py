"""Memory of one serving process under distinct queries, and what each cache holds.

    python bench/bench_memory.py [--queries 100000] [--data-dir DIR] [--every 10000]

Indexes the 100k catalog in a child process (or uses --data-dir), then, in this process,
which only serves (as one gunicorn worker would), warms up the way `vitrina serve` does
and runs each distinct query as an API search (pages 1-3) and an autocomplete of its
beginning. Prints the resident memory after warm-up, every --every queries and at the
end: RSS, split into anonymous memory (the heap) and mapped files (the index and
libraries, shared with other workers), and PSS/USS (what this process costs beside
others that map the same files). Then every long-lived cache of the search services:
entries, approximate bytes per entry (a deep getsizeof: shared strings are counted in
each cache, so it overstates), and its bound. Target (issue 13): <= 250 MB RSS per
serving process after 100k distinct queries.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import itertools
import multiprocessing
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_load import distinct_queries
from common import require_catalog

from indexer.indexing import index_feed
from search.params import SearchParams
from search.suggest import Suggester, suggestions_answer
from vitrina.config import Settings
from vitrina.services import Services

# (owner class, attribute, module constant or "self.<attribute>" holding its bound)
CACHES = [
    ("Analyzer", "_word_terms", ("self", "word_terms_limit")),
    ("Analyzer", "_short_texts", None),
    ("WordNormalizer", "_cache", ("self", "cache_limit")),
    ("EmbeddedEngine", "_facet_cache", ("search.engines.embedded", "FACET_CACHE_SIZE")),
    ("QueryUnderstanding", "_plans", ("search.understanding.pipeline", "_PLAN_CACHE_SIZE")),
    ("BrandLexicon", "_cache", ("search.understanding.brands", "LOOKUP_CACHE_SIZE")),
    ("SpellingCorrector", "_cache", ("search.understanding.spelling", "_CACHE_SIZE")),
    ("SearchTuning", "_keys", None),
    ("EmbeddedEngine", "_clauses", ("search.engines.embedded", "CLAUSE_CACHE_SIZE")),
    ("SpellingCorrector", "_near", ("search.understanding.spelling", "_CACHE_SIZE")),
    ("_SkeletonIndex", "answers", ("search.understanding.translit", "_ANSWERS_CACHE_SIZE")),
]


def rss_mb(field: str = "VmRSS") -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split(f"{field}:")[1].split()[0]) / 1024


def rss_parts() -> str:
    """Anonymous memory (the heap: caches, vocabulary) apart from mapped files (the
    index and dictionaries, shared with other workers and reclaimable), then the
    proportional and unique set sizes."""
    parts = f"anonymous {rss_mb('RssAnon'):.0f}, files {rss_mb('RssFile'):.0f}"
    with contextlib.suppress(OSError, IndexError, ValueError):
        rollup = {}
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
            name, value = line.split(":", 1)
            rollup[name] = int(value.split()[0]) / 1024
        uss = rollup["Private_Clean"] + rollup["Private_Dirty"]
        parts += f"; PSS {rollup['Pss']:.0f}, USS {uss:.0f}"
    return parts


def memory() -> str:
    return f"RSS {rss_mb():.0f} MB ({rss_parts()})"


def deep_size(obj: Any, seen: set[int]) -> int:
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(deep_size(k, seen) + deep_size(v, seen) for k, v in obj.items())
    elif isinstance(obj, list | tuple | set | frozenset):
        size += sum(deep_size(item, seen) for item in obj)
    elif str(getattr(type(obj), "__module__", "")).startswith("search"):
        with contextlib.suppress(TypeError):
            size += deep_size(vars(obj), seen)
    return size


def bound_of(where: tuple[str, str] | None, owner: object) -> str:
    if where is None:
        return "see source"
    if where[0] == "self":
        return f"{getattr(owner, where[1]):,}"
    module = __import__(where[0], fromlist=[where[1]])
    return f"{getattr(module, where[1]):,}"


def caches() -> list[str]:
    gc.collect()
    wanted = {(owner, attr): where for owner, attr, where in CACHES}
    rows = []
    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper):
            info = obj.cache_info()
            module = getattr(obj, "__module__", "") or ""
            if info.currsize and module.split(".")[0] in ("search", "locales", "web"):
                rows.append(f"  {module}.{obj.__qualname__} (lru_cache): "
                            f"{info.currsize:,} entries, bound {info.maxsize}")  # fmt: skip
            continue
        name = type(obj).__name__
        for (owner, attr), where in wanted.items():
            if name == owner and isinstance(getattr(obj, "__dict__", {}).get(attr), dict):
                cache = obj.__dict__[attr]
                per = deep_size(cache, set()) / max(1, len(cache))
                rows.append(f"  {owner}.{attr}: {len(cache):,} entries, ~{per:.0f} B each, "
                            f"bound {bound_of(where, obj)}")  # fmt: skip
    return rows


def prepare(data_dir: Path, queries: Path, count: int) -> None:
    """In a child process, so that their heap is not the server's: the index when there is
    none, and the distinct queries, one a line (100k of them would be ~12 MB here)."""
    if not (data_dir / "index" / "CURRENT").exists():
        index_feed(require_catalog(), Services(Settings(data_dir=data_dir)).indexing_engine,
                   data_dir)  # fmt: skip
    queries.write_text("\n".join(distinct_queries(count)), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--every", type=int, default=10_000, help="print memory every N queries")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp())
    data_dir = args.data_dir or scratch / "var"
    queries_file = scratch / "queries.txt"
    child = multiprocessing.get_context("spawn").Process(
        target=prepare, args=(data_dir, queries_file, args.queries + 200)
    )
    child.start()
    child.join()
    if child.exitcode:
        raise SystemExit(f"indexing or writing the queries failed (exit {child.exitcode})")
    print(f"before the services: {memory()}", flush=True)
    services = Services(Settings(data_dir=data_dir), serving=True)  # as a gunicorn worker
    services.understanding.warm_up()  # what `vitrina serve` loads in the master
    services.search.warm_up()  # and each worker after the fork
    rnd = random.Random(29)
    lines = queries_file.open(encoding="utf-8")  # read as they are run, never all at once
    queries = (line.rstrip("\n") for line in lines)
    for query in itertools.islice(queries, 200):  # warm up: first caches, the index pages
        services.search.search(SearchParams(q=query))
    print(f"after warm-up: {memory()}", flush=True)
    before = rss_mb()
    started = time.perf_counter()
    for i, query in enumerate(queries, 1):
        services.search.search(SearchParams(q=query, page=1 + i % 3))
        prefix = query[: rnd.randint(2, max(2, len(query)))]
        suggestions_answer(Suggester(services.search), prefix, "ru", "RU")
        if i % args.every == 0:
            print(
                f"  {i:,} queries ({time.perf_counter() - started:.0f} s): {memory()}", flush=True
            )
    seconds = time.perf_counter() - started
    lines.close()
    print(f"{args.queries:,} distinct queries (search + suggest) in {seconds:.0f} s")
    print(f"RSS MB: {before:.0f} after warm-up, {rss_mb():.0f} after ({rss_parts()})")
    # (a database already at the migrations' head is never migrated: no Alembic, ~11 MB)
    print(f"Alembic imported: {'yes' if 'alembic' in sys.modules else 'no'}")
    print("caches:")
    print("\n".join(caches()))


if __name__ == "__main__":
    main()
