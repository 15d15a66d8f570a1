"""Wrong keyboard layout: text typed on QWERTY meaning ЙЦУКЕН, and the other way round.

"cevrf rj;fyfz" is "сумка кожаная" typed with the Latin layout on; punctuation
keys carry letters too ("," = "б", ";" = "ж", "[" = "х"). Whether a word was
really mistyped is decided by plausibility (see lexicon.Lexicon), not here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..analysis.stopwords import STOP_WORDS

# The same physical keys, unshifted then shifted, on a US and a Russian keyboard.
QWERTY_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,./`" + '{}:"<>~'
JCUKEN_KEYS = "йцукенгшщзхъфывапролджэячсмитьбю.ё" + "хъжэбюё"
_TO_RUSSIAN = str.maketrans(QWERTY_KEYS, JCUKEN_KEYS)
_TO_LATIN = str.maketrans(JCUKEN_KEYS[:34], QWERTY_KEYS[:34])
_LATIN_KEYS = frozenset(QWERTY_KEYS)
_RUSSIAN_KEYS = frozenset(JCUKEN_KEYS) - {"."}
_TRAILING_PUNCTUATION = ",.?!"
_PUNCTUATION_KEYS = frozenset("[];',./`{}:\"<>~")

# Physical rows of each layout, for "near key" typos (spelling) as well.
QWERTY_ROWS = ("qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./")
JCUKEN_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю.")


def _neighbours(rows: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """Keys touching each key on a staggered keyboard: same row, and the rows around."""
    near: dict[str, set[str]] = {}
    for r, row in enumerate(rows):
        for i, key in enumerate(row):
            found = near.setdefault(key, set())
            found.update(row[max(0, i - 1) : i + 2])
            if r > 0:
                found.update(rows[r - 1][i : i + 2])
            if r + 1 < len(rows):
                found.update(rows[r + 1][max(0, i - 1) : i + 1])
            found.discard(key)
    return {key: frozenset(keys) for key, keys in near.items()}


NEAR_KEYS = {**_neighbours(QWERTY_ROWS), **_neighbours(JCUKEN_ROWS)}


def _row_neighbours(rows: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """Keys beside each key in its own row."""
    return {
        key: frozenset(row[max(0, i - 1) : i] + row[i + 1 : i + 2])
        for row in rows
        for i, key in enumerate(row)
    }


ROW_KEYS = {**_row_neighbours(QWERTY_ROWS), **_row_neighbours(JCUKEN_ROWS)}


LATIN_VOWEL_SHARE = 0.4
TO_RUSSIAN = "ru"
TO_LATIN = "en"


def switch_word(chunk: str) -> tuple[str, str] | None:
    """The chunk as typed on the other layout, and the direction; None if it can't be one.

    Only chunks made entirely of one layout's keys qualify: digits ("iphone 13"'s
    "13") and mixed text are left alone.
    """
    if not chunk:
        return None
    if chunk.isascii():
        if all(c in _LATIN_KEYS for c in chunk) and any(c.isalpha() for c in chunk):
            return chunk.translate(_TO_RUSSIAN), TO_RUSSIAN
        return None
    if all(c in _RUSSIAN_KEYS for c in chunk):
        return chunk.translate(_TO_LATIN), TO_LATIN
    return None


@dataclass(frozen=True)
class LayoutFix:
    """The query with wrong-layout words switched.

    `certain` holds the switches plausibility proves (a known word appears, an
    unknown one disappears); `hopeful` also switches words neither way knows,
    a fallback worth trying when the query finds nothing.
    """

    certain: str
    hopeful: str


Evidence = Callable[[str], int | None]


def fix_layout(
    query: str, evidence: Evidence, page_word: Callable[[str], bool] | None = None
) -> LayoutFix:
    """Switch the words of `query` whose other-layout reading is more plausible.

    `evidence(text)` scores how real the words of a text are (higher is more
    real, None when it has no words at all). Words no reading can decide follow
    the query's certain switches in the same direction ("cevrf b rjitktr").
    Stop words never decide either. `page_word(chunk)` says a chunk is a valid
    word of the page's language (Portuguese "de" on a Portuguese page): such a
    word switches only when every other word of the query did ("ecb de" stays).
    """
    chunks = query.lower().split()
    decided: list[str | None] = []
    undecided: dict[int, tuple[str, str]] = {}
    kept: dict[int, tuple[str, str]] = {}
    directions: set[str] = set()
    for i, chunk in enumerate(chunks):
        if page_word is not None and page_word(chunk):
            switched = _follower(chunk)
            decided.append(chunk)
            if switched is not None:
                kept[i] = switched[0], switched[1]
            continue
        switched = _follower(chunk)
        if (
            len(chunk) > 1
            and chunk not in STOP_WORDS
            and (switched is None or switched[0] not in STOP_WORDS)
        ):
            switched = _best_switch(chunk, evidence)
        if switched is None:
            decided.append(chunk)
            continue
        text, direction, gain = switched
        if gain > 0:
            decided.append(text)
            directions.add(direction)
        elif gain == 0:
            decided.append(None)
            undecided[i] = (text, direction)
        else:
            decided.append(chunk)
    certain: list[str] = []
    hopeful: list[str] = []
    for i, chunk in enumerate(chunks):
        known = decided[i]
        if i in kept:
            text, direction = kept[i]
            # Only a query wholly typed on the wrong layout carries the page's words along.
            whole = directions == {direction} and all(
                j in kept or decided[j] != other or not _letters(other)
                for j, other in enumerate(chunks)
                if j != i
            )
            # ...and only into a word as real ("сумка" never turns into "cevrf").
            whole = whole and (text in STOP_WORDS or bool(evidence(text)))
            certain.append(text if whole else chunk)
            hopeful.append(text if whole else chunk)
            continue
        if known is not None:
            certain.append(known)
            hopeful.append(known)
            continue
        text, direction = undecided[i]
        certain.append(text if direction in directions else chunk)
        # Hoping for Latin words is pointless: a Latin word that helps is in the
        # catalog, which makes its switch certain.
        hoped = direction in directions or (
            not directions and direction == TO_RUSSIAN and not _latin_shaped(chunk)
        )
        hopeful.append(text if hoped else chunk)
    return LayoutFix(" ".join(certain), " ".join(hopeful))


def _latin_shaped(chunk: str) -> bool:
    """A Latin chunk with as many vowels as Latin words have ("ikea"). Russian typed
    on the Latin layout has few: its vowels sit on f j t b e s z ' . ("cevrf")."""
    letters = [c for c in chunk if c.isalpha()]
    return bool(letters) and sum(c in "aeiouy" for c in letters) >= LATIN_VOWEL_SHARE * len(letters)


def _letters(chunk: str) -> bool:
    return any(c.isalpha() for c in chunk)


def _follower(chunk: str) -> tuple[str, str, int] | None:
    """A word that never decides: it only follows the query's switch.

    One-letter words ("cevrf d" = "сумка в") and stop words: "в", "с" and "и" are
    real words, and so are "d", "c" and "b" in a Latin query, "de" and "of"; a
    stop word on the other layout ("lkz" = "для") follows too. A Cyrillic letter
    alone never turns Latin.
    """
    switched = switch_word(chunk)
    if switched is None or (len(chunk) == 1 and switched[1] != TO_RUSSIAN):
        return None
    return switched[0], switched[1], 0


def _best_switch(chunk: str, evidence: Evidence) -> tuple[str, str, int] | None:
    """The chunk's best other-layout reading, its direction and its plausibility gain."""
    options = []
    stripped = chunk.rstrip(_TRAILING_PUNCTUATION)
    bodies = [(chunk, "")]
    if stripped and stripped != chunk:
        bodies.append((stripped, chunk[len(stripped) :]))
    for body, tail in bodies:
        switched = switch_word(body)
        if switched is None:
            continue
        text, direction = switched
        if direction == TO_LATIN and not text.isalnum():
            continue  # "б", "ю", "ж" are letters: "снб" is not "cy,"
        options.append((text + tail, direction))
    if not options:
        return None
    # Letters never sit around layout punctuation in a real word: "g.ht", "ce[b[" and
    # "fk,b" are wrong-layout words however real their fragments ("g", "ht") are.
    original = 0 if _inner_punctuation(stripped) else evidence(chunk)
    best = None
    for text, direction in options:
        score = None if _inner_punctuation(text.rstrip(_TRAILING_PUNCTUATION)) else evidence(text)
        if score is None:
            continue
        gain = score - (original if original is not None else 0)
        if original is not None and original > 0 and gain < 0:
            gain = -1  # a real word stays as typed, unless its switch is as real
        if best is None or gain > best[2]:
            best = (text, direction, gain)
    return best


def _inner_punctuation(text: str) -> bool:
    """True when a Latin word has layout punctuation keys inside it or before it."""
    return text.isascii() and any(c in _PUNCTUATION_KEYS for c in text)
