"""The programme as readers see it: days, sessions, now and next, people, rooms and search."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.clock import FrozenClock
from bot.db import models as m
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.domain.programme import (
    EventData,
    ProgrammeData,
    RoomData,
    SessionData,
    SessionKind,
    SpeakerData,
    TrackData,
)
from bot.domain.views import PersonRef, RoomSummary
from bot.services.programme import ProgrammeService
from bot.services.programme_cache import bump_version
from bot.services.schedule import NEXT_WINDOW, NoEventError, ScheduleService
from tests.databases import IMPORT_CLOCK

KL = ZoneInfo("Asia/Kuala_Lumpur")
DAY_1, DAY_2, DAY_3 = date(2026, 3, 14), date(2026, 3, 15), date(2026, 3, 16)

KEYNOTE_EN = "Trust Is the Story: Journalism Ethics in the Age of Synthetic Media"
KEYNOTE_AR = "الثقة هي القصة: أخلاقيات الصحافة في عصر الوسائط الاصطناعية"
KEYNOTE_MS = "Kepercayaan Itulah Ceritanya: Etika Kewartawanan dalam Era Media Sintetik"
KEYNOTE_UR = "اعتماد ہی اصل کہانی ہے: مصنوعی میڈیا کے دور میں صحافتی اخلاقیات"
WHITFIELD_SESSIONS = [
    KEYNOTE_EN,
    "Disinformation, Elections and the Newsroom Response",
    "Safety, Ethics and Wellbeing: Supporting Journalists Under Pressure",
]
DAY_1_10_30 = [
    "Who Is Accountable When the Algorithm Writes the Headline? Newsroom Ethics, "
    "Automation and Editorial Responsibility in Asia",
    "Platform Rules vs. National Laws: Who Decides What Stays Online?",
    "Fact-checking <live> & on air: verifying claims as they are made",
    "Building Reader Trust in Malay-Language Digital News",
    "Mapping Urban Floods with Open Data",
    "5 tools for verifying user-generated video in under 10 minutes",
]
DAY_1_11_45 = [
    "Covering Elections Without Amplifying Disinformation",
    "Business Models for Independent Arabic Digital Media",
    "From 360° Video to Spatial Journalism: What Actually Works",
    "Teaching Media Literacy to Teenagers on Their Own Platforms",
]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=KL)


@pytest.fixture
async def sessions(sample_db: str) -> AsyncIterator[SessionFactory]:
    engine = create_engine(sample_db)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def schedule(sessions: SessionFactory, clock: FrozenClock) -> ScheduleService:
    return ScheduleService(sessions, clock)


async def id_of(
    sessions: SessionFactory, model: type[m.Session | m.Speaker | m.Room], key: str
) -> int:
    async with sessions() as db:
        found = await db.scalar(select(model.id).where(model.key == key))
    assert found is not None, key
    return found


async def cancel(sessions: SessionFactory, key: str) -> None:
    async with sessions.begin() as db:
        await db.execute(update(m.Session).where(m.Session.key == key).values(cancelled=True))
        await bump_version(db)  # a write behind the programme service's back must say so


# --- the event and its days ------------------------------------------------------------------


async def test_event_has_three_days(schedule: ScheduleService) -> None:
    event = await schedule.event("en")

    assert (event.name, event.timezone, event.days) == (
        "Global Media Symposium",
        "Asia/Kuala_Lumpur",
        (DAY_1, DAY_2, DAY_3),
    )


@pytest.mark.parametrize(
    ("locale", "name", "venue"),
    [
        ("ar", "الندوة العالمية للإعلام", "مركز سري بانتاي للمؤتمرات، كوالالمبور"),
        ("ms", "Simposium Media Global", "Pusat Konvensyen Seri Pantai, Kuala Lumpur"),
        ("ur", "عالمی میڈیا سمپوزیم", "سری پنتائی کنونشن سینٹر، کوالالمپور"),
    ],
)
async def test_event_name_and_venue_translated(
    schedule: ScheduleService, locale: str, name: str, venue: str
) -> None:
    event = await schedule.event(locale)

    assert (event.name, event.venue) == (name, venue)


async def test_event_without_programme_raises_no_event(empty_db: str, clock: FrozenClock) -> None:
    engine = create_engine(empty_db)
    try:
        with pytest.raises(NoEventError):
            await ScheduleService(create_session_factory(engine), clock).event("en")
    finally:
        await engine.dispose()


# --- a day's sessions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "day", "count"), [(0, DAY_1, 22), (1, DAY_2, 23), (2, DAY_3, 22)]
)
async def test_day_sessions_only_of_that_day_in_time_order(
    schedule: ScheduleService, index: int, day: date, count: int
) -> None:
    shown_day, found = await schedule.day_sessions(index, "en")

    starts = [s.starts_at for s in found]
    assert shown_day == day
    assert len(found) == count
    assert {s.astimezone(KL).date() for s in starts} == {day}
    assert starts == sorted(starts)


async def test_day_sessions_first_slot_of_day_one(schedule: ScheduleService) -> None:
    _, found = await schedule.day_sessions(0, "en")

    assert [s.title for s in found[:7]] == [KEYNOTE_EN, *DAY_1_10_30]
    assert (found[0].starts_at, found[0].ends_at, found[0].room) == (
        at(DAY_1, 9),
        at(DAY_1, 10),
        "Main Hall",
    )


@pytest.mark.parametrize(
    ("locale", "title", "room"),
    [
        ("ar", KEYNOTE_AR, "القاعة الرئيسية"),
        ("ms", KEYNOTE_MS, "Dewan Utama"),
        ("ur", KEYNOTE_UR, "مرکزی ہال"),
    ],
)
async def test_day_sessions_titles_in_requested_locale(
    schedule: ScheduleService, locale: str, title: str, room: str
) -> None:
    _, found = await schedule.day_sessions(0, locale)

    assert (found[0].title, found[0].room) == (title, room)


@pytest.mark.parametrize(("index", "day"), [(-4, DAY_1), (9, DAY_3)])
async def test_day_sessions_index_out_of_range_is_clamped(
    schedule: ScheduleService, index: int, day: date
) -> None:
    shown_day, _ = await schedule.day_sessions(index, "en")

    assert shown_day == day


def partly_translated_programme() -> ProgrammeData:
    """One day, two sessions: one with no translations, one translated into Malay only."""
    return ProgrammeData(
        event=EventData(
            key="mini",
            name="Mini Forum",
            timezone="Asia/Kuala_Lumpur",
            start_date=DAY_1,
            days=1,
            names={"ms": "Forum Mini"},
        ),
        rooms=[RoomData("hall", "Hall A", {"ar": "القاعة أ"})],
        tracks=[TrackData("news", "News")],
        speakers=[SpeakerData("amina", "Amina Rahman")],
        sessions=[
            SessionData(
                key="opening",
                kind=SessionKind.KEYNOTE,
                title="Opening Words",
                starts_at=at(DAY_1, 9),
                ends_at=at(DAY_1, 10),
                room_key="hall",
                track_key="news",
                language="en",
                speaker_keys=("amina",),
            ),
            SessionData(
                key="panel",
                kind=SessionKind.PANEL,
                title="Local Radio Today",
                titles={"ms": "Radio Tempatan Hari Ini"},
                starts_at=at(DAY_1, 11),
                ends_at=at(DAY_1, 12),
                room_key="hall",
                track_key=None,
                language="en",
            ),
        ],
    )


@pytest.fixture
async def mini_schedule(empty_db: str, clock: FrozenClock) -> AsyncIterator[ScheduleService]:
    engine = create_engine(empty_db)
    try:
        factory = create_session_factory(engine)
        await ProgrammeService(factory, IMPORT_CLOCK).apply(partly_translated_programme())
        yield ScheduleService(factory, clock)
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("locale", "titles", "room"),
    [
        ("ms", ["Opening Words", "Radio Tempatan Hari Ini"], "Hall A"),
        ("ar", ["Opening Words", "Local Radio Today"], "القاعة أ"),
        ("ur", ["Opening Words", "Local Radio Today"], "Hall A"),
    ],
)
async def test_day_sessions_missing_translation_falls_back_to_original(
    mini_schedule: ScheduleService, locale: str, titles: list[str], room: str
) -> None:
    _, found = await mini_schedule.day_sessions(0, locale)

    assert [(s.title, s.room) for s in found] == [(t, room) for t in titles]


@pytest.mark.parametrize(("locale", "name"), [("ms", "Forum Mini"), ("ar", "Mini Forum")])
async def test_event_missing_translation_falls_back_to_original(
    mini_schedule: ScheduleService, locale: str, name: str
) -> None:
    assert (await mini_schedule.event(locale)).name == name


# --- one session -----------------------------------------------------------------------------


async def test_session_detail(schedule: ScheduleService, sessions: SessionFactory) -> None:
    keynote = await id_of(sessions, m.Session, "d1-keynote")
    whitfield = await id_of(sessions, m.Speaker, "eleanor-whitfield")

    found = await schedule.session(keynote, "en")

    assert found is not None
    assert (found.title, found.kind, found.room, found.track, found.day_index) == (
        KEYNOTE_EN,
        SessionKind.KEYNOTE,
        "Main Hall",
        "Ethical journalism",
        0,
    )
    assert found.people == (PersonRef(whitfield, "Eleanor Whitfield", "speaker"),)


async def test_session_detail_translated(
    schedule: ScheduleService, sessions: SessionFactory
) -> None:
    keynote = await id_of(sessions, m.Session, "d1-keynote")

    found = await schedule.session(keynote, "ar")

    assert found is not None
    assert (found.title, found.track, found.people[0].name) == (
        KEYNOTE_AR,
        "الصحافة الأخلاقية",
        "إليانور ويتفيلد",
    )


async def test_session_unknown_id_is_none(schedule: ScheduleService) -> None:
    assert await schedule.session(999_999, "en") is None


# --- now and next ----------------------------------------------------------------------------


async def test_now_and_next_in_a_break_on_day_one(schedule: ScheduleService) -> None:
    # 10:15: the keynote ended at 10:00, the next slot starts at 10:30.
    view = await schedule.now_and_next("en")

    _, day = await schedule.day_sessions(0, "en")
    window_end = at(DAY_1, 10, 30) + NEXT_WINDOW
    assert [s.title for s in view.now] == []
    assert [s.title for s in view.next][:6] == DAY_1_10_30
    assert [s.title for s in view.next] == [
        s.title for s in day if at(DAY_1, 10, 30) <= s.starts_at <= window_end
    ]
    assert (view.before_event, view.after_event) == (False, False)


async def test_now_and_next_during_sessions(schedule: ScheduleService, clock: FrozenClock) -> None:
    clock.set(at(DAY_1, 10, 45))

    view = await schedule.now_and_next("en")

    assert [s.title for s in view.now] == DAY_1_10_30
    assert [s.title for s in view.next] == DAY_1_11_45


async def test_now_and_next_next_is_earliest_start_and_window_after_it(
    schedule: ScheduleService, clock: FrozenClock
) -> None:
    clock.set(at(DAY_1, 8))

    view = await schedule.now_and_next("en")

    first = view.next[0].starts_at
    assert first == at(DAY_1, 9)
    assert all(first <= s.starts_at <= first + NEXT_WINDOW for s in view.next)
    _, day = await schedule.day_sessions(0, "en")
    assert [s.title for s in view.next] == [
        s.title for s in day if s.starts_at <= first + NEXT_WINDOW
    ]


async def test_now_and_next_never_shows_cancelled_sessions(
    schedule: ScheduleService, sessions: SessionFactory, clock: FrozenClock
) -> None:
    await cancel(sessions, "d1-talk-factcheck-live")
    await cancel(sessions, "d1-talk-election-disinfo")
    clock.set(at(DAY_1, 10, 45))

    view = await schedule.now_and_next("en")

    assert [s.title for s in view.now] == [t for t in DAY_1_10_30 if not t.startswith("Fact")]
    assert [s.title for s in view.next] == DAY_1_11_45[1:]


async def test_now_and_next_skips_a_cancelled_next_slot(
    schedule: ScheduleService, sessions: SessionFactory, clock: FrozenClock
) -> None:
    await cancel(sessions, "d1-closing-fragile-democracies")  # the last session of day 1
    clock.set(at(DAY_1, 16, 30))

    view = await schedule.now_and_next("en")

    assert view.next[0].starts_at == at(DAY_2, 9)


async def test_now_and_next_before_the_event(schedule: ScheduleService, clock: FrozenClock) -> None:
    clock.set(at(DAY_1 - timedelta(days=1), 12))

    view = await schedule.now_and_next("en")

    assert (view.before_event, view.after_event, view.now) == (True, False, ())
    assert view.next[0].title == KEYNOTE_EN


async def test_now_and_next_after_the_event(schedule: ScheduleService, clock: FrozenClock) -> None:
    clock.set(at(DAY_3, 17, 30))  # the closing session ends at 17:30

    view = await schedule.now_and_next("en")

    assert (view.before_event, view.after_event, view.now, view.next) == (False, True, (), ())


async def test_now_and_next_last_session_still_running_is_not_after(
    schedule: ScheduleService, clock: FrozenClock
) -> None:
    clock.set(at(DAY_3, 17, 29))

    view = await schedule.now_and_next("en")

    assert view.after_event is False
    assert [s.title for s in view.now] == [
        "Closing Session: The Kuala Lumpur Declaration on Ethical Journalism"
    ]


# --- speakers --------------------------------------------------------------------------------


async def test_speakers_sorted_by_english_name(schedule: ScheduleService) -> None:
    names = [s.name for s in await schedule.speakers("en")]

    assert len(names) == 44
    assert names == sorted(names, key=str.casefold)
    assert (names[0], names[-1]) == ("Ahmad Fauzi Rahman", "Zainab Rizvi")


async def test_speakers_sorted_by_arabic_name(schedule: ScheduleService) -> None:
    names = [s.name for s in await schedule.speakers("ar")]

    assert (names[0], names[-1]) == ("أحمد فوزي رحمن", "يوسف بن علي")
    assert names.index("بلال قريشي") < names.index("كامران بت") < names.index("هانا كالدويل")


async def test_speakers_sorted_in_urdu_alphabet_order(schedule: ScheduleService) -> None:
    names = [s.name for s in await schedule.speakers("ur")]

    # Urdu order: ... د ڈ ... ر ... ک گ ل م ...: Daniel (ڈ) before Rabia (ر), Kamran (ک)
    # and Grace (گ) before Laura (ل) and Maryam (م).
    picked = [
        "ڈینیئل ہارٹلی",
        "رابعہ ہاشمی",
        "کامران بٹ",
        "گریس پیمبرٹن",
        "لورا بینیٹ",
        "مریم عبید",
    ]
    assert [n for n in names if n in picked] == picked


async def test_speaker_lists_their_sessions(
    schedule: ScheduleService, sessions: SessionFactory
) -> None:
    whitfield = await id_of(sessions, m.Speaker, "eleanor-whitfield")

    found = await schedule.speaker(whitfield, "en")

    assert found is not None
    assert (found.name, found.organization) == ("Eleanor Whitfield", "Northbridge Journalism Trust")
    assert [s.title for s in found.sessions] == WHITFIELD_SESSIONS


async def test_speaker_in_arabic_has_arabic_name(
    schedule: ScheduleService, sessions: SessionFactory
) -> None:
    whitfield = await id_of(sessions, m.Speaker, "eleanor-whitfield")

    found = await schedule.speaker(whitfield, "ar")

    assert found is not None
    assert (found.name, found.sessions[0].title) == ("إليانور ويتفيلد", KEYNOTE_AR)


async def test_speaker_unknown_id_is_none(schedule: ScheduleService) -> None:
    assert await schedule.speaker(999_999, "en") is None


# --- rooms -----------------------------------------------------------------------------------


async def test_rooms_in_position_order(schedule: ScheduleService) -> None:
    found = await schedule.rooms("en")

    assert [(r.name, r.capacity) for r in found] == [
        ("Main Hall", 900),
        ("Merdeka Hall", 350),
        ("Orchid Room", 150),
        ("Hibiscus Room", 150),
        ("Rafflesia Room", 120),
        ("Workshop Studio 1", 40),
        ("Workshop Studio 2", 40),
        ("Immersive Media Lab", 24),
    ]


async def test_rooms_translated(schedule: ScheduleService) -> None:
    found = await schedule.rooms("ms")

    assert [r.name for r in found[:3]] == ["Dewan Utama", "Dewan Merdeka", "Bilik Orkid"]


async def test_room_day_with_explicit_day(
    schedule: ScheduleService, sessions: SessionFactory
) -> None:
    lab = await id_of(sessions, m.Room, "xr-lab")

    found = await schedule.room_day(lab, 2, "en")

    assert found is not None
    assert (found.room, found.day_index, found.day) == (
        RoomSummary(lab, "Immersive Media Lab", 24),
        2,
        DAY_3,
    )
    assert [s.title for s in found.sessions] == [
        "Prototyping a VR Documentary Scene with Free Tools"
    ]


@pytest.mark.parametrize(
    ("now", "index", "day"),
    [
        (at(DAY_2, 10), 1, DAY_2),
        (at(DAY_1 - timedelta(days=3), 10), 0, DAY_1),
        (at(DAY_3 + timedelta(days=3), 10), 2, DAY_3),
    ],
)
async def test_room_day_without_day_picks_today(
    schedule: ScheduleService,
    sessions: SessionFactory,
    clock: FrozenClock,
    now: datetime,
    index: int,
    day: date,
) -> None:
    main_hall = await id_of(sessions, m.Room, "main-hall")
    clock.set(now)

    found = await schedule.room_day(main_hall, None, "en")

    assert found is not None
    assert (found.day_index, found.day) == (index, day)
    assert {s.starts_at.astimezone(KL).date() for s in found.sessions} == {day}
    assert {s.room for s in found.sessions} == {"Main Hall"}


async def test_room_day_unknown_room_is_none(schedule: ScheduleService) -> None:
    assert await schedule.room_day(999_999, 0, "en") is None


# --- search ----------------------------------------------------------------------------------


async def titles(schedule: ScheduleService, query: str) -> list[str]:
    return [s.title for s in (await schedule.search(query, "en")).sessions]


@pytest.mark.parametrize(
    "query",
    [
        "Synthetic",  # English title
        "الاصطناعية",  # Arabic title
        "Sintetik",  # Malay title
        "مصنوعی میڈیا",  # Urdu title
    ],
)
async def test_search_finds_session_by_title_word_in_each_language(
    schedule: ScheduleService, query: str
) -> None:
    assert await titles(schedule, query) == [KEYNOTE_EN]


async def test_search_finds_urdu_title_typed_on_arabic_keyboard(schedule: ScheduleService) -> None:
    # "کہانی" (story) in the Urdu title, typed with Arabic kaf, heh and yeh.
    assert KEYNOTE_EN in await titles(schedule, "كهاني")


@pytest.mark.parametrize("query", ["Whitfield", "ويتفيلد", "ایلینر وٹفیلڈ"])
async def test_search_finds_speaker_by_name_in_latin_and_arabic_script(
    schedule: ScheduleService, query: str
) -> None:
    found = await schedule.search(query, "en")

    assert [s.name for s in found.speakers] == ["Eleanor Whitfield"]
    assert [s.title for s in found.sessions] == WHITFIELD_SESSIONS


@pytest.mark.parametrize("query", ["Orchid", "Orkid", "الأوركيد"])
async def test_search_finds_sessions_by_room_name(schedule: ScheduleService, query: str) -> None:
    found = (await schedule.search(query, "en")).sessions

    assert len(found) == 12
    assert {s.room for s in found} == {"Orchid Room"}


@pytest.mark.parametrize("query", ["storytelling", "Penceritaan"])
async def test_search_finds_sessions_by_track_name(schedule: ScheduleService, query: str) -> None:
    found = await titles(schedule, query)

    assert len(found) == 7
    assert "Build Your First AR News Explainer" in found


async def test_search_requires_all_words(schedule: ScheduleService) -> None:
    orchid = set(await titles(schedule, "Orchid"))
    ethics = set(await titles(schedule, "ethics"))

    both = await titles(schedule, "Orchid ethics")

    assert set(both) == orchid & ethics
    assert 0 < len(both) < min(len(orchid), len(ethics))


async def test_search_ignores_case(schedule: ScheduleService) -> None:
    assert await titles(schedule, "SYNTHETIC media") == await titles(schedule, "synthetic MEDIA")


async def test_search_ignores_arabic_diacritics(schedule: ScheduleService) -> None:
    assert await titles(schedule, "الثِّقَةُ") == await titles(schedule, "الثقة") != []


async def test_search_speaker_by_organization_and_other_words(schedule: ScheduleService) -> None:
    found = await schedule.search("Lahore ethics", "en")

    assert [s.name for s in found.speakers] == ["Ayesha Siddiqui"]


async def test_search_results_in_reader_locale(schedule: ScheduleService) -> None:
    found = await schedule.search("Synthetic", "ur")

    assert [s.title for s in found.sessions] == [KEYNOTE_UR]


@pytest.mark.parametrize("query", ["zzqxv", "", "a", "?!"])
async def test_search_nonsense_finds_nothing(schedule: ScheduleService, query: str) -> None:
    found = await schedule.search(query, "en")

    assert (found.sessions, found.speakers, found.empty) == ((), (), True)


@pytest.mark.parametrize("query", ["%", "%%", "__", "fact_checking", "tr_st"])
async def test_search_sql_wildcards_match_literally(schedule: ScheduleService, query: str) -> None:
    found = await schedule.search(query, "en")

    assert found.empty


async def test_search_words_apart_still_match(schedule: ScheduleService) -> None:
    assert await titles(schedule, "fact checking live") == [
        "Fact-checking <live> & on air: verifying claims as they are made"
    ]
