"""Compact, versionless callback data: `verb:arg:arg`, always within Telegram's 64 bytes.

Buttons outlive deploys, so parsing never trusts its input: anything malformed decodes to
None and the user is told the button is stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
_ARG = re.compile(r"^[A-Za-z0-9_.-]{0,24}$")

# Callback verbs, by name: the strings are what buttons already in users' chats carry, so
# they never change. Screens build buttons with `cb(VERB, ...)`; features answer them by
# the same names (`bot.telegram.features.press`).
DAYS = "days"  # day picker
DAY = "day"  # day index, page
SESSION = "ses"  # session id, origin (how to go back)
SPEAKERS = "spks"  # speaker list page
SPEAKER = "spk"  # speaker id
ROOMS = "rooms"  # room list
ROOM = "room"  # room id, day index
LANGUAGE = "lang"  # locale
NOW = "now"  # now & next
BOOKMARK = "bm"  # bookmark: session id, origin
UNBOOKMARK = "ubm"  # remove bookmark: session id, origin
RESERVE = "rsv"  # reserve a seat: session id, origin
UNRESERVE = "ursv"  # give the seat (or waitlist place) back: session id, origin
ICS = "ics"  # one session as .ics
ICS_AGENDA = "icsa"  # the whole agenda as .ics
AGENDA = "agenda"  # my agenda
SETTINGS = "stg"  # settings
LEAD = "lead"  # reminder lead time in minutes (0 = off)
DIGEST = "dig"  # morning summary: 1 on, 0 off
REGISTRATION_STEP = "rg"  # start, resume, restart, cancel, agree, confirm, pick, summary
REGISTRATION_FIELD = "rgf"  # registration: the field to change
REGISTRATION_ROLE = "rgr"  # registration: role
REGISTRATION_COUNTRY = "rgc"  # registration: country code
REGISTRATION_LANGUAGE = "rgl"  # registration: preferred language
MY_REGISTRATION = "me"  # my registration: show, edit, badge, delete, erase
BROADCAST = "bc"  # broadcast dialogue: action, value (audience kind, id, locale or "")
BROADCAST_CANCEL = "bcx"  # cancel a confirmed broadcast: its id
INVITE = "spi"  # invite this speaker: speaker id
INVITE_PAGE = "spip"  # speaker invite picker: page
REVOKE = "spr"  # withdraw this speaker's open invites: speaker id
REVOKE_PAGE = "sprp"  # speaker revoke picker: page
SPEAKER_CHECKIN = "spc"  # speaker check-in: session id, h (here) | l (late)
SPEAKER_ALERTS = "spal"  # a speaker's alert setting
SPEAKER_ALERTS_SET = "spas"  # set it: "d" (event default), "0" (off) or minutes such as 60-15
FEEDBACK_RATE = "fb"  # feedback: session id, rating 1-5
FEEDBACK_OPEN = "fbo"  # open the feedback prompt from a session card: session id
FEEDBACK_COMMENT = "fbc"  # feedback: add or change the comment: session id
QUESTIONS = "qs"  # a session's questions: session id, page, origin
QUESTION_ASK = "qa"  # ask a question: session id, origin
QUESTION_CANCEL = "qx"  # cancel the question being typed
QUESTION_VOTE = "qv"  # upvote: question id, page, origin
QUESTION_HIDE = "qh"  # organizers hide a question: question id, page, origin
QUESTIONS_SPEAKER = "qsp"  # a speaker's questions: session id, page
QUESTION_ANSWERED = "qan"  # a speaker marks a question answered: question id, page
REFINE = "ak"  # a question refined: question id, constraints dropped, page, day or person picked
HELP = "help"
NOOP = "noop"  # page counter: does nothing
IMPORT_APPLY = "impa"  # apply the schedule file just previewed

# How many arguments each verb carries: anything else decodes to None (a stale button).
VERBS: dict[str, int] = {
    DAYS: 0,
    DAY: 2,
    SESSION: 2,
    SPEAKERS: 1,
    SPEAKER: 1,
    ROOMS: 0,
    ROOM: 2,
    LANGUAGE: 1,
    NOW: 0,
    BOOKMARK: 2,
    UNBOOKMARK: 2,
    RESERVE: 2,
    UNRESERVE: 2,
    ICS: 1,
    ICS_AGENDA: 0,
    AGENDA: 0,
    SETTINGS: 0,
    LEAD: 1,
    DIGEST: 1,
    REGISTRATION_STEP: 1,
    REGISTRATION_FIELD: 1,
    REGISTRATION_ROLE: 1,
    REGISTRATION_COUNTRY: 1,
    REGISTRATION_LANGUAGE: 1,
    MY_REGISTRATION: 1,
    BROADCAST: 2,
    BROADCAST_CANCEL: 1,
    INVITE: 1,
    INVITE_PAGE: 1,
    REVOKE: 1,
    REVOKE_PAGE: 1,
    SPEAKER_CHECKIN: 2,
    SPEAKER_ALERTS: 0,
    SPEAKER_ALERTS_SET: 1,
    FEEDBACK_RATE: 2,
    FEEDBACK_OPEN: 1,
    FEEDBACK_COMMENT: 1,
    QUESTIONS: 3,
    QUESTION_ASK: 2,
    QUESTION_CANCEL: 0,
    QUESTION_VOTE: 3,
    QUESTION_HIDE: 3,
    QUESTIONS_SPEAKER: 2,
    QUESTION_ANSWERED: 2,
    REFINE: 4,
    HELP: 0,
    NOOP: 0,
    IMPORT_APPLY: 0,
}


@dataclass(frozen=True)
class Callback:
    verb: str
    args: tuple[str, ...] = ()

    def encode(self) -> str:
        data = ":".join((self.verb, *self.args))
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    def int_arg(self, index: int) -> int:
        return int(self.args[index])


def cb(verb: str, *args: object) -> str:
    return Callback(verb, tuple(str(a) for a in args)).encode()


def decode(data: str | None) -> Callback | None:
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    verb, *args = data.split(":")
    if VERBS.get(verb) != len(args) or not all(_ARG.match(a) for a in args):
        return None
    return Callback(verb, tuple(args))


# --- where a session card was opened from, so "Back" returns there ---------------------------
def origin_day(day: int, page: int) -> str:
    return f"d{day}.{page}"


def origin_speaker(speaker_id: int) -> str:
    return f"s{speaker_id}"


def origin_room(room_id: int, day: int) -> str:
    return f"r{room_id}.{day}"


ORIGIN_NOW = "n"
ORIGIN_AGENDA = "a"
ORIGIN_SEARCH = "x"  # results are not kept, so Back goes to the session's day


def back_target(origin: str, fallback_day: int) -> str:
    """The callback data of the Back button for a card opened from `origin`."""
    if origin == ORIGIN_AGENDA:
        return cb(AGENDA)
    match = re.fullmatch(r"d(\d+)\.(\d+)|s(\d+)|r(\d+)\.(\d+)|n", origin)
    if match is None:
        return cb(DAY, fallback_day, 0)
    day, page, speaker, room, room_day = match.groups()
    if day is not None:
        return cb(DAY, day, page)
    if speaker is not None:
        return cb(SPEAKER, speaker)
    if room is not None:
        return cb(ROOM, room, room_day)
    return cb(NOW)
