"""Locales and countries as data (`locales.toml`, `countries.toml`, `rates.toml`).

The web app, price formatting, search defaults and recommendations read these;
adding a country or a locale is a change to the TOML files, not to code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
    def chain(self) -> tuple[str, ...]:
        """This locale, then its fallbacks, always ending in English.

        `load_registry` stores the fallbacks already resolved (pt_BR -> pt -> en).
        """
        chain = (self.code, *self.fallback)
        return chain if "en" in chain else (*chain, "en")


@dataclass(frozen=True)
class Country:
    code: str
    locale: str
    currency: str
    timezone: str
    region: str
    payment_methods: tuple[str, ...]
    delivery_days: dict[str, tuple[int, int]]

    def delivery_estimate(self, origin: str) -> tuple[int, int]:
        """Days from order to door for goods shipped from `origin`."""
        return self.delivery_days.get(origin) or self.delivery_days.get("*") or (15, 45)

    def fastest_origin(self, origins: list[str] | tuple[str, ...]) -> str:
        return min(origins, key=lambda o: self.delivery_estimate(o)[1]) if origins else "CN"


@dataclass(frozen=True)
class Registry:
    locales: dict[str, LocaleInfo]
    countries: dict[str, Country]
    rates: dict[str, float]

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
    locale_entries: dict[str, dict], countries: dict[str, Country], rates: dict[str, float]
) -> list[str]:
    """Every contradiction between locales.toml, countries.toml and the rates table."""
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
    return problems


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
        )
        for code, entry in _load_toml(directory / "countries.toml")["countries"].items()
    }
    rates_path = directory / "rates.toml"
    if data_dir is not None and (data_dir / "rates.toml").exists():
        rates_path = data_dir / "rates.toml"
    rates = {k: float(v) for k, v in _load_toml(rates_path)["rates"].items()}
    problems = registry_problems(locale_entries, countries, rates)
    if problems:
        sources = f"{directory / 'locales.toml'}, {directory / 'countries.toml'}, {rates_path}"
        raise RegistryError(f"{sources}: " + "; ".join(problems))
    return Registry(locales=locales, countries=countries, rates=rates)


@cache
def default_registry() -> Registry:
    return load_registry()
