"""What merchandisers tune, live in every serving process: query rules, synonyms, brand aliases.

They are stored in the database (merchandising/ writes them, bumping a version counter
in the same transaction). Each process polls the counters at most once a second
(`storage.versions.VersionPoll`) and reloads only what changed, so an edit is in
effect on the next search everywhere, without a restart, and costs the hot path a
clock read otherwise.

Until the first save, synonyms and brand aliases come from the seed files under
`search/understanding/data/`. Nothing broken is ever taken: a seed file with a bad
line is refused (logged with its file and line number), and whatever was loaded
last keeps serving; so does everything when the database cannot answer.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from locales.registry import Registry
from storage import Database
from storage.schema import query_rules, understanding_data
from storage.versions import VersionPoll

from .params import SearchParams
from .rules import Adjustment, Key, QueryRule, RuleBook, compile_rules, reading_key
from .understanding.base import Interpretation
from .understanding.editable import (
    DataError,
    read_aliases_file,
    read_synonyms_file,
    validate_aliases,
    validate_synonyms,
)
from .understanding.pipeline import QueryUnderstanding
from .understanding.synonyms import SYNONYMS_FILE, Synonyms
from .understanding.translit import ALIASES_FILE

log = logging.getLogger("vitrina.search")

RULES, SYNONYMS, BRAND_ALIASES = "rules", "synonyms", "brand_aliases"
NOT_LOADED = -1
VOCABULARY_CHECK_S = 1.0  # rule keys depend on the catalog's words: re-read after a reindex
RETRY_S = 10.0  # a loader that failed (database down) is tried again after this long


def seed_synonyms(understanding: QueryUnderstanding, path: Path = SYNONYMS_FILE) -> list[list[str]]:
    """The seed file's groups (DataError with file and line when a line is bad)."""
    return read_synonyms_file(path, understanding.analyzer) if path.exists() else []


def seed_aliases(path: Path = ALIASES_FILE) -> dict[str, str]:
    return read_aliases_file(path) if path.exists() else {}


class SearchTuning:
    """The rules, synonyms and aliases of one database, applied to one QueryUnderstanding."""

    def __init__(
        self,
        database: Database,
        understanding: QueryUnderstanding,
        registry: Registry,
        *,
        synonyms_file: Path = SYNONYMS_FILE,
        aliases_file: Path = ALIASES_FILE,
        poll_s: float = 1.0,
    ) -> None:
        self.database = database
        self.understanding = understanding
        self.registry = registry
        self.synonyms_file = synonyms_file
        self.aliases_file = aliases_file
        self.poll = VersionPoll(database, poll_s)
        self.rules = RuleBook()
        self._loaded = {RULES: NOT_LOADED, SYNONYMS: NOT_LOADED, BRAND_ALIASES: NOT_LOADED}
        self._lock = threading.Lock()
        self._keys: dict[tuple[str, str, str], Key] = {}
        self._vocabulary: object = None
        self._next_vocabulary_check = 0.0
        self._zones: dict[str, ZoneInfo] = {}
        self._retry_at: dict[str, float] = {}

    # -- the hot path ---------------------------------------------------------------

    def refresh(self) -> None:
        """Reload what changed since the last poll (cheap when nothing did)."""
        versions = self.poll.current() or {}
        loaded = self._loaded
        stale = [name for name in loaded if loaded[name] != versions.get(name, 0)]
        now = time.monotonic()
        if not stale and self.rules and now >= self._next_vocabulary_check:
            self._next_vocabulary_check = now + VOCABULARY_CHECK_S
            if self.understanding.lexicon.vocabulary is not self._vocabulary:
                stale = [RULES]
        if stale:
            with self._lock:
                self._reload(stale, versions)

    def adjustment(self, params: SearchParams, reading: Interpretation) -> Adjustment | None:
        """What the query rules do to this search, if any rule matches."""
        rules = self.rules
        if not rules.has_locale(params.locale):
            return None
        key = self._key(reading, params.locale)
        return rules.matching(key, params.locale, params.country, self.today)

    def expire(self) -> None:
        """This process changed something: poll on the next search."""
        self.poll.expire()

    def today(self, country: str) -> date:
        zone = self._zones.get(country)
        if zone is None:
            zone = self._zones[country] = ZoneInfo(self.registry.country(country).timezone)
        return datetime.now(zone).date()

    # -- loading ------------------------------------------------------------------

    def _reload(self, stale: list[str], versions: dict[str, int]) -> None:
        now = time.monotonic()
        words_changed = False
        for name, load in ((SYNONYMS, self._load_synonyms), (BRAND_ALIASES, self._load_aliases)):
            current = self._loaded[name] == versions.get(name, 0)  # another thread loaded it
            if name in stale and not current and self._attempt(name, load, versions, now):
                words_changed = True
        if RULES in stale or (words_changed and self._loaded[RULES] != NOT_LOADED):
            self._attempt(RULES, self._load_rules, versions, now)

    def _attempt(self, name: str, load, versions: dict[str, int], now: float) -> bool:
        """Run one loader; after a failure the last loaded data serve and it waits RETRY_S."""
        if now < self._retry_at.get(name, 0.0):
            return False
        try:
            load()
        except Exception:
            log.warning(
                "could not load %s; what was loaded last keeps serving", name, exc_info=True
            )
            self._retry_at[name] = now + RETRY_S
            return False
        self._loaded[name] = versions.get(name, 0)
        return True

    def _stored(self, kind: str) -> dict | None:
        with self.database.connect() as conn:
            row = conn.execute(
                select(understanding_data.c.body).where(understanding_data.c.kind == kind)
            ).first()
        return row.body if row is not None else None

    def _load_synonyms(self) -> None:
        analyzer = self.understanding.analyzer
        stored = self._stored_or_none(SYNONYMS)
        if stored is None:
            try:
                groups = seed_synonyms(self.understanding, self.synonyms_file)
            except DataError as exc:
                log.error("synonyms seed refused: %s; the last good synonyms keep serving", exc)
                return
        else:
            groups = []
            for group in stored.get("groups", []):
                try:  # saved groups were valid; one the analyzer now reads otherwise is skipped
                    groups.extend(validate_synonyms([group], analyzer))
                except DataError as exc:
                    log.warning("stored synonym group skipped: %s", exc)
        self.understanding.use(synonyms=Synonyms.from_groups(analyzer, groups))

    def _load_aliases(self) -> None:
        stored = self._stored_or_none(BRAND_ALIASES)
        try:
            if stored is None:
                aliases = seed_aliases(self.aliases_file)
            else:
                aliases = validate_aliases(stored.get("aliases", {}))
        except DataError as exc:
            log.error("brand aliases refused: %s; the last good aliases keep serving", exc)
            return
        self.understanding.use(aliases=aliases)

    def _stored_or_none(self, kind: str) -> dict | None:
        """The saved set; None when nothing was saved yet, or the database cannot answer
        before anything was loaded (the seed serves meanwhile)."""
        try:
            return self._stored(kind)
        except Exception:
            if self._loaded[kind] != NOT_LOADED:
                raise  # keep what is loaded
            log.warning("could not read %s; serving the seed file meanwhile", kind, exc_info=True)
            return None

    def _load_rules(self) -> None:
        with self.database.connect() as conn:
            rows = conn.execute(select(query_rules).order_by(query_rules.c.id)).all()
        found = [
            QueryRule(
                r.id, r.query, r.locale, r.country, tuple(r.promote or ()), tuple(r.hide or ()),
                r.starts, r.ends,
            )
            for r in rows
        ]  # fmt: skip
        self._vocabulary = self.understanding.lexicon.vocabulary
        self._keys = {}
        self.rules = compile_rules(found, self.rule_key)

    def rule_key(self, query: str, locale: str) -> Key:
        """A rule's query read the way a search reads it."""
        first = self.understanding.plan(query, locale).first
        analyzer = self.understanding.analyzer
        return reading_key(analyzer, first, locale) if first is not None else ()

    def _key(self, reading: Interpretation, locale: str) -> Key:
        cache_key = (reading.text, repr(reading.corrections), locale)
        key = self._keys.get(cache_key)
        if key is None:
            if len(self._keys) > 10_000:
                self._keys = {}
            analyzer = self.understanding.analyzer
            key = self._keys[cache_key] = reading_key(analyzer, reading, locale)
        return key
