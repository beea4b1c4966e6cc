"""The composition root: the one place that knows every layer and wires them together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import sqlite_writes
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import schema_state, upgrade
from bot.delivery.dispatcher import DeliveryConfig, Dispatcher
from bot.delivery.kinds import build_renderers
from bot.delivery.leadership import SenderLock
from bot.delivery.pacing import Limits, Pacer
from bot.delivery.planner import Planner
from bot.delivery.progress import ProgressMonitor
from bot.delivery.telegram_sender import TelegramSender
from bot.services.inbox import InboxService
from bot.services.registry import Services
from bot.services.sync import ScheduleSync
from bot.telegram.commands import publish_all
from bot.telegram.commands import refresh as refresh_commands
from bot.telegram.context import BotContext, BotData
from bot.telegram.errors import on_error
from bot.telegram.ingest import ALLOWED_UPDATES, InboxWorker, Poller
from bot.telegram.request import REPLY_RETRY, AiohttpRequest
from bot.web.server import create_web_app, serve
from handlers import FEATURES, register_handlers

log = logging.getLogger(__name__)

PTBApplication = Application[Any, BotContext, Any, Any, BotData, Any]
DRAIN_SECONDS = 10.0
# /readyz says "writes": "stuck" (not ready) once storing updates has been held up this long
# (seconds): Telegram's webhook waits for our answer, and SQLite's writers give up after 30 s.
WRITES_STUCK_AFTER = 10.0


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    services: Services
    inbox: InboxService
    application: PTBApplication
    worker: InboxWorker
    dispatcher: Dispatcher
    planner: Planner
    progress: ProgressMonitor  # broadcast progress messages

    @classmethod
    def build(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        if not settings.bot_token:
            raise ValueError("BOT_TOKEN is required to talk to a Bot API server")
        engine, services = build_services(settings, clock)
        clock, sessions = services.clock, services.sessions
        inbox = InboxService(sessions, clock, timedelta(seconds=settings.inbox_lease_seconds))
        application = build_application(settings, services)
        worker = InboxWorker(application, inbox, read_senders=services.users.read_along)
        dispatcher = build_dispatcher(settings, services, application, SenderLock(engine))
        planner = Planner(
            [
                services.digest.plan,
                services.speakers.plan,
                services.feedback.plan,
                services.questions.plan,
            ],
            clock,
            dispatcher.wake,
        )
        progress = build_progress(settings, services, application, dispatcher)
        return cls(
            settings, engine, services, inbox, application, worker, dispatcher, planner, progress
        )

    async def start(self, *, migrate: bool = True, commands: bool = True) -> None:
        if migrate:
            await upgrade(self.engine)
        demoted = await self.services.roles.settle_admins()  # BOT_ADMINS is the truth
        await self.application.initialize()
        if commands:
            await publish_commands(self, demoted)

    async def stop(self) -> None:
        await self.dispatcher.close()
        await self.progress.close()
        await self.application.shutdown()
        await self.engine.dispose()

    async def serve(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Run until `stop` is set: webhook mode when WEBHOOK_URL is set, else polling.

        `ready` is set once updates can flow (webhook registered, or polling started).
        """
        bot = self.application.bot
        tasks = [
            asyncio.create_task(self.worker.run(stop), name="inbox-worker"),
            asyncio.create_task(self.dispatcher.run(stop), name="dispatcher"),
            asyncio.create_task(self.planner.run(stop), name="planner"),
            asyncio.create_task(self.progress.run(stop), name="broadcast-progress"),
        ]
        if self.settings.schedule_url:
            sync = ScheduleSync(
                self.settings.schedule_url,
                self.settings.schedule_sync_minutes,
                self.services.imports,
            )
            tasks.append(asyncio.create_task(sync.run(stop), name="schedule-sync"))
        runner: web.AppRunner | None = None
        if self.settings.webhook_url:
            runner = await self._start_http()
            await bot.set_webhook(
                self.settings.webhook_url,
                secret_token=self.settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info("webhook mode: %s", self.settings.webhook_url)
        else:
            await bot.delete_webhook(drop_pending_updates=False)
            token = self.settings.bot_token or ""
            poller = Poller(self.settings.api_base_url, token, self.worker)
            tasks.append(asyncio.create_task(poller.run(stop), name="poller"))
            log.info("polling mode")
        if ready is not None:
            ready.set()
        try:
            await stop.wait()
        finally:
            await self._drain(tasks, runner)

    async def _drain(self, tasks: list[asyncio.Task[None]], runner: web.AppRunner | None) -> None:
        """SIGTERM: stop taking updates (Telegram retries them at another instance), let the
        claimed work finish, and give up after DRAIN_SECONDS (unfinished claims are released
        or, if the process dies, reclaimed after their lease)."""
        if runner is not None:
            await runner.cleanup()
        _, pending = await asyncio.wait(tasks, timeout=DRAIN_SECONDS)
        for task in pending:
            log.warning("%s did not finish within %s s; cancelling", task.get_name(), DRAIN_SECONDS)
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def readiness(self) -> dict[str, Any]:
        """For /readyz: the database answers and is migrated; updates can be stored; who
        sends the outbox."""
        schema = await schema_state(self.engine)
        sender = "sending" if self.dispatcher.leading else "standby"
        writes = "stuck" if self.writes_blocked_for() > WRITES_STUCK_AFTER else "ok"
        return {
            "database": "ok",
            "migrations": schema,  # "newer" is fine: migrations are additive
            "writes": writes,
            "sender": sender,
            "ready": schema != "pending" and writes == "ok",
        }

    def writes_blocked_for(self) -> float:
        """How long (seconds) storing updates has been held up: the inbox's store under way,
        and on SQLite the process's write gate (held by one writer, or waited on). Reads
        still answer then, so without this an instance whose every webhook post waits 30 s
        for a 503 looked healthy."""
        blocked = self.worker.storing_for()
        gate = sqlite_writes.gate_of(self.engine)
        if gate is not None:
            blocked = max(blocked, gate.blocked_for())
        return blocked

    async def _start_http(self) -> web.AppRunner:
        app = create_web_app(
            accept=self.worker.accept,
            sessions=self.services.sessions,
            webhook_path=self.settings.webhook_path,
            secret=self.settings.webhook_secret or "",
            readiness=self.readiness,
        )
        runner = await serve(app, self.settings.http_host, self.settings.http_port)
        log.info("HTTP on %s:%s", self.settings.http_host, self.settings.http_port)
        return runner


def wall_clock() -> Clock:
    """The real time: the one place a `SystemClock` is made; everything else is handed one."""
    return SystemClock()


def build_services(settings: Settings, clock: Clock | None = None) -> tuple[AsyncEngine, Services]:
    """The engine and the services on it, for every entry point (the bot, the playground,
    each CLI subcommand); the caller disposes the engine (`open_services` does)."""
    engine = create_engine(settings.database_url)
    services = Services.build(settings, clock or wall_clock(), create_session_factory(engine))
    return engine, services


@asynccontextmanager
async def open_services(
    settings: Settings, clock: Clock | None = None, *, migrate: bool = False
) -> AsyncIterator[Services]:
    """`async with open_services(settings) as services:` for one command: the engine is
    opened (and migrated first when `migrate`), and disposed at the end whatever happens."""
    engine, services = build_services(settings, clock)
    try:
        if migrate:
            await upgrade(engine)
        yield services
    finally:
        await engine.dispose()


def build_dispatcher(
    settings: Settings,
    services: Services,
    application: PTBApplication,
    lock: SenderLock | None = None,
) -> Dispatcher:
    limits = Limits(
        per_second=settings.delivery_per_second,
        per_chat_per_second=settings.delivery_per_chat_per_second,
        per_group_per_minute=settings.delivery_per_group_per_minute,
    )
    config = DeliveryConfig(
        lease=timedelta(seconds=settings.delivery_lease_seconds),
        max_attempts=settings.delivery_max_attempts,
        in_flight=settings.delivery_in_flight,
    )
    return Dispatcher(
        outbox=services.outbox,
        sessions=services.sessions,
        sender=TelegramSender(application.bot, read_timeout=settings.delivery_send_timeout),
        pacer=Pacer(limits),
        renderers=build_renderers(services),
        localizer_for=services.localizer,
        clock=services.clock,
        config=config,
        lock=lock,
    )


def build_progress(
    settings: Settings, services: Services, application: PTBApplication, dispatcher: Dispatcher
) -> ProgressMonitor:
    """Runs where the dispatcher sends, so only one instance edits each progress message."""
    telegram = TelegramSender(application.bot, read_timeout=settings.delivery_send_timeout)
    return ProgressMonitor(
        services.broadcast_runs,
        telegram,
        telegram,
        services.localizer,
        leading=lambda: dispatcher.leading,
    )


def build_application(settings: Settings, services: Services) -> PTBApplication:
    base = settings.api_base_url
    file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base
    application: PTBApplication = (
        ApplicationBuilder()
        .token(settings.bot_token or "")
        .base_url(base)
        .base_file_url(file_base)
        .updater(None)
        .request(  # replies refused for a moment are sent again (see bot/telegram/request.py)
            AiohttpRequest(
                connection_pool_size=64, read_timeout=15, connect_timeout=10, retry=REPLY_RETRY
            )
        )
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .build()
    )
    application.bot_data.services = services
    register_handlers(application)
    application.add_error_handler(on_error)
    return application


async def publish_commands(runtime: Runtime, demoted: Sequence[int] = ()) -> None:
    """Localized command menus: the attendees' for everyone, and their own for organizers,
    admins and speakers (and none of their own for `demoted`, admins BOT_ADMINS no longer
    names); Telegram being unhappy here must never stop the bot."""
    await publish_all(runtime.application.bot, runtime.services, FEATURES.guide)
    for user_id in demoted:
        await refresh_commands(runtime.application.bot, runtime.services, FEATURES.guide, user_id)
