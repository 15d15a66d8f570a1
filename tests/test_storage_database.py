"""The database's connections: what each kind of process keeps in memory."""

from __future__ import annotations

from vitrina.config import Settings
from vitrina.services import Services


def test_serving_processes_keep_sqlites_default_page_cache_and_batch_work_a_large_one(tmp_path):
    # every search appends to the search log: a worker's large cache would keep every page
    for serving, kib in ((True, 2 * 1024), (False, 128 * 1024)):
        database = Services(Settings(data_dir=tmp_path), serving=serving).database
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -kib
        database.dispose()
