"""Files one process leaves for the next (the indexer's lemma and reading caches, an
index generation's brands): written atomically, and read back only when written by
the same version of what produced them."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import orjson


def write_atomically(path: Path, body: bytes) -> None:
    """Readers see the old file or the new one, never half; a failed write leaves no
    temporary file behind."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        tmp.write_bytes(body)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def save_versioned(path: Path, version: str, content: dict[str, Any]) -> None:
    """Write `content` for `load_versioned` with the same `version`."""
    write_atomically(path, orjson.dumps({"version": version, **content}))


def load_versioned(path: Path, version: str) -> dict[str, Any] | None:
    """What `save_versioned` wrote with `version`; None for a missing or broken file,
    or one another version wrote."""
    try:
        saved = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(saved, dict) or saved.get("version") != version:
        return None
    return saved
