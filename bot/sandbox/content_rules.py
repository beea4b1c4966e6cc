"""Telegram's content rules that the type spec cannot express.

Why: limits such as "1-4096 characters after entity parsing" or "exactly one action per inline
button" live in the prose of the Bot API docs; a bot that breaks them fails only in production.
"""

from __future__ import annotations

import re
from typing import Any

from .models import bad_request
from .tg_html import HtmlParseError, parse_html, utf16_len

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_INLINE_BUTTONS = 100
MAX_COMMANDS = 100
MAX_INLINE_RESULTS = 50
MAX_NEXT_OFFSET_BYTES = 64
MAX_INLINE_QUERY = 256  # what the Telegram apps let a user type after @bot
START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")
INLINE_CHAT_TYPES = {"sender", "private", "group", "supergroup", "channel"}
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
LANGUAGE = re.compile(r"[a-z]{2}")
PARSE_MODES = {"HTML", "MARKDOWNV2", "MARKDOWN"}
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"RIFF")


def scope_key(scope: dict[str, Any] | None) -> str:
    """Flatten a BotCommandScope to the string tests use with ``commands(scope=...)``."""
    if not scope:
        return "default"
    kind = str(scope["type"])
    if kind in ("chat", "chat_administrators"):
        return f"{kind}:{scope['chat_id']}"
    if kind == "chat_member":
        return f"chat_member:{scope['chat_id']}:{scope['user_id']}"
    return kind


def check_language(params: dict[str, Any]) -> str:
    """``language_code`` of the command/description methods: empty or ISO 639-1."""
    code = str(params.get("language_code", ""))
    if code and not LANGUAGE.fullmatch(code):
        raise bad_request("LANG_CODE_INVALID: language_code must be empty or two lowercase letters")
    return code


def inline_markup(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """Inline keyboard rows of a markup, [] for anything else."""
    if markup and isinstance(markup.get("inline_keyboard"), list):
        return [list(row) for row in markup["inline_keyboard"]]
    return []


def render_text(
    text: str, params: dict[str, Any], *, entities_key: str
) -> tuple[str, list[dict[str, Any]]]:
    """Apply parse_mode like Telegram; returns plain text and entities."""
    mode = str(params.get("parse_mode") or "")
    if mode and mode.upper() not in PARSE_MODES:
        raise bad_request("unsupported parse_mode")
    if mode.upper() == "HTML":
        try:
            return parse_html(text)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    return text, list(params.get(entities_key) or [])


def check_markup(markup: dict[str, Any] | None) -> None:
    """Rules of reply markups that the type spec cannot express."""
    if not markup:
        return
    if "inline_keyboard" in markup:
        rows = inline_markup(markup)
        if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
            raise bad_request("reply markup is too long")
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise bad_request("can't parse inline keyboard button: Text is empty")
                actions = [key for key in BUTTON_ACTIONS if key in button]
                if not actions:
                    raise bad_request(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
                if len(actions) > 1:
                    raise bad_request(
                        f"can't parse inline keyboard button: exactly one of {actions} "
                        "must be specified"
                    )
                url = button.get("url")
                if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                    raise bad_request("BUTTON_URL_INVALID")
    elif "keyboard" in markup:
        for row in markup["keyboard"]:
            for button in row:
                text = button if isinstance(button, str) else button.get("text")
                if not text:
                    raise bad_request("can't parse keyboard button: Text is empty")


def check_inline_answer(params: dict[str, Any]) -> None:
    """answerInlineQuery's rules beyond the types: at most 50 results with unique ids, an
    offset of at most 64 bytes, a button with exactly one action, article titles and texts."""
    results: list[dict[str, Any]] = params["results"]
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        result_id = str(result["id"])
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result.get("type") == "article" and not str(result.get("title", "")).strip():
            raise bad_request("ARTICLE_TITLE_EMPTY")
        content = result.get("input_message_content")
        if isinstance(content, dict) and "message_text" in content:
            check_message_text(str(content["message_text"]), content)
        check_markup(result.get("reply_markup"))
    if len(str(params.get("next_offset", "")).encode()) > MAX_NEXT_OFFSET_BYTES:
        raise bad_request("NEXT_OFFSET_INVALID")
    if int(params.get("cache_time", 0)) < 0:
        raise bad_request("cache_time must be non-negative")
    button = params.get("button")
    if button is not None:
        check_results_button(button)


def check_message_text(text: str, params: dict[str, Any]) -> None:
    """A message text sent by an inline result: 1-4096 UTF-16 units after entity parsing."""
    plain, _entities = render_text(text, params, entities_key="entities")
    if not plain.strip():
        raise bad_request("MESSAGE_EMPTY")
    if utf16_len(plain) > MAX_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")


def check_results_button(button: dict[str, Any]) -> None:
    """InlineQueryResultsButton: a text and exactly one of web_app and start_parameter."""
    if not str(button.get("text", "")).strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in ("web_app", "start_parameter") if key in button]
    if len(actions) != 1:
        raise bad_request(
            "can't parse inline query results button: exactly one of web_app and "
            "start_parameter must be specified"
        )
    start = button.get("start_parameter")
    if start is not None and not START_PARAMETER.fullmatch(str(start)):
        raise bad_request("START_PARAM_INVALID")
