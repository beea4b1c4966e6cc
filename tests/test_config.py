"""Settings come from the environment and `.env`, fail loudly by name, and never leak secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings

TOKEN = "123456789:AAH-secret-token_value"
SECRET = "webhook-Secret_42"
PASSWORD = "s3cr3t-db-pass"


def settings(tmp_path: Path, **env: str) -> Settings:
    """Settings from exactly `env`, with a `.env` path that does not exist."""
    return Settings.from_env(env, dotenv=tmp_path / "missing.env")


def test_from_env_defaults(tmp_path: Path) -> None:
    loaded = settings(tmp_path)

    assert loaded == Settings(
        bot_token=None,
        api_base_url="https://api.telegram.org/bot",
        database_url="sqlite+aiosqlite:///./symposium.db",
        admins=frozenset(),
        event_timezone="Asia/Kuala_Lumpur",
        webhook_url=None,
        webhook_secret=None,
        http_host="127.0.0.1",
        http_port=8080,
    )


def test_from_env_reads_every_variable(tmp_path: Path) -> None:
    loaded = settings(
        tmp_path,
        BOT_TOKEN=TOKEN,
        BOT_API_BASE_URL="http://127.0.0.1:8081/bot",
        DATABASE_URL="postgresql+asyncpg://bot@db/symposium",
        EVENT_TIMEZONE="Asia/Karachi",
        HTTP_HOST="0.0.0.0",
        HTTP_PORT="9000",
    )

    assert (
        loaded.bot_token,
        loaded.api_base_url,
        loaded.database_url,
        loaded.event_timezone,
        loaded.http_host,
        loaded.http_port,
    ) == (
        TOKEN,
        "http://127.0.0.1:8081/bot",
        "postgresql+asyncpg://bot@db/symposium",
        "Asia/Karachi",
        "0.0.0.0",
        9000,
    )


def test_the_inbox_lease_is_configurable(tmp_path: Path) -> None:
    assert settings(tmp_path).inbox_lease_seconds == 60.0
    assert settings(tmp_path, INBOX_LEASE_SECONDS="15").inbox_lease_seconds == 15.0


def test_from_env_admins_list_with_spaces(tmp_path: Path) -> None:
    assert settings(tmp_path, BOT_ADMINS="1, 2,3").admins == frozenset({1, 2, 3})


def test_from_env_empty_admins_is_nobody(tmp_path: Path) -> None:
    assert settings(tmp_path, BOT_ADMINS="").admins == frozenset()


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"BOT_ADMINS": "1,alice"}, "BOT_ADMINS"),
        ({"BOT_ADMINS": "1;2"}, "BOT_ADMINS"),
        ({"HTTP_PORT": "http"}, "HTTP_PORT"),
        ({"HTTP_PORT": "0"}, "HTTP_PORT"),
        ({"HTTP_PORT": "65536"}, "HTTP_PORT"),
        ({"EVENT_TIMEZONE": "Mars/Olympus_Mons"}, "EVENT_TIMEZONE"),
        ({"WEBHOOK_URL": "https://bot.example.org/hook"}, "WEBHOOK_SECRET"),
        (
            {"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": "no spaces!"},
            "WEBHOOK_SECRET",
        ),
        ({"WEBHOOK_SECRET": "x" * 257}, "WEBHOOK_SECRET"),
        ({"INBOX_LEASE_SECONDS": "0"}, "INBOX_LEASE_SECONDS"),
    ],
)
def test_from_env_bad_value_raises_config_error_naming_the_variable(
    tmp_path: Path, env: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env(env, dotenv=tmp_path / "missing.env")


def test_from_env_reads_dotenv_file(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"BOT_TOKEN={TOKEN}\nHTTP_PORT=8443\n", encoding="utf-8")

    loaded = Settings.from_env({}, dotenv=dotenv)

    assert (loaded.bot_token, loaded.http_port) == (TOKEN, 8443)


def test_from_env_environment_wins_over_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("BOT_TOKEN=from-dotenv-file\nHTTP_PORT=8443\n", encoding="utf-8")

    loaded = Settings.from_env({"BOT_TOKEN": TOKEN}, dotenv=dotenv)

    assert (loaded.bot_token, loaded.http_port) == (TOKEN, 8443)


def test_repr_never_shows_secrets(tmp_path: Path) -> None:
    loaded = settings(
        tmp_path,
        BOT_TOKEN=TOKEN,
        DATABASE_URL=f"postgresql+asyncpg://bot:{PASSWORD}@db.internal:5432/symposium",
        WEBHOOK_URL="https://bot.example.org/telegram/hook",
        WEBHOOK_SECRET=SECRET,
    )

    shown = repr(loaded)

    assert [secret for secret in (TOKEN, SECRET, PASSWORD) if secret in shown] == []
    assert "postgresql+asyncpg://bot:***@db.internal:5432/symposium" in shown


def test_webhook_path_is_the_path_of_webhook_url(tmp_path: Path) -> None:
    loaded = settings(
        tmp_path, WEBHOOK_URL="https://bot.example.org/hooks/symposium", WEBHOOK_SECRET=SECRET
    )

    assert loaded.webhook_path == "/hooks/symposium"


def test_webhook_path_default_without_webhook_url(tmp_path: Path) -> None:
    assert settings(tmp_path).webhook_path == "/telegram/webhook"


def test_speaker_alert_minutes_are_read_and_refused_by_name(tmp_path: Path) -> None:
    assert settings(tmp_path).speaker_alert_minutes == (60, 15)
    assert settings(tmp_path, SPEAKER_ALERT_MINUTES="15, 45").speaker_alert_minutes == (45, 15)
    assert settings(tmp_path, SPEAKER_ALERT_MINUTES="off").speaker_alert_minutes == ()
    assert settings(tmp_path, SPEAKER_ALERT_MINUTES="").speaker_alert_minutes == ()
    for bad in ("sixty", "60,-5", "0,15", "2000", "90,60,30,15"):
        with pytest.raises(ConfigError, match=r"^SPEAKER_ALERT_MINUTES: "):
            settings(tmp_path, SPEAKER_ALERT_MINUTES=bad)


def test_privacy_contact_is_read_trimmed_and_refused_when_too_long(tmp_path: Path) -> None:
    assert settings(tmp_path).privacy_contact is None
    assert settings(tmp_path, PRIVACY_CONTACT="  ").privacy_contact is None
    found = settings(tmp_path, PRIVACY_CONTACT=" privacy@symposium.example\n")
    assert found.privacy_contact == "privacy@symposium.example"
    with pytest.raises(ConfigError, match="PRIVACY_CONTACT"):
        settings(tmp_path, PRIVACY_CONTACT="x" * 201)
