"""The bundled sample programme: a three-day Global Media Symposium in four languages."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.programme import (
    EventData,
    ProgrammeData,
    RoomData,
    SessionData,
    SessionKind,
    SpeakerData,
    TrackData,
)


def load_sample(start: date, timezone: str | None = None) -> ProgrammeData:
    """The sample programme with day 1 on `start`, set in `timezone` (default: its own)."""
    raw: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath("programme.json").read_text("utf-8")
    )
    return parse_sample(raw, start, timezone)


def parse_sample(raw: dict[str, Any], start: date, timezone: str | None = None) -> ProgrammeData:
    info = raw["event"]
    zone_name = timezone or info["timezone"]
    zone = ZoneInfo(zone_name)
    event = EventData(
        key=info["key"],
        name=info["name"]["en"],
        names=dict(info["name"]),
        venue=info["venue"]["en"],
        venues=dict(info["venue"]),
        timezone=zone_name,
        start_date=start,
        days=int(info["days"]),
    )
    speakers = [
        SpeakerData(
            key=s["key"],
            name=s["name"][s.get("original_locale", "en")],
            names=dict(s["name"]),
            organization=s.get("organization", ""),
            bio=s["bio"]["en"],
            bios=dict(s["bio"]),
        )
        for s in raw["speakers"]
    ]
    sessions = []
    for s in raw["sessions"]:
        day = start + timedelta(days=int(s["day"]) - 1)
        starts = datetime.combine(day, time.fromisoformat(s["start"]), zone)
        original = s["language"] if s["language"] in s["title"] else "en"
        sessions.append(
            SessionData(
                key=s["key"],
                kind=SessionKind(s["kind"]),
                title=s["title"][original],
                titles=dict(s["title"]),
                abstract=s["abstract"][original],
                abstracts=dict(s["abstract"]),
                starts_at=starts,
                ends_at=starts + timedelta(minutes=int(s["duration"])),
                room_key=s["room"],
                track_key=s["track"],
                language=s["language"],
                capacity=s.get("capacity"),
                speaker_keys=tuple(s["speakers"]),
                moderator_keys=tuple(s.get("moderators", ())),
            )
        )
    return ProgrammeData(
        event=event,
        rooms=[
            RoomData(r["key"], r["name"]["en"], dict(r["name"]), r.get("capacity"))
            for r in raw["rooms"]
        ],
        tracks=[TrackData(t["key"], t["name"]["en"], dict(t["name"])) for t in raw["tracks"]],
        speakers=speakers,
        sessions=sessions,
    )
