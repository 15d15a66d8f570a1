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
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
    ("^kn", "н"), ("^wr", "р"), ("^wh", ("у", "в")), ("tch", "ч"), ("igh", "ай"),
    ("sch", ("ск", "ш")), ("sh", "ш"), ("ch", "ч"), ("ph", "ф"), ("th", ("т", "з")),
    ("ck", "к"), ("qu", "кв"), ("gh", ""), ("^ea", "и"), ("ea", ("и", "э")), ("ee", "и"),
    ("oo", "у"), ("ou", ("ау", "о", "у")), ("ow", ("оу", "ау")), ("ai", "ей"), ("ay", "ей"),
    ("ey$", ("и", "ей")), ("ey", "ей"), ("oy", "ой"), ("au", "о"), ("aw", "о"), ("ew", "ью"),
    ("ie$", "и"), ("ie", ("и", "ай")), ("oa", "о"), ("ui", "у"),
    ("a(?=[bcdfgklmnpstvz]e$)", ("ей", "э")), ("i(?=[bcdfgklmnpstvz]e$)", "ай"),
    ("o(?=[bcdfgklmnpstvz]e$)", ("о", "оу")), ("u(?=[bcdfgklmnpstvz]e$)", ("ю", "у")),
    ("(?<=...)(?<=[" + _C + "])e$", ""), ("^y(?=V)", "й"), ("y$", "и"),
    ("(?<=[" + _C + "])y(?=[" + _C + "])", ("и", "ай")), ("^e", "э"), ("^a(?=C)", ("э", "а")),
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
    ("qu", "кв"), ("oo", "у"), ("ee", "и"), ("ts", "ц"), ("c(?=[eiy])", "с"), ("^e", "э"),
)  # fmt: skip

# Conventions per target script; Arabic (issue 16) would add {"arabic": [...]}.
CONVENTIONS: dict[str, tuple[list[Rule], ...]] = {
    "cyrillic": (ENGLISH, GERMAN, FRENCH, ITALIAN, LITERAL),
}


def _apply(word: str, rules: Iterable[Rule]) -> list[str]:
    variants = [word]
    for pattern, options in (*rules, *_PLAIN):
        changed: list[str] = []
        for variant in variants:
            if pattern.search(variant) is None:
                changed.append(variant)
                continue
            for option in options:
                changed.append(pattern.sub(option, variant))
        variants = list(dict.fromkeys(changed))[:MAX_VARIANTS]
    return variants


def readings(word: str, script: str = "cyrillic") -> list[str]:
    """Ways a shopper writes the Latin `word` in `script`, most typical first.

    Only plain Latin letters are read (the text is normalized: accents folded,
    lowercase); anything else leaves the word without readings.
    """
    if not word.isascii() or not word.isalpha():
        return []
    found: dict[str, None] = {}
    for rules in CONVENTIONS[script]:
        for variant in _apply(word, rules):
            if variant.isalpha() and not any("a" <= c <= "z" for c in variant):
                found.setdefault(variant, None)
    return list(found)


_KEY_LETTERS = str.maketrans({"ь": None, "ъ": None, "э": "е", "ё": "е", "й": "и", "ы": "и"})
_REPEATS = re.compile(r"(.)\1+")


def cyrillic_key(word: str) -> str:
    """What two Cyrillic spellings of one foreign word share: "лореаль" = "лореал"."""
    return _REPEATS.sub(r"\1", word.translate(_KEY_LETTERS))
