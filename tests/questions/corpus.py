"""The question corpus (`corpus/*.toml`) and how an answer is judged useful.

An answer is judged on what the user sees: the message's first mark (🔎 found, 🤔 asked
back, 🤷 nothing), the sessions it offers as buttons (across its pages), the people or days
it offers to choose from, and whether the offered titles are in the asker's language.
The format is described in `docs/questions.md`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import strip_bidi

CORPUS = Path(__file__).parent / "corpus"
DATA = Path(__file__).parent / "data"
ZONES = {"sample": "Asia/Kuala_Lumpur", "fosdem": "Europe/Brussels"}
MIN_USEFUL = 0.9  # the bar, per language and programme


@dataclass(frozen=True)
class Question:
    ask: str
    at: datetime
    sessions: tuple[str, ...] = ()
    extra: int = 0
    first: str | None = None
    speakers: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    choose_day: bool = False
    nothing: bool = False
    note: str = ""


@dataclass(frozen=True)
class Corpus:
    name: str
    locale: str
    programme: str
    questions: tuple[Question, ...]


def load(path: Path) -> Corpus:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    zone = ZoneInfo(ZONES[data["programme"]])

    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=zone)

    questions = tuple(
        Question(
            ask=q["ask"],
            at=moment(q.get("at", data["at"])),
            sessions=tuple(q.get("sessions", ())),
            extra=int(q.get("extra", 0)),
            first=q.get("first"),
            speakers=tuple(q.get("speakers", ())),
            choices=tuple(q.get("choices", ())),
            choose_day=bool(q.get("choose_day", False)),
            nothing=bool(q.get("nothing", False)),
            note=q.get("note", ""),
        )
        for q in data["q"]
    )
    return Corpus(path.stem, data["locale"], data["programme"], questions)


def corpora() -> list[Path]:
    return sorted(CORPUS.glob("*.toml"))


@dataclass
class Seen:
    """What one answer showed, over all its pages."""

    text: str = ""
    sessions: list[int] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)  # session id -> its button's label
    speakers: list[int] = field(default_factory=list)
    person_choices: list[int] = field(default_factory=list)
    day_choices: list[int] = field(default_factory=list)

    def add_page(self, text: str, buttons: list[tuple[str, str]]) -> None:
        if not self.text:
            self.text = strip_bidi(text).strip()
        for label, data in buttons:
            parts = data.split(":")
            if parts[0] == "ses" and len(parts) > 1 and parts[1].isdigit():
                session = int(parts[1])
                if session not in self.sessions:
                    self.sessions.append(session)
                    self.labels[session] = strip_bidi(label)
            elif parts[0] == "spk" and parts[1].isdigit():
                self.speakers.append(int(parts[1]))
            elif parts[0] == "ak" and len(parts) == 5 and parts[4][:1] == "p":
                self.person_choices.append(int(parts[4][1:]))
            elif parts[0] == "ak" and len(parts) == 5 and parts[4][:1] == "d":
                self.day_choices.append(int(parts[4][1:]))


@dataclass(frozen=True)
class Keys:
    """The programme's keys by id, and each session's title per locale."""

    sessions: dict[int, str]
    speakers: dict[int, str]
    titles: dict[int, dict[str, str]]


def verdict(question: Question, seen: Seen, keys: Keys, locale: str) -> str | None:
    """None when the answer is useful; otherwise why not."""
    mark = seen.text[:1]
    if mark not in ("🤔", "🤷") and any(line.startswith("🔎") for line in seen.text.split("\n")):
        mark = "🔎"  # a direct answer may come first, then what was understood
    offered = [keys.sessions.get(i, f"#{i}") for i in seen.sessions]
    if question.choices:
        chosen = {keys.speakers.get(i) for i in seen.person_choices}
        if mark != "🤔" or not set(question.choices) <= chosen:
            return f"expected to be asked which of {question.choices}"
        return None
    if question.choose_day:
        if mark != "🤔" or not seen.day_choices:
            return "expected to be asked which day"
        return None
    if question.nothing:
        if mark != "🤷":
            return "expected 'nothing found'"
        stray = [k for k in offered if k not in question.sessions]
        return f"offered unrelated {stray}" if stray else None
    if mark != "🔎":
        return "expected sessions"
    missing = [k for k in question.sessions if k not in offered]
    if missing:
        return f"missing {missing}"
    others = [k for k in offered if k not in question.sessions]
    if len(others) > question.extra:
        return f"{len(others)} unrelated sessions (at most {question.extra}): {others[:5]}"
    if question.first and offered[:1] != [question.first]:
        return f"first should be {question.first}, was {offered[:1]}"
    speakers = {keys.speakers.get(i) for i in seen.speakers}
    if not set(question.speakers) <= speakers:
        return f"expected the card of {question.speakers}"
    for session in seen.sessions:
        title = keys.titles.get(session, {}).get(locale)
        if title and title[:12] not in seen.labels[session]:
            return f"the title of {keys.sessions.get(session)} is not in {locale}"
    return None


def buttons_of(markup: dict[str, Any] | None) -> list[tuple[str, str]]:
    rows = (markup or {}).get("inline_keyboard") or []
    return [
        (str(b.get("text", "")), str(b.get("callback_data", "")))
        for row in rows
        for b in row
        if isinstance(b, dict)
    ]
