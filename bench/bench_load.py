"""Load: `vitrina serve` on loopback under wrk with a mix of searches, suggests and pages.

    python bench/bench_load.py [--seconds 60] [--connections 16] [--queries 100000]

Indexes the 100k catalog (../shared/data) into a scratch data dir (or uses --data-dir),
serves it with gunicorn (2 workers), warms each worker up, then runs wrk (Debian package
`wrk`) for --seconds over --queries distinct queries: about half searches with filters,
a third autocompletes of a query's beginning, the rest storefront pages (search results,
landing, product). Prints throughput, p50/p95/p99 latency, errors (connect, read, timeout,
non-2xx) and each serving process's resident memory (RSS, and PSS: the master preloads the
dictionaries and vocabulary, which the workers share) before and after: with caches bounded,
a worker stays at or under 250 MB after 100k distinct queries (issue 13).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench_http import children, free_port, rss_mb
from common import ROOT, require_catalog, sample_queries

from indexer.indexing import index_feed
from vitrina.config import Settings
from vitrina.services import Services

FILTERS = [{}, {}, {"category": "apparel"}, {"price_max": "1500"}, {"sort": "price_asc"},
           {"ships_from": "CN"}, {"sort": "orders"}, {"page": "2"}]  # fmt: skip
LOCALES = [("ru", "RU")] * 6 + [("en", "US"), ("de", "DE"), ("es", "ES"), ("ar", "SA")]

# wrk: cycle through the paths; print the figures as JSON at the end.
LUA = """
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "connect": %d, "read": %d, "write": %d, "timeout": %d, "non_2xx": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, e.status))
end
"""


def distinct_queries(count: int) -> list[str]:
    """`count` distinct shopper-like queries: title cuts, then with a word of another title."""
    base = list(dict.fromkeys(sample_queries(count, seed=13)))
    rnd = random.Random(17)
    seen, queries = set(base), list(base)
    while len(queries) < count:
        query = f"{rnd.choice(base)} {rnd.choice(base).split()[0]}"
        if query not in seen:
            seen.add(query)
            queries.append(query)
    rnd.shuffle(queries)
    return queries[:count]


def product_ids(limit: int = 2000) -> list[str]:
    ids = []
    with open(require_catalog(), encoding="utf-8") as f:
        for line in f:
            ids.append(json.loads(line)["id"])
            if len(ids) >= limit:
                break
    return ids


def mixed_paths(queries: list[str]) -> list[str]:
    """One path per query: 50 % API searches, 30 % suggests, 20 % pages."""
    rnd = random.Random(23)
    ids = product_ids()
    paths = []
    for query in queries:
        locale, country = rnd.choice(LOCALES)
        roll = rnd.random()
        if roll < 0.5:
            args = {"q": query, "locale": locale, "country": country, **rnd.choice(FILTERS)}
            paths.append("/api/v1/search?" + urllib.parse.urlencode(args))
        elif roll < 0.8:
            prefix = query[: max(2, rnd.randint(2, len(query)))]
            args = {"q": prefix, "locale": locale, "country": country}
            paths.append("/api/v1/suggest?" + urllib.parse.urlencode(args))
        elif roll < 0.92:
            paths.append(f"/{locale}/search?" + urllib.parse.urlencode({"q": query}))
        elif roll < 0.96:
            paths.append(f"/{locale}/product/{urllib.parse.quote(rnd.choice(ids))}")
        else:
            paths.append(f"/{locale}/")
    return paths


def lua_script(paths: list[str]) -> Path:
    script = Path(tempfile.mkdtemp()) / "load.lua"
    quoted = ",\n".join(json.dumps(p) for p in paths)  # JSON strings are valid Lua strings here
    script.write_text("paths = {" + quoted + "}\n" + LUA, encoding="utf-8")
    return script


def pss_mb(pid: int) -> float:
    """Proportional set size: pages shared with the master (preloaded) counted in part."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return int(rollup.split("\nPss:")[1].split()[0]) / 1024


def memory(server_pid: int) -> str:
    """Each worker's RSS (PSS) in MB."""
    workers = sorted(children(server_pid))
    return ", ".join(f"{rss_mb(pid):.0f} ({pss_mb(pid):.0f})" for pid in workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    scratch = Path(tempfile.mkdtemp())
    data_dir = args.data_dir or scratch / "var"
    if not (data_dir / "index" / "CURRENT").exists():
        started = time.perf_counter()
        services = Services(Settings(data_dir=data_dir))
        index_feed(require_catalog(), services.indexing_engine, data_dir)
        print(f"indexed the 100k catalog in {time.perf_counter() - started:.0f} s", flush=True)
    paths = mixed_paths(distinct_queries(args.queries))
    port = free_port()
    env = {**os.environ, "VITRINA_DATA_DIR": str(data_dir), "VITRINA_SEARCH_BACKEND": "embedded"}
    for name in ("ELASTICSEARCH_URL", "CELERY_BROKER_URL", "DATABASE_URL"):
        env.pop(name, None)
    vitrina = str(Path(sys.executable).with_name("vitrina"))
    server = subprocess.Popen(
        [vitrina, "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/livez", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        warm = random.Random(3).sample(paths, 200)
        for path in warm:  # each worker loads its dictionaries and vocabulary once
            urllib.request.urlopen(base + path, timeout=30).read()
        before = memory(server.pid)
        result = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "10s",
             "-s", str(lua_script(paths)), base],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        after = memory(server.pid)
        errors = sum(figures[k] for k in ("connect", "read", "write", "timeout", "non_2xx"))
        print(f"wrk -t2 -c{args.connections} -d{args.seconds}s over {len(paths):,} distinct "
              f"paths (searches 50 %, suggests 30 %, pages 20 %), {args.workers} workers")  # fmt: skip
        print(f"throughput: {figures['requests'] / figures['seconds']:.0f} requests/s "
              f"({figures['requests']:,} in {figures['seconds']:.0f} s)")  # fmt: skip
        print(f"latency ms: p50 {figures['p50_ms']:.1f}, p95 {figures['p95_ms']:.1f}, "
              f"p99 {figures['p99_ms']:.1f}, max {figures['max_ms']:.0f}")  # fmt: skip
        print(f"errors: {errors} (connect {figures['connect']}, read {figures['read']}, "
              f"timeout {figures['timeout']}, non-2xx {figures['non_2xx']})")  # fmt: skip
        print(f"worker RSS (PSS) MB before: {before}; after: {after}; "
              f"master {rss_mb(server.pid):.0f} ({pss_mb(server.pid):.0f})")  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(15)


if __name__ == "__main__":
    main()
