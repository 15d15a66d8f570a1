"""The index definition (settings and mappings) kept as data in index.json.

A rebuild creates its index with loading settings (no replicas, no refresh) and
restores the serving settings of index.json once the bulk load is complete.
"""

from __future__ import annotations

import json
import time
import uuid
from functools import cache
from importlib import resources
from typing import Any

DEFINITION_FILE = "index.json"
LOADING_SETTINGS: dict[str, Any] = {
    # The string "false": index settings are strings in the specification, not booleans.
    "auto_expand_replicas": "false",
    "number_of_replicas": 0,
    "refresh_interval": "-1",
}


@cache
def _definition_text() -> str:
    return resources.files(__package__).joinpath(DEFINITION_FILE).read_text(encoding="utf-8")


def index_definition() -> dict[str, Any]:
    """A fresh copy of index.json: {"settings": …, "mappings": …}."""
    return json.loads(_definition_text())


def loading_settings(shards: int | None = None) -> dict[str, Any]:
    """Index settings for the bulk load: the serving ones with replicas and refresh off.

    `shards` overrides index.json's number_of_shards (fixed once the index exists).
    """
    settings = index_definition()["settings"]
    settings["index"] = {**settings["index"], **LOADING_SETTINGS}
    if shards is not None:
        if shards < 1:
            raise ValueError(f"an index needs at least one shard, not {shards}")
        settings["index"]["number_of_shards"] = shards
    return settings


def serving_settings(replicas: int | None = None) -> dict[str, Any]:
    """The dynamic settings a loaded index gets back (replicas and refresh of index.json).

    `replicas` overrides index.json's replicas with a fixed count.
    """
    index = index_definition()["settings"]["index"]
    restored: dict[str, Any] = {"refresh_interval": index.get("refresh_interval", "1s")}
    if replicas is not None:
        if replicas < 0:
            raise ValueError(f"replicas cannot be negative: {replicas}")
        restored["auto_expand_replicas"] = "false"
        restored["number_of_replicas"] = replicas
    elif "auto_expand_replicas" in index:
        restored["auto_expand_replicas"] = index["auto_expand_replicas"]
    else:
        restored["number_of_replicas"] = index.get("number_of_replicas", 1)
    return {"index": restored}


def new_index_name(alias: str) -> str:
    """A unique, timestamped concrete index name behind `alias`."""
    return f"{alias}-{time.strftime('%Y%m%d%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:6]}"
