"""Tests of the strict fake Bot API: PTB's encoding is accepted, Telegram's rules enforced.

Why: every end-to-end test of the bot trusts this server, so its strictness, its answers'
shapes and its user-acting API are proven here against the real python-telegram-bot client.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import telegram
from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter, TimedOut
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from bot.sandbox import make_spec
from bot.sandbox.api_spec import SPEC_PATH, ApiSpec
from bot.sandbox.fake_bot_api import FakeBotApi, SentMessage

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x08\x08\x02\x00\x00\x00"
    b"\x00\x00\x00\x00"
)
SPEC = ApiSpec.load()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
async def ptb(fake: FakeBotApi) -> AsyncIterator[telegram.Bot]:
    client = telegram.Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
    async with client:
        yield client


async def call(
    fake: FakeBotApi,
    method: str,
    *,
    data: dict[str, str] | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """A raw HTTP call, to test what PTB would never send."""
    url = f"{fake.base_url}{token or fake.token}/{method}"
    async with aiohttp.ClientSession() as session:
        if body is not None:
            request = session.post(url, json=body, params=query)
        elif data is not None:
            request = session.post(url, data=data, params=query)
        else:
            request = session.get(url, params=query)
        async with request as response:
            return response.status, await response.json()


async def expect_400(fake: FakeBotApi, method: str, data: dict[str, str], fragment: str) -> str:
    status, answer = await call(fake, method, data=data)
    assert status == 400, answer
    assert answer["ok"] is False and answer["error_code"] == 400
    assert answer["description"].startswith("Bad Request: "), answer
    assert fragment in answer["description"], answer
    return str(answer["description"])


def ci(text: str) -> re.Pattern[str]:
    """PTB strips "Bad Request: " and capitalises the rest, so match case-insensitively."""
    return re.compile(re.escape(text), re.IGNORECASE)


def keyboard(*labels: str) -> str:
    rows = [[{"text": label, "callback_data": label}] for label in labels]
    return json.dumps({"inline_keyboard": rows})


# --------------------------------------------------------------------------- the shipped spec
def test_shipped_spec_names_its_source_and_covers_the_methods() -> None:
    raw = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    assert next(iter(raw)) == "source"
    assert raw["source"]["commit"] == "160fd99507e1c7c77e92dc90f5993d724735b51c"
    assert "MIT" in raw["source"]["license"]
    assert raw["version"] == "Bot API 10.1"
    assert set(raw["methods"]) == set(make_spec.METHODS)
    assert SPEC_PATH.parent == Path(make_spec.__file__).parent
    button = {f["name"]: f for f in raw["types"]["InlineKeyboardButton"]["fields"]}
    assert button["callback_data"]["max_bytes"] == 64


def test_shipped_spec_is_up_to_date_with_the_generator() -> None:
    if not make_spec.DEFAULT_SOURCE.exists():
        pytest.skip("upstream api.json not available")
    upstream = json.loads(make_spec.DEFAULT_SOURCE.read_text(encoding="utf-8"))
    assert make_spec.render(make_spec.build(upstream)) == SPEC_PATH.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- PTB round trips
async def test_get_me_is_a_full_bot_user(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    me = await ptb.get_me()
    assert me.is_bot and me.username == "symposium_test_bot"
    assert me.can_join_groups is not None and me.supports_inline_queries is not None
    _status, answer = await call(fake, "getMe")
    SPEC.check_result("getMe", answer["result"])
    for key in ("can_join_groups", "can_read_all_group_messages", "supports_inline_queries"):
        assert key in answer["result"]


async def test_ptb_send_message_html_with_inline_keyboard(
    fake: FakeBotApi, ptb: telegram.Bot
) -> None:
    user = fake.user(42, "Ann")
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="y"),
                InlineKeyboardButton("No", callback_data="n"),
            ]
        ]
    )
    sent = await ptb.send_message(
        user.id, "<b>Hello</b> &amp; welcome 😀", parse_mode="HTML", reply_markup=markup
    )
    assert sent.text == "Hello & welcome 😀"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 5
    assert sent.reply_markup == markup
    assert sent.from_user is not None and sent.from_user.is_bot
    stored = fake.last_message(42)
    assert stored.text == "<b>Hello</b> &amp; welcome 😀"
    assert stored.plain_text == "Hello & welcome 😀"
    assert stored.button_texts() == ["Yes", "No"]
    assert stored.buttons()[0][1] == {"text": "No", "callback_data": "n"}
    assert stored.keyboard_texts() == []
    assert stored.kind == "text" and stored.parse_mode == "HTML"
    second = await ptb.send_message(42, "again")
    assert second.message_id == sent.message_id + 1
    # what PTB sent: form fields, JSON-encoded non-strings
    call_params = fake.calls[-1].params
    assert call_params == {"chat_id": 42, "text": "again"}


async def test_reply_keyboard_labels_and_not_echoed(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    fake.user(5)
    markup = ReplyKeyboardMarkup([[KeyboardButton("📅 Agenda"), "Help"]], resize_keyboard=True)
    sent = await ptb.send_message(5, "menu", reply_markup=markup)
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards
    assert fake.last_message(5).keyboard_texts() == ["📅 Agenda", "Help"]


async def test_ptb_edit_message_text_and_not_modified(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    fake.user(42)
    seen: list[tuple[int, int]] = []
    fake.on_message = lambda m: seen.append((m.message_id, m.edits))
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    sent = await ptb.send_message(42, "v1", reply_markup=markup)
    edited = await ptb.edit_message_text(
        "v2", chat_id=42, message_id=sent.message_id, reply_markup=markup
    )
    assert isinstance(edited, telegram.Message) and edited.edit_date is not None
    with pytest.raises(BadRequest, match=ci("message is not modified")):
        await ptb.edit_message_text(
            "v2", chat_id=42, message_id=sent.message_id, reply_markup=markup
        )
    # as on Telegram, omitting reply_markup removes the inline keyboard
    await ptb.edit_message_text("v2", chat_id=42, message_id=sent.message_id)
    current = fake.last_message(42)
    assert current.text == "v2" and current.reply_markup is None and current.edits == 2
    assert [h["text"] for h in current.history] == ["v1", "v2"]
    with pytest.raises(BadRequest, match=ci("message to edit not found")):
        await ptb.edit_message_text("x", chat_id=42, message_id=999)
    assert seen == [(1, 0), (1, 1), (1, 2)]


async def test_edit_reply_markup_and_delete(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    fake.user(42)
    sent = await ptb.send_message(42, "pick")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    await ptb.edit_message_reply_markup(42, sent.message_id, reply_markup=markup)
    assert fake.last_message(42).button_texts() == ["A"]
    with pytest.raises(BadRequest, match=ci("message is not modified")):
        await ptb.edit_message_reply_markup(42, sent.message_id, reply_markup=markup)
    assert await ptb.delete_message(42, sent.message_id)
    assert fake.messages(42) == []
    assert fake.messages(42, include_deleted=True)[0].deleted
    with pytest.raises(BadRequest, match=ci("message to delete not found")):
        await ptb.delete_message(42, sent.message_id)
    with pytest.raises(BadRequest, match=ci("message to edit not found")):
        await ptb.edit_message_text("x", chat_id=42, message_id=sent.message_id)


async def test_press_button_and_answer_callback_query(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    user = fake.user(42, "Ann")
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("One", callback_data="1")],
            [InlineKeyboardButton("Two", callback_data="2")],
        ]
    )
    await ptb.send_message(42, "choose", reply_markup=markup)
    message = fake.last_message(42)
    update = await fake.press_button(user, message, text="Two")
    SPEC.check(["Update"], update, "update")
    query = update["callback_query"]
    assert query["data"] == "2" and query["from"]["id"] == 42
    assert query["message"]["reply_markup"] == message.reply_markup
    by_index = await fake.press_button(user, message, index=0)
    assert by_index["callback_query"]["data"] == "1"
    with pytest.raises(ValueError, match="no button"):
        await fake.press_button(user, message, text="Three")
    assert await ptb.answer_callback_query(query["id"], text="Picked two")
    assert fake.callback_answers(42) == [{"callback_query_id": query["id"], "text": "Picked two"}]
    with pytest.raises(BadRequest, match=ci("query ID is invalid")):
        await ptb.answer_callback_query(query["id"])
    with pytest.raises(BadRequest, match=ci("MESSAGE_TOO_LONG")):
        await ptb.answer_callback_query(by_index["callback_query"]["id"], text="x" * 201)


async def test_set_my_commands_rules(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    fake.user(42)
    commands = [BotCommand("start", "Start the bot"), BotCommand("my_talks", "Your talks")]
    assert await ptb.set_my_commands(commands)
    assert await ptb.set_my_commands(commands[:1], language_code="de")
    assert await ptb.set_my_commands(commands[1:], scope=BotCommandScopeChat(42))
    assert [c["command"] for c in fake.commands()] == ["start", "my_talks"]
    assert fake.commands("de") == [{"command": "start", "description": "Start the bot"}]
    assert fake.commands(scope="chat:42")[0]["command"] == "my_talks"
    assert [c.command for c in await ptb.get_my_commands(language_code="de")] == ["start"]
    for bad in ("Start", "with-dash", "x" * 33, ""):
        with pytest.raises(BadRequest, match=ci("BOT_COMMAND_INVALID")):
            await ptb.set_my_commands([BotCommand(bad, "desc")])
    with pytest.raises(BadRequest, match=ci("BOT_COMMAND_DESCRIPTION_INVALID")):
        await ptb.set_my_commands([BotCommand("ok", "d" * 257)])
    with pytest.raises(BadRequest, match=ci("BOT_COMMANDS_TOO_MUCH")):
        await ptb.set_my_commands([BotCommand(f"c{i}", "d") for i in range(101)])
    with pytest.raises(BadRequest, match=ci("LANG_CODE_INVALID")):
        await ptb.set_my_commands(commands, language_code="EN")
    assert await ptb.delete_my_commands(language_code="de")
    assert fake.commands("de") == []


async def test_ptb_send_document_get_file_and_download(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    fake.user(42)
    sent = await ptb.send_document(
        42,
        b"name;talk\nAnn;Intro\n",
        filename="talks.csv",
        caption="<i>Export</i>",
        parse_mode="HTML",
    )
    assert sent.document is not None and sent.document.file_name == "talks.csv"
    assert sent.caption == "Export"
    stored = fake.last_message(42)
    assert stored.kind == "document" and stored.document == b"name;talk\nAnn;Intro\n"
    assert stored.filename == "talks.csv" and stored.plain_text == "Export"
    file = await ptb.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"name;talk\nAnn;Intro\n"
    resent = await ptb.send_document(42, sent.document.file_id)
    assert resent.document is not None and resent.document.file_id == sent.document.file_id
    with pytest.raises(BadRequest, match=ci("wrong file identifier")):
        await ptb.send_document(42, "no-such-file-id")
    with pytest.raises(BadRequest, match=ci("invalid file_id")):
        await ptb.get_file("nope")


async def test_send_photo_needs_an_image(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    fake.user(42)
    sent = await ptb.send_photo(42, PNG, caption="badge")
    assert sent.photo[-1].width == 16 and sent.photo[-1].height == 8
    assert fake.last_message(42).kind == "photo"
    with pytest.raises(BadRequest, match=ci("IMAGE_PROCESS_FAILED")):
        await ptb.send_photo(42, b"not an image")
    with pytest.raises(BadRequest, match=ci("caption is too long")):
        await ptb.send_photo(42, PNG, caption="c" * 1025)


async def test_user_document_reaches_bot_and_can_be_downloaded(
    fake: FakeBotApi, ptb: telegram.Bot
) -> None:
    user = fake.user(7)
    update = await fake.send_document(user, "slides.pdf", b"%PDF-1.7", "application/pdf")
    SPEC.check(["Update"], update, "update")
    [received] = await ptb.get_updates()
    assert received.message is not None and received.message.document is not None
    file = await received.message.document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.7"


async def test_misc_methods_via_ptb(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    fake.user(42)
    assert await ptb.send_chat_action(42, "typing")
    assert fake.chat_actions(42) == ["typing"]
    with pytest.raises(BadRequest, match=ci("wrong parameter action")):
        await ptb.send_chat_action(42, "dancing")
    assert await ptb.set_chat_menu_button(42, MenuButtonCommands())
    assert await ptb.set_my_description("Symposium helper", language_code="en")
    assert await ptb.set_my_short_description("Helper")
    with pytest.raises(BadRequest):
        await ptb.set_my_short_description("s" * 121)
    assert await ptb.log_out() and fake.logged_out
    assert await ptb.close() and fake.closed


# --------------------------------------------------------------------------- strictness
async def test_rejects_unknown_missing_and_mistyped_parameters(fake: FakeBotApi) -> None:
    fake.user(42)
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "colour": "red"},
        'unknown parameter "colour"',
    )
    await expect_400(fake, "sendMessage", {"chat_id": "42"}, 'parameter "text" is required')
    await expect_400(
        fake,
        "deleteMessage",
        {"chat_id": "42", "message_id": "first"},
        'parameter "message_id" must be Integer',
    )
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "disable_notification": "yes"},
        "must be Boolean",
    )
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "reply_markup": "{"},
        "can't parse reply_markup",
    )
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "entities": "{}"},
        "expected Array of MessageEntity",
    )
    nested = json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "a", "colour": 1}]]})
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "reply_markup": nested},
        'unknown field "colour"',
    )
    wrong_nested = json.dumps({"inline_keyboard": [[{"text": 5, "callback_data": "a"}]]})
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "reply_markup": wrong_nested},
        "inline_keyboard[0][0].text: expected String",
    )
    scope = json.dumps({"type": "everyone"})
    await expect_400(fake, "setMyCommands", {"commands": "[]", "scope": scope}, "scope")
    await expect_400(fake, "sendMessage", {"chat_id": "777", "text": "x"}, "chat not found")
    await expect_400(fake, "sendMessage", {"chat_id": "@someone", "text": "x"}, "chat not found")
    assert [c.ok for c in fake.calls] == [False] * 11
    assert fake.messages(42) == []


async def test_text_length_is_counted_after_entities_in_utf16(fake: FakeBotApi) -> None:
    fake.user(42)

    async def send(text: str, parse_mode: str | None = None) -> int:
        data = {"chat_id": "42", "text": text}
        if parse_mode:
            data["parse_mode"] = parse_mode
        status, _answer = await call(fake, "sendMessage", data=data)
        return status

    assert await send("a" * 4096) == 200
    assert await send("a" * 4097) == 400
    assert await send("<b>" + "a" * 4096 + "</b>", "HTML") == 200
    assert await send("&amp;" * 4096, "HTML") == 200
    assert await send("😀" * 2048) == 200  # 2 UTF-16 code units each
    assert await send("😀" * 2049) == 400
    await expect_400(fake, "sendMessage", {"chat_id": "42", "text": "a" * 4097}, "too long")
    await expect_400(fake, "sendMessage", {"chat_id": "42", "text": ""}, "message text is empty")
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "<b></b>", "parse_mode": "HTML"},
        "text is empty",
    )
    await expect_400(
        fake, "sendMessage", {"chat_id": "42", "text": "x", "parse_mode": "Markdown3"}, "parse_mode"
    )


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("<b>bold", "Can't find end tag"),
        ("<b>x</i>", "Unmatched end tag"),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<br/>", 'Unsupported start tag "br"'),
        ("1 < 2", "Unclosed start tag"),
        ("1 > 2", 'Unescaped ">"'),
        ("Q&A", 'unescaped "&"'),
        ("&nbsp;", "entity"),
        ("</b>", "Unexpected end tag"),
        ('<span class="x">s</span>', "tg-spoiler"),
    ],
)
async def test_malformed_html_is_refused(fake: FakeBotApi, html: str, fragment: str) -> None:
    fake.user(42)
    description = await expect_400(
        fake, "sendMessage", {"chat_id": "42", "text": html, "parse_mode": "HTML"}, fragment
    )
    assert description.startswith("Bad Request: can't parse entities: ")


async def test_all_telegram_html_tags_are_accepted(fake: FakeBotApi) -> None:
    fake.user(42)
    html = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><a href="https://example.org/?a=1&amp;b=2">a</a>'
        '<code>c</code><pre><code class="language-python">p</code></pre>'
        "<blockquote expandable>q</blockquote><tg-spoiler>t</tg-spoiler>"
        '<span class="tg-spoiler">x</span> &lt;&gt;&quot;&#33;&#x21;'
    )
    status, answer = await call(
        fake, "sendMessage", data={"chat_id": "42", "text": html, "parse_mode": "HTML"}
    )
    assert status == 200, answer
    SPEC.check_result("sendMessage", answer["result"])
    kinds = {e["type"] for e in answer["result"]["entities"]}
    assert {"bold", "italic", "underline", "strikethrough", "text_link", "code", "pre"} <= kinds
    assert {"expandable_blockquote", "spoiler"} <= kinds
    assert answer["result"]["text"].endswith(' <>"!!')


async def test_inline_keyboard_rules(fake: FakeBotApi) -> None:
    fake.user(42)
    long_data = json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "x" * 65}]]})
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "reply_markup": long_data},
        "BUTTON_DATA_INVALID",
    )
    multibyte = json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "é" * 33}]]})
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "reply_markup": multibyte},
        "BUTTON_DATA_INVALID",
    )
    empty = json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": ""}]]})
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "reply_markup": empty},
        "BUTTON_DATA_INVALID",
    )
    ok_data = json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "é" * 32}]]})
    status, _ = await call(
        fake, "sendMessage", data={"chat_id": "42", "text": "x", "reply_markup": ok_data}
    )
    assert status == 200
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "reply_markup": keyboard(*map(str, range(101)))},
        "reply markup is too long",
    )
    text_only = json.dumps({"inline_keyboard": [[{"text": "a"}]]})
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "reply_markup": text_only},
        "Text buttons are unallowed",
    )
    bad_url = json.dumps({"inline_keyboard": [[{"text": "a", "url": "javascript:x"}]]})
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "reply_markup": bad_url},
        "BUTTON_URL_INVALID",
    )


async def test_unknown_method_wrong_token_and_other_encodings(fake: FakeBotApi) -> None:
    fake.user(42)
    status, answer = await call(fake, "sendPoll", data={"chat_id": "42"})
    assert (status, answer) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    status, answer = await call(fake, "getMe", token="123456:WRONG")
    assert (status, answer["description"]) == (401, "Unauthorized")
    status, answer = await call(fake, "sendMessage", body={"chat_id": 42, "text": "json body"})
    assert status == 200 and answer["result"]["text"] == "json body"
    status, answer = await call(fake, "sendMessage", query={"chat_id": "42", "text": "query"})
    assert status == 200 and answer["result"]["text"] == "query"
    status, answer = await call(fake, "getme")  # method names are case-insensitive
    assert status == 200


async def test_wrong_token_reaches_ptb_as_invalid_token(fake: FakeBotApi) -> None:
    client = telegram.Bot("999:OTHER", base_url=fake.base_url)
    with pytest.raises(InvalidToken):
        await client.get_me()


async def test_every_answer_matches_the_spec(fake: FakeBotApi) -> None:
    user = fake.user(42, "Ann", username="ann", last_name="Lee")
    await fake.send_text(user, "/start@symposium_test_bot hello")
    inline = await fake.send_inline_query(user, "climate")
    requests: list[tuple[str, dict[str, str]]] = [
        ("getMe", {}),
        ("answerInlineQuery", {"inline_query_id": inline["inline_query"]["id"], "results": "[]"}),
        ("getUpdates", {}),
        ("getWebhookInfo", {}),
        (
            "sendMessage",
            {
                "chat_id": "42",
                "text": "<i>x</i>",
                "parse_mode": "HTML",
                "reply_markup": keyboard("a"),
            },
        ),
        ("editMessageText", {"chat_id": "42", "message_id": "2", "text": "y"}),
        (
            "editMessageReplyMarkup",
            {"chat_id": "42", "message_id": "2", "reply_markup": keyboard("b")},
        ),
        ("sendDocument", {"chat_id": "42", "document": "https://example.org/a.pdf"}),
        ("sendPhoto", {"chat_id": "42", "photo": "https://example.org/a.png", "caption": "c"}),
        ("setMyCommands", {"commands": json.dumps([{"command": "a", "description": "b"}])}),
        ("getMyCommands", {}),
        ("deleteMyCommands", {}),
        ("setChatMenuButton", {"menu_button": json.dumps({"type": "default"})}),
        ("sendChatAction", {"chat_id": "42", "action": "upload_document"}),
        ("setMyDescription", {"description": ""}),
        ("setMyShortDescription", {"short_description": "s"}),
        ("deleteMessage", {"chat_id": "42", "message_id": "1"}),  # the user's own message
        ("setWebhook", {"url": "http://127.0.0.1:9/hook"}),
        ("getWebhookInfo", {}),
        ("deleteWebhook", {}),
        ("close", {}),
        ("logOut", {}),
    ]
    for method, data in requests:
        status, answer = await call(fake, method, data=data)
        assert status == 200, (method, answer)
        SPEC.check_result(method, answer["result"])
    assert {c.method for c in fake.calls} >= set(make_spec.METHODS) - {
        "answerCallbackQuery",
        "getFile",
    }


# --------------------------------------------------------------------------- getUpdates
async def test_get_updates_long_polls_and_honours_offset(
    fake: FakeBotApi, ptb: telegram.Bot
) -> None:
    user = fake.user(42)
    started = time.monotonic()
    poll = asyncio.create_task(ptb.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    update = await fake.send_text(user, "/start promo")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    [received] = await poll
    assert time.monotonic() - started < 2
    assert received.update_id == update["update_id"]
    assert received.message is not None and received.message.text == "/start promo"
    assert fake.pending_updates() == 1 and fake.acknowledged_update_ids() == set()
    second = await fake.send_text(user, "hi")
    again = await ptb.get_updates(timeout=0)
    assert [u.update_id for u in again] == [update["update_id"], second["update_id"]]
    rest = await ptb.get_updates(offset=update["update_id"] + 1, limit=1)
    assert [u.update_id for u in rest] == [second["update_id"]]
    assert fake.acknowledged_update_ids() == {update["update_id"]}
    assert await ptb.get_updates(offset=second["update_id"] + 1) == ()
    assert fake.pending_updates() == 0
    started = time.monotonic()
    assert await ptb.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9


async def test_second_poller_terminates_the_first(fake: FakeBotApi) -> None:
    # raw HTTP: one PTB Bot cannot even overlap getUpdates (its pool for it has one connection)
    first = asyncio.create_task(call(fake, "getUpdates", data={"timeout": "5"}))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(call(fake, "getUpdates", data={"timeout": "1"}))
    status, answer = await first
    assert status == 409 and "terminated by other getUpdates" in answer["description"]
    assert (await second)[0] == 200


async def test_set_webhook_while_polling_conflicts(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    poll = asyncio.create_task(ptb.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert await ptb.set_webhook("http://127.0.0.1:9/hook")
    assert await poll == ()
    with pytest.raises(Conflict, match=ci("can't use getUpdates method while webhook is active")):
        await ptb.get_updates()


async def test_raw_updates_get_ids_and_allowed_updates_filter(
    fake: FakeBotApi, ptb: telegram.Bot
) -> None:
    assert await fake.send_raw_update({"message": {"bogus": True}}) == 0
    assert await fake.send_raw_update({"update_id": 50, "message": {}}) == 0
    user = fake.user(1)
    later = await fake.send_text(user, "x")
    assert later["update_id"] == 51
    await ptb.get_updates(offset=-1, allowed_updates=["callback_query"])
    assert fake.pending_updates() == 1  # negative offset forgot the older ones
    await fake.send_text(user, "filtered out")
    assert fake.pending_updates() == 1


# --------------------------------------------------------------------------- webhook
class Hook:
    """A tiny webhook receiver answering with scripted statuses."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[int, str | None]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.received.append(
            (update["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status)

    async def __aenter__(self) -> Hook:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


async def test_webhook_gets_updates_with_secret_header(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    user = fake.user(42)
    async with Hook([]) as hook:
        assert await ptb.set_webhook(hook.url, secret_token="s3cr3t_token", max_connections=5)
        assert fake.webhook_url == hook.url and fake.webhook_secret == "s3cr3t_token"
        update = await fake.send_text(user, "hello")
        assert fake.last_delivery_status == 200
        assert hook.received == [(update["update_id"], "s3cr3t_token")]
        assert fake.acknowledged_update_ids() == {update["update_id"]}
        info = await ptb.get_webhook_info()
        assert info.url == hook.url and info.pending_update_count == 0
        with pytest.raises(BadRequest):
            await ptb.set_webhook(hook.url, secret_token="bad token!")


async def test_webhook_non_2xx_is_retried_in_order(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    fake.webhook_retry_delay = 0.02
    user = fake.user(42)
    async with Hook([500, 502]) as hook:
        await ptb.set_webhook(hook.url)
        first = await fake.send_text(user, "one")
        assert fake.last_delivery_status == 500
        assert fake.acknowledged_update_ids() == set()
        second = await fake.send_text(user, "two")
        assert fake.last_delivery_status == 0  # queued behind the failing update
        await fake.wait_for(lambda: fake.pending_updates() == 0, what="webhook drained")
        ids = [update_id for update_id, _secret in hook.received]
        assert ids == [first["update_id"]] * 3 + [second["update_id"]]
        assert fake.acknowledged_update_ids() == {first["update_id"], second["update_id"]}
        info = await ptb.get_webhook_info()
        assert info.last_error_message is not None and "502" in info.last_error_message


async def test_unreachable_webhook_keeps_updates_for_get_updates(
    fake: FakeBotApi, ptb: telegram.Bot
) -> None:
    fake.webhook_retry_delay = 0.01
    user = fake.user(42)
    await ptb.set_webhook("http://127.0.0.1:9/unreachable")
    update = await fake.send_text(user, "lost?")
    assert fake.last_delivery_status == -1 and fake.pending_updates() == 1
    await ptb.delete_webhook()
    [received] = await ptb.get_updates()
    assert received.update_id == update["update_id"]


# --------------------------------------------------------------------------- fault injection
async def test_injected_429_reaches_ptb_as_retry_after(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    fake.user(42)
    fake.user(43)
    fake.inject("sendMessage", error_code=429, retry_after=7, chat_id=42)
    assert (await ptb.send_message(43, "other chat unaffected")).text
    with pytest.raises(RetryAfter) as caught:
        await ptb.send_message(42, "hi")
    # (reading .retry_after warns in PTB 22.8: it is becoming a timedelta)
    assert "Retry in 7 seconds" in str(caught.value)
    assert (await ptb.send_message(42, "hi")).text == "hi"
    assert [(c.ok, c.error_code) for c in fake.calls if c.method == "sendMessage"] == [
        (True, None),
        (False, 429),
        (True, None),
    ]
    fake.inject("sendMessage", error_code=400, description="Bad Request: custom", times=2)
    for _ in range(2):
        with pytest.raises(BadRequest, match=ci("custom")):
            await ptb.send_message(42, "x")


async def test_block_yields_forbidden_until_user_writes(
    fake: FakeBotApi, ptb: telegram.Bot
) -> None:
    user = fake.user(42)
    fake.block(42)
    with pytest.raises(Forbidden, match=ci("bot was blocked by the user")):
        await ptb.send_message(42, "hi")
    with pytest.raises(Forbidden):
        await ptb.send_chat_action(42, "typing")
    await fake.send_text(user, "/start")
    assert (await ptb.send_message(42, "welcome back")).text == "welcome back"


async def test_injected_delay_times_out_the_client_but_still_sends(fake: FakeBotApi) -> None:
    fake.user(42)
    request = HTTPXRequest(read_timeout=0.2)
    client = telegram.Bot(fake.token, base_url=fake.base_url, request=request)
    fake.inject_delay("sendMessage", 0.6)
    async with client:
        with pytest.raises(TimedOut):
            await client.send_message(42, "slow")
        messages = await fake.wait_for_messages(42, 1, timeout=3)
    assert messages[0].text == "slow"


async def test_observation_helpers_explain_failures(fake: FakeBotApi) -> None:
    fake.user(42)
    with pytest.raises(AssertionError, match="sent no"):
        fake.last_message(42)
    with pytest.raises(TimeoutError, match="1 message"):
        await fake.wait_for_messages(42, 1, timeout=0.05)
    with pytest.raises(ValueError, match="not a method"):
        fake.inject("sendPigeon", error_code=500)


# --------------------------------------------------------------------------- a real PTB app
async def test_ptb_application_round_trip_over_polling(fake: FakeBotApi) -> None:
    user = fake.user(42, "Ann")

    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Agenda", callback_data="agenda")]])
        await context.bot.send_message(
            update.effective_chat.id, "<b>Welcome</b>", parse_mode="HTML", reply_markup=markup
        )

    async def button(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Loading…")
        await query.edit_message_text(f"Agenda for you ({query.data})")

    app = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await fake.send_text(user, "/start")
        [welcome] = await fake.wait_for_messages(42, 1)
        assert welcome.plain_text == "Welcome" and welcome.button_texts() == ["Agenda"]
        await fake.press_button(user, welcome, text="Agenda")
        await fake.wait_for(lambda: fake.last_message(42).edits == 1, what="edit")
        await app.updater.stop()
        await app.stop()
    final: SentMessage = fake.last_message(42)
    assert final.text == "Agenda for you (agenda)" and final.reply_markup is None
    assert fake.callback_answers(42)[0]["text"] == "Loading…"
    assert fake.pending_updates() == 0
    assert len(fake.acknowledged_update_ids()) == 2


async def test_reply_parameters_must_point_at_a_message(
    fake: FakeBotApi, ptb: telegram.Bot
) -> None:
    user = fake.user(42)
    update = await fake.send_text(user, "question")
    asked = update["message"]["message_id"]
    answer = await ptb.send_message(42, "answer", reply_to_message_id=asked)
    assert answer.message_id == asked + 1
    with pytest.raises(BadRequest, match=ci("message to be replied not found")):
        await ptb.send_message(42, "answer", reply_to_message_id=999)
    lenient = ReplyParameters(999, allow_sending_without_reply=True)
    assert (await ptb.send_message(42, "ok", reply_parameters=lenient)).text == "ok"


async def test_raw_callback_queries_are_answerable(fake: FakeBotApi, ptb: telegram.Bot) -> None:
    fake.user(42)
    query = {"id": "forged-1", "from": {"id": 42, "is_bot": False, "first_name": "A"}}
    await fake.send_raw_update({"callback_query": {**query, "chat_instance": "c", "data": "x"}})
    assert await ptb.answer_callback_query("forged-1", text="expired")
    assert fake.callback_answers(42) == [{"callback_query_id": "forged-1", "text": "expired"}]


async def test_multipart_attach_references(fake: FakeBotApi) -> None:
    fake.user(42)
    url = f"{fake.base_url}{fake.token}/sendDocument"
    form = aiohttp.FormData()
    form.add_field("chat_id", "42")
    form.add_field("document", "attach://report")
    form.add_field("report", b"data", filename="r.txt", content_type="text/plain")
    async with aiohttp.ClientSession() as session, session.post(url, data=form) as response:
        answer = await response.json()
    assert answer["ok"], answer
    assert fake.last_message(42).document == b"data"
    stray = aiohttp.FormData()
    stray.add_field("chat_id", "42")
    stray.add_field("document", "attach://missing")
    stray.add_field("other", b"x", filename="o.txt")
    async with aiohttp.ClientSession() as session, session.post(url, data=stray) as response:
        assert response.status == 400
        assert "unknown parameter" in (await response.json())["description"]


async def test_union_errors_name_the_alternative_the_value_resembles(fake: FakeBotApi) -> None:
    fake.user(42)
    reply_keyboard = json.dumps({"keyboard": [[{"text": 5}]]})
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "reply_markup": reply_keyboard},
        "reply_markup.keyboard[0][0].text: expected String",
    )
    await expect_400(
        fake,
        "sendMessage",
        {"chat_id": "42", "text": "x", "reply_markup": json.dumps({"colour": 1})},
        "expected InlineKeyboardMarkup or ReplyKeyboardMarkup",
    )
    remove = json.dumps({"remove_keyboard": True})
    status, _ = await call(
        fake, "sendMessage", data={"chat_id": "42", "text": "x", "reply_markup": remove}
    )
    assert status == 200
