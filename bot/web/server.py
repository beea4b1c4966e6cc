"""The HTTP side: Telegram's webhook (stored before it is acknowledged) and /healthz."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy import text

from bot.db.engine import SessionFactory
from bot.services.inbox import UpdateIdInUse

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1_000_000

SESSIONS: web.AppKey[SessionFactory] = web.AppKey("sessions")
SECRET = web.AppKey("secret", str)
Accept = Callable[[list[dict[str, Any]]], Awaitable[None]]
ACCEPT: web.AppKey[Accept] = web.AppKey("accept")
Readiness = Callable[[], Awaitable[dict[str, Any]]]
READINESS: web.AppKey[Readiness] = web.AppKey("readiness")


def create_web_app(
    *,
    accept: Accept,
    sessions: SessionFactory,
    webhook_path: str,
    secret: str,
    readiness: Readiness | None = None,
) -> web.Application:
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app[SESSIONS] = sessions
    app[SECRET] = secret
    app[ACCEPT] = accept
    app[READINESS] = readiness or _database_only(sessions)
    app.router.add_post(webhook_path, receive_update)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
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
        await request.app[ACCEPT]([update])
    except UpdateIdInUse as busy:  # ids restarted while that update waited: expected, brief
        log.warning("%s; Telegram will send it again", busy)
        return web.json_response({"ok": False, "error": "try again"}, status=503)
    except Exception:
        log.exception("update %s could not be stored; Telegram will retry", update["update_id"])
        return web.json_response({"ok": False, "error": "try again"}, status=503)
    return web.json_response({"ok": True})


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers. The database state is reported, not required, so an
    outage does not make an orchestrator restart every instance."""
    database = "ok"
    try:
        async with request.app[SESSIONS]() as db:
            await db.execute(text("SELECT 1"))
    except Exception:
        database = "unavailable"
    return web.json_response({"status": "alive", "database": database})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the database answers, migrations are current; plus the sender's state."""
    try:
        checks = await request.app[READINESS]()
    except Exception as error:
        log.warning("readiness check failed: %s", error)
        checks = {"database": "unavailable", "ready": False}
    return web.json_response(checks, status=200 if checks.get("ready") else 503)


def _database_only(sessions: SessionFactory) -> Readiness:
    async def check() -> dict[str, Any]:
        async with sessions() as db:
            await db.execute(text("SELECT 1"))
        return {"database": "ok", "ready": True}

    return check
