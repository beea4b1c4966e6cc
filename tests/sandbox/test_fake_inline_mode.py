"""The fake Bot API's inline mode: inline queries as updates, answerInlineQuery as strict as
Telegram's (pending query ids answered once, 50 results, unique 1-64 byte ids, 64-byte
offsets, article texts measured after entity parsing, the results button's rules)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import telegram
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
)
from telegram.error import BadRequest

from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
async def ptb(fake: FakeBotApi) -> AsyncIterator[telegram.Bot]:
    client = telegram.Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
    async with client:
        yield client


async def answer(fake: FakeBotApi, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """answerInlineQuery as raw JSON, to send what PTB would refuse to build."""
    url = f"{fake.base_url}{fake.token}/answerInlineQuery"
    async with aiohttp.ClientSession() as http, http.post(url, json=params) as response:
        return response.status, await response.json()


def article(result_id: str, text: str = "<b>Climate</b> desk", **extra: Any) -> dict[str, Any]:
    return {
        "type": "article",
        "id": result_id,
        "title": "Climate desk",
        "input_message_content": {"message_text": text, "parse_mode": "HTML"},
        **extra,
    }


async def pending_query(fake: FakeBotApi, user: FakeUser, text: str = "climate") -> str:
    update = await fake.send_inline_query(user, text)
    return str(update["inline_query"]["id"])


async def expect_refused(
    fake: FakeBotApi, query_id: str, fragment: str, **params: Any
) -> dict[str, Any]:
    status, body = await answer(fake, {"inline_query_id": query_id, **params})
    assert status == 400, body
    assert body["description"].startswith("Bad Request: ") and fragment in body["description"]
    return body


async def test_an_inline_query_arrives_as_an_update_without_a_chat(fake: FakeBotApi) -> None:
    ann = fake.user(42, "Ann", language_code="ar")

    update = await fake.send_inline_query(ann, "climate", offset="20", chat_type="group")
    [polled] = await fake.hub.get_updates({})

    assert polled == update
    query = update["inline_query"]
    assert query["from"]["language_code"] == "ar"
    assert (query["query"], query["offset"], query["chat_type"]) == ("climate", "20", "group")
    assert "chat" not in query


async def test_the_user_cannot_type_more_than_telegram_allows(fake: FakeBotApi) -> None:
    ann = fake.user(42)
    with pytest.raises(ValueError, match="256"):
        await fake.send_inline_query(ann, "x" * 257)
    with pytest.raises(ValueError, match="chat_type"):
        await fake.send_inline_query(ann, "x", chat_type="forum")
    silent = FakeBotApi(inline_mode=False)
    assert silent.bot_user["supports_inline_queries"] is False
    with pytest.raises(ValueError, match="inline mode is off"):
        await silent.send_inline_query(ann, "x")


async def test_ptb_answers_and_the_test_reads_the_answer_and_the_chosen_message(
    fake: FakeBotApi, ptb: telegram.Bot
) -> None:
    ann = fake.user(42)
    query_id = await pending_query(fake, ann)
    open_button = InlineKeyboardButton("Open", url="https://t.me/symposium_test_bot?start=s-1")
    result = InlineQueryResultArticle(
        "s1",
        "Climate desk",
        InputTextMessageContent("<b>Climate</b> &amp; media", parse_mode="HTML"),
        reply_markup=InlineKeyboardMarkup([[open_button]]),
        description="Sat, Mar 14 · 10:00",
    )

    assert await ptb.answer_inline_query(
        query_id,
        [result],
        cache_time=30,
        is_personal=True,
        next_offset="20",
        button=InlineQueryResultsButton("Ask the bot", start_parameter="inline"),
    )

    [given] = fake.inline_answers(42)
    assert given is fake.inline_answer(query_id)
    assert (given.query, given.next_offset, given.cache_time, given.is_personal) == (
        "climate",
        "20",
        30,
        True,
    )
    assert given.titles() == ["Climate desk"] and given.descriptions() == ["Sat, Mar 14 · 10:00"]
    assert given.button == {"text": "Ask the bot", "start_parameter": "inline"}
    posted = given.chosen(result_id="s1")
    assert posted.plain_text == "Climate & media"
    assert posted.button_texts() == ["Open"]


async def test_telegram_defaults_apply_when_the_bot_leaves_them_out(fake: FakeBotApi) -> None:
    ann = fake.user(42)
    query_id = await pending_query(fake, ann)

    status, body = await answer(fake, {"inline_query_id": query_id, "results": []})

    assert status == 200 and body == {"ok": True, "result": True}
    given = fake.inline_answer(query_id)
    assert given is not None
    assert (given.next_offset, given.cache_time, given.is_personal, given.button) == (
        "",
        300,
        False,
        None,
    )


async def test_an_unknown_or_already_answered_query_id_is_refused(
    fake: FakeBotApi, ptb: telegram.Bot
) -> None:
    ann = fake.user(42)
    await expect_refused(fake, "4711", "query ID is invalid", results=[])
    query_id = await pending_query(fake, ann)
    assert await ptb.answer_inline_query(query_id, [])
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await ptb.answer_inline_query(query_id, [])
    assert fake.inline_answers(42)[0].results == []


async def test_raw_inline_queries_are_answerable(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    sender = {"id": 42, "is_bot": False, "first_name": "A"}
    await fake.send_raw_update(
        {"inline_query": {"id": "raw-1", "from": sender, "query": "y" * 300, "offset": ""}}
    )
    assert await ptb.answer_inline_query("raw-1", [])
    assert fake.inline_answer("raw-1") is not None


async def test_at_most_fifty_results(fake: FakeBotApi) -> None:
    ann = fake.user(42)
    query_id = await pending_query(fake, ann)
    results = [article(f"s{n}") for n in range(51)]

    await expect_refused(fake, query_id, "RESULTS_TOO_MUCH", results=results)

    status, _ = await answer(fake, {"inline_query_id": query_id, "results": results[:50]})
    assert status == 200  # the refused call did not use the query up


async def test_result_ids_are_one_to_64_bytes_and_unique(fake: FakeBotApi) -> None:
    ann = fake.user(42)
    query_id = await pending_query(fake, ann)

    await expect_refused(fake, query_id, "RESULT_ID_DUPLICATE", results=[article("a")] * 2)
    await expect_refused(fake, query_id, "RESULT_ID_INVALID", results=[article("")])
    await expect_refused(fake, query_id, "RESULT_ID_INVALID", results=[article("é" * 33)])
    status, _ = await answer(fake, {"inline_query_id": query_id, "results": [article("é" * 32)]})
    assert status == 200


async def test_next_offset_is_at_most_64_bytes(fake: FakeBotApi) -> None:
    ann = fake.user(42)
    query_id = await pending_query(fake, ann)

    await expect_refused(fake, query_id, "NEXT_OFFSET_INVALID", results=[], next_offset="9" * 65)
    await expect_refused(fake, query_id, "must be non-negative", results=[], cache_time=-1)


async def test_article_texts_follow_the_message_rules(fake: FakeBotApi) -> None:
    ann = fake.user(42)
    query_id = await pending_query(fake, ann)
    long_but_fits = "<b>" + "x" * 4096 + "</b>"  # counted after the tags are parsed

    await expect_refused(fake, query_id, "MESSAGE_TOO_LONG", results=[article("a", "x" * 4097)])
    await expect_refused(fake, query_id, "MESSAGE_EMPTY", results=[article("a", "<b> </b>")])
    await expect_refused(fake, query_id, "can't parse entities", results=[article("a", "<p>x")])
    await expect_refused(fake, query_id, "ARTICLE_TITLE_EMPTY", results=[article("a", title="")])
    await expect_refused(
        fake,
        query_id,
        "can't parse results[0]",
        results=[{k: v for k, v in article("a").items() if k != "title"}],
    )
    await expect_refused(fake, query_id, 'unknown field "colour"', results=[article("a", colour=1)])
    status, _ = await answer(
        fake, {"inline_query_id": query_id, "results": [article("a", long_but_fits)]}
    )
    assert status == 200


async def test_result_keyboards_follow_the_inline_keyboard_rules(fake: FakeBotApi) -> None:
    ann = fake.user(42)
    query_id = await pending_query(fake, ann)

    def with_button(button: dict[str, Any]) -> list[dict[str, Any]]:
        return [article("a", reply_markup={"inline_keyboard": [[button]]})]

    await expect_refused(
        fake,
        query_id,
        "BUTTON_URL_INVALID",
        results=with_button({"text": "Open", "url": "javascript:alert(1)"}),
    )
    await expect_refused(
        fake, query_id, "Text buttons are unallowed", results=with_button({"text": "Open"})
    )
    await expect_refused(
        fake,
        query_id,
        "BUTTON_DATA_INVALID",
        results=with_button({"text": "Open", "callback_data": "x" * 65}),
    )
    await expect_refused(
        fake,
        query_id,
        'unknown field "keyboard" in InlineKeyboardMarkup',
        results=[article("a", reply_markup={"keyboard": [[{"text": "Menu"}]]})],
    )


@pytest.mark.parametrize(
    ("button", "fragment"),
    [
        ({"text": "Ask", "start_parameter": "has space"}, "START_PARAM_INVALID"),
        ({"text": "Ask", "start_parameter": "x" * 65}, "START_PARAM_INVALID"),
        ({"text": "Ask", "start_parameter": ""}, "START_PARAM_INVALID"),
        ({"text": " ", "start_parameter": "inline"}, "BUTTON_TEXT_INVALID"),
        ({"text": "Ask"}, "exactly one of web_app and start_parameter"),
        (
            {"text": "Ask", "start_parameter": "a", "web_app": {"url": "https://x.org"}},
            "exactly one of web_app and start_parameter",
        ),
    ],
)
async def test_the_results_button_needs_text_and_one_valid_action(
    fake: FakeBotApi, button: dict[str, Any], fragment: str
) -> None:
    ann = fake.user(42)
    query_id = await pending_query(fake, ann)
    await expect_refused(fake, query_id, fragment, results=[], button=button)
    web_app = {"text": "Open", "web_app": {"url": "https://example.org/app"}}
    status, body = await answer(
        fake, {"inline_query_id": query_id, "results": [], "button": web_app}
    )
    assert status == 200, body


async def test_inline_queries_reach_a_webhook_in_order_per_sender(fake: FakeBotApi) -> None:
    from aiohttp import web

    received: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = int(runner.addresses[0][1])
    try:
        await fake.hub.set_webhook({"url": f"http://127.0.0.1:{port}/hook"})
        ann = fake.user(42)
        first = await fake.send_inline_query(ann, "cli")
        second = await fake.send_inline_query(ann, "climate")
        assert fake.last_delivery_status == 200
    finally:
        await fake.hub.delete_webhook(drop_pending=True)
        await runner.cleanup()
    assert [u["update_id"] for u in received] == [first["update_id"], second["update_id"]]
    assert json.dumps(received[1]["inline_query"]["query"]) == '"climate"'
