"""The kinds of outbox row, defined once: the services that write rows, the delivery engine
that renders them and the tests all name a kind by these constants.

A kind is stored in `outbox.kind` and is part of every row's key, so a value here is never
renamed without a migration of the rows still pending.
"""

from __future__ import annotations

NOTICE = "notice"  # a text given per language (operators, tests)
SEAT_PROMOTED = "seat_promoted"  # a waitlisted attendee got a seat (bot.services.seats)
REMINDER = "reminder"  # a bookmarked session starts soon (bot.services.reminders)
SCHEDULE_CHANGE = "schedule_change"  # a bookmarked session moved or was cancelled
DIGEST = "digest"  # the morning summary of the day (bot.services.digest)
BROADCAST = "broadcast"  # an organizer's message; subject f"broadcast:{id}"
SPEAKER_ALERT = "speaker_alert"  # your session starts soon (bot.services.speaker_alerts)
SPEAKER_CHECKIN = "speaker_checkin"  # are you here? asked before the session
SPEAKER_CHANGE = "speaker_change"  # your session moved or was cancelled
SPEAKERS_MISSING = "speakers_missing"  # organizers: speakers who have not checked in
SPEAKER_PEOPLE = "speaker_people"  # co-speakers changed; you were added to or removed from it
QUESTIONS_START = "questions_start"  # the ranked questions sent to speakers at the start
FEEDBACK_PROMPT = "feedback_prompt"  # rate the session you attended, once it ends
FEEDBACK_SUMMARY = "feedback_summary"  # speakers: what attendees said, once the window closes

ALL = (
    NOTICE,
    SEAT_PROMOTED,
    REMINDER,
    SCHEDULE_CHANGE,
    DIGEST,
    BROADCAST,
    SPEAKER_ALERT,
    SPEAKER_CHECKIN,
    SPEAKER_CHANGE,
    SPEAKERS_MISSING,
    SPEAKER_PEOPLE,
    QUESTIONS_START,
    FEEDBACK_PROMPT,
    FEEDBACK_SUMMARY,
)
