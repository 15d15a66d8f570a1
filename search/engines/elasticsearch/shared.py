"""The query vocabulary kept in Elasticsearch, where every web host and indexer sees it.

With the embedded engine the vocabulary (search/vocabulary.py: the catalog's words and
terms, the brand lexicon and spellings, title phrases, co-occurrence — everything
query understanding derives from the catalog) is a file in the data dir. Web hosts on
other machines have no such file, so with Elasticsearch the indexer publishes it into
the small index `<alias>-meta`: the compressed bytes split into parts, then one head
document naming the new version, then the old parts are deleted. Readers check the
head (one realtime GET, at most once per `check_s`) and fetch the parts only when the
version changed, in the background while searches use the current one; a vocabulary
that cannot be read keeps the last good one. (Brand
labels need nothing here: each product document carries its own `brand_label`.)
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError

from ...vocabulary import Vocabulary, VocabularyStore
from ..base import EngineUnavailable

log = logging.getLogger("vitrina.search.elasticsearch")

HEAD_ID = "vocabulary"
PART_BYTES = 4 * 1024 * 1024  # compressed bytes per part document (~5.3 MB as base64)
LOAD_TIMEOUT_S = 60.0  # reading a catalog's whole vocabulary, even from a web process
CHECK_S = 1.0  # how often a web process asks whether the vocabulary changed
RETRY_S = 5.0  # after a failed check, the next one waits this long
META_SETTINGS: dict[str, Any] = {
    # Small and read by every web process: one shard, a copy on every node.
    "index": {"number_of_shards": 1, "auto_expand_replicas": "0-all"}
}
META_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "kind": {"type": "keyword"},
        "version": {"type": "keyword"},
        "parts": {"type": "integer"},
        "part": {"type": "integer"},
        "bytes": {"type": "long"},
        "sha256": {"type": "keyword"},
        "products": {"type": "long"},
        "generation": {"type": "keyword"},
        "published": {"type": "double"},
        "data": {"type": "binary"},
    },
}


@dataclass(frozen=True)
class VocabularyHead:
    """Which vocabulary is current: its version, parts and checksum."""

    version: str
    parts: int
    sha256: str
    products: int = 0
    generation: str = ""
    published: float = 0.0

    def document(self, size: int) -> dict[str, Any]:
        return {"kind": "head", "version": self.version, "parts": self.parts, "bytes": size,
                "sha256": self.sha256, "products": self.products,
                "generation": self.generation, "published": self.published}  # fmt: skip


def part_id(version: str, part: int) -> str:
    return f"{HEAD_ID}-{version}-{part}"


class SharedVocabulary:
    """Publishes and reads the vocabulary of the alias `alias` in `<alias>-meta`."""

    def __init__(
        self, client: Elasticsearch, alias: str, *, load_timeout_s: float = LOAD_TIMEOUT_S
    ) -> None:
        self.client = client
        self.alias = alias
        self.index = f"{alias}-meta"
        self.load_timeout_s = load_timeout_s

    # -- reading ------------------------------------------------------------------

    def head(self) -> VocabularyHead | None:
        """The current head (a realtime GET), or None before the first publication."""
        try:
            found = self.client.get(index=self.index, id=HEAD_ID)
        except NotFoundError:
            return None
        source = found["_source"]
        return VocabularyHead(
            version=str(source["version"]),
            parts=int(source["parts"]),
            sha256=str(source["sha256"]),
            products=int(source.get("products", 0)),
            generation=str(source.get("generation", "")),
            published=float(source.get("published", 0.0)),
        )

    def load(self, head: VocabularyHead | None = None) -> Vocabulary | None:
        """The current vocabulary (None before the first). Raises ValueError when it
        cannot be read whole (a publication replaced it twice while reading), and
        EngineUnavailable when Elasticsearch does not answer."""
        with _answering("read the vocabulary"):
            return self._load(head)

    def _load(self, head: VocabularyHead | None) -> Vocabulary | None:
        for _attempt in range(3):
            head = head or self.head()
            if head is None:
                return None
            raw = self._parts(head)
            if raw is not None:
                return Vocabulary.from_bytes(zlib.decompress(raw), f"{self.index}/{head.version}")
            head = None  # replaced while reading: read the new head
        raise ValueError(f"{self.index}: the vocabulary changed while it was being read")

    def _parts(self, head: VocabularyHead) -> bytes | None:
        """The head's bytes, checked; None when some part is gone (a newer version)."""
        client = self.client.options(request_timeout=self.load_timeout_s)
        ids = [part_id(head.version, n) for n in range(head.parts)]
        chunks: list[bytes] = []
        for docs in _batches(ids, 8):
            found = client.mget(index=self.index, ids=docs)["docs"]
            for doc in found:
                if not doc.get("found"):
                    return None
                chunks.append(base64.b64decode(doc["_source"]["data"]))
        raw = b"".join(chunks)
        if hashlib.sha256(raw).hexdigest() != head.sha256:
            raise ValueError(f"{self.index}: vocabulary {head.version} fails its checksum")
        return raw

    # -- publishing (the indexer, under the indexing lock) ---------------------------

    def publish(self, vocabulary: Vocabulary) -> VocabularyHead:
        """Store `vocabulary` as the current one; readers switch on their next check.

        The head names the index generation serving when it was published (for health
        and operators: which catalog the words came from).
        """
        with _answering("publish the vocabulary"):
            return self._publish(vocabulary)

    def _publish(self, vocabulary: Vocabulary) -> VocabularyHead:
        generation = self._serving()
        raw = zlib.compress(vocabulary.to_bytes(), 6)
        version = uuid.uuid4().hex
        parts = [raw[i : i + PART_BYTES] for i in range(0, len(raw), PART_BYTES)] or [b""]
        self._ensure_index()
        old = self.head()
        for n, chunk in enumerate(parts):
            self.client.index(
                index=self.index,
                id=part_id(version, n),
                document={"kind": "part", "version": version, "part": n,
                          "data": base64.b64encode(chunk).decode("ascii")},
            )  # fmt: skip
        head = VocabularyHead(version, len(parts), hashlib.sha256(raw).hexdigest(),
                              vocabulary.products, generation, time.time())  # fmt: skip
        self.client.index(index=self.index, id=HEAD_ID, document=head.document(len(raw)))
        if old is not None:
            self._delete_parts(old)
        return head

    def delete(self) -> None:
        """Remove the meta index (test clean-up, with the product indices)."""
        self.client.indices.delete(index=self.index, ignore_unavailable=True)

    def _serving(self) -> str:
        try:
            return ",".join(sorted(self.client.indices.get_alias(name=self.alias).body))
        except NotFoundError:
            return ""

    def _ensure_index(self) -> None:
        try:
            self.client.indices.create(
                index=self.index, settings=META_SETTINGS, mappings=META_MAPPINGS
            )
        except ApiError as exc:
            body = exc.body if isinstance(exc.body, dict) else {}
            error = body.get("error")
            kind = error.get("type") if isinstance(error, dict) else None
            if kind != "resource_already_exists_exception":
                raise

    def _delete_parts(self, old: VocabularyHead) -> None:
        """Delete a replaced version's parts; readers still on it re-read the head."""
        for n in range(old.parts):
            try:
                self.client.delete(index=self.index, id=part_id(old.version, n))
            except NotFoundError:
                pass
            except (ApiError, TransportError) as exc:  # only space: the new version serves
                log.warning("could not delete vocabulary part %s: %s", part_id(old.version, n), exc)


@contextlib.contextmanager
def _answering(action: str) -> Iterator[None]:
    """Elasticsearch failures as EngineUnavailable (the indexer's tasks retry those)."""
    try:
        yield
    except (ApiError, TransportError) as exc:
        raise EngineUnavailable(f"{action}: {type(exc).__name__}: {exc}") from exc


def _batches(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class SharedVocabularyStore(VocabularyStore):
    """A web process's view of the shared vocabulary: the version is checked at most
    once per `check_s`; a new version is loaded in the background (`background`) while
    searches go on with the current one, except the first, which searches wait for."""

    def __init__(
        self, shared: SharedVocabulary, *, check_s: float = CHECK_S, background: bool = True
    ) -> None:
        super().__init__(None)
        self.shared = shared
        self.check_s = check_s
        self.background = background
        self.version: str | None = None
        self._next_check = 0.0
        self._loader: threading.Thread | None = None

    def get(self) -> Vocabulary:
        if time.monotonic() < self._next_check:
            return self._vocabulary
        with self._lock:
            if time.monotonic() >= self._next_check:
                self._check()
        return self._vocabulary

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a version being loaded in the background, if any."""
        loader = self._loader
        if loader is not None:
            loader.join(timeout)

    def _check(self) -> None:
        try:
            head = self.shared.head()
        except (ApiError, TransportError) as exc:
            # Searching goes on with the last good vocabulary; the engine reports outages.
            log.debug("the shared vocabulary could not be checked: %s", exc)
            self._next_check = time.monotonic() + RETRY_S
            return
        self._next_check = time.monotonic() + self.check_s
        if head is None or head.version == self.version:
            return
        if self.version is None or not self.background:
            self._load(head)
        elif self._loader is None or not self._loader.is_alive():
            self._loader = threading.Thread(
                target=self._load, args=(head,), name="vocabulary-loader", daemon=True
            )
            self._loader.start()

    def _load(self, head: VocabularyHead) -> None:
        try:
            loaded = self.shared.load(head)
        except EngineUnavailable as exc:
            log.debug("the shared vocabulary could not be loaded: %s", exc)
            self._next_check = time.monotonic() + RETRY_S
            return
        except (ValueError, KeyError, zlib.error) as exc:
            log.warning("the shared vocabulary is unreadable; keeping the last good one: %s", exc)
            self._next_check = time.monotonic() + RETRY_S
            return
        if loaded is not None:
            self._vocabulary, self.version = loaded, head.version
