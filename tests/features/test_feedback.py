"""After a session ends, attendees who had it in their agenda are asked to rate it (1-5 and an
optional comment) in their language; the linked speakers get a summary once the feedback
window closes; organizers see the figures in /stats and export them as CSV.

The session is "Business Models for Independent Arabic Digital Media", 11:45-12:30 on
Saturday 14 March (Kuala Lumpur), with Mariam Obeid and Karim Mansour. The window is the
default three hours, so it closes at 15:30. Time is the harness's FrozenClock.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import models as m
from bot.domain.outbox_kinds import FEEDBACK_PROMPT
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser, SentMessage
from tests.conftest import ADMIN
from tests.features.test_cli import cli
from tests.features.test_reminders import (
    ARABIC_TITLE,
    ENGLISH_TITLE,
    arrivals,
    bookmark,
    deliver,
    expected,
    expected_n,
    labels,
    local,
    outbox_rows,
    session_id,
)
from tests.features.test_speakers import link
from tests.harness import BotHarness, text_of

HOW_WAS = "⭐ How was <b>{title}</b>?"
YOUR_RATING = "✅ Your rating: {stars} ({rating} of 5)"
CLOSED = "⌛ Feedback for this session is closed."
RATED_BY = ("👥 {n} attendee rated it.", "👥 {n} attendees rated it.")
TOO_LONG = (
    "✂️ That is too long: a comment can have at most {n} character. "
    "Please shorten it and send it again.",
    "✂️ That is too long: a comment can have at most {n} characters. "
    "Please shorten it and send it again.",
)
MORE = ("… and {n} more comment", "… and {n} more comments")
RATING_BUTTONS = ["1⭐", "2⭐", "3⭐", "4⭐", "5⭐"]


@pytest.fixture
async def bot(fake: FakeBotApi, sample_db: str, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    async with BotHarness.running(fake, sample_db, clock, admins=frozenset({ADMIN})) as harness:
        yield harness


async def prompt_after_the_end(bot: BotHarness, user: FakeUser) -> SentMessage:
    """Plan (as the planner does every minute), then deliver at the session's end."""
    await bot.runtime.planner.run_once()
    sent = await arrivals(bot, user, local(12, 30))
    prompts = [s for s in sent if "1⭐" in labels(s)]
    assert len(prompts) == 1, [text_of(s) for s in sent]
    return prompts[0]


async def bookmark_business_models(bot: BotHarness, user: FakeUser) -> SentMessage:
    """Find the session, open its card and add it to the agenda, in the user's language."""
    titles = {"ar": "نماذج", "ur": "کاروباری ماڈل"}
    label = titles.get(user.language_code or "en", "Business Models")
    return await bookmark(bot, user, "Business Models Arabic", label)


async def answers(bot: BotHarness) -> list[m.Feedback]:
    async with bot.runtime.services.sessions() as db:
        return list(await db.scalars(select(m.Feedback).order_by(m.Feedback.id)))


async def at(bot: BotHarness, hour: int, minute: int = 0) -> None:
    bot.clock.set(local(hour, minute))
    await deliver(bot)


# --- the prompt -----------------------------------------------------------------------------
async def test_agenda_holders_get_one_prompt_in_their_language_after_the_end(
    bot: BotHarness,
) -> None:
    arabic, english = bot.user(4001, "Layla", lang="ar"), bot.user(4002, "Amina", lang="en")
    stranger = bot.user(4003, "Omar", lang="ur")
    await bookmark_business_models(bot, arabic)
    await bookmark_business_models(bot, english)
    await bot.send(stranger, "/start")
    await bot.runtime.planner.run_once()

    early = await arrivals(bot, arabic, local(12, 29))
    arabic_prompt = await prompt_after_the_end(bot, arabic)
    [english_prompt] = [s for s in bot.fake.messages(english.id) if "1⭐" in labels(s)]
    await bot.runtime.planner.run_once()  # idempotent: nothing is asked twice
    await at(bot, 12, 40)

    assert [s for s in early if "1⭐" in labels(s)] == []
    assert text_of(arabic_prompt).splitlines()[0] == await expected(
        bot, "ar", HOW_WAS, title=ARABIC_TITLE
    )
    assert "12:30" in text_of(arabic_prompt) and "15:30" in text_of(arabic_prompt)
    assert labels(arabic_prompt) == RATING_BUTTONS
    assert all(line.startswith("\u200f") for line in (arabic_prompt.text or "").split("\n") if line)
    assert text_of(english_prompt).splitlines()[0] == f"⭐ How was {ENGLISH_TITLE}?"
    assert "Rate it from 1 (poor) to 5 (excellent)." in text_of(english_prompt)
    assert [s for s in bot.fake.messages(stranger.id) if "1⭐" in labels(s)] == []
    assert len([s for s in bot.fake.messages(arabic.id) if "1⭐" in labels(s)]) == 1
    assert len(await outbox_rows(bot, FEEDBACK_PROMPT)) == 2


async def test_a_rating_is_saved_shown_and_changed_in_one_row(bot: BotHarness) -> None:
    user = bot.user(4010, "Layla", lang="ar")
    await bookmark_business_models(bot, user)
    prompt = await prompt_after_the_end(bot, user)

    [rated] = await bot.press(user, prompt, "4⭐")
    toast = bot.fake.callback_answers(user.id)[-1]["text"]
    [changed] = await bot.press(user, rated, "2⭐")

    assert await expected(bot, "ar", YOUR_RATING, stars="⭐⭐⭐⭐", rating="4") in text_of(rated)
    assert "✅ 4⭐" in labels(rated)
    assert await expected(bot, "ar", "💬 Add a comment") in labels(rated)
    assert toast == await expected(bot, "ar", "Thank you! Your rating is saved.")
    assert await expected(bot, "ar", YOUR_RATING, stars="⭐⭐", rating="2") in text_of(changed)
    assert "✅ 2⭐" in labels(changed) and "✅ 4⭐" not in labels(changed)
    assert changed.message_id == prompt.message_id  # edited in place, not a new message
    assert [(a.user_id, a.rating) for a in await answers(bot)] == [(user.id, 2)]


async def test_a_comment_is_typed_replaced_limited_and_cancellable(bot: BotHarness) -> None:
    user = bot.user(4020, "Omar", lang="ur")
    await bookmark_business_models(bot, user)
    prompt = await prompt_after_the_end(bot, user)
    [rated] = await bot.press(user, prompt, "5⭐")

    [question] = await bot.press(user, rated, await expected(bot, "ur", "💬 Add a comment"))
    [too_long] = await bot.send(user, "ب" * 1001)
    [saved] = await bot.send(user, "  بہت  اچھا\tسیشن\u202e!\x07  ")
    [again] = await bot.press(user, saved, await expected(bot, "ur", "💬 Change my comment"))
    [cancelled] = await bot.send(user, "/cancel")
    await bot.send(user, "Business Models Arabic")  # a search again, not a comment
    [kept] = await answers(bot)
    await bot.press(user, saved, await expected(bot, "ur", "💬 Change my comment"))
    [replaced] = await bot.send(user, "Clear slides")

    assert "1,000" in text_of(question) or "1000" in text_of(question)
    assert text_of(too_long) == await expected_n(bot, "ur", TOO_LONG, 1000)
    assert text_of(saved).splitlines()[0] == await expected(
        bot, "ur", "💬 Thank you! Your comment is saved."
    )
    assert await expected(bot, "ur", "💬 Your comment: {comment}", comment="بہت اچھا سیشن!") in (
        text_of(saved)
    )
    assert "/cancel" in text_of(again)
    assert text_of(cancelled) == await expected(
        bot, "ur", "Your comment was not added. Your rating is kept."
    )
    assert kept.comment == "بہت اچھا سیشن!"
    assert "Clear slides" in text_of(replaced)
    [answer] = await answers(bot)
    assert (answer.rating, answer.comment) == (5, "Clear slides")


async def test_after_the_window_closes_presses_are_refused_and_nothing_changes(
    bot: BotHarness,
) -> None:
    user = bot.user(4030, "Amina", lang="en")
    await bookmark_business_models(bot, user)
    prompt = await prompt_after_the_end(bot, user)
    [rated] = await bot.press(user, prompt, "3⭐")
    await bot.press(user, rated, "Add a comment")

    bot.clock.set(local(15, 30))
    [closed] = await bot.press(user, rated, "5⭐")
    [late_comment] = await bot.send(user, "Too late?")

    assert text_of(closed) == CLOSED
    assert bot.fake.callback_answers(user.id)[-1]["text"] == CLOSED
    assert text_of(late_comment) == CLOSED
    [answer] = await answers(bot)
    assert (answer.rating, answer.comment) == (3, None)


async def test_a_session_card_offers_rating_only_after_the_end_to_agenda_holders(
    bot: BotHarness,
) -> None:
    holder, other = bot.user(4040, "Amina"), bot.user(4041, "Omar")
    before = await bookmark_business_models(bot, holder)
    bot.clock.set(local(12, 40))

    [found] = await bot.send(holder, "Business Models Arabic")
    [card] = await bot.press(holder, found, "Business Models")
    [opened] = await bot.press(holder, card, "Rate this session")
    [found_other] = await bot.send(other, "Business Models Arabic")
    [card_other] = await bot.press(other, found_other, "Business Models")
    bot.clock.set(local(15, 31))
    [found_late] = await bot.send(holder, "Business Models Arabic")
    [card_late] = await bot.press(holder, found_late, "Business Models")

    assert "⭐ Rate this session" not in labels(before)
    assert labels(card)[0] == "⭐ Rate this session"
    assert text_of(opened).splitlines()[0] == f"⭐ How was {ENGLISH_TITLE}?"
    assert labels(opened) == RATING_BUTTONS
    assert "⭐ Rate this session" not in labels(card_other)
    assert "⭐ Rate this session" not in labels(card_late)


async def test_nobody_is_asked_about_a_cancelled_session_nor_blocked_users(
    bot: BotHarness,
) -> None:
    cancelled_fan, blocked = bot.user(4070, "Amina"), bot.user(4071, "Omar")
    await bookmark_business_models(bot, cancelled_fan)
    await bookmark_business_models(bot, blocked)
    async with bot.runtime.services.sessions.begin() as db:
        row = await db.get(m.User, blocked.id)
        assert row is not None
        row.blocked = True
    await bot.runtime.planner.run_once()  # the blocked user gets no row

    await bot.runtime.services.programme.change_session(await session_id(bot), cancelled=True)
    sent = await arrivals(bot, cancelled_fan, local(12, 30))

    assert [s for s in sent if "1⭐" in labels(s)] == []
    rows = await outbox_rows(bot, FEEDBACK_PROMPT)
    assert [(r.recipient_id, r.state) for r in rows] == [(cancelled_fan.id, "skipped")]


async def test_a_moved_session_is_rated_after_its_new_end(bot: BotHarness) -> None:
    user = bot.user(4080, "Amina")
    await bookmark_business_models(bot, user)
    await bot.runtime.planner.run_once()
    await bot.runtime.services.programme.change_session(
        await session_id(bot), starts_at=local(12, 45)
    )
    await bot.runtime.planner.run_once()

    at_old_end = await arrivals(bot, user, local(12, 30))
    at_new_end = await arrivals(bot, user, local(13, 30))

    assert [s for s in at_old_end if "1⭐" in labels(s)] == []
    [prompt] = [s for s in at_new_end if "1⭐" in labels(s)]
    assert "12:45" in text_of(prompt) and "16:30" in text_of(prompt)


# --- after downtime -------------------------------------------------------------------------
async def test_after_downtime_a_prompt_is_still_sent_while_the_window_is_open(
    bot: BotHarness,
) -> None:
    user = bot.user(4050, "Layla", lang="ar")
    await bookmark_business_models(bot, user)

    bot.clock.set(local(14, 50))  # the bot was down from 10:15 until now: nothing was planned
    await bot.runtime.planner.run_once()
    sent = await arrivals(bot, user, local(14, 50))
    [prompt] = [s for s in sent if "1⭐" in labels(s)]
    [rated] = await bot.press(user, prompt, "5⭐")

    assert text_of(prompt).splitlines()[0] == await expected(bot, "ar", HOW_WAS, title=ARABIC_TITLE)
    assert await expected(bot, "ar", YOUR_RATING, stars="⭐" * 5, rating="5") in text_of(rated)


async def test_after_downtime_a_prompt_is_dropped_once_the_window_has_closed(
    bot: BotHarness,
) -> None:
    user = bot.user(4060, "Amina")
    await bookmark_business_models(bot, user)
    await bot.runtime.planner.run_once()  # planned before the end, due at 12:30

    bot.clock.set(local(15, 31))  # the dispatcher was down from before 12:30 until now
    await bot.runtime.planner.run_once()
    sent = await arrivals(bot, user, local(15, 31))

    assert [s for s in sent if "1⭐" in labels(s)] == []
    [row] = await outbox_rows(bot, FEEDBACK_PROMPT)
    assert row.state == "skipped" and "closed" in (row.last_error or "")


# --- the speaker's summary ------------------------------------------------------------------
async def test_the_speaker_gets_an_escaped_summary_when_the_window_closes(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN, "Admin")
    mariam = bot.user(4101, "Mariam", lang="ur")
    first, second = bot.user(4102, "Amina"), bot.user(4103, "Layla", lang="ar")
    await bot.send(admin, "/start")
    await link(bot, mariam, admin, "mariam-obeid")
    for attendee in (first, second):
        await bookmark_business_models(bot, attendee)
    first_prompt = await prompt_after_the_end(bot, first)
    [second_prompt] = [s for s in bot.fake.messages(second.id) if "1⭐" in labels(s)]
    [rated] = await bot.press(first, first_prompt, "5⭐")
    await bot.press(first, rated, "Add a comment")
    await bot.send(first, "<b>Great</b> & <script>alert(1)</script>")
    [rated_ar] = await bot.press(second, second_prompt, "4⭐")
    await bot.press(second, rated_ar, await expected(bot, "ar", "💬 Add a comment"))
    await bot.send(second, "عرض رائع")

    detail = await bot.runtime.services.schedule.session(await session_id(bot), "ur")
    assert detail is not None
    heading = await expected(bot, "ur", "📝 Feedback on <b>{title}</b>", title=detail.title)
    before_close = await arrivals(bot, mariam, local(15, 29))
    [summary] = [s for s in await arrivals(bot, mariam, local(15, 30)) if heading in text_of(s)]

    text = text_of(summary)
    assert [s for s in before_close if heading in text_of(s)] == []
    assert text.splitlines()[0] == heading
    assert await expected_n(bot, "ur", RATED_BY, 2) in text
    assert await expected(bot, "ur", "⭐ Average: {average} out of 5", average="4.5") in text
    assert "⭐⭐⭐⭐⭐: 1\n⭐⭐⭐⭐: 1\n⭐⭐⭐: 0\n⭐⭐: 0\n⭐: 0" in text
    assert "• <b>Great</b> & <script>alert(1)</script>" in text  # shown as typed, not markup
    assert "&lt;script&gt;" in (summary.text or "")
    assert "• عرض رائع" in text
    assert "Amina" not in text and "Layla" not in text  # anonymous
    assert all(line.startswith("\u200f") for line in (summary.text or "").split("\n") if line)


async def test_a_summary_with_no_answers_says_so_and_many_comments_are_trimmed(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN, "Admin")
    karim, mariam = bot.user(4201, "Karim"), bot.user(4202, "Mariam", lang="ar")
    await bot.send(admin, "/start")
    await link(bot, karim, admin, "karim-mansour")
    await link(bot, mariam, admin, "mariam-obeid")
    await bot.runtime.planner.run_once()
    [empty] = [
        s
        for s in await arrivals(bot, karim, local(15, 30))
        if text_of(s).startswith(f"📝 Feedback on {ENGLISH_TITLE}")
    ]

    # Forty attendees each left a long comment on another of Karim's sessions.
    panel = await karim_session(bot, exclude=await session_id(bot))
    async with bot.runtime.services.sessions.begin() as db:
        session = await db.get(m.Session, panel)
        assert session is not None
        ends = session.ends_at
        for n in range(40):
            uid = 5000 + n
            db.add(m.User(id=uid, display_name=f"A{n}", first_seen=ends, last_seen=ends))
            await db.flush()
            db.add(
                m.Feedback(
                    session_id=panel,
                    user_id=uid,
                    rating=1 + n % 5,
                    comment=f"{n:02d} " + "x" * 300,
                    created_at=ends,
                    updated_at=ends,
                )
            )
    await bot.runtime.planner.run_once()
    bot.clock.set(ends + timedelta(hours=3))
    summaries = [
        s for s in await arrivals(bot, karim, bot.clock.now()) if "Feedback on" in text_of(s)
    ]

    assert await expected(
        bot, "en", "Nobody rated this session while feedback was open."
    ) in text_of(empty)
    [summary] = summaries
    text = text_of(summary)
    assert "👥 40 attendees rated it." in text
    assert "⭐ Average: 3.0 out of 5" in text
    shown = text.count("• ")
    assert 5 < shown < 40
    assert text.splitlines()[-1] == await expected_n(bot, "en", MORE, 40 - shown)
    assert len((summary.text or "").encode("utf-16-le")) // 2 <= 4096


async def karim_session(bot: BotHarness, exclude: int) -> int:
    async with bot.runtime.services.sessions() as db:
        found = await db.scalar(
            select(m.Session.id)
            .join(m.SessionSpeaker, m.SessionSpeaker.session_id == m.Session.id)
            .join(m.Speaker, m.Speaker.id == m.SessionSpeaker.speaker_id)
            .where(m.Speaker.key == "karim-mansour", m.Session.id != exclude)
            .order_by(m.Session.starts_at)
        )
    assert found is not None
    return found


# --- organizers -----------------------------------------------------------------------------
async def test_stats_show_ratings_per_session_best_first(bot: BotHarness) -> None:
    admin = bot.user(ADMIN, "Admin")
    first, second = bot.user(4301, "Amina"), bot.user(4302, "Omar")
    await bot.send(admin, "/start")
    for attendee in (first, second):
        await bookmark_business_models(bot, attendee)
    first_prompt = await prompt_after_the_end(bot, first)
    [second_prompt] = [s for s in bot.fake.messages(second.id) if "1⭐" in labels(s)]
    await bot.press(first, first_prompt, "4⭐")
    await bot.press(second, second_prompt, "3⭐")
    tools = await session_id(bot, "d1-workshop-verify-video")
    async with bot.runtime.services.sessions.begin() as db:
        session = await db.get(m.Session, tools)
        assert session is not None
        db.add(
            m.Feedback(
                session_id=tools,
                user_id=first.id,
                rating=5,
                created_at=session.ends_at,
                updated_at=session.ends_at,
            )
        )

    [report] = await bot.send(admin, "/stats")
    [arabic] = await bot.send(bot.user(ADMIN, "Admin", lang="ar"), "/stats")

    lines = text_of(report).splitlines()
    start = lines.index("📝 Feedback")
    assert lines[start + 1] == "3 ratings in all"
    assert lines[start + 2].endswith(": 5.0 (1 rating)")
    assert lines[start + 2].startswith("5 tools")
    assert lines[start + 3] == f"{ENGLISH_TITLE}: 3.5 (2 ratings)"
    assert await expected_n(bot, "ar", ("{n} rating in all", "{n} ratings in all"), 3) in (
        text_of(arabic)
    )


async def test_the_feedback_export_is_anonymous_with_a_bom_and_defused_formulas(
    bot: BotHarness, tmp_path: Path
) -> None:
    user = bot.user(4401, "Amina Rahman")
    await bookmark_business_models(bot, user)
    prompt = await prompt_after_the_end(bot, user)
    [rated] = await bot.press(user, prompt, "4⭐")
    await bot.press(user, rated, "Add a comment")
    await bot.send(user, '=HYPERLINK("http://evil") great')

    url = bot.runtime.settings.database_url
    result = await asyncio.to_thread(
        cli, "export", "feedback", "--format", "csv", cwd=tmp_path, DATABASE_URL=url
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    assert rows[0] == ["session_key", "session_title", "starts", "rating", "comment", "updated_at"]
    [row] = rows[1:]
    assert row[0] == "d1-talk-arabic-digital-models"
    assert row[1] == ARABIC_TITLE  # the title as submitted (the session is in Arabic)
    assert row[2] == "2026-03-14T11:45:00+08:00"
    assert row[3] == "4"
    assert row[4] == '\'=HYPERLINK("http://evil") great'
    assert row[5] == local(12, 30).astimezone(UTC).astimezone(local(0).tzinfo).isoformat()
    assert "Amina" not in result.stdout and str(user.id) not in result.stdout


async def test_a_typed_comment_goes_to_the_feedback_dialogue_alone(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The profile names the dialogue under way, so no other flow is asked (a transaction
    each) whether the text is theirs."""
    user = bot.user(4021, "Siti")
    await bookmark_business_models(bot, user)
    prompt = await prompt_after_the_end(bot, user)
    [rated] = await bot.press(user, prompt, "4⭐")
    await bot.press(user, rated, await expected(bot, "en", "💬 Add a comment"))
    services = bot.runtime.services

    async def not_asked(*args: object, **kwargs: object) -> None:
        raise AssertionError("another dialogue was asked about a feedback comment")

    for service, method in (
        (services.registration, "answer"),
        (services.broadcasts, "receive"),
        (services.questions, "answer"),
    ):
        monkeypatch.setattr(service, method, not_asked)
    [saved] = await bot.send(user, "Clear and useful")

    assert text_of(saved).splitlines()[0] == await expected(
        bot, "en", "💬 Thank you! Your comment is saved."
    )
    [answer] = await answers(bot)
    assert answer.comment == "Clear and useful"
