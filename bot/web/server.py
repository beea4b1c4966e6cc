"""The HTTP side: Telegram's webhook (stored before it is acknowledged) and /healthz."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlalchemy import text

from bot.db.engine import SessionFactory
from bot.services.inbox import InboxService

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1_000_000

INBOX = web.AppKey("inbox", InboxService)
SESSIONS: web.AppKey[SessionFactory] = web.AppKey("sessions")
SECRET = web.AppKey("secret", str)
ON_STORED: web.AppKey[Callable[[], None]] = web.AppKey("on_stored")


def create_web_app(
    *,
    inbox: InboxService,
    sessions: SessionFactory,
    webhook_path: str,
    secret: str,
    on_stored: Callable[[], None],
) -> web.Application:
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app[INBOX] = inbox
    app[SESSIONS] = sessions
    app[SECRET] = secret
    app[ON_STORED] = on_stored
    app.router.add_post(webhook_path, receive_update)
    app.router.add_get("/healthz", healthz)
    return app


async def receive_update(request: web.Request) -> web.Response:
    """200 only once the update is committed; 5xx makes Telegram retry it later."""
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), request.app[SECRET].encode()):
        return web.json_response({"ok": False, "error": "unauthorized"}, status=401)
    try:
        update: Any = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return web.json_response({"ok": False, "error": "not JSON"}, status=400)
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return web.json_response({"ok": False, "error": "not an update"}, status=400)
    try:
        await request.app[INBOX].store([update])
    except Exception:
        log.exception("update %s could not be stored; Telegram will retry", update["update_id"])
        return web.json_response({"ok": False, "error": "try again"}, status=503)
    request.app[ON_STORED]()
    return web.json_response({"ok": True})


async def healthz(request: web.Request) -> web.Response:
    try:
        async with request.app[SESSIONS]() as db:
            await db.execute(text("SELECT 1"))
    except Exception as error:
        return web.json_response(
            {"status": "unavailable", "database": str(error)[:200]}, status=503
        )
    return web.json_response({"status": "ok", "database": "ok"})
