"""The import worker: a file is read and matched in a process of its own, within limits of
time and memory, and a file beyond them is refused without harm to the bot."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from bot.importers.base import ProgrammeFormatError
from bot.services.import_worker import ImportWorker, Job

DATA = Path(__file__).parents[1] / "importers" / "data" / "pretalx-rc3-excerpt.json"


def job(database: str) -> Job:
    return Job(database, "rc3.json", DATA.read_bytes(), None, "Europe/Berlin", None, None)


async def test_a_file_is_read_and_matched_in_the_worker(empty_db: str) -> None:
    worker = ImportWorker()
    try:
        summary = await worker.preview(job(empty_db))
        planned = await worker.plan(job(empty_db))
    finally:
        worker.close()
    assert not summary.applied and len(summary.added) == 5
    assert len(planned.sessions.new) == 5 and planned.event_id is None


async def test_a_file_that_takes_too_long_is_refused_and_the_next_import_works(
    empty_db: str,
) -> None:
    slow = ImportWorker(time_limit=0.001)  # not even time to start the process
    with pytest.raises(ProgrammeFormatError) as refused:
        await slow.preview(job(empty_db))
    worker = ImportWorker()
    try:
        summary = await worker.preview(job(empty_db))
    finally:
        slow.close()
        worker.close()
    assert "reading the file took too long" in str(refused.value)
    assert len(summary.added) == 5


async def test_a_file_that_needs_too_much_memory_is_refused(empty_db: str) -> None:
    bomb = b"[" + b"{}," * 4_000_000 + b"{}]"  # 12 MB of JSON, half a gigabyte of objects
    starved = ImportWorker(memory_limit=256 * 1024**2)
    try:
        with pytest.raises(ProgrammeFormatError) as refused:
            await starved.preview(replace(job(empty_db), name="bomb.json", data=bomb))
    finally:
        starved.close()
    assert "needs more memory than an import may use" in str(refused.value)


async def test_a_worker_that_dies_mid_file_is_replaced_and_the_file_can_be_sent_again(
    empty_db: str,
) -> None:
    rows = "\n".join(f"s{i},2026-03-14,09:00,10:00,Session {i}" for i in range(20_000))
    big = replace(job(empty_db), name="big.csv", data=f"key,day,start,end,title\n{rows}".encode())
    worker = ImportWorker()
    try:
        reading = asyncio.create_task(worker.preview(big))
        await asyncio.sleep(0.5)  # the worker is started at once: well into the file now
        for process in list(worker._pool._processes.values()):  # type: ignore[union-attr]
            process.kill()  # as the kernel's OOM killer or an operator would
        with pytest.raises(ProgrammeFormatError) as refused:
            await reading
        again = await worker.preview(job(empty_db))
    finally:
        worker.close()
    assert "the import stopped unexpectedly; please send the file again" in str(refused.value)
    assert len(again.added) == 5
