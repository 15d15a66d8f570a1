"""Words too common to help find a product, in the storefront's languages.

"без" (without) is deliberately kept: "без сахара" must not find sugar.
"""

STOP_WORDS: frozenset[str] = frozenset(
    # Russian
    [
        "и",
        "в",
        "во",
        "на",
        "с",
        "со",
        "для",
        "по",
        "из",
        "от",
        "к",
        "ко",
        "до",
        "о",
        "об",
        "обо",
        "у",
        "за",
        "при",
        "а",
        "но",
        "или",
        "же",
        "ли",
        "бы",
        "то",
        "это",
        "как",
        "что",
        "под",
        "над",
    ]
    # English
    + ["the", "a", "an", "of", "for", "with", "and", "or", "to", "in", "on", "by", "at", "from"]
    # Spanish, Portuguese
    + [
        "de",
        "la",
        "el",
        "los",
        "las",
        "del",
        "y",
        "para",
        "con",
        "en",
        "por",
        "un",
        "una",
        "em",
        "do",
        "da",
        "dos",
        "das",
        "com",
        "o",
        "e",
        "um",
        "uma",
        "no",
        "na",
    ]
    # German
    + [
        "und",
        "mit",
        "fur",
        "der",
        "die",
        "das",
        "ein",
        "eine",
        "den",
        "dem",
        "des",
        "im",
        "zu",
        "von",
    ]
)
