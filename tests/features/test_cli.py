"""The command line a newcomer and an operator use: migrate, import, run, the playground."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    clean.update({"LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), **env})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_db_upgrade_then_sample_import_then_import_if_empty(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"

    upgraded = cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=url)
    imported = cli(
        "import", "--sample", "--start-date", "2026-03-14", cwd=tmp_path, DATABASE_URL=url
    )
    again = cli("import", "--sample", "--if-empty", cwd=tmp_path, DATABASE_URL=url)

    assert upgraded.returncode == 0, upgraded.stderr
    assert "database is up to date" in upgraded.stdout
    assert imported.stdout.strip() == (
        "imported the sample programme from 2026-03-14: 67 sessions, 44 speakers, 8 rooms, 8 tracks"
    )
    assert "already loaded" in again.stdout


def test_run_without_a_token_explains_itself(tmp_path: Path) -> None:
    result = cli("run", cwd=tmp_path)

    assert result.returncode == 2
    assert "BOT_TOKEN is not set" in result.stderr


def test_a_webhook_without_a_secret_is_a_configuration_error(tmp_path: Path) -> None:
    result = cli("run", cwd=tmp_path, WEBHOOK_URL="https://bot.example.org/hook")

    assert result.returncode == 2
    assert "WEBHOOK_SECRET" in result.stderr


def test_the_token_never_reaches_the_log_when_telegram_is_unreachable(tmp_path: Path) -> None:
    token = "123456:AAH-very-secret-token-value"
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=url)

    result = cli(
        "run",
        cwd=tmp_path,
        BOT_TOKEN=token,
        BOT_API_BASE_URL="http://127.0.0.1:9/bot",
        DATABASE_URL=url,
    )

    assert result.returncode == 1
    assert "failed" in result.stderr
    assert token not in result.stderr + result.stdout
    assert "very-secret" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("lang", "greeting", "day_button"),
    [("ar", "أهلًا وسهلًا", "اليوم 1 · السبت، 14 مارس"), ("en", "Welcome", "Day 1 · Sat, Mar 14")],
)
def test_the_playground_chats_in_the_chosen_language_and_presses_buttons(
    tmp_path: Path, lang: str, greeting: str, day_button: str
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=url)
    cli("import", "--sample", "--start-date", "2026-03-14", cwd=tmp_path, DATABASE_URL=url)

    result = cli(
        "chat",
        "--lang",
        lang,
        "--at",
        "2026-03-14T10:45",
        cwd=tmp_path,
        stdin="1\n1\n/quit\n",
        DATABASE_URL=url,
    )

    assert result.returncode == 0, result.stderr
    assert greeting in result.stdout
    assert f"[1] {day_button}" in result.stdout  # menu button 1 opened the programme
    assert "09:00–10:00" in result.stdout  # inline button 1 opened day 1


def test_make_run_without_a_token_falls_back_to_the_playground(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=url)  # as `make run` does first
    cli("import", "--sample", cwd=tmp_path, DATABASE_URL=url)

    result = cli("run", "--or-chat", cwd=tmp_path, stdin="/help\n/quit\n", DATABASE_URL=url)

    assert result.returncode == 0, result.stderr
    assert "starting the local playground" in result.stdout
    assert "/programme" in result.stdout


def test_the_playground_reads_every_setting_from_the_environment(tmp_path: Path) -> None:
    """`symposium-bot chat` runs with the operator's settings, not a handful of them: the
    morning summary's time (DIGEST_TIME) is the one the environment names."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=url)
    cli("import", "--sample", "--start-date", "2026-03-14", cwd=tmp_path, DATABASE_URL=url)

    result = cli(
        "chat",
        "--at",
        "2026-03-14T10:45",
        cwd=tmp_path,
        stdin="/settings\n/quit\n",
        DATABASE_URL=url,
        DIGEST_TIME="06:40",
    )

    assert result.returncode == 0, result.stderr
    assert "Every morning at 06:40" in result.stdout
