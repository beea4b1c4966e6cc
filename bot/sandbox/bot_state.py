"""What Telegram remembers for the bot: chats, messages, files, commands, callback queries.

Why: the method handlers here apply the rules that depend on state ("message is not modified",
unknown chats and messages, blocked users, reply targets, file ids) on top of the content
rules, and keep the observable state tests assert on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .content_rules import (
    CHAT_ACTIONS,
    COMMAND,
    IMAGE_MAGIC,
    MAX_CAPTION,
    MAX_COMMANDS,
    MAX_TEXT,
    check_inline_answer,
    check_language,
    check_markup,
    inline_markup,
    render_text,
    scope_key,
)
from .models import (
    ApiError,
    FakeUser,
    InlineAnswer,
    SentMessage,
    StoredFile,
    UploadedFile,
    bad_request,
)
from .tg_html import parse_html, utf16_len

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], Any]

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
QUERY_EXPIRED = "query is too old and response timeout expired or query ID is invalid"


@dataclass
class Chat:
    """A private chat between the bot and one fake user."""

    user: FakeUser
    next_message_id: int = 1
    messages: dict[int, SentMessage] = field(default_factory=dict)
    incoming: dict[int, dict[str, Any]] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    blocked: bool = False

    def allocate_id(self) -> int:
        """Message ids are per chat and shared by both sides, as in real private chats."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def to_api(self) -> dict[str, Any]:
        """The chat as a Bot API ``Chat`` object."""
        data: dict[str, Any] = {"id": self.user.id, "type": "private"}
        data["first_name"] = self.user.first_name
        if self.user.last_name:
            data["last_name"] = self.user.last_name
        if self.user.username:
            data["username"] = self.user.username
        return data


@dataclass
class CallbackRecord:
    """A callback query the fake created, to check answerCallbackQuery against."""

    user_id: int
    answer: dict[str, Any] | None = None


@dataclass
class InlineQueryRecord:
    """An inline query the fake delivered, to check answerInlineQuery against."""

    user_id: int
    query: str
    offset: str
    answer: InlineAnswer | None = None


class BotState:
    """Telegram's side of the conversation, with one handler per supported method."""

    def __init__(self, bot_user: dict[str, Any]) -> None:
        self.bot_user = bot_user
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any] | None] = {}
        self.callback_queries: dict[str, CallbackRecord] = {}
        self.inline_queries: dict[str, InlineQueryRecord] = {}
        self.on_message: Callable[[SentMessage], None] | None = None
        self._seq = 0
        self.handlers: dict[str, Handler] = {
            "getMe": lambda _p: dict(self.bot_user),
            "sendMessage": self.send_message,
            "sendPhoto": lambda p: self.send_file(p, "photo"),
            "sendDocument": lambda p: self.send_file(p, "document"),
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "answerInlineQuery": self.answer_inline_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setChatMenuButton": self.set_chat_menu_button,
            "sendChatAction": self.send_chat_action,
            "getFile": self.get_file,
            "setMyDescription": lambda p: self.set_description(p, "description"),
            "setMyShortDescription": lambda p: self.set_description(p, "short_description"),
        }

    # ------------------------------------------------------------------ helpers
    def next_seq(self) -> int:
        """A process-wide counter for ids that only need to be unique."""
        self._seq += 1
        return self._seq

    def public_bot_user(self) -> dict[str, Any]:
        """The bot as it appears in ``from`` of its messages (no getMe-only fields)."""
        return {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}

    def chat_for(self, params: dict[str, Any], *, sending: bool = True) -> Chat:
        """Resolve ``chat_id``; unknown chats and blocked users fail like on Telegram."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if sending and chat.blocked:
            raise ApiError(403, BLOCKED)
        return chat

    def _notify(self, message: SentMessage) -> None:
        if self.on_message is None:
            return
        try:
            self.on_message(message)
        except Exception:  # an observer's bug must not turn into an API error
            log.exception("on_message callback failed")

    @staticmethod
    def check_reply(chat: Chat, params: dict[str, Any]) -> None:
        """reply_parameters must point at an existing message of the chat."""
        reply = params.get("reply_parameters")
        if not reply or reply.get("chat_id") not in (None, chat.user.id):
            return
        target = reply["message_id"]
        sent = chat.messages.get(target)
        exists = (sent is not None and not sent.deleted) or target in chat.incoming
        if not exists and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")

    def plain(self, message: SentMessage) -> str:
        """The text Telegram stores for a message (after entity parsing)."""
        raw = message.text if message.text is not None else message.caption
        if raw is None:
            return ""
        if (message.parse_mode or "").upper() == "HTML":
            return parse_html(raw)[0]
        return raw

    def message_dict(self, message: SentMessage) -> dict[str, Any]:
        """A bot message as a Bot API ``Message`` in its current state."""
        chat = self.chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.public_bot_user(),
            "chat": chat.to_api(),
            "date": message.date,
        }
        if message.edit_date:
            data["edit_date"] = message.edit_date
        if message.kind == "text":
            data["text"] = self.plain(message)
            if message.entities:
                data["entities"] = message.entities
        else:
            stored = self.files.get(message.file_id or "")
            if message.kind == "photo":
                data["photo"] = [self.photo_size(stored)]
            else:
                data["document"] = self.document_dict(stored)
            if message.caption:
                data["caption"] = self.plain(message)
                if message.entities:
                    data["caption_entities"] = message.entities
        if inline_markup(message.reply_markup):
            data["reply_markup"] = message.reply_markup
        return data

    # ------------------------------------------------------------------ files
    def store_file(
        self, data: bytes, filename: str | None, mime_type: str | None, kind: str
    ) -> StoredFile:
        """Register a file so getFile and the download endpoint can serve it."""
        seq = self.next_seq()
        suffix = filename.rsplit(".", 1)[-1] if filename and "." in filename else "bin"
        folder = "photos" if kind == "photo" else "documents"
        stored = StoredFile(
            file_id=f"FAKE-{kind.upper()}-{seq:06d}",
            file_unique_id=f"U{seq:06d}",
            data=data,
            filename=filename,
            mime_type=mime_type,
            file_path=f"{folder}/file_{seq}.{suffix}",
            kind=kind,
        )
        self.files[stored.file_id] = stored
        return stored

    @staticmethod
    def photo_size(stored: StoredFile | None) -> dict[str, Any]:
        """A single PhotoSize; dimensions from a PNG header when available."""
        width = height = 320
        if stored and stored.data.startswith(IMAGE_MAGIC[0]) and len(stored.data) >= 24:
            width = int.from_bytes(stored.data[16:20], "big")
            height = int.from_bytes(stored.data[20:24], "big")
        if stored is None:
            return {"file_id": "FAKE-URL", "file_unique_id": "UURL", "width": 320, "height": 320}
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": len(stored.data),
        }

    @staticmethod
    def document_dict(stored: StoredFile | None) -> dict[str, Any]:
        """A Bot API ``Document`` for a stored file."""
        if stored is None:
            return {"file_id": "FAKE-URL", "file_unique_id": "UURL"}
        data: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.filename:
            data["file_name"] = stored.filename
        if stored.mime_type:
            data["mime_type"] = stored.mime_type
        return data

    # ------------------------------------------------------------------ sending
    def _new_message(self, chat: Chat, **fields: Any) -> SentMessage:
        message = SentMessage(
            chat_id=chat.user.id,
            message_id=chat.allocate_id(),
            date=int(time.time()),
            **fields,
        )
        chat.messages[message.message_id] = message
        self._notify(message)
        return message

    def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendMessage: text 1-4096 UTF-16 units after entity parsing."""
        chat = self.chat_for(params)
        text = str(params["text"])
        plain, entities = render_text(text, params, entities_key="entities")
        if not plain.strip():
            raise bad_request("message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise bad_request("message is too long")
        markup = params.get("reply_markup")
        check_markup(markup)
        self.check_reply(chat, params)
        message = self._new_message(
            chat,
            text=text,
            caption=None,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            kind="text",
            entities=entities,
        )
        return self.message_dict(message)

    def _resolve_file(self, value: Any, kind: str) -> tuple[StoredFile | None, bytes | None]:
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            if kind == "photo" and not value.data.startswith(IMAGE_MAGIC):
                raise bad_request("IMAGE_PROCESS_FAILED")
            stored = self.store_file(value.data, value.filename, value.content_type, kind)
            return stored, value.data
        file_ref = str(value)
        if file_ref in self.files:
            stored = self.files[file_ref]
            if stored.kind != kind:
                raise bad_request(f"can't use file of type {stored.kind} as {kind}")
            return stored, None
        if file_ref.startswith(("http://", "https://")):
            return None, None
        raise bad_request("wrong file identifier/HTTP URL specified")

    def send_file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        """sendPhoto / sendDocument: upload, file_id or URL; caption 0-1024 after parsing."""
        chat = self.chat_for(params)
        caption = params.get("caption")
        entities: list[dict[str, Any]] = []
        if caption is not None:
            plain, entities = render_text(str(caption), params, entities_key="caption_entities")
            if utf16_len(plain) > MAX_CAPTION:
                raise bad_request("message caption is too long")
        markup = params.get("reply_markup")
        check_markup(markup)
        self.check_reply(chat, params)
        stored, data = self._resolve_file(params[kind], kind)
        message = self._new_message(
            chat,
            text=None,
            caption=caption,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            kind=kind,
            document=data,
            filename=stored.filename if stored else None,
            file_id=stored.file_id if stored else None,
            mime_type=stored.mime_type if stored else None,
            entities=entities,
        )
        return self.message_dict(message)

    # ------------------------------------------------------------------ editing
    def _message_to_edit(self, params: dict[str, Any]) -> tuple[Chat, SentMessage]:
        if "inline_message_id" in params:
            raise bad_request("message to edit not found")  # the fake has no inline messages
        chat = self.chat_for(params)
        if "message_id" not in params:
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(params["message_id"])
        if message is None or message.deleted:
            if params["message_id"] in chat.incoming:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return chat, message

    @staticmethod
    def _snapshot(message: SentMessage) -> dict[str, Any]:
        return {
            "text": message.text,
            "caption": message.caption,
            "parse_mode": message.parse_mode,
            "reply_markup": message.reply_markup,
        }

    def _edited(self, message: SentMessage) -> dict[str, Any]:
        message.edits += 1
        message.edit_date = int(time.time())
        self._notify(message)
        return self.message_dict(message)

    def _new_markup(self, message: SentMessage, params: dict[str, Any]) -> dict[str, Any] | None:
        markup: dict[str, Any] | None = params.get("reply_markup")
        check_markup(markup)
        if markup is None and message.reply_markup and not inline_markup(message.reply_markup):
            return message.reply_markup  # reply keyboards are not attached to the message
        return markup

    def edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageText: omitting reply_markup removes the inline keyboard, as on Telegram."""
        _chat, message = self._message_to_edit(params)
        if "text" not in params:
            raise bad_request("message text is empty")
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text = str(params["text"])
        plain, entities = render_text(text, params, entities_key="entities")
        if not plain.strip():
            raise bad_request("message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise bad_request("message is too long")
        markup = self._new_markup(message, params)
        if (
            plain == self.plain(message)
            and entities == message.entities
            and inline_markup(markup) == inline_markup(message.reply_markup)
        ):
            raise bad_request(NOT_MODIFIED)
        message.history.append(self._snapshot(message))
        message.text, message.parse_mode = text, params.get("parse_mode")
        message.entities, message.reply_markup = entities, markup
        return self._edited(message)

    def edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageReplyMarkup: an identical keyboard is "not modified"."""
        _chat, message = self._message_to_edit(params)
        markup = self._new_markup(message, params)
        if inline_markup(markup) == inline_markup(message.reply_markup):
            raise bad_request(NOT_MODIFIED)
        message.history.append(self._snapshot(message))
        message.reply_markup = markup
        return self._edited(message)

    def delete_message(self, params: dict[str, Any]) -> bool:
        """deleteMessage: bot messages and the user's incoming messages may be deleted."""
        chat = self.chat_for(params, sending=False)
        message_id = params["message_id"]
        message = chat.messages.get(message_id)
        if message is not None and not message.deleted:
            message.deleted = True
            self._notify(message)
            return True
        if chat.incoming.pop(message_id, None) is not None:
            return True
        raise bad_request("message to delete not found")

    # ------------------------------------------------------------------ misc methods
    def answer_callback_query(self, params: dict[str, Any]) -> bool:
        """answerCallbackQuery: only once per query the fake created."""
        record = self.callback_queries.get(str(params["callback_query_id"]))
        if record is None or record.answer is not None:
            raise bad_request(QUERY_EXPIRED)
        record.answer = dict(params)
        return True

    def answer_inline_query(self, params: dict[str, Any]) -> bool:
        """answerInlineQuery: once per query the fake delivered, within Telegram's limits."""
        query_id = str(params["inline_query_id"])
        record = self.inline_queries.get(query_id)
        if record is None or record.answer is not None:
            raise bad_request(QUERY_EXPIRED)
        check_inline_answer(params)
        record.answer = InlineAnswer(
            query_id, record.user_id, record.query, record.offset, dict(params)
        )
        return True

    def set_my_commands(self, params: dict[str, Any]) -> bool:
        """setMyCommands: at most 100 commands of [a-z0-9_]{1,32}, descriptions 1-256."""
        commands: list[dict[str, Any]] = params["commands"]
        if len(commands) > MAX_COMMANDS:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not COMMAND.fullmatch(str(command["command"])):
                raise bad_request("BOT_COMMAND_INVALID")
        language = check_language(params)
        self.check_scope_chat(params)
        self.commands[(scope_key(params.get("scope")), language)] = [dict(c) for c in commands]
        return True

    def check_scope_chat(self, params: dict[str, Any]) -> None:
        """A chat scope names a chat the bot knows, as on Telegram ("chat not found")."""
        scope = params.get("scope") or {}
        if scope.get("type") in ("chat", "chat_administrators", "chat_member"):
            self.chat_for({"chat_id": scope.get("chat_id")}, sending=False)

    def get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """getMyCommands: exactly the list stored for that scope and language."""
        key = (scope_key(params.get("scope")), check_language(params))
        return [dict(c) for c in self.commands.get(key, [])]

    def delete_my_commands(self, params: dict[str, Any]) -> bool:
        """deleteMyCommands: forget the list for that scope and language."""
        self.check_scope_chat(params)
        self.commands.pop((scope_key(params.get("scope")), check_language(params)), None)
        return True

    def set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        """setChatMenuButton: per chat, or the default when chat_id is omitted."""
        chat_id = None
        if "chat_id" in params:
            chat_id = self.chat_for(params, sending=False).user.id
        self.menu_buttons[chat_id] = params.get("menu_button")
        return True

    def send_chat_action(self, params: dict[str, Any]) -> bool:
        """sendChatAction: only Telegram's documented actions."""
        chat = self.chat_for(params)
        action = str(params["action"])
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True

    def get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        """getFile: known file ids only; ``file_path`` is served by the download route."""
        stored = self.files.get(str(params["file_id"]))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def set_description(self, params: dict[str, Any], key: str) -> bool:
        """setMyDescription / setMyShortDescription; an empty text removes it."""
        language = check_language(params)
        text = str(params.get(key, ""))
        if text:
            self.descriptions[(key, language)] = text
        else:
            self.descriptions.pop((key, language), None)
        return True
