"""Whatever an organizer imports or a user types, every message the bot sends is one Telegram
accepts (4,096 characters of text, 1,024 of caption, 100 buttons, after parsing, in UTF-16):
lists are summarised ("… and 19,980 more problems"), what a user typed is echoed shortened,
and a single text still too long is split at line boundaries, its buttons on the last part.

The screen sweep feeds every screen that shows organizer- or user-controlled text oversized
data and sends what it makes through the real reply path (`message_calls`) to the strict
fake Bot API, which refuses what Telegram refuses."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from telegram import Bot

from bot.delivery.outcomes import Delivered
from bot.delivery.telegram_sender import TelegramSender
from bot.domain.ask.select import Overrides
from bot.domain.ask_views import Answer, Echo
from bot.domain.attachments import Attachment
from bot.domain.broadcast_views import BroadcastView, Choice, Figures, Prompt, Reach, State
from bot.domain.broadcasts import Audience, AudienceKind, Draft, Step
from bot.domain.changes import SessionChange
from bot.domain.changes import SlotState as ChangeSlot
from bot.domain.feedback import FeedbackCard, FeedbackFigures, FeedbackSummary, SessionRating
from bot.domain.message_split import utf16_len
from bot.domain.organizer_views import AuditRow, CheckIn
from bot.domain.organizer_views import Figures as StatsFigures
from bot.domain.programme import SessionKind
from bot.domain.programme_plan import ImportSummary
from bot.domain.questions import QuestionBoard, QuestionItem
from bot.domain.reminder_views import ChangeNotice, DayDigest, ReminderCard, SlotView
from bot.domain.reminders import StartsIn
from bot.domain.speakers import (
    MissingReport,
    MissingSpeaker,
    PeopleNotice,
    SpeakerAlert,
    SpeakerChoice,
    SpeakerHome,
    SpeakerSession,
)
from bot.domain.views import (
    AgendaItem,
    NowAndNext,
    PersonRef,
    RoomDay,
    RoomNowNext,
    RoomSummary,
    SessionDetail,
    SessionSummary,
    SpeakerDetail,
    SpeakerSummary,
)
from bot.i18n import Catalogs, Localizer
from bot.importers.base import N_, Problem, ProgrammeFormatError, line
from bot.presentation import Button, Reply, broadcast_status, broadcasts
from bot.presentation import agenda as agenda_screens
from bot.presentation import answers as answer_screens
from bot.presentation import feedback as feedback_screens
from bot.presentation import imports as import_screens
from bot.presentation import inline as inline_screens
from bot.presentation import menu as menu_screens
from bot.presentation import organizers as organizer_screens
from bot.presentation import people as people_screens
from bot.presentation import programme as programme_screens
from bot.presentation import questions as question_screens
from bot.presentation import reminders as reminder_screens
from bot.presentation import rooms as room_screens
from bot.presentation import speakers as speaker_screens
from bot.sandbox.content_rules import check_inline_answer
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import SentMessage
from bot.sandbox.tg_html import parse_html
from bot.telegram.replies import message_calls
from bot.telegram.request import AiohttpRequest, call_api
from handlers import FEATURES
from handlers.inline import answer_params
from tests.conftest import ADMIN
from tests.harness import BotHarness, text_of

KL = "Asia/Kuala_Lumpur"
START = datetime(2026, 3, 14, 2, 0, tzinfo=UTC)


def oversized(length: int = 4096) -> str:
    """A text as long as Telegram lets anyone type: words, markup characters, emoji."""
    return ("Climate <data> & stories 🌍 " * (length // 20 + 1))[:length]


LONG = oversized()


def summary(i: int, title: str = LONG, room: str | None = LONG) -> SessionSummary:
    starts = START + timedelta(minutes=15 * i)
    return SessionSummary(
        i, title, SessionKind.TALK, starts, starts + timedelta(hours=1), room, False
    )


def detail(i: int = 1, people: int = 300) -> SessionDetail:
    base = summary(i)
    return SessionDetail(
        id=i,
        title=LONG,
        abstract=LONG,
        kind=SessionKind.WORKSHOP,
        starts_at=base.starts_at,
        ends_at=base.ends_at,
        room_id=1,
        room=LONG,
        track=LONG,
        language="en",
        capacity=40,
        cancelled=False,
        people=tuple(
            PersonRef(1000 + n, f"{LONG[:200]} {n}", "speaker" if n % 3 else "moderator")
            for n in range(people)
        ),
        day_index=0,
    )


SESSIONS = tuple(summary(i) for i in range(2000))
SPEAKERS = tuple(SpeakerSummary(i, f"{LONG} {i}", LONG) for i in range(2000))
ROOMS = tuple(RoomSummary(i, f"{LONG} {i}", 100) for i in range(300))
SPEAKER_SESSIONS = tuple(SpeakerSession(detail(i, people=5), 10, 3) for i in range(300))


def answer(**fields: object) -> Answer:
    values: dict[str, object] = {
        "question_id": 7,
        "text": LONG,
        "echo": Echo(topic=tuple(LONG.split()[:8]), rooms=(LONG,), people=(LONG,)),
        "overrides": Overrides(frozenset(), None, None),
        "sessions": SESSIONS[:8],
        "total": 2000,
        "page": 0,
        "pages": 250,
    }
    values.update(fields)
    return Answer(**values)  # type: ignore[arg-type]


def problems(n: int) -> ProgrammeFormatError:
    found = [
        Problem(line(i + 2), N_("unknown kind {kind} (use one of: {kinds})", kind=LONG, kinds=LONG))
        for i in range(n)
    ]
    return ProgrammeFormatError(f"{LONG}.csv", found, total=n)


def import_summary(applied: bool) -> ImportSummary:
    change = SessionChange(
        session_id=1,
        key="k",
        title=LONG,
        before=ChangeSlot(START, START + timedelta(hours=1), "r1", False),
        after=ChangeSlot(
            START + timedelta(days=1), START + timedelta(days=1, hours=1), "r2", False
        ),
    )
    names = tuple({"": f"{LONG} {i}"} for i in range(2000))
    return ImportSummary(
        rooms=300,
        tracks=300,
        speakers=2000,
        sessions=2000,
        removed_sessions=2000,
        changes=(change,) * 2000,
        added=tuple(f"{LONG} {i}" for i in range(2000)),
        renamed=tuple((LONG, f"{LONG} {i}") for i in range(2000)),
        removed=tuple(f"{LONG} {i}" for i in range(2000)),
        applied=applied,
        room_names={"r1": {"": LONG}, "r2": {"": LONG}},
        new_rooms=names,
        new_tracks=names,
        new_speakers=names,
    )


def board(open_: bool = True) -> QuestionBoard:
    questions = tuple(
        QuestionItem(i, oversized(280), 2000 - i, START, answered=i % 2 == 0, mine=i == 3)
        for i in range(2000)
    )
    return QuestionBoard(summary(1), questions, open_, can_hide=True, others=SESSIONS[:50])


def stats() -> StatsFigures:
    return StatsFigures(
        registrations=20000,
        by_role=tuple((f"role{i}", i) for i in range(50)),
        by_country=tuple((f"X{i}", i) for i in range(10)),
        by_language=(("en", 5), ("ar", 4), ("ms", 3), ("ur", 2)),
        users=20000,
        active_today=5000,
        top_sessions=tuple((LONG, 100 - i) for i in range(5)),
        seats=tuple((f"{LONG} {i}", 10, 40) for i in range(2000)),
        delivery=(("sent", 10), ("failed", 2)),
        feedback=FeedbackFigures(
            5000, tuple(SessionRating(f"{LONG} {i}", 10, 4.5) for i in range(2000))
        ),
        unanswered=tuple((oversized(300), 5) for _ in range(10)),
        checked_in=100,
    )


def audit() -> list[AuditRow]:
    return [
        AuditRow(START, 900 + i, oversized(129), "promote", LONG[:200], LONG, "refused", LONG)
        for i in range(20)
    ]


def broadcast_view(i: int) -> BroadcastView:
    return BroadcastView(
        id=i,
        audience=Audience(AudienceKind.SESSION, "1"),
        audience_label=LONG,
        default_locale="en",
        versions=("en",),
        attachment=None,
        scheduled_at=START,
        created_at=START,
        state=State.SENDING,
        total=20000,
        figures=Figures(sent=10000, pending=9000, failed=500, unreachable=500),
    )


def broadcast_prompt(step: Step) -> Prompt:
    draft = Draft(
        "token",
        "en",
        Audience(AudienceKind.SESSION, "1"),
        texts={
            "en": html.escape(LONG, quote=False),
            "ar": html.escape(oversized(4000), quote=False),
        },
    )
    return Prompt(
        step,
        draft,
        audience_label=LONG,
        query=LONG,
        sessions=SESSIONS[:2000],
        tracks=tuple(Choice(i, f"{LONG} {i}") for i in range(300)),
        reach=Reach.of({"en": 1000, "ar": 2000}),
    )


ScreenMaker = Callable[[Localizer], Reply | list[Reply]]
ONE = 1  # a list: summarised to one message
SPLIT = 3  # one text of 4,096 characters with more around it: split, a few messages at most

# Every screen fed with the oversized data it can receive, and how many messages it may take.
SCREENS: dict[str, tuple[ScreenMaker, int]] = {
    "day picker": (lambda t: programme_screens.day_picker(t, (date(2026, 3, 14),) * 5, LONG), ONE),
    "day page": (lambda t: programme_screens.day_page(t, 0, date(2026, 3, 14), SESSIONS, 3), ONE),
    "session card": (lambda t: programme_screens.session_card(t, detail(), "d0.0"), SPLIT),
    "now and next": (
        lambda t: programme_screens.now_and_next(t, NowAndNext(SESSIONS, SESSIONS, False, False)),
        ONE,
    ),
    "speaker list": (lambda t: people_screens.speaker_list(t, SPEAKERS, 7), ONE),
    "speaker card": (
        lambda t: people_screens.speaker_card(t, SpeakerDetail(1, LONG, LONG, LONG, SESSIONS)),
        SPLIT,
    ),
    "room list": (lambda t: room_screens.room_list(t, ROOMS, 0), ONE),
    "room day": (
        lambda t: room_screens.room_day(
            t, RoomDay(ROOMS[0], 0, date(2026, 3, 14), SESSIONS), (date(2026, 3, 14),) * 5
        ),
        ONE,
    ),
    "room now and next": (
        lambda t: room_screens.room_now_next(
            t, RoomNowNext(ROOMS[0], SESSIONS, SESSIONS[0], 0, False)
        ),
        ONE,
    ),
    "agenda": (
        lambda t: agenda_screens.agenda(t, [AgendaItem(s, SESSIONS[:300]) for s in SESSIONS]),
        ONE,
    ),
    "seat promoted": (lambda t: agenda_screens.promoted(t, LONG, LONG, LONG), SPLIT),
    "search answer": (lambda t: answer_screens.answer_reply(t, answer()), ONE),
    "search, a person asked about": (
        lambda t: answer_screens.answer_reply(
            t,
            answer(
                asks=frozenset({"who"}),
                person=SPEAKERS[0],
                person_sessions=SESSIONS,
                speakers_of=tuple(s.name for s in SPEAKERS),
            ),
        ),
        ONE,
    ),
    "search, whom do you mean": (
        lambda t: answer_screens.answer_reply(t, answer(choices=SPEAKERS)),
        ONE,
    ),
    "search, nothing understood": (
        lambda t: answer_screens.answer_reply(
            t, answer(sessions=(), understood_nothing=True, echo=Echo())
        ),
        ONE,
    ),
    "search, unknown words": (
        lambda t: answer_screens.answer_reply(
            t, answer(sessions=(), understood_nothing=True, unknown=tuple(LONG.split()))
        ),
        ONE,
    ),
    "search, no such room": (
        lambda t: answer_screens.answer_reply(t, answer(sessions=(), unknown_room=LONG)),
        ONE,
    ),
    "search, nothing found": (
        lambda t: answer_screens.answer_reply(
            t, answer(sessions=(), nearest=SESSIONS[:50], unknown=tuple(LONG.split()))
        ),
        ONE,
    ),
    "unknown command": (lambda t: menu_screens.unknown_command(t, FEATURES.guide, "/" + LONG), ONE),
    "import preview": (
        lambda t: import_screens.dry_run_reply(t, import_summary(False), "imp:1"),
        ONE,
    ),
    "import applied": (lambda t: import_screens.applied_reply(t, import_summary(True)), ONE),
    "import refused, 20,000 problems": (
        lambda t: import_screens.format_error(t, problems(20000)),
        ONE,
    ),
    "audit log": (lambda t: organizer_screens.audit_log(t, audit()), ONE),
    "stats": (lambda t: organizer_screens.stats_report(t, stats()), ONE),
    "check-in": (
        lambda t: organizer_screens.checkin_result(
            t, CheckIn(True, oversized(120), "journalist", START)
        ),
        ONE,
    ),
    "feedback prompt": (
        lambda t: feedback_screens.card(t, FeedbackCard(detail(), 4, oversized(1000), START)),
        SPLIT,
    ),
    "feedback summary": (
        lambda t: feedback_screens.summary(
            t,
            FeedbackSummary(
                detail(),
                2000,
                4.2,
                ((5, 1000), (4, 1000)),
                tuple(oversized(1000) for _ in range(2000)),
            ),
        ),
        SPLIT,
    ),
    "questions board": (lambda t: question_screens.board(t, board(), 3, "d0.0"), ONE),
    "question asked": (lambda t: question_screens.asked(t, board(), "d0.0"), ONE),
    "speaker's questions": (
        lambda t: question_screens.speaker_board(t, board(), 0, at_start=True),
        ONE,
    ),
    "ask a question": (lambda t: question_screens.ask_prompt(t, LONG), SPLIT),
    "reminder": (
        lambda t: reminder_screens.reminder(t, ReminderCard(detail(), StartsIn(15))),
        SPLIT,
    ),
    "schedule change": (
        lambda t: reminder_screens.schedule_change(
            t,
            ChangeNotice(
                detail(),
                SlotView(START, START + timedelta(hours=1), LONG),
                SlotView(START + timedelta(days=1), START + timedelta(days=1, hours=1), LONG),
                cancelled=False,
                restored=False,
                retimed=True,
                moved_room=True,
            ),
        ),
        SPLIT,
    ),
    "morning digest": (
        lambda t: reminder_screens.digest(t, DayDigest(date(2026, 3, 14), SESSIONS)),
        ONE,
    ),
    "invite picker": (
        lambda t: speaker_screens.invite_picker(
            t, [SpeakerChoice(i, LONG, LONG, True, 1) for i in range(2000)], 0, LONG
        ),
        ONE,
    ),
    "no speaker matches": (lambda t: speaker_screens.no_match(t, LONG), ONE),
    "speakers missing": (
        lambda t: speaker_screens.missing_report(
            t, MissingReport(START, tuple(MissingSpeaker(LONG, LONG, None) for _ in range(2000)))
        ),
        ONE,
    ),
    "speaker's sessions": (
        lambda t: speaker_screens.my_sessions(t, SpeakerHome(1, LONG, SPEAKER_SESSIONS)),
        ONE,
    ),
    "speaker linked": (
        lambda t: speaker_screens.linked(t, SpeakerHome(1, LONG, SPEAKER_SESSIONS)),
        ONE,
    ),
    "co-speakers changed": (
        lambda t: speaker_screens.people_change(
            t,
            PeopleNotice(
                "",
                LONG,
                START,
                START + timedelta(hours=1),
                detail(),
                joined=detail().people,
                left=detail().people,
            ),
        ),
        SPLIT,
    ),
    "speaker alert": (
        lambda t: speaker_screens.alert(t, SpeakerAlert(SpeakerSession(detail(), 5, 3), 15)),
        SPLIT,
    ),
    "speaker check-in question": (
        lambda t: speaker_screens.checkin_question(
            t, SpeakerAlert(SpeakerSession(detail(), 5, 3), 45)
        ),
        SPLIT,
    ),
    "broadcast tracks": (lambda t: broadcasts.prompt(t, broadcast_prompt(Step.TRACK)), ONE),
    "broadcast sessions": (lambda t: broadcasts.prompt(t, broadcast_prompt(Step.SESSION)), ONE),
    "broadcast preview": (lambda t: broadcasts.preview(t, broadcast_prompt(Step.PREVIEW)), 4),
    "broadcast progress": (lambda t: broadcast_status.progress(t, broadcast_view(1)), ONE),
    "broadcast history": (
        lambda t: broadcast_status.history(t, [broadcast_view(i) for i in range(50)]),
        ONE,
    ),
}


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs()


@pytest.fixture
async def api(fake: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url, request=AiohttpRequest()) as bot:
        yield bot


async def show(api: Bot, chat_id: int, reply: Reply, l10n: Localizer) -> int:
    """Send `reply` as the bot does; the fake refuses (raises) what Telegram refuses."""
    text = reply.text if reply.finished else l10n.finish(reply.text)
    calls = message_calls(chat_id, reply, text)
    for method, params in calls:
        await call_api(api, method, params)
    return len(calls) + sum([await show(api, chat_id, extra, l10n) for extra in reply.extra])


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("screen", sorted(SCREENS))
async def test_every_screen_fed_oversized_data_is_accepted_by_telegram(
    api: Bot, fake: FakeBotApi, catalogs: Catalogs, screen: str, lang: str
) -> None:
    l10n = Localizer(lang, catalogs.get(lang), KL)
    user = fake.user(5000, "Organizer", language_code=lang)
    make, most = SCREENS[screen]

    made = make(l10n)
    replies = made if isinstance(made, list) else [made]
    messages = [await show(api, user.id, reply, l10n) for reply in replies]

    assert all(call.ok for call in fake.calls)
    assert max(messages) <= most, f"{screen}: {messages} messages"
    for reply in replies:
        assert sum(len(row) for row in reply.buttons) <= 100


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_inline_answer_fed_oversized_sessions_is_accepted(catalogs: Catalogs, lang: str) -> None:
    l10n = Localizer(lang, catalogs.get(lang), KL)
    sessions = [detail(i) for i in range(20)]

    found = inline_screens.inline_answer(
        l10n, sessions, total=2000, offset=0, now_and_next=False, bot_username="symposium_bot"
    )

    check_inline_answer(answer_params("q1", found))  # raises as the fake would
    assert all(utf16_len(parse_html(r.text)[0]) <= 4096 for r in found.results)


async def test_a_caption_too_long_continues_in_messages_buttons_on_the_last(
    api: Bot, fake: FakeBotApi, catalogs: Catalogs
) -> None:
    l10n = Localizer("ar", catalogs.get("ar"), KL)
    user = fake.user(5001, "Nour", language_code="ar")
    update = await fake.send_document(user, "poster.pdf", b"%PDF-1.4 poster", "application/pdf")
    poster = Attachment("document", update["message"]["document"]["file_id"])
    caption = "\n".join(f"<b>{i}</b> {html.escape(oversized(60))}" for i in range(60))
    reply = Reply(caption, buttons=((Button("Open", "ses:1:a"),),), attachment=poster)

    sent = await show(api, user.id, reply, l10n)

    [document, *texts] = fake.messages(user.id)[-sent:]
    assert document.kind == "document" and texts
    assert utf16_len(parse_html(document.caption or "")[0]) <= 1024
    assert [bool(m.button_texts()) for m in (document, *texts)] == [False] * len(texts) + [True]


# --------------------------------------------------------------------------- end to end


async def test_a_search_for_a_whole_message_echoes_it_shortened(bot: BotHarness) -> None:
    user = bot.user()
    query = ("?! " * 1400)[: 4096 - len("/search ")].strip()  # nothing to understand

    [reply] = await bot.send(user, f"/search {query}")

    shown = text_of(reply)
    assert shown.startswith("🤷 I did not understand “?! ?! ?!")  # the question, echoed…
    echoed = shown.split("“", 1)[1].split("”", 1)[0]
    assert echoed.endswith("…") and len(echoed) <= 100  # …shortened to a line
    assert all(call.ok for call in bot.fake.calls)


async def test_an_organizer_looking_for_a_whole_message_of_a_name_is_answered(
    desk: BotHarness,
) -> None:
    organizer = desk.user(ADMIN, "Admin")
    name = ("Nobody by this name " * 210)[: 4096 - len("/invite ")].strip()

    [reply] = await desk.send(organizer, f"/invite {name}")

    shown = text_of(reply)
    assert shown.startswith("No speaker matches “Nobody by this name")
    assert name not in shown and len(shown) < 200
    assert all(call.ok for call in desk.fake.calls)


async def test_an_import_with_20000_problems_reports_the_first_and_counts_the_rest(
    desk: BotHarness,
) -> None:
    organizer = desk.user(ADMIN, "Admin")
    kind = "x" * 300
    rows = "".join(f"2026-03-14,09:00,10:00,Talk {i},{kind}\n" for i in range(20000))
    data = ("day,start,end,title,kind\n" + rows).encode()

    update = await desk.fake.send_document(organizer, "huge.csv", data, "text/csv")
    await desk.processed(update["update_id"])

    [report] = [m for m in desk.fake.messages(organizer.id) if "huge.csv" in text_of(m)]
    shown = text_of(report)
    assert shown.startswith("⚠️ This file cannot be imported. Nothing was changed.")
    assert "huge.csv: 20,000 problems" in shown
    listed = [row for row in shown.splitlines() if row.startswith("• ")]
    assert 1 <= len(listed) <= 20
    assert f"… and {20000 - len(listed):,} more problems" in shown
    assert all(call.ok for call in desk.fake.calls)


async def test_a_session_with_a_4096_character_title_still_opens(desk: BotHarness) -> None:
    organizer = desk.user(ADMIN, "Admin")
    title = ("A very long title about climate and data " * 100)[:4090].strip()
    data = f"day,start,end,title\n2026-03-14,09:00,10:00,{title}\n".encode()
    update = await desk.fake.send_document(organizer, "long.csv", data, "text/csv")
    await desk.processed(update["update_id"])
    preview = desk.fake.last_message(organizer.id)
    await desk.press(organizer, preview, "Apply")
    attendee = desk.user(3001, "Reader")

    [days] = await desk.send(attendee, "/programme")
    [page] = await desk.press(attendee, days, "Day 1")
    shown = await desk.press(attendee, page, "09:00")

    assert all(call.ok for call in desk.fake.calls)
    assert len(shown) == 2  # the card, split after its title line
    assert title in text_of(shown[0])
    assert not shown[0].button_texts() and shown[-1].button_texts()  # buttons on the last


# --------------------------------------------------------------------------- the outbox


async def test_an_outbox_message_too_long_arrives_in_parts_buttons_on_the_last(
    fake: FakeBotApi,
) -> None:
    user = fake.user(6001, "Siti")
    text = "\n".join(f"{i:04d} · <b>{html.escape(oversized(90))}</b>" for i in range(200))
    reply = Reply(text, buttons=((Button("Open", "ses:1:a"),),))
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        sender = TelegramSender(bot)
        try:
            outcome = await sender.send(user.id, reply, "en")
        finally:
            await sender.close()

    parts = fake.messages(user.id)
    assert isinstance(outcome, Delivered) and outcome.message_id == parts[-1].message_id
    assert len(parts) > 1
    assert [bool(p.button_texts()) for p in parts] == [False] * (len(parts) - 1) + [True]
    assert "".join(p.plain_text for p in parts).count("·") == 200


async def test_a_later_part_refused_for_a_moment_is_sent_once_in_place(fake: FakeBotApi) -> None:
    user = fake.user(6002, "Omar")
    text = "\n".join(f"{i:04d} {html.escape(oversized(90))}" for i in range(100))

    def refuse_the_next_part(message: SentMessage) -> None:
        fake.on_message = None
        fake.inject("sendMessage", error_code=429, retry_after=1)

    fake.on_message = refuse_the_next_part
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        sender = TelegramSender(bot)
        try:
            outcome = await sender.send(user.id, Reply(text), "en")
        finally:
            await sender.close()

    assert isinstance(outcome, Delivered)
    assert [c.error_code for c in fake.calls if c.method == "sendMessage"][:3] == [None, 429, None]
    parts = [m.plain_text for m in fake.messages(user.id)]
    assert "".join(parts).count("\n") >= 99
    assert len(parts) == len(set(parts))  # nothing arrived twice
