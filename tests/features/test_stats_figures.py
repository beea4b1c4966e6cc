"""/stats counts check-ins, names each delivery state in the reader's language, and leaves
cancelled sessions out of the most bookmarked."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db import models as m
from bot.domain.outbox_kinds import NOTICE
from tests.conftest import ADMIN
from tests.features.test_checkin_and_exports import register
from tests.harness import BotHarness, text_of

LATER = datetime(2027, 1, 1, tzinfo=UTC)  # never due while the test runs


async def outbox_rows(bot: BotHarness, states: dict[str, int]) -> None:
    async with bot.runtime.services.sessions.begin() as db:
        for state, count in states.items():
            for i in range(count):
                db.add(
                    m.OutboxMessage(
                        key=f"test:{state}:{i}",
                        kind=NOTICE,
                        subject=f"test:{i}",
                        recipient_id=5000 + i,
                        locale="en",
                        due_at=LATER,
                        state=state,
                        created_at=LATER,
                    )
                )


async def bookmark(bot: BotHarness, user_id: int, session: m.Session) -> None:
    async with bot.runtime.services.sessions.begin() as db:
        db.add(m.Bookmark(user_id=user_id, session_id=session.id, created_at=LATER))


async def test_stats_count_check_ins(desk: BotHarness) -> None:
    await register(desk, 2001, "Amina", "AAAA2222")
    await register(desk, 2002, "Omar", "BBBB3333")
    await register(desk, 2003, "Nour", "CCCC4444")
    admin = desk.user(ADMIN, "Admin")
    await desk.send(admin, "/checkin AAAA2222")
    await desk.send(admin, "/checkin BBBB3333")

    colleague = desk.user(ADMIN + 1, "Nadia", lang="ar")
    await desk.send(colleague, "/start")
    await desk.send(admin, f"/promote {ADMIN + 1}")

    [report] = await desk.send(admin, "/stats")
    [arabic] = await desk.send(colleague, "/stats")

    assert "🎫 3 registrations" in text_of(report)
    assert "✅ 2 checked in at the desk" in text_of(report)
    [checked] = [x for x in text_of(arabic).splitlines() if x.startswith("✅")]
    assert "checked" not in checked  # Arabic says "two participants" in words


async def test_the_delivery_line_names_each_state_in_the_readers_language(
    desk: BotHarness,
) -> None:
    await outbox_rows(desk, {"pending": 15, "cancelled": 6, "failed": 1})

    [english] = await desk.send(desk.user(ADMIN, "Admin"), "/stats")
    [malay] = await desk.send(desk.user(ADMIN, "Admin", lang="ms"), "/stats")

    line = "📬 Messages from the bot: 15 waiting to be sent, 1 failed, and 6 cancelled"
    assert line in text_of(english)
    [translated] = [x for x in text_of(malay).splitlines() if x.startswith("📬")]
    for raw in ("pending", "cancelled", "failed", "Messages"):
        assert raw not in translated
    assert "15" in translated and "6" in translated


async def test_a_cancelled_session_is_not_among_the_most_bookmarked(desk: BotHarness) -> None:
    await register(desk, 2001, "Amina", "AAAA2222")
    async with desk.runtime.services.sessions.begin() as db:
        first, second = (await db.scalars(select(m.Session).order_by(m.Session.id).limit(2))).all()
        first.cancelled = True
        dropped, kept = first.title, second.title
    for user_id in (1001, 1002):
        desk.user(user_id, "Someone")
        await desk.send(desk.user(user_id, "Someone"), "/start")
        await bookmark(desk, user_id, first)
    await bookmark(desk, 1001, second)

    [report] = await desk.send(desk.user(ADMIN, "Admin"), "/stats")

    top = text_of(report).split("Most bookmarked")[1].split("\n\n")[0]
    assert f"{kept}: 1" in top
    assert dropped not in top
