"""Streaming catalog-feed reader: validates every rule of SPEC.md line by line.

Each line becomes an Upsert, a Deletion or a Rejection (with its line number and
reason); nothing is dropped silently. Later lines win: callers apply records in
order, so a later line with the same id replaces the earlier one.

Beyond SPEC.md's rules, a line is rejected when it is longer than MAX_LINE_BYTES (the
reader never holds more of it, indexer/inputs.py), when a field is longer than its cap
below, when any string holds a NUL (or an id any control character), and when an
object repeats a key (JSON parsers keep one of the values silently).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import orjson
from babel import Locale

from search.catalog import CATEGORIES, Product, Seller

MAX_ID_LENGTH = 64
MAX_LINE_BYTES = 1 << 20  # 1 MB: a product is a few KB; a longer line is a broken export
# Field caps, in characters (texts per locale) or entries (lists, objects).
MAX_TITLE = 1_000
MAX_DESCRIPTION = 20_000
MAX_SHORT_TEXT = 200  # brand, subcategory, attribute names, seller id
MAX_URL = 2_048
MAX_LOCALES = 32
MAX_ATTRIBUTES = 200
MAX_ATTRIBUTE_VALUE = 1_000
MAX_FLAGS = 32
MAX_COUNTRIES = 300
REJECT_TEXT_CHARS = 1_000  # an oversized line is shown this far in the rejects file
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACED_KEY_END = re.compile(r'"\s+:')
_CATEGORY_SET = frozenset(CATEGORIES)
_LOCALE_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
# Lists of countries already found valid (as the feed wrote them -> as kept), and locale
# codes (-> the key texts are kept under): feeds repeat a few, each is checked once.
_VALID_COUNTRIES: dict[tuple, tuple[str, ...]] = {}
_VALID_COUNTRIES_SIZE = 10_000
_LOCALE_KEYS: dict[str, str] = {}
_LOCALE_KEYS_SIZE = 1_000


class FeedError(ValueError):
    """The reason one feed line is rejected."""


@dataclass(frozen=True, slots=True)
class Upsert:
    line: int
    product: Product


@dataclass(frozen=True, slots=True)
class Deletion:
    line: int
    product_id: str


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    reason: str
    text: str

    def to_json(self) -> str:
        return json.dumps(
            {"line": self.line, "reason": self.reason, "text": self.text}, ensure_ascii=False
        )


FeedRecord = Upsert | Deletion | Rejection


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes known to CLDR."""
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha())


def read_feed(lines: Iterable[bytes], start: int = 1) -> Iterator[FeedRecord]:
    """Yield one record per non-blank line of JSON Lines given as bytes."""
    for number, raw in enumerate(lines, start=start):
        record = parse_raw_line(number, raw)
        if record is not None:
            yield record


def parse_raw_line(number: int, raw: bytes) -> FeedRecord | None:
    """The record of one line as read from the file; None for a blank line."""
    if len(raw) > MAX_LINE_BYTES and len(raw.rstrip(b"\r\n")) > MAX_LINE_BYTES:
        shown = raw[: REJECT_TEXT_CHARS * 4].decode("utf-8", "replace")[:REJECT_TEXT_CHARS]
        return Rejection(
            number, f"line longer than {MAX_LINE_BYTES:,} bytes (the limit)", shown + "…"
        )
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        shown = raw.decode("utf-8", "replace").rstrip("\n")
        return Rejection(number, f"not UTF-8: {exc.reason} at byte {exc.start}", shown)
    return parse_line(number, text) if text else None


def parse_line(number: int, text: str) -> FeedRecord:
    try:
        data = orjson.loads(text)
    except ValueError as exc:
        return Rejection(number, f"invalid JSON: {exc}", text)
    try:
        if not isinstance(data, dict):
            raise FeedError(f"expected a JSON object, got {type(data).__name__}")
        _check_keys_and_nuls(text, data)
        product_id = _product_id(data)
        if "deleted" in data:
            if data["deleted"] is not True:
                raise FeedError("deleted: only true is allowed")
            return Deletion(number, product_id)
        return Upsert(number, product_from_feed(data, product_id))
    except FeedError as exc:
        return Rejection(number, str(exc), text)


def _check_keys_and_nuls(text: str, data: dict) -> None:
    """Reject a repeated key anywhere (the parser kept only its last value) and a NUL in
    any key or string (it truncates text in C libraries, logs and databases)."""
    # Every key written ends in `":` (or `" :`, rare): as many of those as parsed keys
    # means no key was repeated; otherwise (a repeat, or `":` inside a text) look closely.
    if text.count('":') != _count_keys(data) or _SPACED_KEY_END.search(text):
        repeated = _repeated_key(text)
        if repeated is not None:
            raise FeedError(f"duplicate key {repeated!r}: a key may appear once per object")
    if "\\u0000" in text:
        where = _nul_in(data, "")
        if where is not None:
            raise FeedError(f"{where or 'line'}: contains a NUL character (\\u0000)")


def _count_keys(value: dict) -> int:
    """Keys of an object and of the objects within it (type() is: the hot path)."""
    count = len(value)
    for item in value.values():
        kind = type(item)
        if kind is dict:
            count += _count_keys(item)
        elif kind is list:
            for element in item:
                if type(element) in (dict, list):
                    count += _count_keys({"": element}) - 1
    return count


def _repeated_key(text: str) -> str | None:
    repeated: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                repeated.append(key)
            seen.add(key)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs)
    return repeated[0] if repeated else None


def _nul_in(value: object, path: str) -> str | None:
    """The path of the first key or string holding a NUL, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in key:
                return inner
            found = _nul_in(item, inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_in(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def _product_id(data: dict) -> str:
    if "id" not in data:
        raise FeedError("id: required")
    value = data["id"]
    if not isinstance(value, str) or not value.strip():
        raise FeedError("id: must be a non-empty string")
    if len(value) > MAX_ID_LENGTH:
        raise FeedError(f"id: longer than {MAX_ID_LENGTH} characters")
    if _CONTROL.search(value):
        raise FeedError("id: must not contain control characters (NUL, line breaks, tabs…)")
    return value


def _capped(name: str, text: str, limit: int) -> str:
    if len(text) > limit:
        raise FeedError(f"{name}: longer than {limit:,} characters ({len(text):,})")
    return text


def product_from_feed(data: dict, product_id: str) -> Product:
    if "category" not in data:
        raise FeedError("category: required")
    category = data["category"]
    if category not in _CATEGORY_SET:
        raise FeedError(f"category: unknown category {category!r}")
    if "price_usd" not in data:
        raise FeedError("price_usd: required")
    return Product(
        id=product_id,
        title=_localized(data, "title", required=True),
        description=_localized(data, "description", required=False),
        category=category,
        subcategory=_optional_str(data, "subcategory"),
        brand=_optional_str(data, "brand"),
        price_usd=_number(data, "price_usd", low=0, low_open=True),
        rating=_number(data, "rating", low=0, high=5) if data.get("rating") is not None else None,
        orders=_orders(data),
        seller=_seller(data.get("seller")),
        ships_from=_countries(data, "ships_from") or ("CN",),
        ships_to=_countries(data, "ships_to"),
        attributes=_attributes(data.get("attributes")),
        image_url=_optional_str(data, "image_url", MAX_URL),
        flags=_flags(data.get("flags")),
    )


def _localized(data: dict, name: str, *, required: bool) -> dict[str, str]:
    value = data.get(name)
    if value is None:
        if required:
            raise FeedError(f"{name}: required")
        return {}
    if not isinstance(value, dict):
        raise FeedError(f"{name}: must be an object of locale -> text")
    if len(value) > MAX_LOCALES:
        raise FeedError(f"{name}: more than {MAX_LOCALES} locales ({len(value)})")
    limit = MAX_TITLE if name == "title" else MAX_DESCRIPTION
    result = {}
    for locale, text in value.items():
        key = _LOCALE_KEYS.get(locale)
        if key is None:
            if not _LOCALE_CODE.match(locale):
                raise FeedError(f"{name}: {locale!r} is not a locale code")
            key = locale.replace("-", "_")
            if len(_LOCALE_KEYS) < _LOCALE_KEYS_SIZE:
                _LOCALE_KEYS[locale] = key
        if type(text) is not str and not isinstance(text, str):
            raise FeedError(f"{name}.{locale}: must be a string")
        text = text.strip()
        if text:
            if len(text) > limit:
                _capped(f"{name}.{locale}", text, limit)
            result[key] = text
    if required and not result:
        raise FeedError(f"{name}: needs text in at least one locale")
    return result


def _optional_str(data: dict, name: str, limit: int = MAX_SHORT_TEXT) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FeedError(f"{name}: must be a string")
    return _capped(name, value.strip(), limit) or None


def _number(
    data: dict, name: str, *, low: float, high: float | None = None, low_open: bool = False
) -> float:
    value: float = data.get(name)  # type: ignore[assignment]  # (checked right below)
    kind = type(value)
    if kind is float:  # the usual case, checked the quick way (bool is not float or int)
        if not math.isfinite(value):
            raise FeedError(f"{name}: must be a number")
    elif kind is not int and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ):
        raise FeedError(f"{name}: must be a number")
    if value < low or (low_open and value == low):
        raise FeedError(f"{name}: must be {'>' if low_open else '>='} {low}, got {value}")
    if high is not None and value > high:
        raise FeedError(f"{name}: must be <= {high}, got {value}")
    return float(value)


def _orders(data: dict) -> int:
    value = data.get("orders")
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FeedError("orders: must be an integer >= 0")
    return value


def _seller(value) -> Seller | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not value["id"]:
        raise FeedError("seller: must be an object with a string id")
    _capped("seller.id", value["id"], MAX_SHORT_TEXT)
    rating = value.get("rating")
    if rating is not None:
        rating = _number(value, "rating", low=0, high=100)
    ratings = value.get("ratings")  # how many ratings `rating` is based on
    if ratings is not None and (
        isinstance(ratings, bool) or not isinstance(ratings, int) or ratings < 0
    ):
        raise FeedError("seller.ratings: must be an integer >= 0")
    return Seller(value["id"], rating, ratings)


def _countries(data: dict, name: str) -> tuple[str, ...] | None:
    value = data.get(name)
    if value is None:
        return None
    if type(value) is list:  # feeds name the same few lists again and again: checked once
        try:
            return _VALID_COUNTRIES[tuple(value)]
        except (KeyError, TypeError):  # (TypeError: an unhashable entry, rejected below)
            pass
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FeedError(f"{name}: must be a list of country codes")
    if len(value) > MAX_COUNTRIES:
        raise FeedError(f"{name}: more than {MAX_COUNTRIES} entries ({len(value)})")
    codes = tuple(dict.fromkeys(v.upper() for v in value))
    unknown = [c for c in codes if c not in country_codes()]
    if unknown:
        raise FeedError(f"{name}: not ISO 3166 alpha-2 codes: {', '.join(unknown)}")
    if len(_VALID_COUNTRIES) < _VALID_COUNTRIES_SIZE:
        _VALID_COUNTRIES[tuple(value)] = codes
    return codes


def _attributes(value) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise FeedError("attributes: must be an object of string -> string")
    if len(value) > MAX_ATTRIBUTES:
        raise FeedError(f"attributes: more than {MAX_ATTRIBUTES} entries ({len(value)})")
    for key, text in value.items():
        _capped("attributes: a name", key, MAX_SHORT_TEXT)
        _capped(f"attributes.{key}", text, MAX_ATTRIBUTE_VALUE)
    return value


def _flags(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FeedError("flags: must be a list of strings")
    if len(value) > MAX_FLAGS:
        raise FeedError(f"flags: more than {MAX_FLAGS} entries ({len(value)})")
    for flag in value:
        _capped("flags: a flag", flag, MAX_SHORT_TEXT)
    return tuple(value)
