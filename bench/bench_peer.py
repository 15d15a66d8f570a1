"""Vitrina beside its peer (bench/peer.py: Flask + tantivy with Snowball), in one run.

    python bench/bench_peer.py [--seconds 15] [--connections 8] [--requests 400] [--copies 1]
                               [--data-dir DIR] [--peer-threads 1] [--vitrina-threads 4]

Prints one table: indexing products/s (100k cold: a fresh data dir, no lemma cache),
HTTP throughput under wrk (both under gunicorn with 2 workers, the same queries with
the same filters), one-client p50/p95 over unseen queries (a fifth of them damaged:
wrong keyboard layout or a typo), the first search after start-up and resident memory,
each with Vitrina's ratio to the peer. Vitrina's workers are what `vitrina serve` runs
(threaded, connections kept alive; --vitrina-threads 1: sync workers, as the peer's);
the peer's are sync, or threaded the same way with --peer-threads 4 (what the code
alone is worth, beside the server settings). The machine is shared and noisy: only the ratios
mean much, which is why both run in the same process, interleaved. With --data-dir, the
indexes an earlier run (or bench_search.py's) built there are reused, and the indexing
row is left out.

wrk is the Debian package `wrk` (`apt-get install wrk`); without it the throughput row
says so and stays empty (a Python load generator would compete for the same cores).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from bench_http import children, rss_mb, run_wrk
from common import ROOT, damaged, percentile, sample_queries, scaled_feed
from peer import build as build_peer

from indexer.indexing import index_feed
from search.engines.embedded import EmbeddedEngine

FILTER_MIXES = [
    {},
    {"category": "food"},
    {"price_max": "1500"},
    {"sort": "price_asc"},
    {"ships_from": "CN"},
]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def search_paths(queries: list[str], seed: int) -> list[str]:
    rnd = random.Random(seed)
    return [
        "/api/v1/search?"
        + urllib.parse.urlencode(
            {"q": q, "locale": "ru", "country": "RU", **rnd.choice(FILTER_MIXES)}
        )
        for q in queries
    ]


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    cwd: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    first_ms: float = 0.0
    first_per_worker_ms: float = 0.0
    startup_s: float = 0.0

    def start(self, probe: str) -> None:
        """Start, wait until /healthz answers, then time the first searches."""
        self.process = subprocess.Popen(
            [*self.command, "--bind", f"127.0.0.1:{self.port}"] if self.name == "peer" else
            [*self.command, "--port", str(self.port)],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        started = time.monotonic()
        while True:  # ready: a worker answers (each worker warms up before it accepts)
            try:
                self.get("/healthz", fresh=True)
                break
            except (OSError, http.client.HTTPException):
                if time.monotonic() > started + 120:
                    raise SystemExit(f"{self.name} did not start") from None
                time.sleep(0.02)
        self.startup_s = time.monotonic() - started
        # The first shopper's search, then one on each of a few fresh connections (the
        # workers take turns; the slowest says whether every worker was ready).
        timings = [self.get(probe + f"&n={n}", fresh=True) for n in range(4)]
        self.first_ms, self.first_per_worker_ms = timings[0], max(timings)

    def get(
        self, path: str, fresh: bool = False, conn: http.client.HTTPConnection | None = None
    ) -> float:
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        took = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{self.name}: {path} answered {response.status}")
        if fresh:
            conn.close()
        return took

    def rss(self) -> str:
        assert self.process is not None
        workers = children(self.process.pid)
        return f"{sum(rss_mb(p) for p in workers) / max(1, len(workers)):.0f}"

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the serving workers have used so far."""
        assert self.process is not None
        total = 0
        for pid in children(self.process.pid):
            fields = Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(10)


def wrk_rate(server: Server, paths: list[str], seconds: int, connections: int) -> float:
    out = run_wrk(f"http://127.0.0.1:{server.port}", paths, seconds, connections)
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            rate = float(line.split()[1])
        if "Non-2xx" in line or "Socket errors" in line:
            print(f"  {server.name}: {line.strip()}")
    return rate


def one_client(
    servers: list[Server], paths: list[str]
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Each path on each server in turn, over one kept-alive connection per server: the
    times, and each server's CPU milliseconds a request (robust on a busy machine)."""
    conns = {s.name: http.client.HTTPConnection("127.0.0.1", s.port, timeout=30) for s in servers}
    timings: dict[str, list[float]] = {s.name: [] for s in servers}
    cpu = {s.name: -s.cpu_seconds() for s in servers}
    for i, path in enumerate(paths):
        order = servers if i % 2 == 0 else servers[::-1]
        for server in order:
            timings[server.name].append(server.get(path, conn=conns[server.name]))
    for s in servers:
        cpu[s.name] = (cpu[s.name] + s.cpu_seconds()) * 1000 / len(paths)
    for conn in conns.values():
        conn.close()
    return timings, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15, help="each wrk run (two per server)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400, help="one-client requests per server")
    parser.add_argument("--copies", type=int, default=1, help="repeat the 100k catalog")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="reuse the indexes built here (no indexing row)"
    )
    parser.add_argument(
        "--peer-threads", type=int, default=1, help="threads per peer worker (1: sync workers)"
    )
    parser.add_argument(
        "--vitrina-threads",
        type=int,
        default=None,
        help="threads per vitrina worker (default: vitrina serve's; 1: sync workers)",
    )
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="vitrina-peer-"))
    rows: list[tuple[str, str, str, str]] = []
    servers: list[Server] = []
    try:
        data_dir = args.data_dir or scratch / "var"
        peer_dir = data_dir / "peer" if args.data_dir else scratch / "peer"
        fresh = (
            not (data_dir / "index" / "CURRENT").exists() or not (peer_dir / "meta.json").exists()
        )
        if fresh:
            feed = scaled_feed(args.copies, scratch)
            started = time.perf_counter()
            peer_count = build_peer(feed, peer_dir)
            peer_rate = peer_count / (time.perf_counter() - started)
            report = index_feed(feed, EmbeddedEngine(data_dir / "index"), data_dir)
            ours_rate = report.upserts / report.seconds
            print(
                f"indexing: peer {peer_rate:,.0f}/s, vitrina {ours_rate:,.0f}/s (cold)", flush=True
            )
            rows.append(("indexing, products/s (cold)", f"{ours_rate:,.0f}", f"{peer_rate:,.0f}",
                         f"x{ours_rate / peer_rate:.2f}"))  # fmt: skip

        env = {
            **os.environ,
            "VITRINA_DATA_DIR": str(data_dir),
            "VITRINA_SEARCH_BACKEND": "embedded",
        }
        for name in ("ELASTICSEARCH_URL", "CELERY_BROKER_URL", "DATABASE_URL"):
            env.pop(name, None)
        threads = [] if args.vitrina_threads is None else ["--threads", str(args.vitrina_threads)]
        vitrina = Server(
            "vitrina", [str(BIN / "vitrina"), "serve", "--workers", "2", *threads], env, ROOT
        )
        peer_env = {**os.environ, "PEER_INDEX": str(peer_dir)}
        peer_workers = (
            ["--worker-class", "gthread", "--threads", str(args.peer_threads), "--keep-alive", "5"]
            if args.peer_threads > 1
            else ["--worker-class", "sync"]
        )
        peer = Server(
            "peer",
            [str(BIN / "gunicorn"), "--workers", "2", *peer_workers, "--chdir",
             str(ROOT / "bench"), "--error-logfile", "/dev/null", "peer:create_app()"],
            peer_env,
            ROOT / "bench",
        )  # fmt: skip
        servers = [vitrina, peer]
        probe = search_paths(["кроссовки мужские"], seed=1)[0]  # not a warm-up query
        for server in servers:
            server.start(probe)

        if shutil.which("wrk"):
            load = search_paths(sample_queries(8000, seed=11), seed=5)
            rates: dict[str, list[float]] = {"vitrina": [], "peer": []}
            # A B B A, each on its own queries: neither server sees the other's warm-up.
            for n, server in enumerate([vitrina, peer, peer, vitrina]):
                part = load[(n // 2) * 4000 : (n // 2 + 1) * 4000]
                rates[server.name].append(wrk_rate(server, part, args.seconds, args.connections))
            ours, theirs = (sum(rates[s]) / 2 for s in ("vitrina", "peer"))
            rows.append((f"HTTP throughput under wrk, {args.connections} connections, req/s",
                         f"{ours:,.0f}", f"{theirs:,.0f}", f"x{ours / theirs:.2f}"))  # fmt: skip
        else:
            rows.append(("HTTP throughput under wrk: wrk is absent (apt-get install wrk)",
                         "-", "-", "-"))  # fmt: skip

        rnd = random.Random(17)
        unseen = [damaged(q, rnd) if i % 5 == 4 else q
                  for i, q in enumerate(sample_queries(args.requests, seed=23))]  # fmt: skip
        timings, cpu = one_client(servers, search_paths(unseen, seed=29))
        for share in (0.5, 0.95):
            ours, theirs = (percentile(timings[s], share) for s in ("vitrina", "peer"))
            rows.append((f"one client, p{share * 100:.0f} ms (unseen, 1/5 damaged)",
                         f"{ours:.2f}", f"{theirs:.2f}", f"x{ours / theirs:.2f}"))  # fmt: skip
        rows.append(("one client, server CPU ms a request (mean)", f"{cpu['vitrina']:.2f}",
                     f"{cpu['peer']:.2f}", f"x{cpu['vitrina'] / cpu['peer']:.2f}"))  # fmt: skip
        rows.append(("first search after start-up, ms", f"{vitrina.first_ms:.0f}",
                     f"{peer.first_ms:.0f}", f"x{vitrina.first_ms / peer.first_ms:.1f}"))  # fmt: skip
        rows.append(("slowest of the first 4 searches, ms", f"{vitrina.first_per_worker_ms:.0f}",
                     f"{peer.first_per_worker_ms:.0f}",
                     f"x{vitrina.first_per_worker_ms / peer.first_per_worker_ms:.1f}"))  # fmt: skip
        rows.append(("start-up until /healthz answers, s", f"{vitrina.startup_s:.1f}",
                     f"{peer.startup_s:.1f}", ""))  # fmt: skip
        rows.append(("resident memory per worker, MB", vitrina.rss(), peer.rss(), ""))
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    products = f"{report.upserts:,}" if "report" in locals() else "?"
    if args.data_dir is not None and "report" not in locals():
        products = f"{EmbeddedEngine(args.data_dir / 'index').product_count():,}"
    peer_kind = f"gthread x{args.peer_threads}" if args.peer_threads > 1 else "sync"
    ours_kind = (
        "as `vitrina serve` runs them"
        if args.vitrina_threads is None
        else f"gthread x{args.vitrina_threads}"
        if args.vitrina_threads > 1
        else "sync"
    )
    print(
        f"\n{products} products, gunicorn with 2 workers each "
        f"(vitrina: {ours_kind}; peer: {peer_kind})\n"
    )
    print("| | Vitrina | peer | ratio |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
