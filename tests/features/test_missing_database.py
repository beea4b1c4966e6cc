"""A mistyped SQLite path is refused, not served empty (issue #16, point 5).

SQLite creates a missing file on first use, so `DATABASE_URL` with a typo started a bot with
no programme and no attendees that reported itself ready. Only `symposium-bot db upgrade`
creates the database; every other command says where it looked and how to create it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.features.test_cli import cli

TOKEN = "123456:AAH-token-for-tests"


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["deliver", "--once"],
        ["chat"],
        ["import", "--sample"],
        ["stats"],
        ["export", "registrations"],
    ],
    ids=lambda command: command[0],
)
def test_a_command_refuses_a_database_file_that_does_not_exist(
    tmp_path: Path, command: list[str]
) -> None:
    typo = tmp_path / "symposum.db"

    result = cli(
        *command,
        cwd=tmp_path,
        stdin="/quit\n",
        BOT_TOKEN=TOKEN,
        BOT_API_BASE_URL="http://127.0.0.1:9/bot",
        DATABASE_URL=f"sqlite+aiosqlite:///{typo}",
    )

    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert str(typo) in line and "symposium-bot db upgrade" in line
    assert not typo.exists()


def test_db_upgrade_creates_the_database_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "new.db"

    created = cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{path}")
    again = cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{path}")

    assert created.returncode == 0, created.stderr
    assert f"created the database {path}" in created.stdout
    assert path.exists()
    assert "created" not in again.stdout and "database is up to date" in again.stdout
