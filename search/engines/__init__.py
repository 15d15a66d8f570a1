"""Engines behind one interface; `create_engine` picks one from the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from .base import EngineUnavailable, SearchEngine

__all__ = ["EngineSettings", "EngineUnavailable", "SearchEngine", "create_engine"]


class EngineSettings(Protocol):
    """What opening an engine reads from the settings (the composition root passes them)."""

    @property
    def search_backend(self) -> str: ...
    @property
    def index_dir(self) -> Path: ...
    @property
    def elasticsearch_url(self) -> str | None: ...
    @property
    def elasticsearch_index(self) -> str: ...
    @property
    def elasticsearch_username(self) -> str | None: ...
    @property
    def elasticsearch_password(self) -> str | None: ...
    @property
    def elasticsearch_api_key(self) -> str | None: ...
    @property
    def web_search_timeout_s(self) -> float: ...
    @property
    def indexer_search_timeout_s(self) -> float: ...


def create_engine(settings: EngineSettings, *, for_indexing: bool = False) -> SearchEngine:
    """The engine of VITRINA_SEARCH_BACKEND; web requests get short timeouts."""
    if settings.search_backend == "elasticsearch":
        from .elasticsearch import ElasticsearchEngine

        timeout = (
            settings.indexer_search_timeout_s if for_indexing else settings.web_search_timeout_s
        )
        return ElasticsearchEngine.from_settings(settings, timeout=timeout)
    from .embedded import EmbeddedEngine

    return EmbeddedEngine(settings.index_dir)
