""" "Delete my data": every copy of what a person told the bot or is called, not only the
registration (issue #16).

`erase_person` runs in the caller's transaction (the registration service's, which also
blanks the registration row and gives seats back first):

- **inbox**: the raw updates of their chat (names, username, everything typed, the badge
  code) go once handled; the update being handled now (the very "Yes, delete" press) keeps
  its row, which the worker marks done, with only its id left in the payload, so it still
  decodes; later updates of the chat are new messages, handled as they come. Others'
  handled updates that carry the person's user id (a forwarded message of theirs) or badge
  code (an organizer's "/checkin CODE") keep only their id too.
- **users**: the Telegram name and username are blanked (their next update records them
  again: whoever keeps writing to the bot is known to it); language, role and settings stay.
- **conversations**: any dialogue under way (a registration draft, a comment, a question).
- **agenda**: bookmarks, reservations left (seats were given back first), and what was
  planned for them (reminders, schedule changes, the morning summary).
- **questions to speakers** they asked are deleted (votes with them), and so are their votes
  on others'; **feedback** keeps the rating (anonymous figures) without the comment.
- **searches** (`asked_questions`) they typed are deleted: a search may hold their own name
  or e-mail, and the organizers' list of unanswered questions counts what others asked.
- **outbox**: what was sent to them keeps its row (figures, and the key that stops a
  reminder being sent twice) but not its payload nor Telegram's error text.
- **audit log**: entries stay (who did what, when), but an attempt of theirs that was
  refused loses its subject and detail (a file name, a code they typed), and a check-in of
  their badge loses the code; entries naming them by id show "user 123" from now on.

On SQLite the database runs with `secure_delete` (`bot/db/engine.py`), so deleted bytes are
zeroed, and `checkpoint_sqlite` then folds the write-ahead log into the file and truncates
it, since the log's older frames still hold the pages as they were. PostgreSQL keeps dead
row versions until VACUUM, and WAL and backups for as long as they are kept:
`docs/deploy.md`, "Privacy and erasure".
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from sqlalchemy import String, and_, cast, delete, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db import models as m
from bot.db.engine import SQLITE_LOCK_TIMEOUT
from bot.domain.organizer_views import CODE_SUBJECTS
from bot.domain.outbox_kinds import DIGEST, REMINDER, SCHEDULE_CHANGE
from bot.services.asked import forget as forget_searches
from bot.services.outbox import CANCELLED, FAILED, SENT, SKIPPED
from bot.services.reminders import cancel_for_user

log = logging.getLogger(__name__)

PLANNED_KINDS = (REMINDER, SCHEDULE_CHANGE, DIGEST)  # nothing left to remind them of
_FINISHED_SENDS = (SENT, FAILED, SKIPPED, CANCELLED)
CHECKPOINT_BUSY_MS = 200  # how long the checkpoint waits for readers, per attempt
CHECKPOINT_ATTEMPTS = 5


async def erase_person(db: AsyncSession, user_id: int, codes: Collection[str] = ()) -> None:
    """Everything above, in the caller's transaction. `codes`: the badge codes the person
    had (read before the registration row is blanked)."""
    inbox = m.InboxUpdate
    handled = inbox.state.in_(("done", "failed"))
    # Read before the first write (on SQLite the write lock is taken then): others' handled
    # updates that name the person (a message of theirs forwarded, their user id in it) or
    # a code of theirs (an organizer's "/checkin CODE").
    mentions = [inbox.payload.contains(f'"id": {user_id}{end}') for end in (",", "}")]
    mentions += [inbox.payload.contains(code) for code in codes]
    others = list(
        await db.scalars(
            select(inbox.update_id).where(
                handled, or_(inbox.chat_id.is_(None), inbox.chat_id != user_id), or_(*mentions)
            )
        )
    )
    await db.execute(delete(inbox).where(inbox.chat_id == user_id, handled))
    only_id = literal('{"update_id": ') + cast(inbox.update_id, String) + literal("}")
    await db.execute(
        update(inbox)
        .where(
            or_(
                and_(inbox.chat_id == user_id, inbox.state == "processing"),
                and_(inbox.update_id.in_(others), handled),
            )
        )
        .values(payload=only_id)
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(m.User)
        .where(m.User.id == user_id)
        .values(display_name="", username=None)
        .execution_options(synchronize_session=False)
    )
    await db.execute(delete(m.Conversation).where(m.Conversation.user_id == user_id))
    await db.execute(delete(m.Bookmark).where(m.Bookmark.user_id == user_id))
    await db.execute(delete(m.Reservation).where(m.Reservation.user_id == user_id))
    await cancel_for_user(db, user_id, PLANNED_KINDS)
    asked = select(m.Question.id).where(m.Question.author_id == user_id)
    await db.execute(
        delete(m.QuestionVote).where(
            or_(m.QuestionVote.user_id == user_id, m.QuestionVote.question_id.in_(asked))
        )
    )
    await db.execute(delete(m.Question).where(m.Question.author_id == user_id))
    await db.execute(
        update(m.Feedback)
        .where(m.Feedback.user_id == user_id, m.Feedback.comment.is_not(None))
        .values(comment=None)
        .execution_options(synchronize_session=False)
    )
    await forget_searches(db, user_id)
    await db.execute(
        update(m.OutboxMessage)
        .where(
            m.OutboxMessage.recipient_id == user_id,
            m.OutboxMessage.state.in_(_FINISHED_SENDS),
        )
        .values(payload="{}", last_error=None)
        .execution_options(synchronize_session=False)
    )
    audit = m.AuditEntry
    await db.execute(
        update(audit)
        .where(audit.actor_id == user_id, audit.outcome == "refused")
        .values(subject="", detail="")
        .execution_options(synchronize_session=False)
    )
    if codes:
        await db.execute(
            update(audit)
            .where(audit.action.in_(CODE_SUBJECTS), audit.subject.in_(sorted(codes)))
            .values(subject="")
            .execution_options(synchronize_session=False)
        )


async def checkpoint_sqlite(engine: AsyncEngine) -> bool:
    """SQLite: copy the write-ahead log into the database and truncate it, so the log's
    older frames (the pages before the erasure) are gone too. Each attempt waits at most
    CHECKPOINT_BUSY_MS for readers, so writers are never held up for long; False if every
    attempt found the database busy (the log is truncated at a later checkpoint, or when
    the last connection closes). Nothing to do on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return True
    async with engine.connect() as connection:
        await connection.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_BUSY_MS}")
        try:
            for _ in range(CHECKPOINT_ATTEMPTS):
                result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                row = result.first()
                if row is not None and row[0] == 0:
                    return True
        finally:
            restore = int(SQLITE_LOCK_TIMEOUT * 1000)
            await connection.exec_driver_sql(f"PRAGMA busy_timeout={restore}")
            await connection.rollback()
    log.warning("the write-ahead log could not be truncated after an erasure (busy)")
    return False
