"""PTB's Bot on our aiohttp backend answers like on its own: Telegram's errors become PTB's
exceptions, a slow answer a timeout, an unreachable server a network error, and uploads
arrive whole."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, HTTPXRequest

from bot.sandbox.fake_bot_api import FakeBotApi
from bot.telegram.request import AiohttpRequest, call_api


@pytest.fixture
async def ptb(fake: FakeBotApi) -> AsyncIterator[Bot]:
    bot = Bot(
        fake.token,
        base_url=fake.base_url,
        request=AiohttpRequest(read_timeout=0.5),
        get_updates_request=AiohttpRequest(),
    )
    async with bot:
        yield bot


async def test_a_message_reaches_the_chat_with_its_markup(ptb: Bot, fake: FakeBotApi) -> None:
    user = fake.user(7001, "Amina")
    sent = await ptb.send_message(user.id, "<b>Hello</b> &amp; welcome", parse_mode="HTML")
    assert sent.message_id == fake.messages(user.id)[-1].message_id
    assert fake.messages(user.id)[-1].text == "<b>Hello</b> &amp; welcome"


async def test_non_latin_text_and_a_keyboard_arrive_unchanged(ptb: Bot, fake: FakeBotApi) -> None:
    user = fake.user(7005, "Aisha")
    text = '\u2068جلسة الافتتاح\u2069 · 09:00 — \u2068Dewan Tun Razak\u2069 "quoted" \\ 😀'
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("احجز", callback_data="s:12:book")]])
    await ptb.send_message(user.id, text, reply_markup=keyboard, disable_notification=True)
    shown = fake.messages(user.id)[-1]
    assert shown.text == text
    assert shown.button_texts() == ["احجز"]
    assert fake.calls[-1].params["disable_notification"] is True


@pytest.mark.parametrize("backend", [AiohttpRequest, HTTPXRequest])
async def test_a_call_with_plain_json_parameters_works_on_either_backend(
    fake: FakeBotApi, backend: type[BaseRequest]
) -> None:
    user = fake.user(7006, "Bilal")
    markup = {"inline_keyboard": [[{"text": "کل", "callback_data": "d:2"}]]}
    async with Bot(fake.token, base_url=fake.base_url, request=backend()) as bot:
        sent = await call_api(
            bot,
            "sendMessage",
            {"chat_id": user.id, "text": "<b>آج</b>", "parse_mode": "HTML", "reply_markup": markup},
        )
        with pytest.raises(BadRequest):
            await call_api(bot, "sendMessage", {"chat_id": user.id, "text": ""})
    assert sent["message_id"] == fake.messages(user.id)[-1].message_id
    assert fake.messages(user.id)[-1].text == "<b>آج</b>"
    assert fake.messages(user.id)[-1].button_texts() == ["کل"]


@pytest.mark.parametrize(
    ("code", "raised"),
    [(400, BadRequest), (403, Forbidden), (429, RetryAfter)],
)
async def test_telegram_errors_become_ptb_exceptions(
    ptb: Bot, fake: FakeBotApi, code: int, raised: type[Exception]
) -> None:
    user = fake.user(7002, "Ben")
    fake.inject("sendMessage", error_code=code, retry_after=3 if code == 429 else None)
    with pytest.raises(raised) as caught:
        await ptb.send_message(user.id, "hi")
    if isinstance(caught.value, RetryAfter):
        assert str(caught.value) == "Flood control exceeded. Retry in 3 seconds"


async def test_a_slow_answer_is_a_timeout(ptb: Bot, fake: FakeBotApi) -> None:
    user = fake.user(7003, "Chen")
    fake.inject_delay("sendMessage", 2.0)
    with pytest.raises(TimedOut):
        await ptb.send_message(user.id, "hi")


async def test_an_unreachable_server_is_a_network_error() -> None:
    async with AiohttpRequest() as request:  # nothing listens on the discard port
        with pytest.raises(NetworkError):
            await request.post("http://127.0.0.1:9/bot123:abc/getMe")


async def test_an_upload_arrives_whole(ptb: Bot, fake: FakeBotApi) -> None:
    user = fake.user(7004, "Dana")
    payload = b"session,start\nkeynote,09:00\n" * 200
    sent = await ptb.send_document(user.id, payload, filename="programme.csv")
    assert sent.document is not None
    assert sent.document.file_name == "programme.csv"
    assert sent.document.file_size == len(payload)
