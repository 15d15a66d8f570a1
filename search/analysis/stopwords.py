"""Words too common to help find a product, in the storefront's languages.

"без" (without) is deliberately kept: "без сахара" must not find sugar.
"""

_RUSSIAN = (
    "и в во на с со для по из от к ко до о об обо у за при а но или же ли бы то это как что под над"
)
_ENGLISH = "the a an of for with and or to in on by at from"
_SPANISH_PORTUGUESE = (
    "de la el los las del y para con en por un una em do da dos das com o e um uma no na"
)
_GERMAN = "und mit fur der die das ein eine den dem des im zu von"

STOP_WORDS: frozenset[str] = frozenset(
    " ".join((_RUSSIAN, _ENGLISH, _SPANISH_PORTUGUESE, _GERMAN)).split()
)
