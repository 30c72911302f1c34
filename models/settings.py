"""Deployment settings read from HEEDFUL_* environment variables, shared by web, scheduler and CLI.

Validation happens when `load_settings` is called (inside an app factory or a CLI command), never at
import time. Every problem is reported as one line naming the variable and what to do.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "HEEDFUL_"

KNOWN_KEYS = frozenset(
    {
        "ENV",
        "DATABASE_URL",
        "SECRET_KEY",
        "INSTANCE_PATH",
        "BASE_URL",
        "SMTP_HOST",
        "SMTP_PORT",
        "SMTP_USER",
        "SMTP_PASSWORD",
        "SMTP_FROM",
        "SMTP_STARTTLS",
        "ALERT_EMAILS",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "ENCODER_MODEL",
        "SENTIMENT_MODEL",
        "NLP_BATCH_SIZE",
        "NLP_THREADS",
        "NLP_QUANTIZE",
        "TOPIC_THRESHOLD",
        "SCORE_BATCH_SIZE",
        "SCORE_MAX_ATTEMPTS",
        "LEASE_SECONDS",
        "MAX_CONTENT_LENGTH",
        "REPORT_EMAILS",
        "TEST_DATABASE_URL",
        "LOG_LEVEL",
        "PORT",
        "HOST",
        "WEB_THREADS",
        "RATE_LIMIT_BURST",
        "RATE_LIMIT_PER_MINUTE",
    }
)


class ConfigError(RuntimeError):
    """Start-up configuration problem; the message is one line that says what to do."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = ""
    secret_key: str = ""
    instance_path: Path = field(default_factory=lambda: Path("instance").resolve())
    base_url: str = "http://127.0.0.1:5000"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "heedful@localhost"
    smtp_starttls: bool = False
    alert_emails: tuple[str, ...] = ()
    report_emails: tuple[str, ...] = ()
    webhook_url: str | None = None
    webhook_secret: str | None = None
    score_batch_size: int = 256  # bigger batches sort by length better: less padding per forward pass
    score_max_attempts: int = 3
    lease_seconds: int = 300
    max_content_length: int = 256 * 1024
    # Respondent submissions per client and survey: a burst, then a steady rate (see respond/ratelimit.py).
    rate_limit_burst: int = 20
    rate_limit_per_minute: int = 10
    nlp_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env == "production"


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, object] | None = None
) -> Settings:
    """Build Settings from the environment (HEEDFUL_*), then apply explicit overrides (tests)."""
    env = dict(os.environ if environ is None else environ)
    values = {k[len(PREFIX) :]: v for k, v in env.items() if k.startswith(PREFIX)}
    unknown = sorted(set(values) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown setting {PREFIX}{unknown[0]}: remove it or check the spelling (see README, Configuration)"
        )
    mode = values.get("ENV", "development")
    if mode not in ("development", "production", "testing"):
        raise ConfigError(f"{PREFIX}ENV must be development, production or testing, not {mode!r}")
    instance = Path(values.get("INSTANCE_PATH", "instance")).resolve()
    database_url = values.get("DATABASE_URL") or f"sqlite:///{instance / 'heedful.db'}"
    secret = values.get("SECRET_KEY", "")
    if not secret:
        if mode == "production":
            raise ConfigError(f"{PREFIX}SECRET_KEY is required in production: set it to a long random string")
        secret = _development_secret(instance)
    s = Settings(
        env=mode,
        database_url=database_url,
        secret_key=secret,
        instance_path=instance,
        base_url=values.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        smtp_host=values.get("SMTP_HOST") or None,
        smtp_port=_int(values, "SMTP_PORT", 25),
        smtp_user=values.get("SMTP_USER") or None,
        smtp_password=values.get("SMTP_PASSWORD") or None,
        smtp_from=values.get("SMTP_FROM", "heedful@localhost"),
        smtp_starttls=_bool(values, "SMTP_STARTTLS"),
        alert_emails=_list(values, "ALERT_EMAILS"),
        report_emails=_list(values, "REPORT_EMAILS"),
        webhook_url=values.get("WEBHOOK_URL") or None,
        webhook_secret=values.get("WEBHOOK_SECRET") or None,
        score_batch_size=_int(values, "SCORE_BATCH_SIZE", Settings.score_batch_size),
        score_max_attempts=_int(values, "SCORE_MAX_ATTEMPTS", 3),
        lease_seconds=_int(values, "LEASE_SECONDS", 300),
        max_content_length=_int(values, "MAX_CONTENT_LENGTH", 256 * 1024),
        rate_limit_burst=_int(values, "RATE_LIMIT_BURST", 20),
        rate_limit_per_minute=_int(values, "RATE_LIMIT_PER_MINUTE", 10),
        nlp_env={PREFIX + k: v for k, v in values.items()},
    )
    if overrides:
        s = Settings(**{**s.__dict__, **overrides})
    return s


def _development_secret(instance: Path) -> str:
    """Generate a secret once and keep it in the instance folder, so sessions survive restarts."""
    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


def _int(values: Mapping[str, str], key: str, default: int) -> int:
    raw = values.get(key)
    if raw in (None, ""):
        return default
    try:
        n = int(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{key} must be a whole number, not {raw!r}") from None
    if n < 0:
        raise ConfigError(f"{PREFIX}{key} must not be negative")
    return n


def _bool(values: Mapping[str, str], key: str) -> bool:
    raw = values.get(key, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{PREFIX}{key} must be true or false, not {raw!r}")


def _list(values: Mapping[str, str], key: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in values.get(key, "").split(",") if x.strip())
