"""Locales and countries as data (`locales.toml`, `countries.toml`, `labels.toml`, `rates.toml`).

The web app, price formatting, search defaults and recommendations read these;
adding a country or a locale is a change to the TOML files, not to code. The
names shoppers see for registry keys (payment methods, what buyer protection
covers, product attributes) are English texts in `labels.toml`, translated in the
message catalogs like every other string (see `registry_messages`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from babel import Locale

LOCALES_DIR = Path(__file__).resolve().parent


class UnknownCountry(KeyError):
    pass


class RegistryError(ValueError):
    """The registry files contradict each other; the message lists every problem."""


@dataclass(frozen=True)
class LocaleInfo:
    code: str
    name: str
    direction: str
    fallback: tuple[str, ...]
    enabled: bool

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def tag(self) -> str:
        """The BCP 47 language tag (`fr_CA` -> `fr-CA`) for `lang`, hreflang, Content-Language."""
        return language_tag(self.code)

    @property
    def chain(self) -> tuple[str, ...]:
        """This locale, then its fallbacks, always ending in English.

        `load_registry` stores the fallbacks already resolved (pt_BR -> pt -> en).
        """
        chain = (self.code, *self.fallback)
        return chain if "en" in chain else (*chain, "en")


def language_tag(code: str) -> str:
    """A locale code as a BCP 47 tag: `pt_BR` -> `pt-BR`, `ru` -> `ru`."""
    return code.replace("_", "-")


@dataclass(frozen=True)
class BuyerProtection:
    """A country's buyer protection terms (countries.toml `buyer_protection`)."""

    covers: tuple[str, ...]  # keys of [protection_covers] in labels.toml
    claim_days: int  # days after delivery to open a claim
    guarantee_days: int  # an order not delivered within this many days is refunded


@dataclass(frozen=True)
class Labels:
    """English names of registry and feed keys (labels.toml); the catalogs translate them."""

    payment_methods: dict[str, str] = field(default_factory=dict)
    protection_covers: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)


DEFAULT_ESTIMATE = (15, 45)


@dataclass(frozen=True)
class Country:
    code: str
    locale: str
    currency: str
    timezone: str
    region: str
    payment_methods: tuple[str, ...]
    delivery_days: dict[str, tuple[int, int]]
    buyer_protection: BuyerProtection | None = None

    def delivery_estimate(self, origin: str) -> tuple[int, int]:
        """Days from order to door for goods shipped from `origin`."""
        return self.delivery_days.get(origin) or self.delivery_days.get("*") or DEFAULT_ESTIMATE

    def fastest_origin(self, origins: list[str] | tuple[str, ...]) -> str:
        """The origin whose goods arrive soonest: by the latest day, then the earliest."""
        if not origins:
            return "CN"
        return min(origins, key=lambda o: self.delivery_estimate(o)[::-1])

    @cached_property
    def delivery_tiers(self) -> tuple[tuple[str, ...], ...]:
        """Every origin country grouped by its estimate here, fastest first ("*" spelled out).

        What `sort=delivery` ranks by: a product goes with the first group it ships from.
        """
        groups: dict[tuple[int, int], list[str]] = {}
        for origin in sorted(territory_codes()):
            estimate = self.delivery_estimate(origin)
            groups.setdefault((estimate[1], estimate[0]), []).append(origin)
        return tuple(tuple(groups[key]) for key in sorted(groups))


@cache
def territory_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes known to CLDR: every origin a product may ship from."""
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha())


@dataclass(frozen=True)
class Registry:
    locales: dict[str, LocaleInfo]
    countries: dict[str, Country]
    rates: dict[str, float]
    labels: Labels = field(default_factory=Labels)

    @property
    def enabled_locales(self) -> tuple[str, ...]:
        return tuple(code for code, info in self.locales.items() if info.enabled)

    def country(self, code: str) -> Country:
        try:
            return self.countries[code.upper()]
        except KeyError:
            raise UnknownCountry(code) from None

    def default_country(self, locale: str) -> str:
        """The first country whose default locale is `locale` (RU for ru, US for en)."""
        base = locale.split("_")[0]
        for code, country in self.countries.items():
            if country.locale in (locale, base):
                return code
        return "US"

    def locale_info(self, code: str) -> LocaleInfo:
        return self.locales.get(code) or self.locales[code.split("_")[0]]

    def rate(self, currency: str) -> float:
        return self.rates[currency]


def _load_toml(path: Path) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def resolve_fallbacks(code: str, entries: dict[str, dict]) -> tuple[str, ...]:
    """The full fallback chain after `code` (its base language first: pt_BR -> pt -> en).

    Fallbacks are followed transitively and each code appears once, so a cycle
    or a repeated code cannot loop; unknown codes are left for `registry_problems`.
    """
    chain: list[str] = []
    base = code.split("_")[0]
    pending = list(entries.get(code, {}).get("fallback", ()))
    if base != code and base in entries and base not in pending:
        pending.insert(0, base)
    while pending:
        current = pending.pop(0)
        if current == code or current in chain:
            continue
        chain.append(current)
        pending[0:0] = list(entries.get(current, {}).get("fallback", ()))
    if "en" not in chain and code != "en":
        chain.append("en")
    return tuple(chain)


def registry_problems(
    locale_entries: dict[str, dict],
    countries: dict[str, Country],
    rates: dict[str, float],
    labels: Labels | None = None,
) -> list[str]:
    """Every contradiction between locales.toml, countries.toml, labels.toml and the rates."""
    problems = []
    for code, entry in locale_entries.items():
        if "name" not in entry:
            problems.append(f"locale {code}: no name")
        if entry.get("direction", "ltr") not in ("ltr", "rtl"):
            problems.append(
                f"locale {code}: direction must be 'ltr' or 'rtl', got {entry['direction']!r}"
            )
        for fallback in entry.get("fallback", ()):
            if fallback not in locale_entries:
                problems.append(
                    f"locale {code}: fallback {fallback!r} is not a locale in locales.toml"
                )
    if "en" not in locale_entries:
        problems.append("locale en: missing (every fallback chain ends in English)")
    for code, country in countries.items():
        market_locale = locale_entries.get(country.locale)
        if market_locale is None:
            problems.append(f"country {code}: locale {country.locale!r} is not in locales.toml")
        elif not market_locale.get("enabled", False):
            problems.append(f"country {code}: locale {country.locale!r} is disabled")
        if country.currency not in rates:
            problems.append(f"country {code}: no exchange rate for {country.currency}")
        if labels is not None:
            problems.extend(_label_problems(code, country, labels))
    return problems


def _label_problems(code: str, country: Country, labels: Labels) -> Iterator[str]:
    """Keys a country uses that labels.toml does not name (shoppers would see the raw key)."""
    for method in country.payment_methods:
        if method not in labels.payment_methods:
            yield (
                f"country {code}: payment method {method!r} has no name in labels.toml"
                f" [payment_methods]"
            )
    protection = country.buyer_protection
    if protection is None:
        return
    for cover in protection.covers:
        if cover not in labels.protection_covers:
            yield (
                f"country {code}: buyer protection case {cover!r} has no text in labels.toml"
                f" [protection_covers]"
            )
    for name in ("claim_days", "guarantee_days"):
        if getattr(protection, name) <= 0:
            yield f"country {code}: buyer_protection.{name} must be a positive number of days"


def _buyer_protection(code: str, entry: dict | None) -> BuyerProtection | None:
    if entry is None:
        return None
    try:
        return BuyerProtection(
            covers=tuple(entry.get("covers", ())),
            claim_days=int(entry["claim_days"]),
            guarantee_days=int(entry["guarantee_days"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RegistryError(
            f"country {code}: buyer_protection needs covers, claim_days and guarantee_days"
            f" ({exc!r})"
        ) from None


def load_labels(directory: Path = LOCALES_DIR) -> Labels:
    """labels.toml (empty Labels when a registry copy has none)."""
    path = directory / "labels.toml"
    if not path.is_file():
        return Labels()
    data = _load_toml(path)
    return Labels(
        payment_methods=dict(data.get("payment_methods", {})),
        protection_covers=dict(data.get("protection_covers", {})),
        attributes=dict(data.get("attributes", {})),
    )


# (section of labels.toml, what translators are told the text is)
LABEL_SECTIONS = (
    ("payment_methods", "payment method"),
    ("protection_covers", "what buyer protection covers"),
    ("attributes", "product attribute name"),
)


def registry_messages(directory: Path = LOCALES_DIR) -> Iterator[tuple[str, str, str]]:
    """(English text, translator comment, file) for every label of the registry.

    `vitrina locales extract` adds these to messages.pot, so a new payment method is a
    string to translate like any other, and `check` fails until every enabled locale has it.
    """
    labels = load_labels(directory)
    for section, meaning in LABEL_SECTIONS:
        for key, text in getattr(labels, section).items():
            yield (
                text,
                f"{meaning} `{key}` (locales/labels.toml [{section}])",
                "locales/labels.toml",
            )


def load_registry(directory: Path = LOCALES_DIR, data_dir: Path | None = None) -> Registry:
    """Read the registry files; `data_dir/rates.toml` overrides the bundled rates.

    Raises RegistryError naming every inconsistency (an unknown fallback, a
    country whose locale is unknown or disabled, a currency without a rate).
    """
    locale_entries = _load_toml(directory / "locales.toml").get("locales", {})
    locales = {
        code: LocaleInfo(
            code=code,
            name=entry.get("name", code),
            direction=entry.get("direction", "ltr"),
            fallback=resolve_fallbacks(code, locale_entries),
            enabled=bool(entry.get("enabled", False)),
        )
        for code, entry in locale_entries.items()
    }
    countries = {
        code: Country(
            code=code,
            locale=entry["locale"],
            currency=entry["currency"],
            timezone=entry["timezone"],
            region=entry.get("region", "world"),
            payment_methods=tuple(entry.get("payment_methods", ())),
            delivery_days={k: (v[0], v[1]) for k, v in entry.get("delivery_days", {}).items()},
            buyer_protection=_buyer_protection(code, entry.get("buyer_protection")),
        )
        for code, entry in _load_toml(directory / "countries.toml")["countries"].items()
    }
    rates_path = directory / "rates.toml"
    if data_dir is not None and (data_dir / "rates.toml").exists():
        rates_path = data_dir / "rates.toml"
    rates = {k: float(v) for k, v in _load_toml(rates_path)["rates"].items()}
    labels = load_labels(directory)
    problems = registry_problems(locale_entries, countries, rates, labels)
    if problems:
        sources = (
            f"{directory / 'locales.toml'}, {directory / 'countries.toml'},"
            f" {directory / 'labels.toml'}, {rates_path}"
        )
        raise RegistryError(f"{sources}: " + "; ".join(problems))
    return Registry(locales=locales, countries=countries, rates=rates, labels=labels)


@cache
def default_registry() -> Registry:
    return load_registry()
