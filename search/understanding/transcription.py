"""How Russians write Latin words in Cyrillic: practical transcription by convention.

Russians write a foreign brand the way it sounds in its own language, not letter by
letter: Tchibo -> чибо, Heineken -> хайнекен (German), Peugeot -> пежо, Michelin ->
мишлен (French), Lavazza -> лавацца (Italian), Head & Shoulders -> хэд энд шолдерс
(English). We don't know a brand's language, so every convention is applied and each
gives a few variants where the sound is ambiguous; the brand lexicon (brands.py)
indexes all of them by a loose key (`cyrillic_key`) that forgives the small
differences shoppers make (ь, й/и, э/е, doubled letters).

A second script plugs in as another list of conventions (see `CONVENTIONS`): the
lexicon only needs `readings(word)` strings in that script and a key function.
Arabic is one: shoppers write Samsung as سامسونج or سامسونغ, Google as جوجل or
غوغل; `ARABIC` reads a Latin word letter group by letter group (vowels as long
letters or left out, a Latin g as ج) and `arabic_key` forgives what Arabic spellings
of one foreign word differ in (ج غ ق ك for g, ت ط ث, س ص, hamza seats, doubled letters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_V = "aeiouyаеёиоуыэюя"
_C = "bcdfghjklmnpqrstvwxzбвгджзйклмнпрстфхцчшщ"
MAX_VARIANTS = 6  # per convention: the first choices of each ambiguous rule come first

Rule = tuple[re.Pattern[str], tuple[str, ...]]


def _rules(*pairs: tuple[str, str | tuple[str, ...]]) -> list[Rule]:
    out: list[Rule] = []
    for pattern, replacement in pairs:
        pattern = pattern.replace("V", f"[{_V}]").replace("C", f"[{_C}]")
        options = (replacement,) if isinstance(replacement, str) else replacement
        out.append((re.compile(pattern), options))
    return out


# Letters every convention reads the same way; applied last.
_PLAIN = _rules(
    ("a", "а"), ("b", "б"), ("c", "к"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"),
    ("h", "х"), ("i", "и"), ("j", "дж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("q", "к"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("v", "в"), ("w", "в"), ("x", "кс"), ("y", "и"), ("z", "з"),
)  # fmt: skip

ENGLISH = _rules(
    ("^kn", "н"), ("^wr", "р"), ("^hu(?=[bcdfgklmnpstvz][aeiou])", ("хью", "ха")), ("^wh", ("у", "в")), ("tch", "ч"), ("igh", "ай"),
    ("sch", ("ск", "ш")), ("sh", "ш"), ("ch", "ч"), ("ph", "ф"), ("th", ("т", "з")),
    ("ck", "к"), ("qu", "кв"), ("gh", ""), ("^ea", "и"), ("ea", ("и", "э")), ("ee", "и"),
    ("oo", "у"), ("ou", ("ау", "о", "у")), ("ow", ("оу", "ау")), ("ai", "ей"), ("ay", "ей"),
    ("ey$", ("и", "ей")), ("ey", "ей"), ("oya", ("оя", "ойа")), ("oy", "ой"), ("au", "о"), ("aw", "о"), ("ew", "ью"),
    ("ie$", "и"), ("ie", ("и", "ай")), ("oa", "о"), ("ui", "у"),
    ("^al(?=[lwkt])", ("ол", "ал")), ("a(?=[bcdfgklmnpstvz]e$)", ("ей", "э")),
    ("e(?=[bcdfgklmnpstvz]e$)", ("и", "е")), ("i(?=[bcdfgklmnpstvz]e$)", "ай"),
    ("o(?=ve$)", ("а", "о")), ("o(?=[bcdfgklmnpstvz]e$)", ("о", "оу")), ("u(?=[bcdfgklmnpstvz]e$)", ("ю", "у")),
    ("c(?=e$)", "с"), ("g(?=e$)", "дж"), ("(?<=...)(?<=[" + _C + "])e$", ""), ("^y(?=V)", "й"), ("y$", "и"),
    ("(?<=[" + _C + "])y(?=[" + _C + "])", ("и", "ай")), ("(?<=[" + _C + "])y(?=V)", ("ь", "и")), ("^e", "э"), ("^a(?=C)", ("э", "а")),
    ("er$", "ер"), ("ers$", "ерс"), ("j", "дж"), ("g(?=[eiy])", ("дж", "г")),
    ("c(?=[eiy])", "с"), ("x", "кс"), ("w", ("в", "у")), ("h", "х"),
    ("(?<=[" + _C + "])u(?=[" + _C + "])", ("а", "у")), ("a", ("а", "э")), ("e", ("е", "э")),
)  # fmt: skip

GERMAN = _rules(
    ("tsch", "ч"), ("tch", "ч"), ("sch", "ш"), ("ch", "х"), ("ck", "к"), ("tz", "ц"),
    ("ph", "ф"), ("th", "т"), ("qu", "кв"), ("^sp", "шп"), ("^st", "шт"),
    ("ei", "ай"), ("ey", "ай"), ("ai", "ай"), ("ie", "и"), ("eu", "ой"), ("au", "ау"),
    ("(?<=[aeiou])h", ""), ("^ja", "я"), ("^ju", "ю"), ("^jo", "йо"), ("^je", "е"),
    ("(?<=V)ja", "я"), ("j", "й"), ("^s(?=V)", ("з", "с")), ("(?<=V)s(?=V)", "з"),
    ("z", "ц"), ("v", ("ф", "в")), ("w", "в"), ("c(?=[ei])", "ц"),
    ("l(?=[" + _C + "])", ("ль", "л")), ("y", ("и", "ю")), ("^e", "э"), ("e", ("е", "э")),
)  # fmt: skip

FRENCH = _rules(
    ("eaux?$", "о"), ("eau", "о"), ("aux?$", "о"), ("ault$", "о"), ("au", "о"),
    ("ou", "у"), ("oi", "уа"), ("oy", "уа"), ("ge(?=[aou])", "ж"),
    ("ier$", ("ье", "ьер")), ("ai", ("е", "э")), ("ei", ("е", "э")), ("eu", ("е", "ё")),
    ("oe", "е"), ("ch", "ш"), ("gn", "нь"), ("qu", "к"), ("ph", "ф"), ("th", "т"),
    ("(?<=V)ill(?=e|$)", "й"), ("lle$", "ль"), ("ll", ("ль", "лл")), ("h", ""),
    ("g(?=[eiy])", "ж"), ("j", "ж"), ("c(?=[eiy])", "с"), ("(?<=V)s(?=V)", "з"),
    ("(?:ain|ein|in)$", "ен"), ("un$", "ен"), ("er$", ("е", "ер")), ("ez$", "е"), ("et$", "е"),
    ("(?<=[aeiouаеиоуыэюя])[tdsxzp]$", ""), ("(?<=[" + _C + "])e$", ("", "е")),
    ("(?<=[" + _C + "])e(?=[lrnmtdszkpbvfg][aeiouyаеиоуыэюя])", ("", "е")),
    ("(?<=V)e", "э"), ("^e", "э"), ("l$", "ль"), ("u", "ю"), ("y", "и"), ("w", "в"),
)  # fmt: skip

ITALIAN = _rules(
    ("cch", "кк"), ("ch", "к"), ("gh", "г"), ("sci(?=V)", "ш"), ("sc(?=[ei])", "ш"),
    ("ci(?=[aou])", "ч"), ("c(?=[ei])", "ч"), ("gli", "ль"), ("gn", "нь"),
    ("gi(?=[aou])", "дж"), ("g(?=[ei])", "дж"), ("zz", ("цц", "дз")), ("z", ("ц", "з", "дз")),
    ("qu", "кв"), ("h", ""), ("j", ("й", "дж")), ("(?<=V)s(?=V)", ("з", "с")), ("^e", "э"),
)  # fmt: skip

# Letter by letter, as a shopper who doesn't know the language would type it.
LITERAL = _rules(
    ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ph", "ф"), ("th", "т"), ("ck", "к"),
    ("qu", "кв"), ("oo", "у"), ("ee", "и"), ("ts", "ц"), ("c(?=[eiy])", ("с", "к")), ("^e", "э"),
)  # fmt: skip

# Latin into Arabic letters, the way Arabic-speaking shoppers and shops write brands.
# Context rules (silent e, magic e, Chinese xi-) come before the letters they look at.
_LATIN_C = "bcdfghjklmnpqrstvwxz"
ARABIC = _rules(
    (f"i(?=[{_LATIN_C}]e$)", "اي"), (f"a(?=[{_LATIN_C}]e$)", ("اي", "ا")),
    (f"(?<=[{_LATIN_C}])e$", ("", "ي")), ("^xi(?=[aeiou])", "ش"), ("^x", ("ش", "اكس")),
    ("x", "كس"), ("tsch", "تش"), ("sch", "ش"), ("sh", "ش"), ("tch", "تش"),
    ("ch", ("تش", "ش")), ("ph", "ف"), ("th", ("ث", "ت")), ("kh", "خ"), ("gh", "غ"),
    ("ck", "ك"), ("qu", "كو"), ("c(?=[eiy])", "س"), ("oo", "و"), ("ee", "ي"), ("ea", "ي"),
    ("ou", "و"), ("au", "او"), ("ai", "اي"), ("ay", "اي"), ("ei", ("ي", "اي")),
    ("ey", ("اي", "ي")), ("ie", "ي"), ("oa", "و"), ("^[ae]", "ا"), ("^i", ("ا", "اي")),
    ("^o", "او"), ("^u", ("او", "يو")), ("^y(?=[aeiou])", "ي"), ("y$", "ي"),
    (f"(?<=[{_LATIN_C}])y(?=[{_LATIN_C}])", ("اي", "ي")), ("a", "ا"),
    ("(?<!^)e(?!$)", ("ي", "")), ("e", "ي"), ("i", "ي"), ("o", "و"), ("u", "و"), ("y", "ي"),
)  # fmt: skip
_ARABIC_PLAIN = _rules(
    ("b", "ب"), ("c", "ك"), ("d", "د"), ("f", "ف"), ("g", "ج"), ("h", "ه"), ("j", "ج"),
    ("k", "ك"), ("l", "ل"), ("m", "م"), ("n", "ن"), ("p", "ب"), ("q", "ك"), ("r", "ر"),
    ("s", "س"), ("t", "ت"), ("v", "ف"), ("w", "و"), ("z", "ز"),
)  # fmt: skip

# Conventions per target script, and the letters every convention of it reads the same.
CONVENTIONS: dict[str, tuple[list[Rule], ...]] = {
    "cyrillic": (ENGLISH, GERMAN, FRENCH, ITALIAN, LITERAL),
    "arabic": (ARABIC,),
}
_PLAIN_BY_SCRIPT: dict[str, list[Rule]] = {"cyrillic": _PLAIN, "arabic": _ARABIC_PLAIN}


def _letters(plain: list[Rule]) -> dict[int, str]:
    """The plain rules as one translation table: each reads one Latin letter one way,
    into letters no other rule reads, so applying them one by one is translating."""
    table = {}
    for pattern, (option,) in plain:
        assert len(pattern.pattern) == 1 and not any("a" <= c <= "z" for c in option)
        table[ord(pattern.pattern)] = option
    return table


_PLAIN_LETTERS = {id(_PLAIN): _letters(_PLAIN), id(_ARABIC_PLAIN): _letters(_ARABIC_PLAIN)}


def _apply(word: str, rules: Iterable[Rule], plain: list[Rule] = _PLAIN) -> list[str]:
    variants = [word]
    letters = _PLAIN_LETTERS.get(id(plain))
    for pattern, options in (*rules, *plain) if letters is None else rules:
        search = pattern.search
        if all(search(variant) is None for variant in variants):
            continue  # most rules: the variants stay as they are
        changed: list[str] = []
        for variant in variants:
            if pattern.search(variant) is None:
                changed.append(variant)
                continue
            for option in options:
                changed.append(pattern.sub(option, variant))
        variants = list(dict.fromkeys(changed))[:MAX_VARIANTS]
    if letters is None:
        return variants
    return list(dict.fromkeys(variant.translate(letters) for variant in variants))


def readings(word: str, script: str = "cyrillic") -> list[str]:
    """Ways a shopper writes the Latin `word` in `script`, most typical first.

    Only plain Latin letters are read (the text is normalized: accents folded,
    lowercase); anything else leaves the word without readings.
    """
    return list(_readings(word, script))  # a list of its own: callers may change it


# Readings remembered: the brand lexicon asks again for the words of brands and of
# titles (~18k distinct words in 40k calls for the 100k catalog, ~100 µs each).
_MEMO: dict[tuple[str, str], tuple[str, ...]] = {}
MEMO_LIMIT = 1 << 16


def _readings(word: str, script: str) -> tuple[str, ...]:
    """`readings`, remembered."""
    key = (word, script)
    found = _MEMO.get(key)
    if found is None:
        found = _read(word, script)
        if len(_MEMO) >= MEMO_LIMIT:
            _MEMO.clear()
        _MEMO[key] = found
    return found


def _read(word: str, script: str) -> tuple[str, ...]:
    if not word.isascii() or not word.isalpha():
        return ()
    found: dict[str, None] = {}
    for rules in CONVENTIONS[script]:
        for variant in _apply(word, rules, _PLAIN_BY_SCRIPT[script]):
            if variant.isalpha() and not any("a" <= c <= "z" for c in variant):
                found.setdefault(variant, None)
    return tuple(found)


def remember_readings(found: Mapping[tuple[str, str], tuple[str, ...]]) -> None:
    """Add readings computed before (the indexer's, saved in its data dir)."""
    if len(_MEMO) + len(found) <= MEMO_LIMIT:
        _MEMO.update(found)


def known_readings() -> dict[tuple[str, str], tuple[str, ...]]:
    """Every reading remembered (what the indexer saves for its next run)."""
    return dict(_MEMO)


_KEY_LETTERS = str.maketrans({"ь": None, "ъ": None, "э": "е", "ё": "е", "й": "и", "ы": "и"})
_REPEATS = re.compile(r"(.)\1+")
# A soft sign before a vowel is a y sound ("сьосс" = "сиосс" for Syoss), not nothing:
# dropped, "сьосс" would be keyed as "сос" with sos and sous.
_SOFT_VOWEL = re.compile("[ьъ](?=[аеёиоуыэюя])")


def cyrillic_key(word: str) -> str:
    """What two Cyrillic spellings of one foreign word share: "лореаль" = "лореал"."""
    return _REPEATS.sub(r"\1", _SOFT_VOWEL.sub("и", word).translate(_KEY_LETTERS))


# Letters Arabic spellings of one foreign word swap: ج غ ق ك گ for a Latin g (and k, q),
# ت ط ث for t, س ص for s, ز ذ ظ for z, د ض for d, ه ح ة for h, hamza seats.
_ARABIC_KEY_LETTERS = str.maketrans(
    {"غ": "ك", "ج": "ك", "ق": "ك", "ط": "ت", "ث": "ت", "ص": "س", "ذ": "ز", "ظ": "ز",
     "ض": "د", "ح": "ه", "ة": "ه", "ى": "ي", "ئ": "ي", "ؤ": "و", "ء": None, "أ": "ا",
     "إ": "ا", "آ": "ا", "ع": "ا"}
)  # fmt: skip


def arabic_key(word: str) -> str:
    """What two Arabic spellings of one foreign word share: "سامسونغ" = "سامسونج"."""
    return _REPEATS.sub(r"\1", word.translate(_ARABIC_KEY_LETTERS))


def reading_key(word: str) -> str:
    """The lexicon's key for a word in any script it reads (Arabic or Cyrillic)."""
    return arabic_key(word) if "\u0600" <= word[:1] <= "\u06ff" else cyrillic_key(word)
