"""`make test` says when the PostgreSQL variants were skipped, and how to run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from bot.db.engine import create_engine

ROOT = Path(__file__).resolve().parents[2]
HINT = (
    "PostgreSQL variants skipped (1 test): set "
    "TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres to run them"
)


async def test_each_backend_gives_a_database_that_answers(empty_db: str) -> None:
    engine = create_engine(empty_db)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()


def test_a_quiet_run_without_postgres_ends_by_saying_how_to_run_its_variants() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TEST_POSTGRES_URL"}
    target = f"{Path(__file__).relative_to(ROOT)}::test_each_backend_gives_a_database_that_answers"

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:randomly", target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout
    assert HINT in result.stdout
