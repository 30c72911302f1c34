"""Deployment settings read from HEEDFUL_* environment variables, shared by web, scheduler and CLI.

Validation happens when `load_settings` is called (inside an app factory or a CLI command), never at
import time. Every problem is reported as one line naming the variable and what to do.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from common import env as parse
from common.env import PREFIX, SettingError
from common.mail import Security, SmtpConfig

T = TypeVar("T")

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
        "SMTP_SSL",
        "SMTP_CA",
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
        "SESSION_IDLE_MINUTES",
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
    smtp_ssl: bool = False  # implicit TLS from the first byte (port 465), instead of STARTTLS
    smtp_ca: Path | None = None  # a private CA to trust besides the system's (an internal mail relay)
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
    # A signed-in browser left alone this long must sign in again (besides the 7-day absolute limit).
    session_idle_minutes: int = 480
    nlp_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def smtp(self) -> SmtpConfig | None:
        """How to reach the mail server; None when HEEDFUL_SMTP_HOST is not set (no mail is sent)."""
        if not self.smtp_host:
            return None
        security: Security = "ssl" if self.smtp_ssl else "starttls" if self.smtp_starttls else "none"
        return SmtpConfig(host=self.smtp_host, port=self.smtp_port, user=self.smtp_user,
                          password=self.smtp_password, sender=self.smtp_from, security=security,
                          ca_file=self.smtp_ca)


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
    try:
        s = _from_values(env, values)
    except SettingError as exc:
        raise ConfigError(f"{exc} (see README, Configuration)") from None
    if overrides:
        s = Settings(**{**s.__dict__, **overrides})
    return s


def _from_values(env: Mapping[str, str], values: Mapping[str, str]) -> Settings:
    def get(key: str, parser: Callable[[str], T], default: T) -> T:
        return parse.read(env, PREFIX + key, parser, default)

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
    count = parse.whole_number(0)
    smtp_starttls, smtp_ssl = get("SMTP_STARTTLS", parse.boolean, False), get("SMTP_SSL", parse.boolean, False)
    if smtp_starttls and smtp_ssl:
        raise ConfigError(f"{PREFIX}SMTP_STARTTLS and {PREFIX}SMTP_SSL are both on: choose one "
                          "(SSL for port 465, STARTTLS for 587)")
    return Settings(
        env=mode,
        database_url=database_url,
        secret_key=secret,
        instance_path=instance,
        base_url=values.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        smtp_host=values.get("SMTP_HOST") or None,
        smtp_port=get("SMTP_PORT", count, 465 if smtp_ssl else 25),
        smtp_user=values.get("SMTP_USER") or None,
        smtp_password=values.get("SMTP_PASSWORD") or None,
        smtp_from=values.get("SMTP_FROM", "heedful@localhost"),
        smtp_starttls=smtp_starttls,
        smtp_ssl=smtp_ssl,
        smtp_ca=get("SMTP_CA", parse.existing_file, None),
        alert_emails=get("ALERT_EMAILS", parse.comma_list, ()),
        report_emails=get("REPORT_EMAILS", parse.comma_list, ()),
        webhook_url=values.get("WEBHOOK_URL") or None,
        webhook_secret=values.get("WEBHOOK_SECRET") or None,
        score_batch_size=get("SCORE_BATCH_SIZE", count, Settings.score_batch_size),
        score_max_attempts=get("SCORE_MAX_ATTEMPTS", count, Settings.score_max_attempts),
        lease_seconds=get("LEASE_SECONDS", count, Settings.lease_seconds),
        max_content_length=get("MAX_CONTENT_LENGTH", count, Settings.max_content_length),
        rate_limit_burst=get("RATE_LIMIT_BURST", count, Settings.rate_limit_burst),
        rate_limit_per_minute=get("RATE_LIMIT_PER_MINUTE", count, Settings.rate_limit_per_minute),
        session_idle_minutes=get("SESSION_IDLE_MINUTES", parse.whole_number(1), Settings.session_idle_minutes),
        nlp_env={PREFIX + k: v for k, v in values.items()},
    )


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
