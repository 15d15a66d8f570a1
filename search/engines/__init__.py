"""Engines behind one interface; `create_engine` picks one from the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import EngineUnavailable, SearchEngine

if TYPE_CHECKING:
    from vitrina.config import Settings

__all__ = ["EngineUnavailable", "SearchEngine", "create_engine"]


def create_engine(settings: Settings, *, for_indexing: bool = False) -> SearchEngine:
    """The engine of VITRINA_SEARCH_BACKEND; web requests get short timeouts."""
    if settings.search_backend == "elasticsearch":
        from .elasticsearch import ElasticsearchEngine

        timeout = (
            settings.indexer_search_timeout_s if for_indexing else settings.web_search_timeout_s
        )
        return ElasticsearchEngine.from_settings(settings, timeout=timeout)
    from .embedded import EmbeddedEngine

    return EmbeddedEngine(settings.index_dir)
