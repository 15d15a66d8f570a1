"""Settings read from the environment in one place, parsed explicitly.

Every variable of SPEC.md has a working default, so a fresh machine needs none. The
composition root (vitrina/services.py) reads them once per process; the packages below
never import this module: they declare what they read (`search.engines.EngineSettings`,
`web.context.WebSettings`) or are handed plain values (a database URL, a broker URL).
A new setting is a field here, parsed in `load_settings`.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

BACKENDS = ("embedded", "elasticsearch")


class ConfigError(ValueError):
    """A setting has a value Vitrina cannot use."""


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"expected a boolean, got {value!r}")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    search_backend: str = "embedded"
    elasticsearch_url: str | None = None
    elasticsearch_index: str = "vitrina-products"
    # Credentials apart from the URL (any character works in them); never in a repr.
    elasticsearch_username: str | None = None
    elasticsearch_password: str | None = field(default=None, repr=False)
    elasticsearch_api_key: str | None = field(default=None, repr=False)
    database_url: str | None = None
    celery_broker_url: str | None = None
    secret_key: str | None = None
    web_search_timeout_s: float = 1.0
    indexer_search_timeout_s: float = 120.0
    # Serving processes: a database statement, a broker or Redis call gives up after this long
    # (well under gunicorn's 30 s worker timeout); batch work keeps no such bound.
    web_database_timeout_s: float = 2.0
    web_broker_timeout_s: float = 1.0
    # Host names the site answers to (Host and X-Forwarded-Host); empty: any (development).
    trusted_hosts: tuple[str, ...] = ()
    # How many proxies in front set X-Forwarded-For/-Proto/-Host/-Port (0: trust none).
    trusted_proxies: int = 0
    debug: bool = False
    index_max_shrink: float = 0.2  # a full reindex may drop at most this share of the catalog

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def rejects_dir(self) -> Path:
        return self.data_dir / "rejects"

    @property
    def database(self) -> str:
        """The SQLAlchemy URL: DATABASE_URL, or a SQLite file in the data dir."""
        return self.database_url or f"sqlite:///{self.data_dir / 'vitrina.sqlite3'}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    def session_secret(self) -> str:
        """VITRINA_SECRET_KEY, or a key generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.ensure_data_dir() / "secret_key"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        return path.read_text(encoding="utf-8").strip()


def _seconds(name: str, value: str | None, default: float) -> float:
    if value is None or value.strip() == "":
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {value!r}") from None
    if not 0 < seconds <= 600:
        raise ConfigError(f"{name} must be between 0 and 600 seconds, got {value!r}")
    return seconds


def _count(name: str, value: str | None) -> int:
    if value is None or value.strip() == "":
        return 0
    if not value.strip().isdecimal() or int(value) > 10:
        raise ConfigError(f"{name} must be a whole number from 0 to 10, got {value!r}")
    return int(value)


def _hosts(value: str | None) -> tuple[str, ...]:
    """Comma-separated host names (`shop.example`, `.shop.example` for every subdomain)."""
    return tuple(h.strip().lower() for h in (value or "").split(",") if h.strip())


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build Settings from environment variables (os.environ by default)."""
    env = os.environ if environ is None else environ
    backend = (env.get("VITRINA_SEARCH_BACKEND") or "embedded").strip().lower()
    if backend not in BACKENDS:
        raise ConfigError(
            f"VITRINA_SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, got {backend!r}"
        )
    es_url = env.get("ELASTICSEARCH_URL") or None
    if backend == "elasticsearch" and not es_url:
        raise ConfigError("VITRINA_SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL")
    username, password, api_key = _elasticsearch_credentials(env, es_url)
    return Settings(
        data_dir=Path(env.get("VITRINA_DATA_DIR") or "./var").resolve(),
        search_backend=backend,
        elasticsearch_url=es_url,
        elasticsearch_index=env.get("VITRINA_ES_INDEX") or "vitrina-products",
        elasticsearch_username=username,
        elasticsearch_password=password,
        elasticsearch_api_key=api_key,
        database_url=env.get("DATABASE_URL") or None,
        celery_broker_url=env.get("CELERY_BROKER_URL") or None,
        secret_key=env.get("VITRINA_SECRET_KEY") or None,
        debug=_flag(env.get("VITRINA_DEBUG")),
        index_max_shrink=_share(env.get("VITRINA_INDEX_MAX_SHRINK"), 0.2),
        web_database_timeout_s=_seconds(
            "VITRINA_WEB_DB_TIMEOUT_S", env.get("VITRINA_WEB_DB_TIMEOUT_S"), 2.0
        ),
        web_broker_timeout_s=_seconds(
            "VITRINA_WEB_BROKER_TIMEOUT_S", env.get("VITRINA_WEB_BROKER_TIMEOUT_S"), 1.0
        ),
        trusted_hosts=_hosts(env.get("VITRINA_TRUSTED_HOSTS")),
        trusted_proxies=_count("VITRINA_TRUSTED_PROXIES", env.get("VITRINA_TRUSTED_PROXIES")),
    )


def _share(value: str | None, default: float) -> float:
    """A share between 0 and 1, written as 0.2 or 20%."""
    if value is None or value.strip() == "":
        return default
    text = value.strip()
    try:
        share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ConfigError(f"expected a share such as 0.2 or 20%, got {value!r}") from None
    if not 0 <= share <= 1:
        raise ConfigError(f"expected a share between 0 and 1 (0% and 100%), got {value!r}")
    return share


def _elasticsearch_credentials(
    env: os._Environ[str] | dict[str, str], url: str | None
) -> tuple[str | None, str | None, str | None]:
    """ELASTICSEARCH_USERNAME + ELASTICSEARCH_PASSWORD, or ELASTICSEARCH_API_KEY; one way
    at a time (credentials inside ELASTICSEARCH_URL still work, percent-encoded)."""
    username = env.get("ELASTICSEARCH_USERNAME") or None
    password = env.get("ELASTICSEARCH_PASSWORD") or None
    api_key = env.get("ELASTICSEARCH_API_KEY") or None
    if password and not username:
        raise ConfigError("ELASTICSEARCH_PASSWORD needs ELASTICSEARCH_USERNAME (e.g. elastic)")
    if username and not password:
        raise ConfigError("ELASTICSEARCH_USERNAME needs ELASTICSEARCH_PASSWORD")
    if api_key and username:
        raise ConfigError("set ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/PASSWORD, not both")
    if (api_key or username) and url and _has_userinfo(url):
        raise ConfigError(
            "ELASTICSEARCH_URL holds credentials and ELASTICSEARCH_USERNAME/PASSWORD or "
            "ELASTICSEARCH_API_KEY are set too: keep them out of the URL"
        )
    return username, password, api_key


def _has_userinfo(url: str) -> bool:
    try:
        return "@" in (urlsplit(url).netloc or "")
    except ValueError:
        return False
