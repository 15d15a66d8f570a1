"""Known-item evaluation of query understanding against a Snowball BM25 baseline.

Builds queries from real product titles (2-3 title words in another word form,
then damaged the way shoppers damage them), runs each through Vitrina's
SearchService (embedded engine, index built in a temp dir) and through a BM25
index over PyStemmer russian stems of the same titles, and prints recall@10, MRR
and P@5 per kind, the query-understanding overhead, and end-to-end time per kind
against clean queries.

    python bench/eval_queries.py [--limit 300] [--products 100000] [--catalog PATH]
        [--seeds 3] [--kinds typo,typo2] [--index-dir DIR (kept and reused)]
    python bench/eval_queries.py --judged [--products 100000] [--show-misses 5]

`--judged` runs the hand-written, judged queries of every enabled locale instead
(bench/judged_queries.py: at least 30 per locale, en ru es pt de ar) over the demo
catalog plus the 100k catalog with a translated sample (bench/translated_sample.jsonl),
against a BM25 baseline over titles stemmed by the locale's Snowball (what an
Elasticsearch language analyzer does). Without ../shared/data only the demo part runs.

A query's relevant products are those whose title and brand contain every query
word (by lemma, before damage); only queries with at most 10 relevant products are
kept, so a perfect engine can put one on page one. P@5 is the share of the top 5
that is relevant, out of min(5, relevant products).

Kinds: correct, forms (other word forms), layout (whole query on the wrong layout),
layout1 (one word on the wrong layout), mixed (a Latin brand as typed, the Russian
words on the wrong layout), typo, typo2 (two typos, anywhere), sound (one word
misspelt by ear: unstressed о/а е/и, doubled and soft letters, -тся/-ться), translit (Latin
brand words typed letter by letter in Cyrillic), brand_ru (brands as Russians
write them, by the brand's language: bench/shopper_spelling.py, written apart from
the product's rules), abbrev (a retail abbreviation of the title spelled out),
english (an English product word for the Russian one).
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import Stemmer
import tantivy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from judged_queries import JUDGED  # noqa: E402
from shopper_spelling import ENGLISH_WORDS, SPELLED_OUT, shopper_cyrillic  # noqa: E402

from indexer.indexing import index_feed  # noqa: E402
from search.analysis.analyzer import default_analyzer  # noqa: E402
from search.analysis.morphology import morph_analyzer  # noqa: E402
from search.analysis.stopwords import STOP_WORDS  # noqa: E402
from search.params import SearchParams  # noqa: E402
from search.understanding.keyboard import JCUKEN_ROWS, QWERTY_ROWS  # noqa: E402
from vitrina.commands.demo import demo_catalog_path  # noqa: E402
from vitrina.config import Settings  # noqa: E402
from vitrina.services import Services  # noqa: E402

DEFAULT_CATALOG = ROOT.parent / "shared" / "data" / "catalog-ru-100k.jsonl"
TRANSLATED_SAMPLE = Path(__file__).resolve().parent / "translated_sample.jsonl"
SNOWBALL = {"ru": "russian", "en": "english", "es": "spanish", "pt": "portuguese",
            "de": "german", "ar": "arabic"}  # fmt: skip
KINDS = (
    "correct", "forms", "layout", "layout1", "mixed", "typo", "typo2", "sound", "translit",
    "brand_ru", "abbrev", "english",
)  # fmt: skip
TOP = 10
MAX_RELEVANT = 10
_WORD = re.compile(r"[а-яё]{4,}", re.IGNORECASE)
_TOKEN = re.compile(r"\w+")
_RU_TO_QWERTY = str.maketrans("".join(JCUKEN_ROWS) + "ё", "".join(QWERTY_ROWS) + "`")

# How shoppers write Latin brands in Cyrillic (independent of the product's rules).
_LATIN_TO_CYRILLIC = (
    ("sch", "ш"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ph", "ф"), ("th", "т"),
    ("ck", "к"), ("qu", "кв"), ("oo", "у"), ("ee", "и"), ("ea", "и"), ("ou", "у"), ("ay", "ей"),
    ("ey", "ей"), ("x", "кс"), ("j", "дж"), ("w", "в"), ("ce", "се"), ("ci", "си"), ("cy", "си"),
    ("c", "к"), ("q", "к"), ("h", "х"), ("a", "а"), ("b", "б"), ("d", "д"), ("e", "е"), ("f", "ф"),
    ("g", "г"), ("i", "и"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"),
    ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("v", "в"), ("y", "и"), ("z", "з"),
)  # fmt: skip


def to_cyrillic(word: str) -> str:
    out, i = [], 0
    word = word.lower()
    while i < len(word):
        for latin, cyrillic in _LATIN_TO_CYRILLIC:
            if word.startswith(latin, i):
                out.append("э" if not out and latin == "e" else cyrillic)
                i += len(latin)
                break
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


def neighbours() -> dict[str, str]:
    near: dict[str, str] = {}
    for row in JCUKEN_ROWS:
        for i, key in enumerate(row):
            near[key] = row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    return near


NEAR = neighbours()


def typo(word: str, rng: random.Random) -> str:
    """One realistic typo, never in the first letter."""
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    op = rng.choice(("near", "delete", "insert", "swap"))
    if op == "near" and NEAR.get(word[i]):
        return word[:i] + rng.choice(NEAR[word[i]].replace(".", "") or word[i]) + word[i + 1 :]
    if op == "delete":
        return word[:i] + word[i + 1 :]
    if op == "insert":
        return (
            word[:i] + rng.choice(NEAR.get(word[i], word[i]).replace(".", "") or word[i]) + word[i:]
        )
    if i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i]


# Misspellings by ear rather than by finger: unstressed vowels, doubled and soft letters.
_SOUND_SWAPS = (
    ("о", "а"), ("а", "о"), ("е", "и"), ("и", "е"), ("я", "е"), ("е", "я"), ("нн", "н"),
    ("сс", "с"), ("лл", "л"), ("ь", ""), ("тся", "ться"), ("ться", "тся"), ("щ", "ш"),
    ("ё", "о"), ("жи", "жы"), ("ши", "шы"), ("чу", "чю"), ("ц", "тс"),
)  # fmt: skip


def sound_typo(word: str, rng: random.Random) -> str:
    """One misspelling of a word the way it sounds ("малоко", "шампунь" -> "шампун"),
    never in the first letter; the word as it is when none applies."""
    options = []
    for old, new in _SOUND_SWAPS:
        start = word.find(old, 1)
        while start != -1:
            options.append(word[:start] + new + word[start + len(old) :])
            start = word.find(old, start + 1)
    options = [o for o in dict.fromkeys(options) if o != word]
    return rng.choice(options) if options else word


def sound_queries(forms: list[tuple[str, set[str]]], seed: int) -> list[tuple[str, set[str]]]:
    """The `forms` queries with one word (of 5 letters or more) misspelt by ear."""
    rng = random.Random(seed * 7919 + 1)
    made = []
    for text, relevant in forms:
        words = text.split()
        long = [i for i, w in enumerate(words) if len(w) >= 5]
        if not long:
            continue
        i = rng.choice(long)
        misspelt = sound_typo(words[i], rng)
        if misspelt != words[i]:
            made.append((" ".join(words[:i] + [misspelt] + words[i + 1 :]), relevant))
    return made


def other_form(word: str, rng: random.Random) -> str:
    """The same word in another grammatical form (pymorphy3), when it has one."""
    parse = morph_analyzer().parse(word)[0]
    forms = {f.word.replace("ё", "е") for f in parse.lexeme if f.tag.POS == parse.tag.POS}
    forms.discard(word)
    return rng.choice(sorted(forms)) if forms else word


class Catalog:
    def __init__(self, path: Path, limit: int) -> None:
        analyzer = default_analyzer()
        self.products: list[dict] = []
        self.terms: list[set[str]] = []
        self.postings: dict[str, set[int]] = defaultdict(set)
        with open(path, encoding="utf-8") as f:
            for line in f:
                if len(self.products) >= limit:
                    break
                product = json.loads(line)
                text = product["title"].get("ru", "") + " " + (product.get("brand") or "")
                terms = analyzer.term_set(text)
                index = len(self.products)
                self.products.append(product)
                self.terms.append(terms)
                for term in terms:
                    self.postings[term].add(index)

    @classmethod
    def cached(cls, path: Path, limit: int, cache: Path) -> Catalog:
        """The catalog analyzed once and kept beside a kept index (bench runs only)."""
        if cache.exists():
            with open(cache, "rb") as f:
                loaded: Catalog = pickle.load(f)
            return loaded
        catalog = cls(path, limit)
        with open(cache, "wb") as f:
            pickle.dump(catalog, f)
        return catalog

    def title(self, product_id: str) -> str:
        """The Russian title of a product, for showing what a missed query wanted."""
        if not hasattr(self, "_by_id"):
            self._by_id = {p["id"]: p for p in self.products}
        return str(self._by_id[product_id]["title"].get("ru", ""))

    def relevant(self, words: list[str]) -> set[str]:
        lemmas = default_analyzer().words.lemmas
        found: set[int] | None = None
        for word in words:
            docs = set().union(*(self.postings.get(t, set()) for t in lemmas(word)))
            found = docs if found is None else found & docs
        return {self.products[i]["id"] for i in found or ()}


def make_queries(
    catalog: Catalog, per_kind: int, seed: int
) -> dict[str, list[tuple[str, set[str]]]]:
    rng = random.Random(seed)
    morph = morph_analyzer()
    queries: dict[str, list[tuple[str, set[str]]]] = {kind: [] for kind in KINDS}
    order = list(range(len(catalog.products)))
    rng.shuffle(order)
    for index in order:
        if all(len(q) >= per_kind for q in queries.values()):
            break
        product = catalog.products[index]
        title = product["title"].get("ru", "")
        words = [w.lower().replace("ё", "е") for w in _WORD.findall(title)]
        words = [w for w in dict.fromkeys(words) if w not in STOP_WORDS and morph.word_is_known(w)]
        brand = (product.get("brand") or "").strip()
        brand_words = [w.lower() for w in _TOKEN.findall(brand)]
        latin_brand = (
            brand_words
            and all(w.isascii() and w.isalpha() and len(w) >= 3 for w in brand_words)
            and brand.lower() in title.lower()
        )
        if latin_brand and words:
            chosen = [rng.choice(words)]
            relevant = catalog.relevant(brand_words + chosen)
            if 0 < len(relevant) <= MAX_RELEVANT:
                form = other_form(chosen[0], rng)
                for kind, text in (
                    ("translit", " ".join([to_cyrillic(w) for w in brand_words] + [form])),
                    ("brand_ru", " ".join([shopper_cyrillic(brand, rng), form])),
                    ("mixed", " ".join([brand.lower(), form.translate(_RU_TO_QWERTY)])),
                ):
                    if len(queries[kind]) < per_kind:
                        queries[kind].append((text, relevant))
        lowered = title.lower()
        for abbreviation, spelled in SPELLED_OUT.items():
            if (
                f" {abbreviation} " in f" {lowered} "
                and words
                and len(queries["abbrev"]) < per_kind
            ):
                chosen = [rng.choice(words)]
                relevant = catalog.relevant(chosen + [abbreviation])
                if 0 < len(relevant) <= MAX_RELEVANT:
                    queries["abbrev"].append((f"{chosen[0]} {spelled}", relevant))
                break
        for russian, english in ENGLISH_WORDS.items():
            if russian in words and len(words) >= 2 and len(queries["english"]) < per_kind:
                other = rng.choice([w for w in words if w != russian])
                relevant = catalog.relevant([russian, other])
                if 0 < len(relevant) <= MAX_RELEVANT:
                    queries["english"].append((f"{english} {other_form(other, rng)}", relevant))
                break
        if len(words) < 2:
            continue
        count = min(len(words), rng.choice((2, 3)))
        chosen = [w for w in words if w in set(rng.sample(words, count))]
        relevant = catalog.relevant(chosen)
        if not 0 < len(relevant) <= MAX_RELEVANT or product["id"] not in relevant:
            continue
        forms = [other_form(w, rng) for w in chosen]
        damaged = list(forms)
        target = rng.randrange(len(damaged))
        damaged[target] = typo(damaged[target], rng)
        twice = list(damaged)
        second = rng.randrange(len(twice))
        twice[second] = typo(twice[second], rng)
        one_layout = list(forms)
        switched = rng.randrange(len(one_layout))
        one_layout[switched] = one_layout[switched].translate(_RU_TO_QWERTY)
        for kind, text in (
            ("correct", " ".join(chosen)),
            ("forms", " ".join(forms)),
            ("layout", " ".join(forms).translate(_RU_TO_QWERTY)),
            ("layout1", " ".join(one_layout)),
            ("typo", " ".join(damaged)),
            ("typo2", " ".join(twice)),
        ):
            if len(queries[kind]) < per_kind:
                queries[kind].append((text, relevant))
    return queries


def cached_queries(
    catalog: Catalog, per_kind: int, seed: int, directory: Path | None
) -> dict[str, list[tuple[str, set[str]]]]:
    """make_queries, kept beside a kept index (generating them takes a while)."""
    if directory is None:
        return make_queries(catalog, per_kind, seed)
    path = directory / f"queries-{len(catalog.products)}-{per_kind}-{seed}.json"
    if path.exists():
        loaded = json.loads(path.read_text(encoding="utf-8"))
        return {kind: [(text, set(ids)) for text, ids in rows] for kind, rows in loaded.items()}
    made = make_queries(catalog, per_kind, seed)
    rows = {kind: [(text, sorted(ids)) for text, ids in items] for kind, items in made.items()}
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return made


def with_sound(
    queries: dict[str, list[tuple[str, set[str]]]], seed: int
) -> dict[str, list[tuple[str, set[str]]]]:
    """Adds the `sound` kind, made from the `forms` queries (so older seeds' sets stay)."""
    queries["sound"] = sound_queries(queries.get("forms", []), seed)
    return queries


class Baseline:
    """BM25 over Snowball (PyStemmer russian) stems of titles: what ES `russian` does.

    `language` picks another Snowball, and `all_titles` indexes every title of a
    product (the judged multilingual run)."""

    def __init__(
        self,
        catalog: Catalog,
        directory: Path,
        language: str = "russian",
        all_titles: bool = False,
        reuse: bool = False,
    ) -> None:
        self.stemmer = Stemmer.Stemmer(language)
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("text", tokenizer_name="whitespace")
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=str(directory))
        if reuse:
            self.index.reload()
            self.searcher = self.index.searcher()
            return
        writer = self.index.writer(128 * 1024 * 1024)
        for product in catalog.products:
            titles = product["title"].values() if all_titles else [product["title"].get("ru", "")]
            text = " ".join(titles) + " " + (product.get("brand") or "")
            writer.add_document(tantivy.Document(id=product["id"], text=self.stems(text)))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def stems(self, text: str) -> str:
        words = _TOKEN.findall(text.lower().replace("ё", "е"))
        return " ".join(self.stemmer.stemWords(words))

    def search(self, query: str) -> list[str]:
        terms = self.stems(query).split()
        if not terms:
            return []
        q = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "text", t))
                for t in terms
            ]
        )
        hits = self.searcher.search(q, TOP).hits
        return [self.searcher.doc(address)["id"][0] for _, address in hits]


def score(ranked: list[str], relevant: set[str]) -> tuple[float, float, float]:
    """recall@10 (any relevant product on page one), reciprocal rank, P@5."""
    top5 = sum(1 for product_id in ranked[:5] if product_id in relevant)
    precision = top5 / min(5, len(relevant))
    for rank, product_id in enumerate(ranked[:TOP], 1):
        if product_id in relevant:
            return 1.0, 1.0 / rank, precision
    return 0.0, 0.0, precision


def judged_feed(path: Path, catalog: Path | None, products: int) -> int:
    """The demo catalog, then (when `catalog` is given) its first `products` lines and every
    product of the translated sample, with the sample's titles added. Lines written."""
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for line in demo_catalog_path().read_text(encoding="utf-8").splitlines():
            out.write(line + "\n")
            written += 1
        if catalog is None:
            return written
        sample = {}
        for line in TRANSLATED_SAMPLE.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            sample[entry["id"]] = entry["title"]
        with open(catalog, encoding="utf-8") as src:
            for number, line in enumerate(src):
                product = json.loads(line)
                if product["id"] in sample:
                    product["title"].update(sample[product["id"]])
                elif number >= products:
                    continue
                out.write(json.dumps(product, ensure_ascii=False) + "\n")
                written += 1
    return written


class JudgedRun:
    """One catalog indexed by Vitrina and by a Snowball BM25 per locale."""

    def __init__(self, directory: Path, catalog: Path | None, products: int) -> None:
        started = time.perf_counter()
        directory.mkdir()
        feed = directory / "feed.jsonl"
        lines = judged_feed(feed, catalog, products)
        self.services = Services(Settings(data_dir=directory / "var"))
        index_feed(feed, self.services.indexing_engine, self.services.settings.ensure_data_dir())
        self.services.understanding.warm_up()
        self.catalog = Catalog(feed, lines)
        self.baselines: dict[str, Baseline] = {}
        for locale in JUDGED:
            (directory / locale).mkdir()
            self.baselines[locale] = Baseline(
                self.catalog, directory / locale, SNOWBALL[locale], all_titles=True
            )
        print(f"{lines} products indexed in {time.perf_counter() - started:.0f}s")

    def judge(self, locale: str, text: str, relevant: set[str]) -> tuple[tuple, tuple, float, list]:
        """Vitrina's and the baseline's scores, Vitrina's time in ms and its top 3."""
        country = self.services.registry.default_country(locale)
        params = SearchParams(q=text, locale=locale, country=country, per_page=TOP)
        begun = time.perf_counter()
        outcome = self.services.search.run(params)
        took = (time.perf_counter() - begun) * 1000
        ranked = [hit.id for hit in outcome.result.hits]
        base = score(self.baselines[locale].search(text), relevant)
        understood = outcome.reading.text if outcome.reading else ""
        return score(ranked, relevant), base, took, [understood, ranked[:3]]


def run_judged(args: argparse.Namespace) -> None:
    """Judged queries per locale, Vitrina against a Snowball BM25 in the locale's language.

    Demo queries run on the demo catalog alone, whose every product was judged for
    them; sample queries (expecting `uhtt-*` products) on the demo catalog plus the
    100k catalog with the translated sample, as known-item queries.
    """
    with tempfile.TemporaryDirectory() as tmp:
        demo = JudgedRun(Path(tmp) / "demo", None, 0)
        full = None
        if args.catalog.exists():
            full = JudgedRun(Path(tmp) / "full", args.catalog, args.products)
        else:
            print(f"{args.catalog} is absent: the sample queries are left out")
        print(
            f"\n{'locale':7} {'demo':>4} {'sample':>6} {'recall@10':>9} {'base':>6} {'MRR':>6}"
            f" {'base':>6} {'P@5':>6} {'base':>6} {'e2e p50':>8} {'e2e p95':>8}"
        )
        totals: list[tuple[float, float, float]] = []
        for locale, queries in JUDGED.items():
            ours, base, took, misses, counts = [], [], [], [], {"demo": 0, "sample": 0}
            for text, expected in queries:
                sampled = any(e.startswith("uhtt-") for e in expected)
                run = full if sampled else demo
                if run is None:
                    continue
                counts["sample" if sampled else "demo"] += 1
                mine, theirs, spent, shown = run.judge(locale, text, set(expected))
                ours.append(mine)
                base.append(theirs)
                took.append(spent)
                if mine[1] < 1 and len(misses) < args.show_misses:
                    misses.append((text, *shown))
            totals.extend(ours)
            n = len(ours) or 1

            def mean(rows: list[tuple[float, float, float]], i: int, n: int = n) -> float:
                return sum(row[i] for row in rows) / n

            print(
                f"{locale:7} {counts['demo']:4} {counts['sample']:6} {mean(ours, 0):9.3f}"
                f" {mean(base, 0):6.3f} {mean(ours, 1):6.3f} {mean(base, 1):6.3f}"
                f" {mean(ours, 2):6.3f} {mean(base, 2):6.3f}"
                f" {percentile(took, 0.5):8.2f} {percentile(took, 0.95):8.2f}"
            )
            for text, understood, ranked in misses:
                print(f"    not first: {text!r} -> {understood!r} {ranked}")
        count = len(totals) or 1
        print(
            f"\nall locales: {len(totals)} judged queries, recall@10"
            f" {sum(r[0] for r in totals) / count:.3f}, MRR {sum(r[1] for r in totals) / count:.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    parser.add_argument("--products", type=int, default=100_000, help="catalog lines to index")
    parser.add_argument("--limit", type=int, default=300, help="queries per kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--seeds", type=int, default=1, help="query sets from seeds SEED, SEED+1, ... pooled"
    )
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds to run")
    parser.add_argument(
        "--index-dir",
        type=Path,
        help="keep the indexes here and reuse them on the next run (same --products)",
    )
    parser.add_argument(
        "--show-misses", type=int, default=0, help="print N missed queries per kind"
    )
    parser.add_argument(
        "--judged", action="store_true", help="the judged queries of every locale instead"
    )
    args = parser.parse_args()
    if args.judged:
        run_judged(args)
        return
    if not args.catalog.exists():
        sys.exit(f"{args.catalog} is absent (internal data, only on the team's machines)")

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        work = args.index_dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        subset = work / "catalog.jsonl"
        built = work / f"built-{args.products}"
        services = Services(Settings(data_dir=work / "var"))
        if not built.exists():
            with (
                open(args.catalog, encoding="utf-8") as src,
                open(subset, "w", encoding="utf-8") as dst,
            ):
                for number, line in enumerate(src):
                    if number >= args.products:
                        break
                    dst.write(line)
            index_feed(subset, services.indexing_engine, services.settings.ensure_data_dir())
        catalog = Catalog.cached(subset, args.products, work / f"catalog-{args.products}.pickle")
        (work / "baseline").mkdir(exist_ok=True)
        baseline = Baseline(catalog, work / "baseline", reuse=built.exists())
        built.touch()
        kinds = [k for k in args.kinds.split(",") if k in KINDS]
        queries: dict[str, list[tuple[str, set[str]]]] = {kind: [] for kind in kinds}
        for seed in range(args.seed, args.seed + args.seeds):
            made_queries = cached_queries(catalog, args.limit, seed, args.index_dir)
            for kind, made in with_sound(made_queries, seed).items():
                if kind in queries:
                    queries[kind].extend(made)
        print(
            f"{len(catalog.products)} products indexed twice in {time.perf_counter() - started:.0f}s"
        )

        service, understanding = services.search, services.understanding
        understanding.warm_up()  # what a server does before taking requests
        overhead: list[float] = []
        overhead_cpu: list[float] = []
        elapsed: dict[str, list[float]] = {}
        print(
            f"\n{'kind':9} {'n':>4} {'recall@10':>9} {'base':>6} {'MRR':>6} {'base':>6}"
            f" {'P@5':>6} {'base':>6} {'QU p95':>7} {'e2e p50':>8} {'e2e p95':>8}"
        )
        for kind in kinds:
            ours, base, misses, spent, took, cpu = [], [], [], [], [], []
            for text, relevant in queries[kind]:
                params = SearchParams(q=text, locale="ru", country="RU", per_page=TOP)
                started = time.perf_counter()
                outcome = service.run(params)
                took.append((time.perf_counter() - started) * 1000)
                # Everything the search asked of understanding (readings it tried, hints).
                plan = understanding.plan(text, "ru")
                spent.append(plan.seconds * 1000)
                cpu.append(getattr(plan, "cpu_seconds", 0.0) * 1000)  # older plans lack it
                ranked = [hit.id for hit in outcome.result.hits]
                ours.append(score(ranked, relevant))
                base.append(score(baseline.search(text), relevant))
                if ours[-1][0] == 0 and len(misses) < args.show_misses:
                    wanted = catalog.title(sorted(relevant)[0])
                    misses.append((text, outcome.reading.text if outcome.reading else "", wanted))
            n = len(ours) or 1
            overhead.extend(spent)
            overhead_cpu.extend(cpu)
            elapsed[kind] = took
            spent.sort()

            def mean(rows: list[tuple[float, float, float]], i: int, n: int = n) -> float:
                return sum(row[i] for row in rows) / n

            print(
                f"{kind:9} {len(ours):4} {mean(ours, 0):9.3f} {mean(base, 0):6.3f}"
                f" {mean(ours, 1):6.3f} {mean(base, 1):6.3f} {mean(ours, 2):6.3f}"
                f" {mean(base, 2):6.3f} {percentile(spent, 0.95):7.2f}"
                f" {percentile(took, 0.5):8.2f} {percentile(took, 0.95):8.2f}"
            )
            for text, understood, wanted in misses:
                print(f"    missed: {text!r} -> {understood!r} (wanted: {wanted})")
        overhead.sort()
        print(
            f"\nquery understanding overhead per query (first sight, no cache): "
            f"p50 {statistics.median(overhead):.2f} ms, p95 {percentile(overhead, 0.95):.2f} ms;"
            f" in CPU time (what other processes on the machine do not inflate):"
            f" p50 {statistics.median(overhead_cpu):.2f} ms, p95 {percentile(overhead_cpu, 0.95):.2f} ms"
        )
        clean = elapsed.get("correct", []) + elapsed.get("forms", [])
        damaged = [t for k in kinds if k not in ("correct", "forms") for t in elapsed[k]]
        if not clean or not damaged:
            return
        print(
            f"end to end (service.run, first sight): clean p50 {percentile(clean, 0.5):.2f} /"
            f" p95 {percentile(clean, 0.95):.2f} ms; damaged p50 {percentile(damaged, 0.5):.2f} /"
            f" p95 {percentile(damaged, 0.95):.2f} ms; damaged/clean"
            f" p50 x{percentile(damaged, 0.5) / percentile(clean, 0.5):.2f},"
            f" p95 x{percentile(damaged, 0.95) / percentile(clean, 0.95):.2f}"
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


if __name__ == "__main__":
    main()
