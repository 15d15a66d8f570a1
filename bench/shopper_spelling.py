"""How a Russian shopper would write a Latin brand, for the evaluation only.

Written apart from the product's transcription rules (search/understanding/
transcription.py) so the evaluation does not grade the product against itself:
the shopper guesses the brand's language from its spelling and writes it the way
Russian shops and ads do (Tchibo -> чибо, Hochland -> хохланд, Peugeot -> пежо,
Gillette -> жиллетт), sometimes dropping a soft sign or writing е for э.
"""

from __future__ import annotations

import random
import re

# (pattern, Cyrillic) tried left to right at each position; the first match wins.
_GERMAN = [
    ("tsch", "ч"),
    ("sch", "ш"),
    ("tch", "ч"),
    ("ch", "х"),
    ("ck", "к"),
    ("tz", "ц"),
    ("ei", "ай"),
    ("ie", "и"),
    ("eu", "ой"),
    ("äu", "ой"),
    ("au", "ау"),
    ("ph", "ф"),
    ("th", "т"),
    ("qu", "кв"),
    ("sp", "шп"),
    ("st", "шт"),
    ("ja", "я"),
    ("ju", "ю"),
    ("je", "е"),
    ("j", "й"),
    ("z", "ц"),
    ("v", "ф"),
    ("w", "в"),
    ("ß", "сс"),
]
_FRENCH = [
    ("eaux", "о"),
    ("eau", "о"),
    ("ault", "о"),
    ("aux", "о"),
    ("au", "о"),
    ("ou", "у"),
    ("oi", "уа"),
    ("ai", "е"),
    ("ei", "е"),
    ("eu", "е"),
    ("ch", "ш"),
    ("gn", "нь"),
    ("qu", "к"),
    ("ph", "ф"),
    ("th", "т"),
    ("lle", "ль"),
    ("ll", "ль"),
    ("ge", "ж"),
    ("gi", "жи"),
    ("j", "ж"),
    ("ce", "се"),
    ("ci", "си"),
    ("h", ""),
    ("u", "ю"),
]
_ITALIAN = [
    ("cch", "кк"),
    ("ch", "к"),
    ("ghi", "ги"),
    ("ce", "че"),
    ("ci", "чи"),
    ("gli", "ли"),
    ("gn", "нь"),
    ("ge", "дже"),
    ("gi", "джи"),
    ("zz", "цц"),
    ("z", "ц"),
    ("qu", "кв"),
    ("h", ""),
]
_ENGLISH = [
    ("tch", "ч"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("ph", "ф"),
    ("th", "т"),
    ("ck", "к"),
    ("qu", "кв"),
    ("oo", "у"),
    ("ee", "и"),
    ("ea", "и"),
    ("ay", "ей"),
    ("ey", "ей"),
    ("ai", "ей"),
    ("ow", "оу"),
    ("igh", "ай"),
    ("j", "дж"),
    ("wh", "у"),
    ("w", "в"),
    ("ce", "се"),
    ("ci", "си"),
    ("ge", "дже"),
    ("x", "кс"),
]
_LETTERS = dict(zip("abcdefgiklmnoprstuvz", "абкдефгиклмнопрстувз", strict=True))
_LETTERS.update({"x": "кс", "j": "дж", "y": "и", "w": "в", "h": "х", "q": "к"})


def language(word: str) -> str:
    """A shopper's guess at a brand word's language from how it is spelled."""
    if re.search(r"eau|aux|ou|oi|ll[ea]$|gn|[^aeiou]e[tz]$|é|^l'|ier$|que$|ault$|ot$", word):
        return "fr"
    if re.search(r"sch|tz|ck|ei|eu|äu|ß|^ja|^jo|w[aei]|hl|hn", word):
        return "de"
    if re.search(r"cch|zz|gli|[ch]i[ao]|[aeiou][lrtn][aeio]$|etti$", word):
        return "it"
    return "en"


def _write(word: str, rules: list[tuple[str, str]], lang: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        for latin, cyrillic in rules:
            if word.startswith(latin, i):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            char = word[i]
            if char == "e" and i == 0:
                out.append("э")
            elif i == len(word) - 1 and _silent(char, word, lang):
                out.append("")
            elif char == "l" and lang in ("fr", "de") and (i == len(word) - 1):
                out.append("ль")
            elif char == "s" and lang == "de" and word[i + 1 : i + 2] in tuple("aeiou"):
                out.append("з")
            else:
                out.append(_LETTERS.get(char, char))
            i += 1
    return "".join(out)


def _silent(char: str, word: str, lang: str) -> bool:
    """A final letter the language doesn't pronounce."""
    if char == "e":
        return lang in ("en", "fr") and len(word) > 3
    return char in "tdsx" and lang == "fr"


def shopper_cyrillic(brand: str, rng: random.Random) -> str:
    """The brand as a Russian shopper writes it, with the small slips shoppers make."""
    words = re.findall(r"[a-zà-ÿ]+", brand.lower().replace("'", "").replace("-", ""))
    written = []
    for word in words:
        lang = language(word)
        rules = {"de": _GERMAN, "fr": _FRENCH, "it": _ITALIAN}.get(lang, _ENGLISH)
        cyrillic = _write(word, rules, lang)
        if rng.random() < 0.2:
            cyrillic = cyrillic.replace("ь", "")
        if rng.random() < 0.2:
            cyrillic = cyrillic.replace("э", "е")
        written.append(cyrillic)
    return " ".join(written)


# Retail abbreviations of titles and the words a shopper types instead.
SPELLED_OUT = {
    "в/с": "высший сорт",
    "х/б": "хлопок",
    "с/к": "сырокопченая",
    "х/к": "холодного копчения",
    "п/ф": "полуфабрикат",
    "б/сах": "без сахара",
    "б/к": "без косточки",
}

# Russian product words and what an English-speaking shopper types for them.
ENGLISH_WORDS = {
    "шампунь": "shampoo", "мыло": "soap", "носки": "socks", "чай": "tea", "кофе": "coffee",
    "сок": "juice", "молоко": "milk", "пиво": "beer", "вино": "wine", "шоколад": "chocolate",
    "рюкзак": "backpack", "сумка": "bag", "ручка": "pen", "карандаш": "pencil",
    "тетрадь": "notebook", "перчатки": "gloves", "кружка": "mug", "тарелка": "plate",
    "лампа": "lamp", "ножницы": "scissors", "игрушка": "toy", "полотенце": "towel",
    "крем": "cream", "масло": "oil", "сыр": "cheese", "хлеб": "bread", "вода": "water",
    "краска": "paint", "кисть": "brush", "зеркало": "mirror", "свеча": "candle",
    "часы": "watch", "футболка": "shirt", "куртка": "jacket", "шапка": "hat",
    "ботинки": "boots", "подушка": "pillow", "одеяло": "blanket", "ключ": "key",
}  # fmt: skip
