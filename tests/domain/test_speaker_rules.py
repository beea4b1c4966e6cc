"""Who among a session's linked speakers hears what when an import changes its people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.speakers import Listed, news_for, people_news

NOW = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
NOUR, TAN, AISHA = 1, 2, 3


def listed(*people: tuple[int, str], cancelled: bool = False, ended: bool = False) -> Listed:
    start = NOW - timedelta(hours=3) if ended else NOW + timedelta(hours=2)
    return Listed(
        "Newsrooms After the Algorithm", start, start + timedelta(hours=1), cancelled, people, {}
    )


def test_a_speaker_taken_off_hears_removed_one_put_on_added_and_the_rest_the_team() -> None:
    before = {10: listed((NOUR, "speaker"), (TAN, "speaker"))}
    after = {10: listed((NOUR, "speaker"), (AISHA, "moderator"))}

    [(change, state, present)] = people_news(before, after, NOW)

    assert present and state == after[10]
    assert [news_for(change, person) for person in (NOUR, TAN, AISHA)] == ["", "removed", "added"]


def test_the_same_people_in_another_order_are_no_news() -> None:
    before = {10: listed((NOUR, "speaker"), (TAN, "speaker"))}
    after = {10: listed((TAN, "speaker"), (NOUR, "speaker"))}

    assert people_news(before, after, NOW) == []


def test_a_cancelled_or_finished_session_and_a_deleted_one_are_told_apart() -> None:
    before = {
        10: listed((NOUR, "speaker")),
        11: listed((TAN, "speaker"), ended=True),
        12: listed((AISHA, "speaker")),
    }
    after = {10: listed(cancelled=True), 11: listed(ended=True)}

    news = people_news(before, after, NOW)

    assert [(change.session_id, present) for change, _, present in news] == [(12, False)]
    assert news_for(news[0][0], AISHA) == "removed"
