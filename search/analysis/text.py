"""Character-level normalization and tokenization shared by every analyzer step.

Folds case, "ё" to "е", accents on Latin letters ("café" = "cafe", "straße" =
"strasse"), Arabic diacritics, tatweel and letter variants (أ إ آ ٱ -> ا, ة -> ه,
ى -> ي, Persian ک ی گ پ ڤ to their Arabic letters, Arabic-Indic digits to 0-9),
Cyrillic look-alikes inside model numbers ("15А" -> "15a"), and turns numbers with
units into one canonical term ("64гб" = "64 ГБ" = "64 GB" -> "64gb").

German umlauts have two plain spellings ("müller" is also written "mueller" and
"muller"): `umlaut_spellings` gives both, and the analyzer indexes a word under each.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# Units canonicalised to a Latin code. ATTACHED_ONLY units are too ambiguous to
# merge when written apart from the number ("2 в 1" is not two volts).
UNITS: dict[str, str] = {
    "гб": "gb",
    "gb": "gb",
    "гбайт": "gb",
    "gib": "gb",
    "мб": "mb",
    "mb": "mb",
    "мбайт": "mb",
    "тб": "tb",
    "tb": "tb",
    "г": "g",
    "гр": "g",
    "g": "g",
    "gr": "g",
    "грамм": "g",
    "грамма": "g",
    "граммов": "g",
    "кг": "kg",
    "kg": "kg",
    "мг": "mg",
    "mg": "mg",
    "л": "l",
    "l": "l",
    "литр": "l",
    "литра": "l",
    "литров": "l",
    "ltr": "l",
    "мл": "ml",
    "ml": "ml",
    "м": "m",
    "m": "m",
    "см": "cm",
    "cm": "cm",
    "мм": "mm",
    "mm": "mm",
    "вт": "w",
    "w": "w",
    "квт": "kw",
    "kw": "kw",
    "мач": "mah",
    "mah": "mah",
    "ач": "ah",
    "ah": "ah",
    "в": "v",
    "v": "v",
    "гц": "hz",
    "hz": "hz",
    "ггц": "ghz",
    "ghz": "ghz",
    "мгц": "mhz",
    "mhz": "mhz",
    "шт": "pcs",
    "pcs": "pcs",
    "pc": "pcs",
    "pct": "pct",
    "дюйм": "in",
    "дюйма": "in",
    "дюймов": "in",
    "inch": "in",
}
ATTACHED_ONLY = frozenset({"в", "v", "м", "m", "l", "g", "w"})

# Cyrillic letters that look like Latin ones: folded inside model numbers ("15А"),
# and in words mixing both scripts ("iPhоne" with a Cyrillic "о").
LOOKALIKES = str.maketrans("авекмнорстухі", "abekmhopctyxi")
_CYRILLIC_LOOKALIKES = frozenset("авекмнорстухі")
_LATIN_LOOKALIKES = frozenset("abekmhopctyxi")
_TO_CYRILLIC = str.maketrans("abekmhopctyxi", "авекмнорстухі")

# Harakat, Quranic marks, superscript alef and tatweel (the stretching stroke "ـ").
_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ۀ": "ه",
        # Persian and Urdu shapes of Arabic letters, and letters for foreign sounds.
        "ک": "ك", "ی": "ي", "ې": "ي", "گ": "ك", "ڭ": "ك", "پ": "ب", "ڤ": "ف", "ڥ": "ف",
        # Arabic-Indic and Persian digits, and the Arabic decimal separator.
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        "\u066b": ".",
    }
)  # fmt: skip
_ARABIC = re.compile("[\u0600-\u06ff]")
_LATIN_EXTENDED = re.compile("[\u00c0-\u024f]")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
# Retail abbreviations written with a slash ("с/к", "пл/бут", "д/рук") are one word.
_ABBREVIATION = r"(?<![^\W\d_])[^\W\d_]{1,3}/[^\W\d_]{1,4}(?![^\W_])"
_RAW_TOKEN = re.compile(_ABBREVIATION + r"|\d+(?:\.\d+)*(?:[^\W_]+)?(?:\.\d+)?|[^\W_]+")
_PIECES = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")
_HAS_DIGIT = re.compile(r"\d")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_CYRILLIC = re.compile(r"[а-я]")
_LATIN = re.compile(r"[a-z]")


def _latin_fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord("ß"): "ss", ord("ø"): "o", ord("æ"): "ae", ord("œ"): "oe"}
    for code in range(0xC0, 0x250):
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if base != ch and base.isascii() and base:
            table[code] = base.lower()
    return table


_LATIN_FOLD = _latin_fold_table()
UMLAUTS = "äöü"
_KEEP_UMLAUTS = {code: value for code, value in _LATIN_FOLD.items() if chr(code) not in UMLAUTS}
_UMLAUT_PLAIN = str.maketrans("äöü", "aou")
_UMLAUT_EXPANDED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def normalize(text: str, keep_umlauts: bool = False) -> str:
    """Lowercase and fold letter variants so equal words compare equal.

    `keep_umlauts` leaves ä ö ü for `umlaut_spellings` (the text keeps its length).
    """
    text = unicodedata.normalize("NFC", text).lower().replace("ё", "е")
    if not text.isascii():
        if _LATIN_EXTENDED.search(text):
            text = text.translate(_KEEP_UMLAUTS if keep_umlauts else _LATIN_FOLD)
        if _ARABIC.search(text):
            text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_LETTERS)
    if "%" in text:
        text = text.replace("%", " pct ")
    if "," in text:
        text = _DECIMAL_COMMA.sub(".", text)
    return text


def umlaut_spellings(word: str) -> tuple[str, ...]:
    """A word with ä ö ü as written without them: "müller" -> ("muller", "mueller")."""
    plain = word.translate(_UMLAUT_PLAIN)
    if plain == word:
        return (word,)
    return (plain, word.translate(_UMLAUT_EXPANDED))


def canonical_number(number: str) -> str:
    """ "0,50" and "0.5" are the same number; "007" is "7"."""
    whole, _, fraction = number.partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


class RawToken(NamedTuple):
    """A token before morphology: kind is "word", "number", "measure" or "model"."""

    text: str
    kind: str
    start: int
    end: int


def tokenize(text: str) -> list[RawToken]:
    """Split normalized text into words, numbers, measures ("64gb") and model codes.

    Positions refer to the normalized text, which has the same length as the
    original except where "%" was expanded.
    """
    tokens: list[RawToken] = []
    append = tokens.append
    spaced_unit = False
    for match in token_pattern(text).finditer(text):
        raw = match.group()
        start, end = match.span()
        if raw.isalpha():
            if not raw.isascii() and _LATIN.search(raw) and _CYRILLIC.search(raw):
                raw = fold_mixed_script(raw)
            append(_new_token(RawToken, (raw, "word", start, end)))
            spaced_unit = spaced_unit or raw in UNITS
            continue
        append(_new_token(RawToken, (*classify(raw), start, end)))
    return _merge_spaced_units(tokens, text) if spaced_unit else tokens


def token_pattern(text: str) -> re.Pattern[str]:
    """The pattern `tokenize` splits `text` with (its matches are `classify`'s input).

    (Without a slash the text has no abbreviation: the pattern need not look for one.)
    """
    return _RAW_TOKEN if "/" in text else _RAW_TOKEN_NO_SLASH


def classify(raw: str) -> tuple[str, str]:
    """What `tokenize` makes of one match of `token_pattern`, before spaced units are
    joined ("64 gb"): its text and kind. It depends on the match alone, so callers that
    meet the same matches again and again may remember it."""
    if raw.isalpha():
        if not raw.isascii() and _LATIN.search(raw) and _CYRILLIC.search(raw):
            raw = fold_mixed_script(raw)
        return raw, "word"
    if "/" in raw:
        return raw, "word"
    if not _HAS_LETTER.search(raw):
        return (canonical_number(raw) if raw.count(".") <= 1 else raw), "number"
    pieces = _PIECES.findall(raw)
    if len(pieces) == 2 and pieces[1] in UNITS and not _HAS_DIGIT.search(pieces[1]):
        return canonical_number(pieces[0]) + UNITS[pieces[1]], "measure"
    return raw.translate(LOOKALIKES), "model"


_RAW_TOKEN_NO_SLASH = re.compile(_RAW_TOKEN.pattern.removeprefix(_ABBREVIATION + "|"))
_new_token = tuple.__new__  # RawToken(...) without its Python-level __new__ (hot path)


def fold_mixed_script(word: str) -> str:
    """One script for a word typed in two: the one its odd letters can be read in.

    "iphоne" (Cyrillic "о") -> "iphone"; "мaгнит" (Latin "a") -> "магнит"; a word
    whose letters have no look-alike in the other script stays as it is.
    """
    cyrillic = {c for c in word if "а" <= c <= "я" or c == "і"}
    if cyrillic <= _CYRILLIC_LOOKALIKES:
        latin_letters = sum(c.isascii() for c in word)
        if latin_letters >= len(word) - latin_letters:
            return word.translate(LOOKALIKES)
    latin = {c for c in word if c.isascii()}
    if latin <= _LATIN_LOOKALIKES:
        return word.translate(_TO_CYRILLIC)
    if cyrillic <= _CYRILLIC_LOOKALIKES:
        return word.translate(LOOKALIKES)
    return word


def joins_number(word: str) -> bool:
    """Whether the word `word` after a number, with only spaces between, joins it into
    one measure ("64 gb" -> "64gb"; `tokenize` does, a word of ATTACHED_ONLY does not)."""
    return word in UNITS and word not in ATTACHED_ONLY


def _merge_spaced_units(tokens: list[RawToken], text: str) -> list[RawToken]:
    """Join "64 gb" into one measure term, like "64gb"."""
    merged: list[RawToken] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            token.kind == "number"
            and following is not None
            and following.kind == "word"
            and joins_number(following.text)
            and text[token.end : following.start].strip() == ""
        ):
            merged.append(
                RawToken(token.text + UNITS[following.text], "measure", token.start, following.end)
            )
            i += 2
            continue
        merged.append(token)
        i += 1
    return merged


def is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC.search(word))


def is_arabic(word: str) -> bool:
    return bool(_ARABIC.search(word))
