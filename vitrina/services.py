"""Builds the long-lived objects of one process from the settings, once.

The CLI, the web app and the Celery worker all get their engine, analyzer,
registry and search service here, so they behave the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from locales.registry import Registry, load_registry
from search.analysis.analyzer import Analyzer, default_analyzer
from search.engines import SearchEngine, create_engine
from search.service import SearchService
from search.understanding.pipeline import QueryUnderstanding
from search.vocabulary import VocabularyStore, vocabulary_path

from .config import Settings, load_settings


@dataclass
class Services:
    settings: Settings

    @cached_property
    def registry(self) -> Registry:
        return load_registry(data_dir=self.settings.data_dir)

    @cached_property
    def analyzer(self) -> Analyzer:
        return default_analyzer()

    @cached_property
    def engine(self) -> SearchEngine:
        return create_engine(self.settings)

    @cached_property
    def indexing_engine(self) -> SearchEngine:
        return create_engine(self.settings, for_indexing=True)

    @cached_property
    def understanding(self) -> QueryUnderstanding:
        store = VocabularyStore(vocabulary_path(self.settings.data_dir))
        return QueryUnderstanding(self.analyzer, store)

    @cached_property
    def search(self) -> SearchService:
        return SearchService(self.engine, self.registry, self.analyzer, self.understanding)


def services_from_env() -> Services:
    return Services(load_settings())
