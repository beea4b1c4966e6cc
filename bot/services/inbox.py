"""The inbox: every update is stored before Telegram is told we have it.

Polling advances its offset and the webhook answers 200 only after the update is committed
here; workers then claim rows with a lease, so a worker that dies mid-update leaves the row
to be claimed again. Handlers must therefore be safe to run twice for one update.

An update is a duplicate when its id *and* its content are those of a stored one: Telegram
resends the very same update after a lost confirmation, but it starts its ids anew (at a
random value) after a week without updates, a new bot token starts them anew, and so does
the playground's fake on every run. A stored update that is finished gives its id to a
different one; one still unfinished makes the store fail (`UpdateIdInUse`), to be retried.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Delete,
    Insert,
    Integer,
    Table,
    and_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from bot.clock import Clock
from bot.db import models as m
from bot.db import units
from bot.db.engine import SessionFactory, engine_of
from bot.domain.retention import INBOX_UPDATES as RETENTION  # done updates are kept this long

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 3
PURGE_BATCH = 1000
# Plain UPDATEs: no ORM objects to keep in step, so skip SQLAlchemy's session bookkeeping.
CORE = {"synchronize_session": False}


class UpdateIdInUse(Exception):
    """A different update came with the id of one not finished yet (ids restarted while it
    waited): nothing was stored, and Telegram is to send it again once that one is done."""

    def __init__(self, update_id: int) -> None:
        super().__init__(f"update id {update_id} belongs to a different unfinished update")
        self.update_id = update_id


# What an update may be, checked before it is stored (`problem_with`): Telegram's nest about
# ten deep (a pressed message's keyboard: seven), and its ids fit the table's 64-bit columns.
MAX_DEPTH = 64
LARGEST_ID = 2**63 - 1
# A lone surrogate (half of a UTF-16 pair) decodes from JSON but cannot be stored as UTF-8:
# an escaped one (\ud800) or one in raw bytes (which Python's json decodes "surrogatepass").
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def problem_with(update: Any, raw: bytes | None = None) -> str | None:
    """Why `update` (decoded JSON) is not an update the inbox can keep, or None if it is.

    Refused: anything but an object with a non-negative 64-bit `update_id`, nesting deeper
    than MAX_DEPTH (Python's json gives up near a thousand levels, and a claim runs deeper in
    the stack than the webhook: such an update stored fine and then failed every claim), and
    strings that are not Unicode (lone surrogates: the store fails). `raw` is the JSON text
    it came in, or one containing it (a getUpdates answer): with it, the usual update is
    let through after a few scans of its bytes in C (about a third of decoding it)."""
    if not isinstance(update, dict):
        return "not a JSON object"
    update_id = update.get("update_id")
    if isinstance(update_id, bool) or not isinstance(update_id, int):
        return "no integer update_id"
    if not 0 <= update_id <= LARGEST_ID:
        return "update_id out of range"
    few = raw is not None and raw.count(b"{") + raw.count(b"[") <= MAX_DEPTH
    if not few and _deeper_than(update, MAX_DEPTH):
        return f"nested deeper than {MAX_DEPTH} levels"
    if raw is None or ((b"\\u" in raw or b"\xed" in raw) and _SURROGATE.search(raw)):
        try:
            json.dumps(update, ensure_ascii=False).encode("utf-8")
        except (ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
            return "a string that is not valid Unicode"
    return None


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether objects and arrays nest more than `limit` deep: level by level, without
    recursion (it is what the check is about). For a press of a day's programme (thirty
    buttons) it costs less than decoding the update did."""
    level = [value]
    for _ in range(limit):
        level = [
            child
            for node in level
            for child in (node.values() if type(node) is dict else node)
            if type(child) is dict or type(child) is list
        ]
        if not level:
            return False
    return True


def unstorable(error: BaseException) -> bool:
    """Whether a store failed because of what an update holds (a value the database cannot
    take) rather than the database being away or busy: then only that update is refused,
    and the others stored with it in one transaction are stored again without it."""
    if isinstance(error, sa_exc.DataError):  # PostgreSQL: out of range, not UTF-8
        return True
    if isinstance(error, sa_exc.StatementError) and error.orig is not None:
        error = error.orig
    return isinstance(error, ValueError | OverflowError | RecursionError)


@dataclass(frozen=True)
class Finished:
    """An update the worker is done with; `error` says why it was given up on."""

    update_id: int
    error: str | None = None


@dataclass(frozen=True)
class InboxItem:
    update_id: int
    payload: dict[str, Any]
    chat_id: int | None
    attempts: int


# Reads, in the transaction that leases updates, what their handlers would otherwise each
# read in a transaction of their own (the sender's row). It runs inside the transaction's
# unit (on SQLite, on the database thread) and returns what to do once it has committed.
Committed = Callable[[], None]
ReadAlong = Callable[[Connection, Sequence[InboxItem]], Committed]


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Intake:
    """What `take_in` did: how many updates were new, and those leased to the caller."""

    new: int
    leased: list[InboxItem]


class InboxService:
    def __init__(self, sessions: SessionFactory, clock: Clock, lease: timedelta = LEASE) -> None:
        self._sessions = sessions
        self._engine = engine_of(sessions)  # the hot statements run on a bare connection
        self._clock = clock
        self._lease = lease  # how long a dead worker's claim blocks its chat

    async def store(self, updates: Iterable[dict[str, Any]]) -> int:
        """Insert updates, ignoring those we already have (same id, same content); returns
        how many were new."""
        return (await self.take_in(list(updates))).new

    async def take_in(
        self,
        updates: Sequence[dict[str, Any]],
        finished: Sequence[Finished] = (),
        lease_now: int = 0,
        read_along: ReadAlong | None = None,
    ) -> Intake:
        """Store updates and lease up to `lease_now` of them to the caller in the same
        transaction, so the usual update costs one transaction before its handler runs.

        The new updates are inserted pending, then claimed by the claim's own rule (only a
        chat's oldest unfinished update), restricted to them: a chat with an update in hand
        or waiting, and a chat's later updates in the batch, wait their turn. The insert
        takes SQLite's write lock before that check; on PostgreSQL the batch's chats are
        locked for the transaction first, so two instances storing one chat's updates at the
        same moment cannot both lease theirs. `finished` updates are marked first, as in
        `claim`, and `read_along` reads what the leased updates' handlers will need first.

        An id already stored is looked at only when the insert skipped it (rare: one
        statement per batch otherwise): the same content is Telegram sending it again, other
        content a new update after Telegram restarted its ids (`_reused_ids`).
        """
        now = self._clock.now()
        by_id: dict[int, dict[str, Any]] = {}
        for u in updates:
            by_id.setdefault(int(u["update_id"]), u)
        chats = {update_id: chat_of(u) for update_id, u in by_id.items()}
        rows = [
            {
                "update_id": update_id,
                "payload": json.dumps(u, ensure_ascii=False),
                "chat_id": chats[update_id],
                "state": "pending",
                "attempts": 0,
                "received_at": now,
            }
            for update_id, u in sorted(by_id.items())
        ]
        lease = {"limit": lease_now, "now": now, "claim_until": now + self._lease}

        def store(connection: Connection) -> tuple[Intake, Committed]:
            _finish(connection, finished, now)
            if not rows:
                return Intake(0, []), _nothing
            postgres = connection.dialect.name == "postgresql"
            if postgres and lease_now > 0:
                keys = sorted({c % 2_147_483_647 for c in chats.values() if c is not None})
                connection.execute(LOCK_CHATS, {"keys": keys})
            insert_new = STORE_POSTGRES if postgres else STORE_SQLITE
            inserted = list(connection.scalars(insert_new, rows))
            if len(inserted) < len(rows):  # ids we have: sent again, or restarted
                inserted += _reused_ids(connection, insert_new, rows, inserted)
            inserted.sort()
            leased: list[InboxItem] = []
            if inserted and lease_now > 0:
                for r in connection.execute(CLAIM_AMONG, {**lease, "ids": inserted}):
                    leased.append(InboxItem(r.update_id, by_id[r.update_id], r.chat_id, 1))
            committed = _nothing
            if leased and read_along is not None:
                committed = read_along(connection, leased)
            leased.sort(key=lambda item: item.update_id)
            return Intake(len(inserted), leased), committed

        intake, committed = await units.run(self._engine, store)
        committed()
        return intake

    async def claim(
        self,
        limit: int = 50,
        finished: Sequence[Finished] = (),
        read_along: ReadAlong | None = None,
    ) -> list[InboxItem]:
        """Lease the oldest pending (or abandoned) update of each chat, oldest first.

        Only a chat's oldest unfinished update can be claimed, so one chat's updates run one
        at a time and in order, whichever worker or instance claims them. One UPDATE ...
        RETURNING on SQLite; on PostgreSQL the rows are picked FOR UPDATE SKIP LOCKED first.

        `finished` updates are marked done (or failed) first, in the same transaction: the
        worker finishes what it handled with its next claim, one transaction instead of two
        per update, and a chat's next update is claimable in that very claim.
        """
        now = self._clock.now()
        if limit <= 0:
            if finished:
                await units.run(self._engine, lambda connection: _finish(connection, finished, now))
            return []
        claim = {"now": now, "limit": limit, "claim_until": now + self._lease}
        dead: list[Finished] = []

        def lease(connection: Connection) -> tuple[list[InboxItem], Committed]:
            _finish(connection, finished, now)
            items: list[InboxItem] = []
            while len(items) < limit:
                wanted = {**claim, "limit": limit - len(items)}
                if connection.dialect.name == "postgresql":
                    ids = list(connection.scalars(PICK, wanted))
                    if not ids:
                        break
                    rows = connection.execute(CLAIM_PICKED, {**wanted, "ids": ids})
                else:  # one statement: SQLite's write lock keeps other claimers out meanwhile
                    rows = connection.execute(CLAIM_OLDEST, wanted)
                undecodable = len(dead)
                for r in rows:
                    payload = _decoded(r.payload)
                    if isinstance(payload, dict):
                        items.append(InboxItem(r.update_id, payload, r.chat_id, r.attempts))
                    else:
                        dead.append(Finished(r.update_id, f"cannot be decoded: {payload}"))
                if len(dead) == undecodable:
                    break
                # Kept as failed at once, alone; their chats' next updates are due now.
                _finish(connection, dead[undecodable:], now)
            committed = _nothing
            if items and read_along is not None:
                committed = read_along(connection, items)
            return sorted(items, key=lambda item: item.update_id), committed

        items, committed = await units.run(self._engine, lease)
        for given_up in dead:
            log.warning("inbox: update %s kept as failed: %s", given_up.update_id, given_up.error)
        committed()
        return items

    async def finish(self, update_id: int, error: str | None = None) -> None:
        """Done (or given up on, with the reason): never claimed again."""
        done = [Finished(update_id, error)]
        now = self._clock.now()
        await units.run(self._engine, lambda connection: _finish(connection, done, now))

    async def housekeep(self, *, vacuum: bool) -> int:
        """Forget done updates older than RETENTION (returns how many); with `vacuum`, on
        PostgreSQL, also vacuum and analyze the table.

        Every update leaves two dead row versions behind (pending → processing → done), and
        on PostgreSQL each stays in the indexes until VACUUM: the claim rule then walks them
        all. Autovacuum may be off or slow to come (it was off on the benchmark's server,
        where p99 grew from 75 ms to 3 s over five minutes at 180 updates a second, and
        stayed at 28–86 ms with a VACUUM every five seconds), so the worker asks for one
        after every so many updates. SKIP_LOCKED: if another instance is vacuuming it, that
        will do."""
        before = self._clock.now() - RETENTION
        async with self._engine.begin() as connection:
            purged = int((await connection.execute(PURGE, {"before": before})).rowcount or 0)
            newest = await connection.scalar(NEWEST_DONE_AT)
            if newest is not None and newest < before:  # ids restarted lower, under these
                purged += int(
                    (await connection.execute(PURGE_NEWEST, {"before": before})).rowcount or 0
                )
        if vacuum and self._engine.dialect.name == "postgresql":
            async with self._engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.exec_driver_sql(VACUUM_INBOX)
        return purged

    async def release(self, update_ids: Iterable[int]) -> None:
        """Give claimed rows back (on shutdown) so another worker takes them at once."""
        async with self._sessions.begin() as db:
            await db.execute(
                update(m.InboxUpdate)
                .execution_options(**CORE)
                .where(m.InboxUpdate.update_id.in_(list(update_ids)))
                .where(m.InboxUpdate.state == "processing")
                .values(state="pending", lease_until=None)
            )

    async def is_finished(self, update_id: int) -> bool:
        async with self._sessions() as db:
            state = await db.scalar(
                select(m.InboxUpdate.state).where(m.InboxUpdate.update_id == update_id)
            )
            return state in ("done", "failed")

    async def counts(self) -> dict[str, int]:
        async with self._sessions() as db:
            rows = await db.execute(
                select(m.InboxUpdate.state, func.count()).group_by(m.InboxUpdate.state)
            )
            return {state: int(n) for state, n in rows.all()}

    async def last_update_id(self) -> int | None:
        async with self._sessions() as db:
            value = await db.scalar(select(func.max(m.InboxUpdate.update_id)))
            return int(value) if value is not None else None


# The claim's statements, built once (building them per claim cost more CPU than running
# them). Only a chat's oldest unfinished update qualifies, and only while no other update of
# the chat is in hand (a later one that arrived first, say); an abandoned lease counts as
# pending.
INBOX = cast(Table, m.InboxUpdate.__table__)
_row, _earlier, _other = INBOX.alias("row"), INBOX.alias("earlier"), INBOX.alias("other")
_NOW = bindparam("now", type_=INBOX.c.lease_until.type)
_OLDEST = (
    select(_row.c.update_id)
    .where(
        or_(
            _row.c.state == "pending",
            and_(
                _row.c.state == "processing",
                _row.c.lease_until < _NOW,
            ),
        ),
        ~exists().where(
            _earlier.c.chat_id == _row.c.chat_id,
            _earlier.c.update_id < _row.c.update_id,
            _earlier.c.state.in_(("pending", "processing")),
        ),
        ~exists().where(
            _other.c.chat_id == _row.c.chat_id,
            _other.c.state == "processing",
            _other.c.lease_until >= _NOW,
            _other.c.update_id != _row.c.update_id,
        ),
    )
    .order_by(_row.c.update_id)
    .limit(bindparam("limit", type_=Integer))
)
_LEASED = {
    "state": "processing",
    "lease_until": bindparam("claim_until", type_=INBOX.c.lease_until.type),
    "attempts": INBOX.c.attempts + 1,
}
_CLAIMED = (INBOX.c.update_id, INBOX.c.payload, INBOX.c.chat_id, INBOX.c.attempts)
PICK = _OLDEST.with_for_update(skip_locked=True)  # PostgreSQL, then CLAIM_PICKED
CLAIM_PICKED = (
    update(INBOX)
    .where(INBOX.c.update_id.in_(bindparam("ids", expanding=True)))
    .values(_LEASED)
    .returning(*_CLAIMED)
)
CLAIM_OLDEST = (
    update(INBOX)
    .where(INBOX.c.update_id.in_(_OLDEST.scalar_subquery()))
    .values(_LEASED)
    .returning(*_CLAIMED)
)
# Storing: the new updates that may be handled at once (the claim's rule, among them), and
# on PostgreSQL a per-chat lock held to the commit.
CLAIM_AMONG = (
    update(INBOX)
    .where(
        INBOX.c.update_id.in_(
            _OLDEST.where(_row.c.update_id.in_(bindparam("ids", expanding=True))).scalar_subquery()
        )
    )
    .values(_LEASED)
    .returning(*_CLAIMED)
)
# One INSERT for any batch: SQLAlchemy sends the rows as one multi-row statement
# ("insertmanyvalues"). SQLAlchemy compiles an ON CONFLICT clause afresh on every execution
# (it has no cache key), so SQLite gets the cacheable `INSERT OR IGNORE` spelling.
STORE_SQLITE = insert(INBOX).prefix_with("OR IGNORE").returning(INBOX.c.update_id)
STORE_POSTGRES = pg_insert(INBOX).on_conflict_do_nothing().returning(INBOX.c.update_id)
LOCK_CHATS = text(
    "SELECT count(pg_advisory_xact_lock(:space, k)) FROM unnest(CAST(:keys AS integer[])) AS k"
).bindparams(space=0x5359)  # two-key locks: a key space apart from the sender's lock
_FINISHED_AT = bindparam("finished", type_=INBOX.c.finished_at.type)
MARK_DONE = (
    update(INBOX)
    .where(INBOX.c.update_id.in_(bindparam("done", expanding=True)))
    .values(state="done", finished_at=_FINISHED_AT, lease_until=None, error=None)
)
# The oldest done rows, at most PURGE_BATCH of them along (state, update_id), and of those the
# ones finished before the cutoff. Limiting before filtering bounds the work: filtering first
# would walk every done row of the retention window (50,000 in a benchmark run, each purge)
# looking for more, holding SQLite's write lock meanwhile. Ids grow with time, so when the
# oldest are not due, none are; except after Telegram restarted its ids at a lower value:
# the updates from before then lie above the new ones, and PURGE_NEWEST takes them from the
# top, when the newest done row is due (one step along the index to find out). The row is
# checked again itself: on PostgreSQL a store may have given its id to a new update meanwhile
# (`_reused_ids`), and the recheck of an updated row does not run the subquery again.
_BEFORE = bindparam("before", type_=INBOX.c.finished_at.type)


def _purge(newest: bool) -> Delete:
    order = INBOX.c.update_id.desc() if newest else INBOX.c.update_id
    done = (
        select(INBOX.c.update_id, INBOX.c.finished_at)
        .where(INBOX.c.state == "done")
        .order_by(order)
        .limit(PURGE_BATCH)
        .subquery("newest_done" if newest else "oldest_done")
    )
    return INBOX.delete().where(
        INBOX.c.update_id.in_(select(done.c.update_id).where(done.c.finished_at < _BEFORE)),
        INBOX.c.state == "done",
        INBOX.c.finished_at < _BEFORE,
    )


PURGE = _purge(newest=False)
PURGE_NEWEST = _purge(newest=True)
NEWEST_DONE_AT = (
    select(INBOX.c.finished_at)
    .where(INBOX.c.state == "done")
    .order_by(INBOX.c.update_id.desc())
    .limit(1)
)
# A stored update whose id came again: what it is, to tell Telegram's resending (same content)
# from a new update after its ids restarted; locked on PostgreSQL until the commit.
_TAKEN = select(INBOX.c.update_id, INBOX.c.state, INBOX.c.payload).where(
    INBOX.c.update_id.in_(bindparam("ids", expanding=True))
)
TAKEN_SQLITE, TAKEN_POSTGRES = _TAKEN, _TAKEN.with_for_update()
# A finished update's id given to a new one: the row starts again as the new update.
REUSE = (
    update(INBOX)
    .where(
        INBOX.c.update_id == bindparam("reused"),
        INBOX.c.state.in_(("done", "failed")),
    )
    .values(
        payload=bindparam("payload"),
        chat_id=bindparam("chat_id"),
        state="pending",
        attempts=0,
        received_at=bindparam("received_at"),
        lease_until=None,
        finished_at=None,
        error=None,
    )
)
VACUUM_INBOX = f"VACUUM (ANALYZE, SKIP_LOCKED) {INBOX.name}"
MARK_FAILED = (
    update(INBOX)
    .where(INBOX.c.update_id == bindparam("failed"))
    .values(state="failed", finished_at=_FINISHED_AT, lease_until=None, error=bindparam("why"))
)


def _reused_ids(
    connection: Connection,
    insert_new: Insert,
    rows: Sequence[dict[str, Any]],
    inserted: Sequence[int],
) -> list[int]:
    """The ids among `rows` the insert skipped that are new updates all the same (returns
    them, now stored pending): a finished update with other content gives its id up, since
    Telegram numbered anew (after a week without updates, or for another bot token on this
    database; the playground's fake every run). The same content is Telegram sending an
    update again after a lost confirmation: skipped. Other content under an unfinished
    update raises `UpdateIdInUse` (the transaction is rolled back: nothing stored)."""
    skipped = set(inserted)
    taken = [row for row in rows if row["update_id"] not in skipped]
    postgres = connection.dialect.name == "postgresql"
    statement = TAKEN_POSTGRES if postgres else TAKEN_SQLITE
    ids = [row["update_id"] for row in taken]
    stored = {r.update_id: r for r in connection.execute(statement, {"ids": ids})}
    reused: list[int] = []
    gone: list[dict[str, Any]] = []
    for row in taken:
        old = stored.get(row["update_id"])
        if old is None:  # purged since the insert (PostgreSQL): insert it after all
            gone.append(row)
        elif old.payload == row["payload"]:
            continue
        elif old.state not in ("done", "failed"):
            raise UpdateIdInUse(row["update_id"])
        else:
            connection.execute(
                REUSE,
                {
                    "reused": row["update_id"],
                    "payload": row["payload"],
                    "chat_id": row["chat_id"],
                    "received_at": row["received_at"],
                },
            )
            reused.append(row["update_id"])
    if gone:
        reused += connection.scalars(insert_new, gone)
    return reused


def _decoded(payload: str) -> dict[str, Any] | str:
    """A stored update, or why it cannot be read back (stored by an older release, or by
    hand): such a row is given up on alone, instead of failing every claim."""
    try:
        update = json.loads(payload)
    except (ValueError, RecursionError) as error:
        return f"{type(error).__name__}: {str(error)[:200]}"
    return update if isinstance(update, dict) else "not a JSON object"


def _finish(connection: Connection, finished: Sequence[Finished], now: datetime) -> None:
    done = [f.update_id for f in finished if f.error is None]
    if done:  # one statement for every success
        connection.execute(MARK_DONE, {"done": done, "finished": now})
    for failed in (f for f in finished if f.error is not None):
        connection.execute(
            MARK_FAILED, {"failed": failed.update_id, "finished": now, "why": failed.error}
        )


def sender_of(update: dict[str, Any]) -> int | None:
    """Who sent the update (its `from`); None for updates without a sender."""
    for key, value in update.items():
        sender = _id_of(value.get("from")) if isinstance(value, dict) else None
        if key != "update_id" and sender is not None:
            return sender
    return None


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to, for per-chat ordering; None when it has none.

    Updates without a chat (an inline query) are ordered with their sender's private chat:
    a user's keystrokes in inline mode are answered in the order typed, and never at the same
    time as their private chat's update, so the sender's first contact is recorded once."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = _id_of(value.get("chat") or (value.get("message") or {}).get("chat"))
        if chat is None:
            chat = _id_of(value.get("from"))
        if chat is not None:
            return chat
    return None


def _id_of(thing: Any) -> int | None:
    """The `id` of a chat or user object in an update, if it is one."""
    if isinstance(thing, dict) and isinstance(thing.get("id"), int):
        found = int(thing["id"])
        return found if -LARGEST_ID <= found <= LARGEST_ID else None  # fits the column
    return None
