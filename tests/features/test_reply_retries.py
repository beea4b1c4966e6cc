"""A reply Telegram refused for a moment (429, 5xx) still reaches the user: it is sent again
within a short budget, like the outbox's messages. Only when the budget runs out does the
user get the apology, in their language. Sending again never doubles a message Telegram
accepted, except after a timeout, where the outbox's rule holds: one extra copy at most."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot
from telegram.error import BadRequest, RetryAfter

from bot.sandbox.fake_bot_api import FakeBotApi
from bot.telegram.request import REPLY_RETRY, AiohttpRequest, RetryPolicy, call_api
from tests.harness import BotHarness, text_of

APOLOGY = "Sorry, something went wrong on my side."


@pytest.mark.parametrize(
    ("error_code", "retry_after"), [(429, 1), (500, None), (502, None)], ids=str
)
async def test_five_users_asking_at_once_all_get_their_answer_through_a_refusal(
    bot: BotHarness, error_code: int, retry_after: int | None
) -> None:
    users = [bot.user(2001 + i, f"Guest {i}") for i in range(5)]
    bot.fake.inject("sendMessage", error_code=error_code, retry_after=retry_after, times=5)

    replies = await asyncio.gather(*(bot.send(user, "Mariam Obeid") for user in users))

    for user, messages in zip(users, replies, strict=True):
        assert [text_of(m) for m in messages] == [text_of(messages[0])]  # one message each
        assert text_of(messages[0]).startswith("Mariam Obeid speaks in 3 sessions")
        assert APOLOGY not in text_of(bot.fake.last_message(user.id))
    refused = [c for c in bot.fake.calls if c.method == "sendMessage" and not c.ok]
    assert len(refused) == 5  # Telegram did refuse them, and each was sent again


async def test_a_button_press_survives_a_refused_edit_and_answer(bot: BotHarness) -> None:
    user = bot.user()
    [days] = await bot.send(user, "/programme")
    bot.fake.inject("answerCallbackQuery", error_code=429, retry_after=1)
    bot.fake.inject("editMessageText", error_code=500)

    [page] = await bot.press(user, days, "Day 1")

    assert page.message_id == days.message_id  # edited in place all the same
    assert "Day 1 · Sat, Mar 14" in text_of(page)
    assert len(bot.fake.callback_answers(user.id)) == 1
    assert len(bot.fake.messages(user.id)) == 1  # no apology, no second copy


async def test_an_inline_answer_survives_a_server_error(bot: BotHarness) -> None:
    user = bot.user()
    bot.fake.inject("answerInlineQuery", error_code=500)

    answer = await bot.inline(user, "climate")

    assert answer.results


async def test_a_wait_longer_than_the_budget_ends_in_the_translated_apology(
    bot: BotHarness,
) -> None:
    user = bot.user(2101, "Nour", lang="ar")
    bot.fake.inject("sendMessage", error_code=429, retry_after=60)

    [reply] = await bot.send(user, "Mariam Obeid")

    assert text_of(reply) == "عذرًا، حدث خطأ من جهتي. يُرجى المحاولة مرة أخرى بعد قليل."
    refused = [c for c in bot.fake.calls if c.method == "sendMessage" and not c.ok]
    assert len(refused) == 1  # a wait beyond the budget is not waited for


async def test_a_server_failing_every_attempt_ends_in_the_apology(bot: BotHarness) -> None:
    user = bot.user()
    bot.fake.inject("sendMessage", error_code=500, times=REPLY_RETRY.attempts)

    [reply] = await bot.send(user, "Mariam Obeid")

    assert text_of(reply).startswith(APOLOGY)
    refused = [c for c in bot.fake.calls if c.method == "sendMessage" and not c.ok]
    assert len(refused) == REPLY_RETRY.attempts


async def test_a_refused_edit_whose_press_was_answered_apologises_in_the_chat(
    bot: BotHarness,
) -> None:
    user = bot.user()
    [days] = await bot.send(user, "/programme")
    bot.fake.inject("editMessageText", error_code=500, times=REPLY_RETRY.attempts)

    messages = await bot.press(user, days, "Day 1")

    assert [text_of(m) for m in messages] == [
        "Sorry, something went wrong on my side. Please try again in a moment."
    ]


# --------------------------------------------------------------- the transport's own rules


async def test_without_a_policy_a_refusal_is_raised_at_once(fake: FakeBotApi) -> None:
    user = fake.user(7101, "Ben")
    fake.inject("sendMessage", error_code=429, retry_after=1)
    async with Bot(fake.token, base_url=fake.base_url, request=AiohttpRequest()) as bot:
        with pytest.raises(RetryAfter):
            await call_api(bot, "sendMessage", {"chat_id": user.id, "text": "hi"})
    assert fake.messages(user.id) == []


async def test_a_bad_request_is_never_sent_again(fake: FakeBotApi) -> None:
    user = fake.user(7102, "Chen")
    request = AiohttpRequest(retry=REPLY_RETRY)
    async with Bot(fake.token, base_url=fake.base_url, request=request) as bot:
        with pytest.raises(BadRequest, match=r"(?i)empty"):
            await call_api(bot, "sendMessage", {"chat_id": user.id, "text": " "})
    assert len([c for c in fake.calls if c.method == "sendMessage"]) == 1


async def test_a_timed_out_send_is_sent_again_at_most_once_more(fake: FakeBotApi) -> None:
    """The outbox's rule: a send that timed out may have arrived; sending it again is at
    most one extra copy per timeout (docs/delivery.md, "Duplicates")."""
    user = fake.user(7103, "Dana")
    fake.inject_delay("sendMessage", 2.5)  # answered late, but the message is delivered
    request = AiohttpRequest(read_timeout=1.0, retry=RetryPolicy(attempts=2, budget=10.0))
    async with Bot(fake.token, base_url=fake.base_url, request=request) as bot:
        await call_api(bot, "sendMessage", {"chat_id": user.id, "text": "hello"})
        await asyncio.sleep(2.5)  # the delayed first call lands too
    assert [m.text for m in fake.messages(user.id)] == ["hello", "hello"]


async def test_an_upload_refused_for_a_moment_is_sent_whole_again(fake: FakeBotApi) -> None:
    user = fake.user(7104, "Eli")
    fake.inject("sendDocument", error_code=502)
    payload = b"session,start\n" * 100
    request = AiohttpRequest(retry=REPLY_RETRY)
    async with Bot(fake.token, base_url=fake.base_url, request=request) as bot:
        await bot.send_document(user.id, payload, filename="agenda.csv")
    [sent] = fake.messages(user.id)
    assert sent.document == payload
