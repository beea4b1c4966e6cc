"""Compact, versionless callback data: `verb:arg:arg`, always within Telegram's 64 bytes.

Buttons outlive deploys, so parsing never trusts its input: anything malformed decodes to
None and the user is told the button is stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
_ARG = re.compile(r"^[A-Za-z0-9_.-]{0,24}$")

VERBS = {
    "days": 0,  # day picker
    "day": 2,  # day index, page
    "ses": 2,  # session id, origin (how to go back)
    "spks": 1,  # speaker list page
    "spk": 1,  # speaker id
    "rooms": 0,  # room list
    "room": 2,  # room id, day index
    "lang": 1,  # locale
    "now": 0,  # now & next
    "bm": 2,  # bookmark: session id, origin
    "ubm": 2,  # remove bookmark: session id, origin
    "rsv": 2,  # reserve a seat: session id, origin
    "ursv": 2,  # give the seat (or waitlist place) back: session id, origin
    "ics": 1,  # one session as .ics
    "icsa": 0,  # the whole agenda as .ics
    "agenda": 0,  # my agenda
    "stg": 0,  # settings
    "lead": 1,  # reminder lead time in minutes (0 = off)
    "dig": 1,  # morning summary: 1 on, 0 off
    "rg": 1,  # registration step: start, resume, restart, cancel, agree, confirm, pick, summary
    "rgf": 1,  # registration: the field to change
    "rgr": 1,  # registration: role
    "rgc": 1,  # registration: country code
    "rgl": 1,  # registration: preferred language
    "me": 1,  # my registration: show, edit, badge, delete, erase
    "bc": 2,  # broadcast dialogue: action, value (audience kind, id, locale or "")
    "bcx": 1,  # cancel a confirmed broadcast: its id
    "spi": 1,  # invite this speaker: speaker id
    "spip": 1,  # speaker invite picker: page
    "spr": 1,  # withdraw this speaker's open invites: speaker id
    "sprp": 1,  # speaker revoke picker: page
    "spc": 2,  # speaker check-in: session id, h (here) | l (late)
    "spal": 0,  # a speaker's alert setting
    "spas": 1,  # set it: "d" (event default), "0" (off) or minutes such as 60-15
    "fb": 2,  # feedback: session id, rating 1-5
    "fbo": 1,  # open the feedback prompt from a session card: session id
    "fbc": 1,  # feedback: add or change the comment: session id
    "qs": 3,  # a session's questions: session id, page, origin
    "qa": 2,  # ask a question: session id, origin
    "qx": 0,  # cancel the question being typed
    "qv": 3,  # upvote: question id, page, origin
    "qh": 3,  # organizers hide a question: question id, page, origin
    "qsp": 2,  # a speaker's questions: session id, page
    "qan": 2,  # a speaker marks a question answered: question id, page
    "ak": 4,  # a question refined: question id, constraints dropped, page, day or person picked
    "help": 0,
    "noop": 0,
    "impa": 0,  # apply the schedule file just previewed  # page counter: does nothing
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
        return cb("agenda")
    match = re.fullmatch(r"d(\d+)\.(\d+)|s(\d+)|r(\d+)\.(\d+)|n", origin)
    if match is None:
        return cb("day", fallback_day, 0)
    day, page, speaker, room, room_day = match.groups()
    if day is not None:
        return cb("day", day, page)
    if speaker is not None:
        return cb("spk", speaker)
    if room is not None:
        return cb("room", room, room_day)
    return cb("now")
