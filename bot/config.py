"""Settings read once from the environment (and `.env`), never at import time."""

from __future__ import annotations

import os
from collections.abc import Mapping
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
        values = dict(_read_dotenv(dotenv or Path(".env")))
        values.update(os.environ if env is None else env)
        timezone = values.get("EVENT_TIMEZONE") or DEFAULT_TIMEZONE
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ConfigError(f"EVENT_TIMEZONE: unknown time zone {timezone!r}") from error
        webhook_url = values.get("WEBHOOK_URL") or None
        secret = values.get("WEBHOOK_SECRET") or None
        if webhook_url and not secret:
            raise ConfigError("WEBHOOK_SECRET must be set when WEBHOOK_URL is set")
        if secret and not _is_valid_secret(secret):
            raise ConfigError("WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return cls(
            bot_token=values.get("BOT_TOKEN") or None,
            api_base_url=values.get("BOT_API_BASE_URL") or DEFAULT_API_BASE_URL,
            database_url=values.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            admins=_parse_admins(values.get("BOT_ADMINS", "")),
            event_timezone=timezone,
            webhook_url=webhook_url,
            webhook_secret=secret,
            http_host=values.get("HTTP_HOST") or "127.0.0.1",
            http_port=_parse_port(values.get("HTTP_PORT") or "8080"),
            inbox_lease_seconds=_positive(values, "INBOX_LEASE_SECONDS", 60.0),
            delivery_per_second=_positive(values, "DELIVERY_PER_SECOND", 30.0),
            delivery_per_chat_per_second=_positive(values, "DELIVERY_PER_CHAT_PER_SECOND", 1.0),
            delivery_per_group_per_minute=_positive(values, "DELIVERY_PER_GROUP_PER_MINUTE", 20.0),
            delivery_lease_seconds=_positive(values, "DELIVERY_LEASE_SECONDS", 60.0),
            delivery_max_attempts=int(_positive(values, "DELIVERY_MAX_ATTEMPTS", 5)),
            delivery_send_timeout=_positive(values, "DELIVERY_SEND_TIMEOUT", 15.0),
            delivery_in_flight=int(_positive(values, "DELIVERY_IN_FLIGHT", 16)),
            digest_time=_clock_time(values.get("DIGEST_TIME") or "07:30"),
            schedule_url=values.get("SCHEDULE_URL") or None,
            schedule_sync_minutes=_positive(values, "SCHEDULE_SYNC_MINUTES", 10.0),
            feedback_window_minutes=int(_positive(values, "FEEDBACK_WINDOW_MINUTES", 180)),
            speaker_alert_minutes=_alert_minutes(values.get("SPEAKER_ALERT_MINUTES")),
            privacy_contact=_privacy_contact(values.get("PRIVACY_CONTACT")),
        )


def redact_url(url: str) -> str:
    """A database URL without its password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def _parse_admins(raw: str) -> frozenset[int]:
    ids = set()
    for item in raw.replace(" ", "").split(","):
        if not item:
            continue
        if not item.lstrip("-").isdigit():
            raise ConfigError(f"BOT_ADMINS: {item!r} is not a Telegram user id")
        ids.add(int(item))
    return frozenset(ids)


def _parse_port(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"HTTP_PORT: {raw!r} is not a port number")
    return int(raw)


def _positive(values: Mapping[str, str], name: str, default: float) -> float:
    raw = values.get(name)
    if not raw:
        return default
    try:
        number = float(raw)
    except ValueError:
        number = -1.0
    if number <= 0:
        raise ConfigError(f"{name}: {raw!r} is not a positive number")
    return number


def _alert_minutes(raw: str | None) -> tuple[int, ...]:
    if raw is None:
        return DEFAULT_ALERT_LEADS
    try:
        return parse_leads(raw)
    except ValueError as error:
        raise ConfigError(
            f"SPEAKER_ALERT_MINUTES: {error} (write minutes before a session, such as 60,15,"
            " or off)"
        ) from None


def _privacy_contact(raw: str | None) -> str | None:
    contact = " ".join((raw or "").split())
    if len(contact) > PRIVACY_CONTACT_LIMIT:
        raise ConfigError(
            f"PRIVACY_CONTACT: at most {PRIVACY_CONTACT_LIMIT} characters (an e-mail address,"
            " a @username or a web address)"
        )
    return contact or None


def _clock_time(raw: str) -> str:
    parts = raw.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ConfigError(f"DIGEST_TIME: {raw!r} is not HH:MM")
    hours, minutes = int(parts[0]), int(parts[1])
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ConfigError(f"DIGEST_TIME: {raw!r} is not HH:MM")
    return f"{hours:02d}:{minutes:02d}"


def _is_valid_secret(secret: str) -> bool:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    return 0 < len(secret) <= 256 and set(secret) <= allowed


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {key: value for key, value in dotenv_values(path).items() if value is not None}
