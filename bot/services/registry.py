"""The services one process shares, handed to handlers through the typed context."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.clock import Clock
from bot.config import Settings
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.locales import SUPPORTED_LOCALES
from bot.i18n import Catalogs, Localizer
from bot.services.agenda import AgendaService
from bot.services.ask import AskService
from bot.services.asked import AskedQuestions
from bot.services.audit import AuditLog
from bot.services.broadcast_runs import BroadcastRuns
from bot.services.broadcasts import BroadcastService
from bot.services.changes import ChangeNotices
from bot.services.checkin import CheckinService
from bot.services.digest import DigestService
from bot.services.feedback import FeedbackService
from bot.services.imports import ImportService
from bot.services.outbox import Outbox
from bot.services.programme import ProgrammeService
from bot.services.questions import QuestionService
from bot.services.registration import RegistrationService
from bot.services.reminders import ReminderService
from bot.services.roles import RoleService
from bot.services.schedule import ScheduleService
from bot.services.seats import SeatService
from bot.services.session_card import SessionCardService
from bot.services.speaker_desk import SpeakerDesk
from bot.services.speakers import SpeakerService
from bot.services.stats import StatsService
from bot.services.users import UserService

ZONE_CACHE = timedelta(seconds=60)


@dataclass
class Services:
    settings: Settings
    clock: Clock
    sessions: SessionFactory
    catalogs: Catalogs
    schedule: ScheduleService
    ask: AskService
    users: UserService
    programme: ProgrammeService
    imports: ImportService
    agenda: AgendaService
    seats: SeatService
    registration: RegistrationService
    checkin: CheckinService
    outbox: Outbox
    roles: RoleService
    stats: StatsService
    reminders: ReminderService
    changes: ChangeNotices
    digest: DigestService
    broadcasts: BroadcastService
    broadcast_runs: BroadcastRuns
    speakers: SpeakerService
    speaker_desk: SpeakerDesk
    questions: QuestionService
    feedback: FeedbackService
    session_card: SessionCardService
    asked: AskedQuestions
    audit: AuditLog
    _zone: tuple[str, datetime] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, settings: Settings, clock: Clock, sessions: SessionFactory) -> Services:
        catalogs = Catalogs()
        catalogs.preload()
        schedule = ScheduleService(sessions, clock)
        programme = ProgrammeService(sessions, clock, settings.speaker_alert_minutes)
        seats = SeatService(sessions, clock)
        asked = AskedQuestions(sessions, clock)
        agenda = AgendaService(sessions, clock, schedule)
        feedback_window = timedelta(minutes=settings.feedback_window_minutes)
        return cls(
            settings=settings,
            clock=clock,
            sessions=sessions,
            catalogs=catalogs,
            schedule=schedule,
            ask=AskService(schedule, clock, asked, agenda, seats),
            users=UserService(sessions, clock, settings.admins, schedule.cache),
            programme=programme,
            imports=ImportService(sessions, programme, settings.event_timezone, clock),
            agenda=agenda,
            seats=seats,
            checkin=CheckinService(sessions, clock),
            outbox=Outbox(sessions, clock),
            roles=RoleService(sessions, clock, settings.admins),
            stats=StatsService(sessions, clock),
            registration=RegistrationService(sessions, clock, seats),
            reminders=ReminderService(sessions, clock, schedule, settings.digest_time),
            changes=ChangeNotices(sessions, clock, schedule),
            digest=DigestService(sessions, clock, settings.digest_time),
            broadcasts=BroadcastService(sessions, clock, schedule),
            broadcast_runs=BroadcastRuns(sessions, clock),
            speakers=SpeakerService(sessions, clock, schedule, settings.speaker_alert_minutes),
            speaker_desk=SpeakerDesk(sessions, clock, schedule, settings.speaker_alert_minutes),
            questions=QuestionService(sessions, clock, schedule),
            feedback=FeedbackService(sessions, clock, schedule, feedback_window),
            session_card=SessionCardService(sessions, clock, feedback_window),
            asked=asked,
            audit=AuditLog(sessions, clock),
        )

    async def localizer(self, locale: str) -> Localizer:
        """A localizer for one reader, formatting times in the event's own zone."""
        return Localizer(locale, self.catalogs.get(locale), await self.event_timezone())

    def localizer_in(self, locale: str, timezone: str) -> Localizer:
        return Localizer(locale, self.catalogs.get(locale), timezone)

    async def all_localizers(self) -> list[Localizer]:
        zone = await self.event_timezone()
        return [self.localizer_in(locale, zone) for locale in SUPPORTED_LOCALES]

    async def event_timezone(self) -> str:
        """The loaded event's zone (EVENT_TIMEZONE before any import), cached for a minute."""
        now = self.clock.now()
        if self._zone is not None and now - self._zone[1] < ZONE_CACHE:
            return self._zone[0]
        async with self.sessions() as db:
            zone = await db.scalar(select(m.Event.timezone).order_by(m.Event.id.desc()).limit(1))
        self._zone = (zone or self.settings.event_timezone, now)
        return self._zone[0]
