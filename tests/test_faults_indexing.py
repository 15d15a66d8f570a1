"""Faults while indexing (issue 13, defects 3 and 8): a full disk and a killed run never
cost the index in service, exit with the README's status, and leave no process behind."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.safeguards import CatalogShrinks, DiskFull
from search.engines.embedded import EmbeddedEngine
from search.engines.generations import Generations, os_errors
from search.vocabulary import Vocabulary, vocabulary_path
from tests.conftest import make_product, write_feed
from vitrina.boundary import ExitCode, exit_code_for
from vitrina.cli import main

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def catalog(path: Path, count: int, word: str = "Сумка", words: int = 3) -> Path:
    filler = " ".join(f"{word.lower()}{i}" for i in range(words))
    products = [make_product(f"p{i}", f"{word} модель {i} {filler}") for i in range(count)]
    return write_feed(path, products)


def snapshot(settings) -> dict:
    """What shoppers are served: the generation, its products, the vocabulary."""
    engine = EmbeddedEngine(settings.index_dir)
    return {
        "current": (settings.index_dir / "CURRENT").read_text(),
        "products": engine.product_count(),
        "first": sorted(engine.get_products(["p0"])["p0"]["title"].values()),
        "vocabulary": vocabulary_path(settings.data_dir).read_bytes(),
    }


def leftovers(settings) -> list[str]:
    """Files a failed run must not leave: unserved generations, staged or temporary files."""
    generations = Generations(settings.index_dir)
    keep = {generations.current(), generations.previous()}
    found = [p.name for p in settings.index_dir.glob("gen-*") if p.name not in keep]
    found += [p.name for p in settings.index_dir.glob(".*")]
    found += [p.name for p in vocabulary_path(settings.data_dir).parent.glob(".*")]
    return found


class TestDiskFull:
    """A writer that raises ENOSPC, at each place a rebuild writes."""

    def test_enospc_writing_the_vocabulary_leaves_index_and_vocabulary_alone(
        self, runner, tmp_path, settings, monkeypatch
    ):
        assert runner.invoke(main, ["index", str(catalog(tmp_path / "v1.jsonl", 5))]).exit_code == 0
        before = snapshot(settings)

        def full_disk(self, path):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

        monkeypatch.setattr(Vocabulary, "save", full_disk)
        result = runner.invoke(main, ["index", str(catalog(tmp_path / "v2.jsonl", 5, "Рюкзак"))])
        assert result.exit_code == 3, result.output
        assert "disk full" in result.output and "index in service is unchanged" in result.output
        assert "Traceback" not in result.output
        assert snapshot(settings) == before  # the new index was not swapped in
        assert leftovers(settings) == []

    def test_vocabulary_failing_beside_the_commit_cancels_the_swap(
        self, runner, tmp_path, settings, monkeypatch
    ):
        """The vocabulary is staged on a thread while tantivy commits: its failure still
        reaches the engine's check before the swap, and nothing of the run stays."""
        assert runner.invoke(main, ["index", str(catalog(tmp_path / "v1.jsonl", 5))]).exit_code == 0
        before = snapshot(settings)
        committed = []
        original = EmbeddedEngine.rebuild

        def rebuild(self, changes, check=None):
            def checked(products):
                committed.append(products)  # the new index is complete and committed
                assert check is not None
                check(products)

            return original(self, changes, check=checked)

        def broken(self, path):
            raise RuntimeError("vocabulary writer broke")

        monkeypatch.setattr(EmbeddedEngine, "rebuild", rebuild)
        monkeypatch.setattr(Vocabulary, "save", broken)
        result = runner.invoke(main, ["index", str(catalog(tmp_path / "v2.jsonl", 6, "Рюкзак"))])
        assert result.exit_code == ExitCode.BUG, result.output
        assert "vocabulary writer broke" in result.output
        assert committed == [6]  # it failed after the commit, before the swap
        assert snapshot(settings) == before
        assert leftovers(settings) == []

    def test_enospc_inside_the_engine_writer_is_exit_3_not_a_crash(
        self, runner, tmp_path, settings, monkeypatch
    ):
        runner.invoke(main, ["index", str(catalog(tmp_path / "v1.jsonl", 5))])
        before = snapshot(settings)
        original = EmbeddedEngine._document
        written = []

        def document(self, doc, brand_id):  # tantivy reports a full disk as this ValueError
            written.append(doc)
            if len(written) > 3:
                raise ValueError("Internal error: 'No space left on device (os error 28)'")
            return original(self, doc, brand_id)

        monkeypatch.setattr(EmbeddedEngine, "_document", document)
        result = runner.invoke(main, ["index", str(catalog(tmp_path / "v2.jsonl", 5, "Рюкзак"))])
        assert result.exit_code == 3, result.output
        assert "disk full" in result.output
        assert snapshot(settings) == before
        assert leftovers(settings) == []

    def test_enospc_in_changes_is_exit_3_and_says_what_may_be_live(
        self, runner, tmp_path, settings, monkeypatch
    ):
        runner.invoke(main, ["index", str(catalog(tmp_path / "v1.jsonl", 5))])
        monkeypatch.setattr(Vocabulary, "save", lambda self, path: (_ for _ in ()).throw(ENOSPC))
        result = runner.invoke(main, ["index", str(catalog(tmp_path / "c.jsonl", 2)), "--changes"])
        assert result.exit_code == 3, result.output
        assert "disk full" in result.output and "may be live" in result.output

    def test_tantivy_os_errors_become_os_errors(self, tmp_path):
        with pytest.raises(OSError) as caught, os_errors(tmp_path):
            raise ValueError("Internal error: 'No space left on device (os error 28)'")
        assert caught.value.errno == errno.ENOSPC
        with pytest.raises(OSError) as caught, os_errors(tmp_path):  # with room to spare
            raise ValueError("A worker thread encountered an error (io::Error most likely)")
        assert caught.value.errno == errno.EIO
        with pytest.raises(ValueError), os_errors(tmp_path):
            raise ValueError("Expected a U64")


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs (mounting needs root, or skip)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave_bytes: int) -> None:
    """Fill `disk` until about `leave_bytes` stay free."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / "filler", "wb") as f:
        f.write(b"\0" * max(0, free - leave_bytes))


def test_a_full_tmpfs_at_any_point_leaves_the_old_or_the_whole_new_generation(
    small_disk, tmp_path, settings, monkeypatch, runner
):
    data_dir = small_disk / "var"
    monkeypatch.setenv("VITRINA_DATA_DIR", str(data_dir))
    settings = type(settings)(data_dir=data_dir)
    small = catalog(tmp_path / "v1.jsonl", 200)
    bigger = catalog(tmp_path / "v2.jsonl", 3000, "Рюкзак", words=12)
    outcomes = set()
    for leave_kb in (0, 8, 64, 256, 512, 1024, 1536):
        (small_disk / "filler").unlink(missing_ok=True)
        for path in data_dir.glob("*"):
            subprocess.run(["rm", "-rf", str(path)], check=True)
        assert runner.invoke(main, ["index", str(small)]).exit_code == 0
        before = snapshot(settings)
        fill(small_disk, leave_kb * 1024)
        result = runner.invoke(main, ["index", str(bigger), "--allow-shrink"])
        (small_disk / "filler").unlink()
        outcomes.add(result.exit_code)
        if result.exit_code == 0:  # it fitted: all new, the vocabulary too
            after = snapshot(settings)
            assert after["products"] == 3000 and after["first"][0].startswith("Рюкзак")
            assert "рюкзак" in Vocabulary.load(vocabulary_path(data_dir)).words
        else:
            assert result.exit_code == 3, (leave_kb, result.output)
            assert "disk full" in result.output and "Traceback" not in result.output
            assert snapshot(settings) == before, leave_kb
        assert leftovers(settings) == [], leave_kb
    assert 3 in outcomes  # the disk did fill up at least once


# -- killed runs: real processes --------------------------------------------------------


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
needs_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: no workers")


# The command, with its threads' stacks dumped on SIGUSR1 should it ever hang (see exited).
RUN_VITRINA = (
    "import faulthandler, signal; faulthandler.register(signal.SIGUSR1, all_threads=True)\n"
    "from vitrina.cli import run; run()"
)


def start(settings, *args: str) -> subprocess.Popen:
    env = {**os.environ, "VITRINA_DATA_DIR": str(settings.data_dir)}
    return subprocess.Popen(
        [sys.executable, "-c", RUN_VITRINA, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def exited(run: subprocess.Popen, seconds: float) -> tuple[int, str]:
    """The run's exit status and stderr; a run still going after `seconds` fails the test
    with the stacks of all its threads."""
    try:
        _, err = run.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        run.send_signal(signal.SIGUSR1)
        time.sleep(2)
        run.kill()
        _, err = run.communicate()
        raise AssertionError(f"still running after {seconds} s; its threads:\n{err}") from None
    return run.returncode, err or ""


def reindex_writing(settings, feed: Path, last_good: str | None) -> tuple[subprocess.Popen, set]:
    """A `vitrina index` run with its workers, caught writing its new generation."""
    run = start(settings, "index", str(feed))
    workers: set[int] = set()

    def writing() -> bool:
        workers.update(children_of(run.pid))
        assert run.poll() is None, run.stderr.read() if run.stderr else ""
        partial = [p for p in settings.index_dir.glob("gen-*") if p.name != last_good]
        return bool(workers) and bool(partial) and any(partial[0].iterdir())

    try:
        wait_for(writing, 120, "the reindex to start writing its generation")
    except BaseException:
        run.kill()
        raise
    return run, workers


@needs_proc
@needs_cores
def test_sigkill_mid_reindex_costs_nothing_and_leaves_no_worker(runner, tmp_path, settings):
    v1 = catalog(tmp_path / "v1.jsonl", 30_000, words=15)
    assert v1.stat().st_size > 2_000_000  # big enough for worker processes
    assert runner.invoke(main, ["index", str(v1)]).exit_code == 0
    last_good = Generations(settings.index_dir).current()
    run, workers = reindex_writing(settings, v1, last_good)
    run.send_signal(signal.SIGKILL)
    run.wait()
    wait_for(lambda: not any(alive(pid) for pid in workers), 30, f"workers {workers} to die")

    generations = Generations(settings.index_dir)
    assert generations.current() == last_good  # the killed run changed nothing served
    assert len(list(settings.index_dir.glob("gen-*"))) == 2  # its partial generation stays...

    result = runner.invoke(main, ["index", str(catalog(tmp_path / "v2.jsonl", 30_000, "Рюкзак"))])
    assert result.exit_code == 0, result.output
    assert generations.previous() == last_good  # ...and is not kept as "previous"
    assert {p.name for p in settings.index_dir.glob("gen-*")} == {
        generations.current(),
        last_good,
    }
    assert EmbeddedEngine(settings.index_dir).product_count() == 30_000


@needs_proc
@needs_cores
def test_sigterm_mid_reindex_unwinds_cleanly(runner, tmp_path, settings):
    v1 = catalog(tmp_path / "v1.jsonl", 30_000, words=15)
    assert runner.invoke(main, ["index", str(v1)]).exit_code == 0
    last_good = Generations(settings.index_dir).current()
    run, workers = reindex_writing(settings, v1, last_good)
    run.send_signal(signal.SIGTERM)
    status, err = exited(run, 120)
    assert status == 130, err
    assert "vitrina index: interrupted" in err
    wait_for(lambda: not any(alive(pid) for pid in workers), 30, f"workers {workers} to die")
    assert [p.name for p in settings.index_dir.glob("gen-*")] == [last_good]  # no debris
    assert leftovers(settings) == []


@needs_proc
def test_sigkill_mid_events_ingest_leaves_no_worker(tmp_path, settings):
    events = tmp_path / "events.jsonl"
    with open(events, "w", encoding="utf-8") as f:
        for i in range(120_000):
            ts = f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
            f.write(
                f'{{"product_id": "p{i % 500}", "country": "RU", "quantity": 1, "ts": "{ts}"}}\n'
            )
    run = start(settings, "events", "ingest", str(events))
    workers: set[int] = set()

    def helping() -> bool:
        workers.update(children_of(run.pid))
        return bool(workers) or run.poll() is not None

    try:
        wait_for(helping, 120, "the ingest to fork its helper")
    finally:
        run.kill()
        run.wait()
    if not workers:
        pytest.skip("this ingest ran without helper processes")
    wait_for(lambda: not any(alive(pid) for pid in workers), 30, f"workers {workers} to die")


def test_the_readme_and_the_exit_statuses_agree():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = {int(row.split("|")[1]) for row in readme.splitlines() if re.match(r"\| \d+ \|", row)}
    assert table == {int(code) for code in ExitCode}
    assert exit_code_for(DiskFull(errno.ENOSPC, "disk full")) == ExitCode.UNAVAILABLE == 3
    assert exit_code_for(CatalogShrinks("refused")) == ExitCode.BAD_INPUT == 2


@needs_proc
def test_sigterm_mid_reindex_without_workers_unwinds_too(runner, tmp_path, settings):
    """A feed read from a pipe: the run is caught mid-rebuild, waiting for more lines."""
    assert runner.invoke(main, ["index", str(catalog(tmp_path / "v1.jsonl", 3000))]).exit_code == 0
    last_good = Generations(settings.index_dir).current()
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    run = start(settings, "index", str(fifo))
    try:
        with open(fifo, "w", encoding="utf-8") as feed:
            for i in range(2500):  # more than a chunk: the rebuild starts writing
                feed.write(json.dumps(make_product(f"p{i}", f"Рюкзак {i}")) + "\n")
            feed.flush()

            def building() -> bool:
                assert run.poll() is None
                return any(p.name != last_good for p in settings.index_dir.glob("gen-*"))

            wait_for(building, 120, "the rebuild to start")
            assert children_of(run.pid) == set()  # no workers for a feed of unknown size
            run.send_signal(signal.SIGTERM)
            assert run.wait(120) == 130
    finally:
        if run.poll() is None:
            run.kill()
    assert "vitrina index: interrupted" in (run.stderr.read() if run.stderr else "")
    assert [p.name for p in settings.index_dir.glob("gen-*")] == [last_good]
    assert leftovers(settings) == []


def test_enospc_after_the_swap_does_not_claim_the_index_is_unchanged(
    runner, tmp_path, settings, monkeypatch
):
    """What a run writes after its swap (the lemma cache, a warm start for the next run)
    is best-effort: the swap stands, the run succeeds."""
    from search.analysis.morphology import WordNormalizer

    runner.invoke(main, ["index", str(catalog(tmp_path / "v1.jsonl", 5))])

    def full_disk(self, path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(WordNormalizer, "save_cache", full_disk)
    result = runner.invoke(main, ["index", str(catalog(tmp_path / "v2.jsonl", 5, "Рюкзак"))])
    assert result.exit_code == 0, result.output
    after = snapshot(settings)
    assert after["first"][0].startswith("Рюкзак")
    assert "рюкзак" in Vocabulary.load(vocabulary_path(settings.data_dir)).words
