"""A strict fake Telegram Bot API server for end-to-end tests and the terminal playground.

Why: mocks of ``telegram.Bot`` only prove that the code calls *some* method; this server lets
the real python-telegram-bot stack talk HTTP to something that refuses what Telegram refuses
(see ``docs/fake-bot-api.md``), while tests act as users and observe what the bot sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from .api_spec import ApiSpec, RawValue, SpecError
from .bot_state import BotState, CallbackRecord, Chat, InlineQueryRecord
from .content_rules import INLINE_CHAT_TYPES, MAX_INLINE_QUERY
from .faults import FaultPlan
from .models import (
    ApiCall,
    ApiError,
    FakeUser,
    InlineAnswer,
    SentMessage,
    UploadedFile,
    bad_request,
)
from .tg_html import utf16_len
from .updates import UpdateHub

__all__ = ["ApiCall", "ApiError", "FakeBotApi", "FakeUser", "InlineAnswer", "SentMessage"]

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def _chat_hint(raw: dict[str, RawValue]) -> int | None:
    value = raw.get("chat_id")
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


class FakeBotApi:
    """Serve the Bot API over HTTP on localhost and let tests act as Telegram users."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "symposium_test_bot",
        inline_mode: bool = True,
    ) -> None:
        self.token = token
        self.spec = ApiSpec.load()
        bot_id = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id) if bot_id.isdigit() else 123456,
            "is_bot": True,
            "first_name": "Symposium Test Bot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": inline_mode,  # /setinline in @BotFather
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.state = BotState(self.bot_user)
        self.hub = UpdateHub()
        self.calls: list[ApiCall] = []
        self.last_delivery_status = 0
        self.logged_out = False
        self.closed = False
        self.faults = FaultPlan()
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port = 0

    # ------------------------------------------------------------------ lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (0 picks a free port)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._host = host
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Release long polls and webhook retries, then close the listener."""
        await self.hub.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """PTB ``base_url``: PTB appends ``<token>/<method>``."""
        return f"http://{self._host}:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB ``base_file_url`` for ``File.download_*``."""
        return f"http://{self._host}:{self._port}/file/bot"

    @property
    def webhook_url(self) -> str | None:
        """URL set by setWebhook, None in getUpdates mode."""
        return self.hub.webhook_url

    @property
    def webhook_secret(self) -> str | None:
        """``secret_token`` of the current webhook."""
        return self.hub.webhook_secret

    @property
    def webhook_retry_delay(self) -> float:
        """Pause between webhook retries of an update answered non-2xx."""
        return self.hub.webhook_retry_delay

    @webhook_retry_delay.setter
    def webhook_retry_delay(self, seconds: float) -> None:
        self.hub.webhook_retry_delay = seconds

    @property
    def on_message(self) -> Callable[[SentMessage], None] | None:
        """Called whenever the bot sends, edits or deletes a message."""
        return self.state.on_message

    @on_message.setter
    def on_message(self, callback: Callable[[SentMessage], None] | None) -> None:
        self.state.on_message = callback

    # ------------------------------------------------------------------ HTTP handlers
    async def _handle_api(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        raw: dict[str, RawValue] = {}
        params: dict[str, Any] | None = None
        method = self.spec.canonical(name) or name
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if self.spec.canonical(name) is None:
                raise ApiError(404, "Not Found: method not found")
            raw = await self._read_params(request)
            await self.faults.delay(method)
            self.faults.fail_if_injected(method, _chat_hint(raw))
            try:
                params = self.spec.parse_params(method, raw)
            except SpecError as error:
                raise bad_request(str(error)) from None
            result = await self._dispatch(method, params)
        except ApiError as error:
            self._record(method, params, raw, error.error_code)
            return web.json_response(error.payload(), status=error.error_code)
        except Exception as error:  # a bug in the fake: say so instead of a bare 500 page
            log.exception("fake Bot API failed on %s", method)
            failure = ApiError(500, f"Internal Server Error: fake Bot API bug: {error!r}")
            self._record(method, params, raw, 500)
            return web.json_response(failure.payload(), status=500)
        self._record(method, params, raw, None)
        return web.json_response({"ok": True, "result": result})

    def _record(
        self,
        method: str,
        params: dict[str, Any] | None,
        raw: dict[str, RawValue],
        error_code: int | None,
    ) -> None:
        recorded = params if params is not None else dict(raw)
        self.calls.append(ApiCall(method, recorded, error_code is None, error_code, time.time()))

    async def _read_params(self, request: web.Request) -> dict[str, RawValue]:
        """Query string plus form, multipart or JSON body, as Telegram accepts them."""
        params: dict[str, RawValue] = dict(request.query)
        if request.method != "POST" or not request.body_exists:
            return params
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON body must be an object")
            for key, value in body.items():
                if value is not None:
                    params[key] = value if isinstance(value, str) else json.dumps(value)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    params[key] = UploadedFile(value.filename, value.content_type, data)
                elif isinstance(value, str):
                    params[key] = value
                else:
                    params[key] = bytes(value).decode("utf-8")
        else:
            raise bad_request(f"unsupported Content-Type {content_type!r}")
        return params

    async def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        handler = self.state.handlers.get(method)
        if handler is not None:
            return handler(params)
        if method == "getUpdates":
            return await self.hub.get_updates(params)
        if method == "setWebhook":
            await self.hub.set_webhook(params)
            return True
        if method == "deleteWebhook":
            await self.hub.delete_webhook(bool(params.get("drop_pending_updates")))
            return True
        if method == "getWebhookInfo":
            return self.hub.webhook_info()
        if method == "logOut":
            self.logged_out = True
            return True
        if method == "close":
            self.closed = True
            return True
        raise ApiError(404, "Not Found: method not found")

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        path = request.match_info["path"]
        for stored in self.state.files.values():
            if stored.file_path == path:
                return web.Response(
                    body=stored.data, content_type=stored.mime_type or "application/octet-stream"
                )
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)

    # ------------------------------------------------------------------ fault injection
    def _method_name(self, method: str) -> str:
        canonical = self.spec.canonical(method)
        if canonical is None:
            raise ValueError(f"{method!r} is not a method of the fake Bot API")
        return canonical

    def inject(
        self,
        method: str,
        *,
        error_code: int,
        description: str = "",
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (optionally for one chat) fail."""
        self.faults.inject(
            self._method_name(method),
            error_code=error_code,
            description=description,
            retry_after=retry_after,
            times=times,
            chat_id=chat_id,
        )

    def inject_delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Delay the next ``times`` calls (they still take effect), to provoke client timeouts."""
        self.faults.inject_delay(self._method_name(method), seconds, times=times)

    def block(self, user_id: int) -> None:
        """The user blocked the bot: sends to their chat answer 403 until they write again."""
        self._chat(user_id).blocked = True

    def unblock(self, user_id: int) -> None:
        """Undo :meth:`block` without sending a message."""
        self._chat(user_id).blocked = False

    # ------------------------------------------------------------------ acting as users
    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
    ) -> FakeUser:
        """Register (or re-register) a user and their private chat with the bot."""
        fake = FakeUser(user_id, first_name, language_code, last_name, username)
        chat = self.state.chats.get(user_id)
        if chat is None:
            self.state.chats[user_id] = Chat(fake)
        else:
            chat.user = fake
        return fake

    def _chat(self, user_id: int) -> Chat:
        chat = self.state.chats.get(user_id)
        if chat is None:
            raise KeyError(f"user {user_id} is not registered; call fake.user({user_id}) first")
        return chat

    def _incoming(self, user: FakeUser, **content: Any) -> dict[str, Any]:
        chat = self._chat(user.id)
        chat.user = user
        chat.blocked = False  # writing to a bot you blocked unblocks it
        message: dict[str, Any] = {
            "message_id": chat.allocate_id(),
            "from": user.to_api(),
            "chat": chat.to_api(),
            "date": int(time.time()),
            **content,
        }
        chat.incoming[message["message_id"]] = message
        return message

    async def _emit(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.hub.next_id(), **body}
        self.last_delivery_status = await self.hub.deliver(update)
        return update

    async def send_text(
        self, user: FakeUser, text: str, *, entities: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """The user sends a text; a leading ``/command`` gets a bot_command entity.

        ``entities`` adds formatting (bold, links…) as the Telegram app would send it.
        """
        content: dict[str, Any] = {"text": text}
        match = _COMMAND.match(text)
        found: list[dict[str, Any]] = []
        if match:
            length = len(match.group(0).encode("utf-16-le")) // 2
            found.append({"type": "bot_command", "offset": 0, "length": length})
        found += entities or []
        if found:
            content["entities"] = found
        return await self._emit({"message": self._incoming(user, **content)})

    async def send_photo(
        self,
        user: FakeUser,
        content: bytes,
        *,
        caption: str | None = None,
        caption_entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The user sends a photo; the bot can send it on by the file_id in the update."""
        stored = self.state.store_file(content, "photo.png", "image/png", "photo")
        body: dict[str, Any] = {"photo": [self.state.photo_size(stored)]}
        if caption is not None:
            body["caption"] = caption
            if caption_entities:
                body["caption_entities"] = caption_entities
        return await self._emit({"message": self._incoming(user, **body)})

    async def send_document(
        self,
        user: FakeUser,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        *,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """The user sends a file; getFile and the download URL then serve ``content``."""
        stored = self.state.store_file(content, filename, mime_type, "document")
        body: dict[str, Any] = {"document": self.state.document_dict(stored)}
        if caption is not None:
            body["caption"] = caption
        return await self._emit({"message": self._incoming(user, **body)})

    async def press_button(
        self,
        user: FakeUser,
        message: SentMessage,
        *,
        text: str | None = None,
        index: int | None = None,
        callback_data: str | None = None,
    ) -> dict[str, Any]:
        """The user taps an inline callback button (by label, flat index or data)."""
        current = self.state.chats[message.chat_id].messages.get(message.message_id, message)
        if current.deleted:
            raise ValueError(f"message {current.message_id} was deleted")
        if current.chat_id != user.id:
            raise ValueError(f"message {current.message_id} is not in the chat of user {user.id}")
        buttons = [button for row in current.buttons() for button in row]
        chosen: dict[str, Any] | None = None
        if callback_data is not None:
            chosen = next((b for b in buttons if b.get("callback_data") == callback_data), None)
        elif text is not None:
            chosen = next((b for b in buttons if b.get("text") == text), None)
        elif index is not None and -len(buttons) <= index < len(buttons):
            chosen = buttons[index]
        elif index is None and len(buttons) == 1:
            chosen = buttons[0]
        if chosen is None:
            wanted = callback_data or text or index
            raise ValueError(f"no button {wanted!r} on message; buttons: {current.button_texts()}")
        if "callback_data" not in chosen:
            raise ValueError(f"button {chosen.get('text')!r} is not a callback button")
        query_id = str(4_000_000_000_000 + self.state.next_seq())
        self.state.callback_queries[query_id] = CallbackRecord(user.id)
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": self.state.message_dict(current),
            "chat_instance": str(-7_000_000_000 - user.id),
            "data": chosen["callback_data"],
        }
        return await self._emit({"callback_query": query})

    async def press_forged(self, user: FakeUser, message: SentMessage, data: str) -> dict[str, Any]:
        """A modified client sends callback data that no button of `message` carries."""
        query_id = str(4_000_000_000_000 + self.state.next_seq())
        self.state.callback_queries[query_id] = CallbackRecord(user.id)
        current = self.state.chats[message.chat_id].messages.get(message.message_id, message)
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": self.state.message_dict(current),
            "chat_instance": str(-7_000_000_000 - user.id),
            "data": data,
        }
        return await self._emit({"callback_query": query})

    async def send_inline_query(
        self, user: FakeUser, query: str, offset: str = "", chat_type: str | None = "private"
    ) -> dict[str, Any]:
        """The user types ``@bot query`` in a chat of ``chat_type`` (None: unknown, as for
        secret chats); ``offset`` is the ``next_offset`` of the answer being scrolled."""
        if not self.bot_user["supports_inline_queries"]:
            raise ValueError("inline mode is off for this bot (FakeBotApi(inline_mode=False))")
        if utf16_len(query) > MAX_INLINE_QUERY:
            raise ValueError(f"the Telegram apps send at most {MAX_INLINE_QUERY} characters")
        if chat_type is not None and chat_type not in INLINE_CHAT_TYPES:
            raise ValueError(f"chat_type must be one of {sorted(INLINE_CHAT_TYPES)}")
        query_id = str(5_000_000_000_000 + self.state.next_seq())
        self.state.inline_queries[query_id] = InlineQueryRecord(user.id, query, offset)
        body: dict[str, Any] = {
            "id": query_id,
            "from": user.to_api(),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            body["chat_type"] = chat_type
        return await self._emit({"inline_query": body})

    async def send_raw_update(self, update: dict[str, Any]) -> int:
        """Deliver any update (e.g. malformed); returns the webhook status or 0 if queued."""
        update = dict(update)
        if "update_id" in update and isinstance(update["update_id"], int):
            self.hub.note_id(update["update_id"])
        else:
            update["update_id"] = self.hub.next_id()
        query = update.get("callback_query")
        if isinstance(query, dict) and isinstance(query.get("id"), str):
            # whatever arrives as an update came "from Telegram", so its query id is answerable
            sender = query.get("from")
            user_id = sender.get("id") if isinstance(sender, dict) else None
            if isinstance(user_id, int) and query["id"] not in self.state.callback_queries:
                self.state.callback_queries[query["id"]] = CallbackRecord(user_id)
        inline = update.get("inline_query")
        if isinstance(inline, dict) and isinstance(inline.get("id"), str):
            sender = inline.get("from")
            user_id = sender.get("id") if isinstance(sender, dict) else None
            if isinstance(user_id, int) and inline["id"] not in self.state.inline_queries:
                text, offset = inline.get("query"), inline.get("offset")
                self.state.inline_queries[inline["id"]] = InlineQueryRecord(
                    user_id, text if isinstance(text, str) else "", str(offset or "")
                )
        self.last_delivery_status = await self.hub.deliver(update)
        return self.last_delivery_status

    # ------------------------------------------------------------------ observing
    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[SentMessage]:
        """Messages the bot sent to a chat, oldest first, in their current state."""
        chat = self.state.chats.get(chat_id)
        if chat is None:
            return []
        found = sorted(chat.messages.values(), key=lambda m: m.message_id)
        return [m for m in found if include_deleted or not m.deleted]

    def last_message(self, chat_id: int) -> SentMessage:
        """The newest non-deleted bot message; AssertionError explains what happened instead."""
        found = self.messages(chat_id)
        if found:
            return found[-1]
        recent = [f"{c.method}{'' if c.ok else f' -> {c.error_code}'}" for c in self.calls[-8:]]
        raise AssertionError(
            f"the bot sent no (undeleted) message to chat {chat_id}; "
            f"known chats: {sorted(self.state.chats)}; recent API calls: {recent}"
        )

    def callback_answers(self, user_id: int) -> list[dict[str, Any]]:
        """Parameters of answerCallbackQuery calls for that user's queries."""
        return [
            record.answer
            for record in self.state.callback_queries.values()
            if record.user_id == user_id and record.answer is not None
        ]

    def inline_answers(self, user_id: int) -> list[InlineAnswer]:
        """Accepted answerInlineQuery calls for that user's inline queries, oldest first."""
        return [
            record.answer
            for record in self.state.inline_queries.values()
            if record.user_id == user_id and record.answer is not None
        ]

    def inline_answer(self, query_id: str) -> InlineAnswer | None:
        """The accepted answer to one inline query (its update's ``inline_query.id``)."""
        record = self.state.inline_queries.get(query_id)
        return None if record is None else record.answer

    def commands(self, language_code: str = "", scope: str = "default") -> list[dict[str, Any]]:
        """Commands set for a scope key ("default", "all_private_chats", "chat:<id>", ...)."""
        return [dict(c) for c in self.state.commands.get((scope, language_code), [])]

    def chat_actions(self, chat_id: int) -> list[str]:
        """sendChatAction actions sent to a chat, in order."""
        return list(self._chat(chat_id).actions)

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the documented test API
        *,
        what: str = "",
    ) -> None:
        """Poll ``predicate`` every 10 ms; TimeoutError names what was awaited."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                name = what or getattr(predicate, "__name__", repr(predicate))
                recent = [f"{c.method}:{c.error_code or 'ok'}" for c in self.calls[-8:]]
                raise TimeoutError(f"{name} not true after {timeout}s; recent API calls {recent}")
            await asyncio.sleep(0.01)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the documented test API
    ) -> list[SentMessage]:
        """Wait until the chat has at least ``count`` non-deleted bot messages."""
        await self.wait_for(
            lambda: len(self.messages(chat_id)) >= count,
            timeout,
            what=f"{count} message(s) in chat {chat_id}",
        )
        return self.messages(chat_id)

    def pending_updates(self) -> int:
        """Updates queued or being retried, not yet confirmed by the bot."""
        return self.hub.pending_count()

    def acknowledged_update_ids(self) -> set[int]:
        """Updates confirmed by a later getUpdates offset or answered 2xx by the webhook."""
        return set(self.hub.acknowledged)
