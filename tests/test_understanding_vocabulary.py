"""The vocabulary written by the indexer and reloaded by the web process."""

import json
import os

from search.analysis.analyzer import default_analyzer
from search.catalog import Product
from search.documents import index_document
from search.understanding.brands import brand_spellings, build_readings
from search.vocabulary import Vocabulary, VocabularyBuilder, VocabularyStore, vocabulary_path


def document(id: str, title: str, brand: str | None = None) -> dict:
    product = Product(id=id, title={"ru": title}, category="phones", price_usd=1.0, brand=brand)
    return index_document(product, default_analyzer())


def test_builder_counts_surface_words_and_terms_per_product(tmp_path):
    builder = VocabularyBuilder()
    changes = [document("1", "Сумки кожаные сумки", "Gloria Jeans"), document("2", "Сумка")]
    assert list(builder.collect(changes)) == changes
    builder.save(tmp_path)
    vocabulary = Vocabulary.load(vocabulary_path(tmp_path))
    assert vocabulary.products == 2
    assert vocabulary.word_df("сумки") == 1 and vocabulary.word_df("gloria") == 1
    assert vocabulary.term_df("сумка") == 2


def test_incremental_changes_add_to_the_saved_counts(tmp_path):
    first = VocabularyBuilder()
    first.add(document("1", "Сумка"))
    first.save(tmp_path)
    more = VocabularyBuilder()
    more.add(document("2", "Сумка"))
    more.save(tmp_path, merge=True)
    assert Vocabulary.load(vocabulary_path(tmp_path)).term_df("сумка") == 2


def test_store_reloads_when_the_file_changes_and_keeps_the_last_good_one(tmp_path):
    store = VocabularyStore(vocabulary_path(tmp_path))
    assert not store.get()  # no file yet: an empty vocabulary, not an error
    Vocabulary({"сумка": 1}, {"сумка": 1}, 1).save(vocabulary_path(tmp_path))
    assert store.get().term_df("сумка") == 1
    Vocabulary({"чехол": 3}, {"чехол": 3}, 3).save(vocabulary_path(tmp_path))
    os.utime(vocabulary_path(tmp_path), ns=(1, 10**18))
    assert store.get().term_df("чехол") == 3
    vocabulary_path(tmp_path).write_text("{broken", encoding="utf-8")
    assert store.get().term_df("чехол") == 3


def test_prefix_completion_prefers_frequent_words():
    vocabulary = Vocabulary({"сумка": 9, "сумочка": 2, "сумма": 1, "чехол": 5}, {}, 10)
    assert [w for w, _ in vocabulary.words_with_prefix("сум")] == ["сумка", "сумочка", "сумма"]


def test_saved_file_is_plain_json(tmp_path):
    Vocabulary({"a": 1}, {"a": 1}, 1).save(vocabulary_path(tmp_path))
    assert json.loads(vocabulary_path(tmp_path).read_text(encoding="utf-8"))["version"] == 2


def test_brand_lexicon_and_cooccurrence_are_built_at_index_time(tmp_path):
    builder = VocabularyBuilder()
    builder.add(document("1", "Кофе молотый Tchibo", "Tchibo"))
    builder.add(document("2", "Чай черный", "Lipton"))
    builder.add(document("3", "Кофе растворимый"))
    builder.save(tmp_path)
    vocabulary = Vocabulary.load(vocabulary_path(tmp_path))
    assert vocabulary.readings["чибо"] == ("tchibo",)
    assert vocabulary.brands == {"tchibo": 1, "lipton": 1}
    ids = vocabulary.term_ids
    assert vocabulary.cooccurrence.count([[ids["кофе"]], [ids["tchibo"]]]) == 1
    assert vocabulary.cooccurrence.count([[ids["кофе"]], [ids["чай"]]]) == 0
    assert vocabulary.cooccurrence.count([[ids["кофе"]]]) == 2


def test_remembered_readings_are_a_fresh_list_each_time():
    from search.understanding.transcription import readings

    first = readings("michelin")
    assert "мишлен" in first
    first.clear()  # a caller changing its list must not change what the next one gets
    assert "мишлен" in readings("michelin")
    assert readings("мишлен") == [] and readings("l'oreal") == []


def test_brand_spellings_by_prefix_are_what_a_scan_finds():
    """The sorted index autocomplete reads answers exactly what scanning every brand
    spelling (as written, or by its loose cyrillic_key) would, in the same order."""
    from search.understanding.transcription import cyrillic_key

    spellings = {"loreal": "лореаль", "lorna": "лорна", "samsung": "самсунг",
                 "sammy": "сэмми", "zara": "зара", "leroy": "лерой"}  # fmt: skip
    vocabulary = Vocabulary(words={w: 1 for w in spellings}, terms={"x": 1}, spellings=spellings)

    def scan(prefix: str) -> list[tuple[str, str]]:
        key = cyrillic_key(prefix)
        return [
            (latin, spelling)
            for latin, spelling in spellings.items()
            if spelling.startswith(prefix) or cyrillic_key(spelling).startswith(key)
        ]

    for prefix in ("л", "ло", "лор", "лоре", "лореал", "лореаль", "лэ", "са", "сэм", "сем",
                   "лери", "лерой", "з", "ь", "q", "лорнаx"):  # fmt: skip
        assert vocabulary.spellings_with_prefix(prefix) == scan(prefix), prefix
    assert [latin for latin, _ in vocabulary.spellings_with_prefix("сем")] == ["sammy"]
    assert Vocabulary().spellings_with_prefix("ло") == []


def test_brands_are_transcribed_while_the_feed_is_read_with_the_same_lexicon():
    from search.understanding import transcription

    changes = [
        document("1", "Шампунь Head & Shoulders", "Head & Shoulders"),
        document("2", "Крем L'Oreal Paris", "L'Oreal"),
        document("3", "Сумка", "Gloria Jeans"),
    ]
    transcription._MEMO.clear()
    builder = VocabularyBuilder()
    for change in changes:
        builder.add(change)
    read = transcription.known_readings()
    for word in ("head", "shoulders", "oreal", "paris", "gloria", "jeans"):
        assert (word, "cyrillic") in read, word
    for word in ("head", "shoulders", "oreal", "gloria", "jeans"):
        assert (word, "arabic") in read, word
    ahead = builder.vocabulary()
    transcription._MEMO.clear()  # read from nothing remembered: the same lexicon
    assert ahead.readings == build_readings(ahead.words, ahead.brands)
    assert ahead.spellings == brand_spellings(ahead.words, ahead.brands)
    assert ahead.readings and ahead.spellings
