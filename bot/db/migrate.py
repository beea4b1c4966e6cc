"""Alembic, driven from code so `symposium-bot db upgrade` and `run` share one path."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Back to an older revision (for a release rolled back; tests run every downgrade)."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


async def schema_state(engine: AsyncEngine) -> str:
    """The database against this code's migrations: "current"; "pending" (older: run
    `symposium-bot db upgrade`); or "newer" (a newer release already migrated it; migrations
    are additive, so this code keeps working during a rolling upgrade)."""
    script = ScriptDirectory.from_config(alembic_config())
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    if current == script.get_current_head():
        return "current"
    if current is None:
        return "pending"
    try:
        script.get_revision(current)
    except CommandError:  # a revision this code has never heard of
        return "newer"
    return "pending"
