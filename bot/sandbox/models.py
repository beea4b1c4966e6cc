"""Plain data the fake Bot API hands to tests: users, sent messages, recorded calls, errors.

Why separate: tests and the playground import these without pulling in the HTTP server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .tg_html import strip_html


class ApiError(Exception):
    """An error answer in Telegram's shape: ``{"ok": false, "error_code", "description"}``."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram would send."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """Telegram prefixes every 400 description with ``Bad Request:``."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class UploadedFile:
    """A multipart file part, i.e. an InputFile actually uploaded with the request."""

    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


@dataclass
class FakeUser:
    """A human the test acts as; registering one opens their private chat with the bot."""

    id: int
    first_name: str
    language_code: str | None = "en"
    last_name: str | None = None
    username: str | None = None

    def to_api(self) -> dict[str, Any]:
        """The user as a Bot API ``User`` object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class SentMessage:
    """A message the bot sent, in its *current* state (after edits and deletion)."""

    chat_id: int
    message_id: int
    text: str | None
    caption: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None  # raw JSON as sent
    kind: str  # "text" | "photo" | "document"
    document: bytes | None = None  # uploaded bytes (documents and photos), None for file ids/URLs
    filename: str | None = None
    deleted: bool = False
    edits: int = 0
    date: int = 0
    edit_date: int | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    file_id: str | None = None
    mime_type: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)  # states before each edit

    def buttons(self) -> list[list[dict[str, Any]]]:
        """Inline keyboard rows (raw button dicts); [] when there is no inline keyboard."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard")
        return [list(row) for row in rows] if isinstance(rows, list) else []

    def button_texts(self) -> list[str]:
        """Flattened inline button labels, row by row."""
        return [str(button.get("text", "")) for row in self.buttons() for button in row]

    def keyboard_texts(self) -> list[str]:
        """Flattened ReplyKeyboardMarkup labels; [] when there is no reply keyboard."""
        if not self.reply_markup or "keyboard" not in self.reply_markup:
            return []
        labels: list[str] = []
        for row in self.reply_markup["keyboard"]:
            for button in row:
                labels.append(button if isinstance(button, str) else str(button.get("text", "")))
        return labels

    @property
    def plain_text(self) -> str:
        """Text or caption as the user sees it: HTML tags stripped, entities unescaped."""
        raw = self.text if self.text is not None else (self.caption or "")
        if (self.parse_mode or "").upper() == "HTML":
            return strip_html(raw)
        return raw


@dataclass
class ApiCall:
    """One HTTP call the bot made, with decoded parameters and the outcome."""

    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None
    at: float


@dataclass
class StoredFile:
    """A file known to the fake (uploaded by the bot or sent by a user), for getFile."""

    file_id: str
    file_unique_id: str
    data: bytes
    filename: str | None
    mime_type: str | None
    file_path: str
    kind: str = "document"  # "document" | "photo"


@dataclass
class InlineAnswer:
    """An accepted answerInlineQuery: what the user sees above their text field.

    ``params`` are the decoded parameters as the bot sent them; the properties apply
    Telegram's defaults (``cache_time`` 300, no next page, not personal).
    """

    query_id: str
    user_id: int
    query: str
    offset: str
    params: dict[str, Any]

    @property
    def results(self) -> list[dict[str, Any]]:
        """The InlineQueryResult objects, raw JSON, in the order shown."""
        return [dict(r) for r in self.params.get("results", [])]

    @property
    def next_offset(self) -> str:
        return str(self.params.get("next_offset", ""))

    @property
    def cache_time(self) -> int:
        return int(self.params.get("cache_time", 300))

    @property
    def is_personal(self) -> bool:
        return bool(self.params.get("is_personal", False))

    @property
    def button(self) -> dict[str, Any] | None:
        """The InlineQueryResultsButton shown above the results, if any."""
        button = self.params.get("button")
        return dict(button) if isinstance(button, dict) else None

    def titles(self) -> list[str]:
        return [str(r.get("title", "")) for r in self.results]

    def descriptions(self) -> list[str]:
        return [str(r.get("description", "")) for r in self.results]

    def result(self, index: int = 0, *, result_id: str | None = None) -> dict[str, Any]:
        """One result by position or by id; KeyError/IndexError when there is none."""
        if result_id is None:
            return self.results[index]
        for found in self.results:
            if found.get("id") == result_id:
                return found
        raise KeyError(f"no result {result_id!r}; ids: {[r.get('id') for r in self.results]}")

    def chosen(self, index: int = 0, *, result_id: str | None = None) -> SentMessage:
        """The message the user posts by choosing a result (an article's text and keyboard).

        It lands in whatever chat the user typed in, which the fake does not model, so it
        belongs to no chat (``chat_id`` 0)."""
        found = self.result(index, result_id=result_id)
        content = found.get("input_message_content") or {}
        if "message_text" not in content:
            raise ValueError(f"result {found.get('id')!r} sends no text message")
        markup = found.get("reply_markup")
        return SentMessage(
            chat_id=0,
            message_id=0,
            text=str(content["message_text"]),
            caption=None,
            parse_mode=content.get("parse_mode"),
            reply_markup=dict(markup) if isinstance(markup, dict) else None,
            kind="text",
            entities=list(content.get("entities") or []),
        )
