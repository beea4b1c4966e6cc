"""On SQLite a statement crosses to the database thread once, and an empty COMMIT or ROLLBACK
not at all, with the DB-API behaving as before."""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import units
from bot.db.engine import create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hops.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """Every call queued to an aiosqlite connection's thread, by what it runs."""
    counted: collections.Counter[str] = collections.Counter()
    queue_call = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        counted[getattr(fn, "__name__", "?")] += 1
        return await queue_call(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return counted


async def test_a_write_transaction_costs_one_hand_off_per_statement_and_one_to_commit(
    engine: AsyncEngine, hand_offs: collections.Counter[str]
) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO notes (body) VALUES ('a'), ('b')"))
        bodies = (await connection.scalars(text("SELECT body FROM notes ORDER BY id"))).all()

    assert bodies == ["a", "b"]
    # SQLAlchemy's own adapter: cursor, execute, (fetch,) close per statement, then the
    # commit, then the pool's rollback on check-in: ten.
    assert hand_offs == {"_execute": 2, "commit": 1}


async def test_a_read_sends_nothing_to_end_its_transaction(
    engine: AsyncEngine, hand_offs: collections.Counter[str]
) -> None:
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM notes")) == 0
    async with engine.begin() as connection:  # a read-only block that "commits"
        assert await connection.scalar(text("SELECT count(*) FROM notes")) == 0

    assert hand_offs == {"_execute": 2}


async def test_a_failed_block_is_rolled_back_and_its_writes_are_gone(
    engine: AsyncEngine, hand_offs: collections.Counter[str]
) -> None:
    with pytest.raises(RuntimeError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (id, body) VALUES (1, 'kept?')"))
            raise RuntimeError("the handler failed")

    assert hand_offs["rollback"] == 1
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM notes")) == 0


async def test_a_statement_that_fails_raises_the_usual_error_and_the_connection_recovers(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO notes (id, body) VALUES (1, 'first')"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('lost')"))
            await connection.execute(text("INSERT INTO notes (id, body) VALUES (1, 'again')"))

    async with engine.begin() as connection:
        bodies = (await connection.scalars(text("SELECT body FROM notes ORDER BY id"))).all()
        await connection.execute(text("INSERT INTO notes (body) VALUES ('after')"))
    assert bodies == ["first"]  # the block's first insert went with the rollback


async def test_row_counts_ids_many_rows_and_streams_come_back_as_before(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(text("INSERT INTO notes (body) VALUES ('one')"))
        assert inserted.lastrowid == 1
        many = await connection.execute(
            text("INSERT INTO notes (body) VALUES (:body)"),
            [{"body": f"n{n}"} for n in range(300)],
        )
        assert many.rowcount == 300
        changed = await connection.execute(
            text("UPDATE notes SET body = upper(body) WHERE body LIKE 'n1%'")
        )
        assert changed.rowcount == 111  # n1, n10–n19, n100–n199
        rows = (await connection.execute(text("SELECT id, body FROM notes ORDER BY id"))).all()
        assert len(rows) == 301 and tuple(rows[1]) == (2, "n0")
        streamed = await connection.stream(text("SELECT body FROM notes ORDER BY id"))
        assert len([row async for row in streamed]) == 301


async def test_a_unit_runs_its_statements_and_commit_in_one_hand_off(
    engine: AsyncEngine, hand_offs: collections.Counter[str]
) -> None:
    def unit(connection: Connection) -> list[str]:
        connection.execute(text("INSERT INTO notes (body) VALUES ('a'), ('b')"))
        connection.execute(text("UPDATE notes SET body = upper(body)"))
        return list(connection.scalars(text("SELECT body FROM notes ORDER BY id")))

    assert await units.run(engine, unit) == ["A", "B"]
    assert hand_offs == {"_run_unit": 1}
    async with engine.connect() as connection:  # committed
        assert await connection.scalar(text("SELECT count(*) FROM notes")) == 2


async def test_a_unit_that_raises_leaves_nothing_behind(engine: AsyncEngine) -> None:
    def unit(connection: Connection) -> None:
        connection.execute(text("INSERT INTO notes (id, body) VALUES (7, 'x')"))
        connection.execute(text("INSERT INTO notes (id, body) VALUES (7, 'twice')"))

    with pytest.raises(IntegrityError):
        await units.run(engine, unit)
    async with engine.begin() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM notes")) == 0
        await connection.execute(text("INSERT INTO notes (id, body) VALUES (7, 'now')"))


async def test_units_and_other_writers_take_turns_at_the_write_gate(engine: AsyncEngine) -> None:
    """Each holds its transaction across awaits or thread hand-offs. SQLite's own busy wait
    is off, so any two writing at once would fail with "database is locked"."""
    event.listen(engine.sync_engine, "connect", _no_busy_wait)
    await engine.dispose()  # connections from now on have it

    def unit(n: int) -> Callable[[Connection], None]:
        def write(connection: Connection) -> None:
            connection.execute(text("INSERT INTO notes (body) VALUES (:n)"), {"n": f"u{n}"})
            time.sleep(0.002)  # the thread holds the write lock a while
            connection.execute(text("UPDATE notes SET body = body WHERE body = :n"), {"n": n})

        return write

    async def plain(n: int) -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES (:n)"), {"n": f"p{n}"})
            await asyncio.sleep(0.002)
            await connection.execute(text("UPDATE notes SET body = body WHERE id < 0"))

    await asyncio.gather(*(units.run(engine, unit(n)) for n in range(10)), *map(plain, range(10)))

    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM notes")) == 20


def _no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.close()
