"""Settings read once from the environment (and `.env`), never at import time."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.speakers import DEFAULT_ALERT_LEADS, parse_leads

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./symposium.db"
DEFAULT_TIMEZONE = "Asia/Kuala_Lumpur"
PRIVACY_CONTACT_LIMIT = 200


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    database_url: str = DEFAULT_DATABASE_URL
    admins: frozenset[int] = field(default_factory=frozenset)
    event_timezone: str = DEFAULT_TIMEZONE
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    inbox_lease_seconds: float = 60.0  # a claimed update is retried after this if unfinished
    # Delivery engine (issue #4): Telegram's limits, and how long a claimed row is leased.
    delivery_per_second: float = 30.0
    delivery_per_chat_per_second: float = 1.0
    delivery_per_group_per_minute: float = 20.0
    delivery_lease_seconds: float = 60.0
    delivery_max_attempts: int = 5
    delivery_send_timeout: float = 15.0  # seconds to wait for Telegram's answer to a send
    delivery_in_flight: int = 16  # sends awaiting an answer at once (rate x round trip)
    digest_time: str = "07:30"  # local event time of the daily digest
    schedule_url: str | None = None  # live sync: re-import this programme on a timer
    schedule_sync_minutes: float = 10.0
    feedback_window_minutes: int = 180  # after a session ends, attendees may rate it this long
    # Speakers' alerts before each session, minutes (a speaker may choose others on /mysessions)
    speaker_alert_minutes: tuple[int, ...] = DEFAULT_ALERT_LEADS
    # Whom attendees ask about their data (an e-mail address, a @username): the privacy notice
    privacy_contact: str | None = None

    def __repr__(self) -> str:  # secrets never reach a log line
        token = "set" if self.bot_token else "unset"
        return (
            f"Settings(bot_token={token}, api_base_url={self.api_base_url!r}, "
            f"database_url={redact_url(self.database_url)!r}, admins={sorted(self.admins)}, "
            f"event_timezone={self.event_timezone!r}, webhook_url={self.webhook_url!r}, "
            f"http={self.http_host}:{self.http_port})"
        )

    @property
    def webhook_path(self) -> str:
        """The path our HTTP server answers the webhook on: the path of WEBHOOK_URL."""
        if not self.webhook_url:
            return "/telegram/webhook"
        return urlsplit(self.webhook_url).path or "/telegram/webhook"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, dotenv: Path | None = None
    ) -> Settings:
        """The variables of `ENVIRONMENT`, checked in its order; one not set (or blank, for
        most) keeps the field's default, so each default is written once, on the field."""
        values = dict(_read_dotenv(dotenv or Path(".env")))
        values.update(os.environ if env is None else env)
        chosen: dict[str, object] = {}
        for name, variable in ENVIRONMENT.items():
            raw = values.get(variable.name)
            if variable.requires and raw and not values.get(variable.requires):
                raise ConfigError(f"{variable.requires} must be set when {variable.name} is set")
            if raw is None or (not raw and variable.blank_is_unset):
                continue
            chosen[name] = variable.parse(variable.name, raw)
        return cls(**chosen)  # type: ignore[arg-type]  # each parser returns its field's type


def redact_url(url: str) -> str:
    """A database URL without its password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def _text(_name: str, raw: str) -> str:
    return raw


def _timezone(name: str, raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(f"{name}: unknown time zone {raw!r}") from error
    return raw


def _webhook_secret(name: str, raw: str) -> str:
    if not _is_valid_secret(raw):
        raise ConfigError(f"{name}: 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return raw


def _parse_admins(name: str, raw: str) -> frozenset[int]:
    ids = set()
    for item in raw.replace(" ", "").split(","):
        if not item:
            continue
        if not item.lstrip("-").isdigit():
            raise ConfigError(f"{name}: {item!r} is not a Telegram user id")
        ids.add(int(item))
    return frozenset(ids)


def _parse_port(name: str, raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"{name}: {raw!r} is not a port number")
    return int(raw)


def _positive(name: str, raw: str) -> float:
    try:
        number = float(raw)
    except ValueError:
        number = -1.0
    if number <= 0:
        raise ConfigError(f"{name}: {raw!r} is not a positive number")
    return number


def _positive_int(name: str, raw: str) -> int:
    return int(_positive(name, raw))


def _alert_minutes(name: str, raw: str) -> tuple[int, ...]:
    try:
        return parse_leads(raw)
    except ValueError as error:
        raise ConfigError(
            f"{name}: {error} (write minutes before a session, such as 60,15, or off)"
        ) from None


def _privacy_contact(name: str, raw: str) -> str | None:
    contact = " ".join(raw.split())
    if len(contact) > PRIVACY_CONTACT_LIMIT:
        raise ConfigError(
            f"{name}: at most {PRIVACY_CONTACT_LIMIT} characters (an e-mail address,"
            " a @username or a web address)"
        )
    return contact or None


def _clock_time(name: str, raw: str) -> str:
    parts = raw.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ConfigError(f"{name}: {raw!r} is not HH:MM")
    hours, minutes = int(parts[0]), int(parts[1])
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ConfigError(f"{name}: {raw!r} is not HH:MM")
    return f"{hours:02d}:{minutes:02d}"


def _is_valid_secret(secret: str) -> bool:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    return 0 < len(secret) <= 256 and set(secret) <= allowed


@dataclass(frozen=True)
class Variable:
    """An environment variable: its name, how its text becomes the field's value, and
    whether a blank value means "not set" (the field's default)."""

    name: str
    parse: Callable[[str, str], object]  # (variable name, text) -> value, or ConfigError
    blank_is_unset: bool = True
    requires: str | None = None  # another variable that must be set when this one is


# Field -> variable, in the order they are checked (the first error is the one reported).
ENVIRONMENT: dict[str, Variable] = {
    "event_timezone": Variable("EVENT_TIMEZONE", _timezone),
    "webhook_url": Variable("WEBHOOK_URL", _text, requires="WEBHOOK_SECRET"),
    "webhook_secret": Variable("WEBHOOK_SECRET", _webhook_secret),
    "bot_token": Variable("BOT_TOKEN", _text),
    "api_base_url": Variable("BOT_API_BASE_URL", _text),
    "database_url": Variable("DATABASE_URL", _text),
    "admins": Variable("BOT_ADMINS", _parse_admins),
    "http_host": Variable("HTTP_HOST", _text),
    "http_port": Variable("HTTP_PORT", _parse_port),
    "inbox_lease_seconds": Variable("INBOX_LEASE_SECONDS", _positive),
    "delivery_per_second": Variable("DELIVERY_PER_SECOND", _positive),
    "delivery_per_chat_per_second": Variable("DELIVERY_PER_CHAT_PER_SECOND", _positive),
    "delivery_per_group_per_minute": Variable("DELIVERY_PER_GROUP_PER_MINUTE", _positive),
    "delivery_lease_seconds": Variable("DELIVERY_LEASE_SECONDS", _positive),
    "delivery_max_attempts": Variable("DELIVERY_MAX_ATTEMPTS", _positive_int),
    "delivery_send_timeout": Variable("DELIVERY_SEND_TIMEOUT", _positive),
    "delivery_in_flight": Variable("DELIVERY_IN_FLIGHT", _positive_int),
    "digest_time": Variable("DIGEST_TIME", _clock_time),
    "schedule_url": Variable("SCHEDULE_URL", _text),
    "schedule_sync_minutes": Variable("SCHEDULE_SYNC_MINUTES", _positive),
    "feedback_window_minutes": Variable("FEEDBACK_WINDOW_MINUTES", _positive_int),
    # blank is a choice here: no alerts (as "off")
    "speaker_alert_minutes": Variable(
        "SPEAKER_ALERT_MINUTES", _alert_minutes, blank_is_unset=False
    ),
    "privacy_contact": Variable("PRIVACY_CONTACT", _privacy_contact),
}


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {key: value for key, value in dotenv_values(path).items() if value is not None}
