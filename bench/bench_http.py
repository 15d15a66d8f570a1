"""HTTP throughput of /api/v1/search under `vitrina serve` (gunicorn, 2 workers), and
the resident memory of each serving process.

    python bench/bench_http.py [--seconds 20] [--connections 8]

Uses wrk (Debian package `wrk`) with a Lua script that cycles through real queries
with filters; falls back to a Python client when wrk is absent (which then competes
with the server for the same cores, so figures are lower).
Targets at 100k products: >= 300 requests/s with no errors; <= 300 MB per process.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from common import ROOT, percentile, sample_queries, scaled_feed

from indexer.indexing import index_feed
from vitrina.config import Settings
from vitrina.services import Services


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def paths(count: int) -> list[str]:
    rnd = random.Random(5)
    mixes = [
        {},
        {"category": "food"},
        {"price_max": "1500"},
        {"sort": "price_asc"},
        {"ships_from": "CN"},
    ]
    return [
        "/api/v1/search?"
        + urllib.parse.urlencode({"q": q, "locale": "ru", "country": "RU", **rnd.choice(mixes)})
        for q in sample_queries(count, seed=11)
    ]


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().split(") ")[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return found


def run_wrk(base: str, urls: list[str], seconds: int, connections: int) -> str:
    script = Path(tempfile.mkdtemp()) / "queries.lua"
    quoted = ",\n".join('"' + u.replace("\\", "\\\\").replace('"', '\\"') + '"' for u in urls)
    script.write_text(
        "local paths = {" + quoted + "}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def run_python(base: str, urls: list[str], seconds: int, connections: int) -> str:
    timings: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    def worker(offset: int) -> None:
        nonlocal errors
        i = offset
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(base + urls[i % len(urls)], timeout=10) as r:
                    r.read()
            except Exception:
                errors += 1
            timings.append(time.perf_counter() - started)
            i += connections

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (
        f"{len(timings) / seconds:.0f} requests/s, {errors} errors, "
        f"p50 {percentile(timings, 0.5) * 1000:.1f} ms, p99 {percentile(timings, 0.99) * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp())
    data_dir = args.data_dir or scratch / "var"
    if not (data_dir / "index" / "CURRENT").exists():
        services = Services(Settings(data_dir=data_dir))
        index_feed(scaled_feed(1, scratch), services.indexing_engine, data_dir)
    port = free_port()
    env = {**os.environ, "VITRINA_DATA_DIR": str(data_dir), "VITRINA_SEARCH_BACKEND": "embedded"}
    for name in ("ELASTICSEARCH_URL", "CELERY_BROKER_URL", "DATABASE_URL"):
        env.pop(name, None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("vitrina")),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        urls = paths(3000)
        for url in urls[:100]:  # every worker loads its dictionaries once
            urllib.request.urlopen(base + url, timeout=10).read()
        if shutil.which("wrk"):
            print(run_wrk(base, urls, args.seconds, args.connections))
        else:
            print(run_python(base, urls, args.seconds, args.connections))
        workers = children(server.pid)
        sizes = ", ".join(f"{rss_mb(p):.0f}" for p in workers)
        print(f"resident memory (MB): master {rss_mb(server.pid):.0f}, workers {sizes}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)


if __name__ == "__main__":
    main()
