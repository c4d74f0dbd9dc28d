"""Settings from the environment, then an optional TOML file, then defaults.

Read once by the CLI (or the web app) and passed down; nothing reads the environment at import time. The database
URL's password is masked whenever settings are shown.
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from trucewatch.errors import SettingsError

DEFAULT_DB = "trucewatch.sqlite3"


@dataclass(frozen=True)
class Settings:
    db: str = DEFAULT_DB  # a path (SQLite) or a SQLAlchemy URL such as postgresql+psycopg://user:pw@host/db
    max_report_bytes: int = 8 * 1024 * 1024  # larger inputs are refused with TW-E108, never truncated
    max_extract_seconds: float = 30.0  # a report whose extraction takes longer is refused with TW-E119
    user: str | None = None  # who records monitors' overrides when --by is not given; else the login name
    # the workplace (trucewatch serve; docs/web.md)
    secret_key: str | None = None  # signs sign-in forms and list cursors; required to serve, never shown
    evidence_dir: str | None = None  # complaint evidence files; default: evidence/ beside the SQLite database
    max_upload_bytes: int = 20 * 1024 * 1024  # the largest evidence file (and, plus 1 MiB, request body) accepted
    cookie_secure: bool = False  # mark cookies Secure even when the app itself sees plain http (behind a TLS proxy)
    audit_origin: str = "trucewatch/audit"  # the audit log's name in its signed checkpoints (docs/audit.md)
    data_dir: str | None = None  # another conflict's data (actors.toml, gazetteer.tsv ...); default: the shipped data
    # alerts (docs/alerts.md): where the incident links point, the SMTP server, how deliveries retry
    site_url: str = "http://127.0.0.1:8000"  # the workplace's address as users reach it: alerts link incidents under it
    smtp_host: str | None = None  # e-mail alerts go through this SMTP server; without it, rules by e-mail are refused
    smtp_port: int = 25
    smtp_from: str | None = None  # the From address of alert e-mails
    smtp_starttls: bool = False  # upgrade the connection with STARTTLS before sending (and before logging in)
    smtp_user: str | None = None  # log in when given
    smtp_password: str | None = None  # never shown
    alert_attempts: int = 6  # a delivery is given up after this many failed attempts
    alert_retry_seconds: float = 30.0  # the first retry's wait; each later one waits twice the one before
    # live intake (docs/live.md): the watch of sources, in `trucewatch watch` or inside `trucewatch serve`
    watch: bool = False  # run the watch inside `trucewatch serve` (one process; with --workers N, run `watch` apart)
    watch_poll_seconds: float = 10.0  # how often the watch looks for due sources
    watch_host_seconds: float = 1.0  # at most one request to one host per this many seconds
    watch_timeout_seconds: float = 20.0  # a source that takes longer to answer is that source's error

    @property
    def database_url(self) -> str:
        return database_url(self.db)

    @property
    def evidence_path(self) -> Path:
        """Where evidence files are kept: `evidence_dir`, else evidence/ beside a SQLite database file, else
        ./evidence."""
        if self.evidence_dir:
            return Path(self.evidence_dir).expanduser()
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database).expanduser().parent / "evidence"
        return Path("evidence")

    def shown(self) -> dict[str, object]:
        """Settings fit for printing: the database password and the secret key are masked."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["db"] = masked_url(self.database_url)
        values["secret_key"] = "***" if self.secret_key else None
        values["smtp_password"] = "***" if self.smtp_password else None
        return values


ENV_NAMES = {
    "db": "TRUCEWATCH_DB",
    "max_report_bytes": "TRUCEWATCH_MAX_REPORT_BYTES",
    "max_extract_seconds": "TRUCEWATCH_MAX_EXTRACT_SECONDS",
    "user": "TRUCEWATCH_USER",
    "secret_key": "TRUCEWATCH_SECRET_KEY",
    "evidence_dir": "TRUCEWATCH_EVIDENCE_DIR",
    "max_upload_bytes": "TRUCEWATCH_MAX_UPLOAD_BYTES",
    "cookie_secure": "TRUCEWATCH_COOKIE_SECURE",
    "audit_origin": "TRUCEWATCH_AUDIT_ORIGIN",
    "data_dir": "TRUCEWATCH_DATA_DIR",
    "site_url": "TRUCEWATCH_SITE_URL",
    "smtp_host": "TRUCEWATCH_SMTP_HOST",
    "smtp_port": "TRUCEWATCH_SMTP_PORT",
    "smtp_from": "TRUCEWATCH_SMTP_FROM",
    "smtp_starttls": "TRUCEWATCH_SMTP_STARTTLS",
    "smtp_user": "TRUCEWATCH_SMTP_USER",
    "smtp_password": "TRUCEWATCH_SMTP_PASSWORD",
    "alert_attempts": "TRUCEWATCH_ALERT_ATTEMPTS",
    "alert_retry_seconds": "TRUCEWATCH_ALERT_RETRY_SECONDS",
    "watch": "TRUCEWATCH_WATCH",
    "watch_poll_seconds": "TRUCEWATCH_WATCH_POLL_SECONDS",
    "watch_host_seconds": "TRUCEWATCH_WATCH_HOST_SECONDS",
    "watch_timeout_seconds": "TRUCEWATCH_WATCH_TIMEOUT_SECONDS",
}
MIN_SECRET_KEY = 32  # characters



def database_url(db: str) -> str:
    """A plain path means a SQLite file; anything with '://' is taken as a SQLAlchemy URL."""
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def masked_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown without anything after the scheme
        return url.split("://", 1)[0] + "://***"


def load_settings(env: Mapping[str, str] | None = None, path: str | Path | None = None) -> Settings:
    """Defaults, overridden by the TOML file (TRUCEWATCH_CONFIG or `path`), overridden by the environment."""
    env = os.environ if env is None else env
    settings = Settings()
    config = path or env.get("TRUCEWATCH_CONFIG")
    if config:
        settings = _apply(settings, _read_toml(Path(config)), source=str(config))
    from_env = {name: env[var] for name, var in ENV_NAMES.items() if var in env}
    return _apply(settings, from_env, source="environment")


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            return dict(tomllib.load(fh).get("trucewatch", {}))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise SettingsError("TW-E401", name="TRUCEWATCH_CONFIG", value=str(path), detail=str(err)) from err


def _apply(settings: Settings, values: Mapping[str, object], source: str) -> Settings:
    known = {f.name: f for f in fields(Settings)}
    changes: dict[str, Any] = {}  # each value already cast by _cast to its field's type
    for name, raw in values.items():
        if name not in known:
            raise SettingsError("TW-E401", name=name, value=raw, detail=f"unknown setting (from {source})")
        changes[name] = _cast(name, raw)
    return replace(settings, **changes)


def _cast(name: str, raw: object) -> str | int | float | bool:
    if name in ("max_report_bytes", "max_upload_bytes"):
        return _byte_count(name, raw)
    if name == "max_extract_seconds":
        return _seconds(name, raw)
    if name in ("cookie_secure", "smtp_starttls"):
        return _flag(name, raw)
    if name in ("smtp_port", "alert_attempts"):
        return _whole(name, raw, most=65535)
    if name == "alert_retry_seconds":
        return _seconds(name, raw)
    if name == "watch":
        return _flag(name, raw)
    if name in ("watch_poll_seconds", "watch_host_seconds", "watch_timeout_seconds"):
        return _seconds(name, raw)
    if name == "secret_key" and len(str(raw)) < MIN_SECRET_KEY:
        raise SettingsError("TW-E401", name=name, value="***", detail=f"shorter than {MIN_SECRET_KEY} characters; make "
                            "one with: python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
    if name == "audit_origin" and (not str(raw).strip() or "\n" in str(raw) or str(raw) != str(raw).strip()):
        raise SettingsError("TW-E401", name=name, value=raw, detail="one line of text, not empty, no outer spaces")
    if name == "data_dir" and not str(raw).strip():
        raise SettingsError("TW-E401", name=name, value=raw, detail="empty; name a folder, or leave the setting out "
                            "for the shipped data")
    return str(raw)


def _byte_count(name: str, raw: object) -> int:
    if not isinstance(raw, str | int | float):  # a TOML list, table or date has no number in it
        raise SettingsError("TW-E401", name=name, value=raw, detail="not a whole number of bytes")
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError("TW-E401", name=name, value=raw, detail="not a whole number of bytes") from None
    if value <= 0:
        raise SettingsError("TW-E401", name=name, value=raw, detail="must be positive")
    return value


def _whole(name: str, raw: object, most: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise SettingsError("TW-E401", name=name, value=raw, detail="not a whole number")
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError("TW-E401", name=name, value=raw, detail="not a whole number") from None
    if not 1 <= value <= most:
        raise SettingsError("TW-E401", name=name, value=raw, detail=f"must be from 1 to {most}")
    return value


def _seconds(name: str, raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise SettingsError("TW-E401", name=name, value=raw, detail="not a number of seconds")
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError("TW-E401", name=name, value=raw, detail="not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise SettingsError("TW-E401", name=name, value=raw, detail="must be a positive number of seconds")
    return value


def _flag(name: str, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError("TW-E401", name=name, value=raw, detail="write true or false")
