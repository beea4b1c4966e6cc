"""Attendees ask questions on a session's card and upvote each other's; organizers hide
them; the session's speakers and moderator get the ranked list when it starts and on demand
(/questions) and mark questions answered. Time is the harness's FrozenClock (10:15 on day 1;
"Business Models…" runs 11:45-12:30, the audience panel 15:30-16:30)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db import models as m
from bot.domain.outbox_kinds import QUESTIONS_START
from bot.i18n import strip_bidi
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser, SentMessage
from tests.features.test_reminders import (
    arrivals,
    expected,
    expected_n,
    labels,
    local,
    outbox_rows,
    session_id,
)
from tests.features.test_speakers import link
from tests.harness import BotHarness, text_of

ADMIN = 900
TITLE_WORD = {"ar": "نماذج", "ur": "کاروباری", "en": "Business Models"}
PANEL = "d1-panel-audience-revenue"  # Mariam speaks, Kamran moderates
PANEL_TITLE = "Newsletters, Podcasts and Short Video: What Audiences Really Pay For"
PROMPT = (
    "✍️ Type your question for <b>{title}</b> in one message, at most {n} character.",
    "✍️ Type your question for <b>{title}</b> in one message, at most {n} characters.",
)
TOO_LONG = (
    "✂️ A question can be at most {n} character long, and yours has {length}. "
    "Please shorten it and send it again.",
    "✂️ A question can be at most {n} characters long, and yours has {length}. "
    "Please shorten it and send it again.",
)
AT_START = (
    "🎤 <b>{title}</b> is starting. The audience asked {n} question, most wanted first:",
    "🎤 <b>{title}</b> is starting. The audience asked {n} questions, most wanted first:",
)
VOTES = ("      👍 {n} vote", "      👍 {n} votes")


@pytest.fixture
async def bot(fake: FakeBotApi, sample_db: str, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    async with BotHarness.running(fake, sample_db, clock, admins=frozenset({ADMIN})) as harness:
        yield harness


def lang(user: FakeUser) -> str:
    return user.language_code or "en"


async def card(bot: BotHarness, user: FakeUser, key: str = "business") -> SentMessage:
    """Search, then open the session's card from the results."""
    if key == "panel":
        [found] = await bot.send(user, "Newsletters Podcasts Short Video")
        [opened] = await bot.press_data(user, found, f"ses:{await session_id(bot, PANEL)}:x")
        return opened
    [found] = await bot.send(user, "Business Models Arabic")
    [opened] = await bot.press(user, found, TITLE_WORD[lang(user)])
    return opened


async def ask(bot: BotHarness, user: FakeUser, text: str, key: str = "business") -> SentMessage:
    """Press "Ask a question" on the card, type the question: the bot's answer."""
    opened = await card(bot, user, key)
    label = await expected(bot, lang(user), "✍️ Ask a question")
    [_prompt] = await bot.press(user, opened, label)
    [answer] = await bot.send(user, text)
    return answer


async def board(bot: BotHarness, user: FakeUser, key: str = "business") -> SentMessage:
    opened = await card(bot, user, key)
    [shown] = await bot.press(user, opened, await expected(bot, lang(user), "❓ Questions"))
    return shown


async def question_ids(bot: BotHarness) -> dict[str, int]:
    async with bot.runtime.services.sessions() as db:
        return {q.text: q.id for q in await db.scalars(select(m.Question))}


def toast(bot: BotHarness, user: FakeUser) -> str:
    return strip_bidi(bot.fake.callback_answers(user.id)[-1]["text"])


async def line(bot: BotHarness, locale: str, number: int, text: str, *, done: bool = False) -> str:
    form = "✅ <b>{number}.</b> {text}" if done else "<b>{number}.</b> {text}"
    return await expected(bot, locale, form, number=str(number), text=text)


# --- asking ---------------------------------------------------------------------------------
async def test_attendees_ask_in_arabic_and_english_and_see_the_list_ranked_by_votes(
    bot: BotHarness,
) -> None:
    layla, john = bot.user(4001, "Layla", lang="ar"), bot.user(4002, "John", lang="en")
    arabic = "كيف تحافظون على استقلالية التحرير مع التمويل بالمنح؟"
    english = "Which model worked best for small newsrooms?"

    opened = await card(bot, layla)
    [prompt] = await bot.press(layla, opened, await expected(bot, "ar", "✍️ Ask a question"))
    [added] = await bot.send(layla, arabic)
    await ask(bot, john, english)
    shown = await board(bot, john)
    await bot.press(john, shown, "Upvote 2")  # his own question
    own_toast = toast(bot, john)
    [voted] = await bot.press(john, shown, "Upvote 1")
    arabic_view = await board(bot, layla)

    ar_title = "نماذج الأعمال للإعلام الرقمي العربي المستقل"
    assert text_of(prompt).splitlines()[0] == await expected_n(
        bot, "ar", PROMPT, 280, title=ar_title
    )
    assert labels(prompt) == [await expected(bot, "ar", "✖️ Cancel")]
    assert text_of(added).startswith(
        await expected(bot, "ar", "✅ Thank you! Your question has been added.")
    )
    assert await line(bot, "ar", 1, arabic) in text_of(added).splitlines()
    assert all(x.startswith("\u200f") for x in (added.text or "").split("\n") if x)
    # nobody has voted yet: the oldest first
    assert text_of(shown).splitlines()[3:5] == [
        await line(bot, "en", 1, arabic),
        "      👍 0 votes",
    ]
    assert text_of(shown).splitlines()[5:7] == [
        await line(bot, "en", 2, english),
        "      👍 0 votes · ✍️ your question",
    ]
    assert own_toast == "You cannot upvote your own question."
    assert toast(bot, john) == "👍 Thank you for your vote."
    assert "✔️ Upvoted 1" in labels(voted)
    assert text_of(voted).splitlines()[3:5] == [await line(bot, "en", 1, arabic), "      👍 1 vote"]
    ar_lines = text_of(arabic_view).splitlines()
    assert ar_lines[3] == await line(bot, "ar", 1, arabic)
    mine = await expected(
        bot,
        "ar",
        "{votes} · {mark}",
        votes=await expected_n(bot, "ar", VOTES, 1),
        mark=await expected(bot, "ar", "✍️ your question"),
    )
    assert ar_lines[4] == mine
    assert ar_lines[5] == await line(bot, "ar", 2, english)


async def test_a_question_over_280_characters_is_refused_in_urdu_and_can_be_sent_again(
    bot: BotHarness,
) -> None:
    omar = bot.user(4010, "Omar", lang="ur")
    long_text = "س" * 281

    refused = await ask(bot, omar, long_text)
    stored_after_refusal = await question_ids(bot)
    [retried] = await bot.send(omar, "مختصر سوال\x07 کیا ہے؟")

    assert text_of(refused) == await expected_n(bot, "ur", TOO_LONG, 280, length="281")
    assert labels(refused) == [await expected(bot, "ur", "✖️ Cancel")]
    assert stored_after_refusal == {}
    assert list(await question_ids(bot)) == ["مختصر سوال کیا ہے؟"]  # control character gone
    assert text_of(retried).startswith(
        await expected(bot, "ur", "✅ Thank you! Your question has been added.")
    )


async def test_html_in_a_question_is_shown_as_typed(bot: BotHarness) -> None:
    amina = bot.user(4020, "Amina")
    typed = "Is <b>bold</b> & <script>alert(1)</script> safe?"

    added = await ask(bot, amina, typed)
    speakerless = await board(bot, bot.user(4021, "Ben"))

    assert "1. " + typed in text_of(added).splitlines()
    assert "1. " + typed in text_of(speakerless).splitlines()
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;" in (added.text or "")


async def test_cancel_drops_the_question_being_typed(bot: BotHarness) -> None:
    amina = bot.user(4030, "Amina")
    opened = await card(bot, amina)
    await bot.press(amina, opened, "Ask a question")

    [cancelled] = await bot.send(amina, "/cancel")
    [search] = await bot.send(amina, "Business Models Arabic")

    assert text_of(cancelled) == "✖️ Cancelled. Your question was not sent."
    assert await question_ids(bot) == {}
    assert "Business Models" in " ".join(labels(search))  # a search again, not a question


# --- votes ----------------------------------------------------------------------------------
async def test_a_second_upvote_changes_nothing_and_says_so(bot: BotHarness) -> None:
    author, fan = bot.user(4040, "Author"), bot.user(4041, "Fan", lang="ar")
    await ask(bot, author, "What about memberships?")
    shown = await board(bot, fan)

    [once] = await bot.press(
        fan, shown, await expected(bot, "ar", "👍 Upvote {number}", number="1")
    )
    first_toast = toast(bot, fan)
    await bot.press_data(fan, shown, shown.buttons()[0][0]["callback_data"])  # the old button
    second_toast = toast(bot, fan)

    assert first_toast == await expected(bot, "ar", "👍 Thank you for your vote.")
    assert second_toast == await expected(bot, "ar", "You have already upvoted this question.")
    assert await expected_n(bot, "ar", VOTES, 1) in text_of(once)
    async with bot.runtime.services.sessions() as db:
        assert len(list(await db.scalars(select(m.QuestionVote)))) == 1


# --- organizers -----------------------------------------------------------------------------
async def test_an_organizer_hides_a_question_and_an_attendee_cannot(bot: BotHarness) -> None:
    admin, amina, rude = bot.user(ADMIN, "Admin"), bot.user(4050, "Amina"), bot.user(4051, "X")
    await bot.send(admin, "/start")
    await ask(bot, amina, "A fair question")
    await ask(bot, rude, "Something rude")
    rude_id = (await question_ids(bot))["Something rude"]
    await bot.send(admin, f"/promote {amina.id}")
    while_organizer = await board(bot, amina)
    await bot.send(admin, f"/demote {amina.id}")  # her old buttons stay on screen

    attendee_view = await board(bot, amina)
    refused = await bot.press_data(amina, while_organizer, f"qh:{rude_id}:0:x")
    refused_toast = toast(bot, amina)
    organizer_view = await board(bot, admin)
    [hidden] = await bot.press(admin, organizer_view, "Hide 2")
    after = await board(bot, amina)

    assert not any("Hide" in label for label in labels(attendee_view))
    assert refused == [] and refused_toast == "Sorry, only organizers can do that."
    assert "🙈 Hide 1" in labels(organizer_view) and "🙈 Hide 2" in labels(organizer_view)
    assert toast(bot, admin) == "🙈 The question is hidden from every list."
    assert "Something rude" not in text_of(hidden)
    assert "Something rude" not in text_of(after) and "A fair question" in text_of(after)
    async with bot.runtime.services.sessions() as db:
        audit = [
            (a.action, a.actor_id, a.outcome)
            for a in await db.scalars(
                select(m.AuditEntry).where(m.AuditEntry.action == "question_hide")
            )
        ]
        question = await db.get(m.Question, rude_id)
    assert audit == [("question_hide", amina.id, "refused"), ("question_hide", ADMIN, "ok")]
    assert question is not None and question.hidden_by == ADMIN


# --- speakers -------------------------------------------------------------------------------
async def test_the_speaker_and_the_moderator_get_the_ranked_list_when_the_session_starts(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN, "Admin")
    mariam, kamran = bot.user(4060, "Mariam", lang="ar"), bot.user(4061, "Kamran", lang="en")
    amina, ben, hidden = bot.user(4062, "Amina"), bot.user(4063, "Ben"), bot.user(4064, "Hid")
    await bot.send(admin, "/start")
    await link(bot, mariam, admin, "mariam-obeid")
    await link(bot, kamran, admin, "kamran-butt")
    await ask(bot, amina, "Do paywalls work for podcasts?", "panel")
    await ask(bot, ben, "How do you price newsletters?", "panel")
    await ask(bot, hidden, "Hidden one", "panel")
    await bot.press(admin, await board(bot, admin, "panel"), "Hide 3")
    shown = await board(bot, amina, "panel")
    await bot.press(amina, shown, "Upvote 2")
    await bot.runtime.planner.run_once()
    await bot.runtime.planner.run_once()  # idempotent

    before = await arrivals(bot, kamran, local(15, 29))
    await arrivals(bot, mariam, local(15, 29))
    mariam_before = len(bot.fake.messages(mariam.id))
    at_start = await arrivals(bot, kamran, local(15, 30))
    [to_kamran] = [x for x in at_start if PANEL_TITLE in text_of(x)]  # not other features'
    ar_title = "النشرات البريدية والبودكاست والفيديو القصير: ما الذي يدفع الجمهور مقابله فعلاً"
    [to_mariam] = [  # other features' messages (a feedback summary) arrive at 15:30 too
        x
        for x in bot.fake.messages(mariam.id)[mariam_before:]
        if ar_title in text_of(x) and "👍" in text_of(x)
    ]

    assert not any(PANEL_TITLE in text_of(x) and "starting" in text_of(x) for x in before)
    assert text_of(to_kamran).splitlines() == [
        await expected_n(bot, "en", AT_START, 2, title=PANEL_TITLE),
        "",
        "1. How do you price newsletters?",
        "      👍 1 vote",
        "2. Do paywalls work for podcasts?",
        "      👍 0 votes",
    ]
    assert labels(to_kamran)[:2] == ["✅ Answered 1", "✅ Answered 2"]
    assert text_of(to_mariam).splitlines()[0] == await expected_n(
        bot, "ar", AT_START, 2, title=ar_title
    )
    assert all(x.startswith("\u200f") for x in (to_mariam.text or "").split("\n") if x)
    rows = await outbox_rows(bot, QUESTIONS_START)
    panel = f"session:{await session_id(bot, PANEL)}"
    assert sorted((r.recipient_id, r.state) for r in rows if r.subject == panel) == [
        (mariam.id, "sent"),
        (kamran.id, "sent"),
    ]


async def test_nothing_is_sent_at_the_start_when_nobody_asked(bot: BotHarness) -> None:
    admin, mariam = bot.user(ADMIN, "Admin"), bot.user(4070, "Mariam", lang="ar")
    await bot.send(admin, "/start")
    await link(bot, mariam, admin, "mariam-obeid")
    await bot.runtime.planner.run_once()

    await arrivals(bot, mariam, local(11, 44))  # the speaker's alerts before
    at_start = await arrivals(bot, mariam, local(11, 45))

    assert at_start == []
    business = f"session:{await session_id(bot)}"
    [row] = [r for r in await outbox_rows(bot, QUESTIONS_START) if r.subject == business]
    assert row.state == "skipped" and row.last_error == "nobody asked a question"


async def test_a_speaker_sees_the_questions_on_demand_and_marks_one_answered(
    bot: BotHarness,
) -> None:
    admin, mariam = bot.user(ADMIN, "Admin"), bot.user(4080, "Mariam", lang="en")
    amina, ben = bot.user(4081, "Amina", lang="ur"), bot.user(4082, "Ben")
    await bot.send(admin, "/start")
    await link(bot, mariam, admin, "mariam-obeid")
    await ask(bot, amina, "First question")
    await ask(bot, ben, "Second question")
    await ask(bot, ben, "On the panel", "panel")

    [desk] = await bot.send(mariam, "/questions")
    [answered] = await bot.press(mariam, desk, "Answered 1")
    answered_toast = toast(bot, mariam)
    [panel] = await bot.press(mariam, answered, "🎤 ")
    attendee = await board(bot, amina)
    [not_speaker] = await bot.send(ben, "/questions")

    title = "Business Models for Independent Arabic Digital Media"
    assert text_of(desk).splitlines()[0] == f"🎤 Questions for {title}, most wanted first:"
    assert text_of(desk).splitlines()[2] == "1. First question"
    assert labels(desk)[:2] == ["✅ Answered 1", "✅ Answered 2"]
    assert any(PANEL_TITLE[:20] in label for label in labels(desk))  # her other session
    assert answered_toast == "✅ Marked as answered."
    assert text_of(answered).splitlines()[2:6] == [
        "1. Second question",
        "      👍 0 votes",
        "✅ 2. First question",
        "      👍 0 votes",
    ]
    assert "✅ Answered 2" not in labels(answered) and "✅ Answered 1" in labels(answered)
    assert "On the panel" in text_of(panel) and PANEL_TITLE in text_of(panel)
    ur_lines = text_of(attendee).splitlines()
    assert await line(bot, "ur", 2, "First question", done=True) in ur_lines
    assert not any("2" in x for x in labels(attendee) if "👍" in x)  # no vote on answered
    assert text_of(not_speaker) == await expected(
        bot,
        "en",
        "❓ This lists the audience's questions for speakers. To ask a question yourself, "
        "open a session in the /programme and press “❓ Questions”.",
    )


# --- closed ---------------------------------------------------------------------------------
async def test_questions_close_when_the_session_ends(bot: BotHarness) -> None:
    amina, ben = bot.user(4090, "Amina", lang="ar"), bot.user(4091, "Ben")
    await ask(bot, ben, "Asked in time")
    bot.clock.set(local(12, 29))
    early_card = await card(bot, amina)
    asking = await card(bot, amina)
    await bot.press(amina, asking, await expected(bot, "ar", "✍️ Ask a question"))

    bot.clock.set(local(12, 30))
    [late] = await bot.send(amina, "Too late?")
    late_card = await card(bot, amina)
    await bot.press(amina, early_card, await expected(bot, "ar", "✍️ Ask a question"))
    pressed_toast = toast(bot, amina)
    [listed] = await bot.press(amina, late_card, await expected(bot, "ar", "❓ Questions"))

    closed = await expected(bot, "ar", "🔒 Questions for this session are closed.")
    ask_label = await expected(bot, "ar", "✍️ Ask a question")
    assert ask_label in labels(early_card) and ask_label not in labels(late_card)
    assert await expected(bot, "ar", "❓ Questions") in labels(late_card)
    assert text_of(late) == closed and pressed_toast == closed
    assert text_of(listed).splitlines()[1] == closed
    assert "Asked in time" in text_of(listed)
    assert not any("👍" in label for label in labels(listed))
    assert list(await question_ids(bot)) == ["Asked in time"]


async def test_a_cancelled_session_takes_no_questions(bot: BotHarness) -> None:
    amina = bot.user(4100, "Amina")
    before = await card(bot, amina)
    await bot.runtime.services.programme.change_session(await session_id(bot), cancelled=True)

    opened = await card(bot, amina)
    await bot.press(amina, before, "Ask a question")  # a card opened before the cancellation

    assert "✍️ Ask a question" in labels(before)
    assert not any("Ask" in label or "Questions" in label for label in labels(opened))
    assert toast(bot, amina) == "🔒 Questions for this session are closed."
    async with bot.runtime.services.sessions() as db:
        assert await db.get(m.Conversation, amina.id) is None
