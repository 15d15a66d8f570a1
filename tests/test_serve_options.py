"""`vitrina serve`'s gunicorn settings (what a production deploy runs)."""

from __future__ import annotations

from gunicorn.config import Config

from vitrina.commands.serve import gunicorn_options


def test_workers_are_threaded_and_keep_connections_alive():
    options = gunicorn_options("127.0.0.1", 8000, workers=2)
    assert options["worker_class"] == "gthread"
    assert options["threads"] > 1
    assert options["keepalive"] > 0
    assert options["accesslog"] is None
    assert options["preload_app"] is True


def test_one_thread_is_the_sync_worker():
    assert gunicorn_options("127.0.0.1", 8000, workers=2, threads=1)["worker_class"] == "sync"


def test_gunicorn_accepts_every_setting():
    config = Config()
    for key, value in gunicorn_options("0.0.0.0", 8123, workers=3, threads=4).items():
        config.set(key, value)
    assert config.worker_class_str == "gthread"
    assert config.threads == 4
    assert config.workers == 3
    assert config.bind == ["0.0.0.0:8123"]
