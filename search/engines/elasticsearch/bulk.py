"""Pure translation between Vitrina changes and Elasticsearch bulk actions/results.

`bulk_actions` turns engine-neutral changes into actions for
`elasticsearch.helpers.streaming_bulk`; `BulkOutcome` reads what it yields back
(with raise_on_error=False) into applied counts and per-document rejections.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..base import Change, RejectedDocument, Removal


def source_document(doc: dict[str, Any]) -> dict[str, Any]:
    """The _source stored for an index document (see search.documents.index_document).

    The payload is kept as an object (stored, not indexed); the original title text
    feeds the `russian`-analyzed fallback field; empty brand keys are left out so
    they never show up as a facet value.
    """
    source = dict(doc)
    source.pop("title_marks", None)  # the embedded engine's highlighting aid
    payload = source["payload"] = orjson.loads(doc["payload"])
    source["title_text"] = " ".join(str(t) for t in (payload.get("title") or {}).values())
    if doc.get("brand_key"):
        source["brand_label"] = doc.get("brand_label") or payload.get("brand") or doc["brand_key"]
    else:
        source.pop("brand_key", None)
        source.pop("brand_label", None)
    return source


def bulk_actions(changes: Iterable[Change], index: str) -> Iterator[dict[str, Any]]:
    """Index (replace) or delete actions, in order: a later change to an id wins."""
    for change in changes:
        if isinstance(change, Removal):
            yield {"_op_type": "delete", "_index": index, "_id": change.id}
        else:
            yield {
                "_op_type": "index",
                "_index": index,
                "_id": change["id"],
                "_source": source_document(change),
            }


def _reason(error: Any) -> str:
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}".strip(": ")
        cause = error.get("caused_by")
        return f"{reason} ({_reason(cause)})" if cause else reason
    return str(error) if error else "rejected by Elasticsearch"


@dataclass
class BulkOutcome:
    """What a bulk load did: changes applied, documents stored, documents refused."""

    applied: int = 0
    indexed: int = 0
    rejected: list[RejectedDocument] = field(default_factory=list)

    @classmethod
    def merged(cls, outcomes: Iterable[BulkOutcome]) -> BulkOutcome:
        """The sum of several outcomes (one per bulk worker)."""
        total = cls()
        for outcome in outcomes:
            total.applied += outcome.applied
            total.indexed += outcome.indexed
            total.rejected.extend(outcome.rejected)
        return total

    def record(self, ok: bool, item: dict[str, Any]) -> None:
        """Count one (ok, item) pair yielded by streaming_bulk."""
        op_type, result = next(iter(item.items()))
        if ok or (op_type == "delete" and result.get("status") == 404):
            # Deleting an id the index does not hold leaves it as the feed wants it.
            self.applied += 1
            if op_type == "index":
                self.indexed += 1
            return
        self.rejected.append(RejectedDocument(str(result.get("_id")), _reason(result.get("error"))))
