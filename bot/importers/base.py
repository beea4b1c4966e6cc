"""What every importer shares: the error an organizer reads, with where and what went wrong.

An import is usually started by an organizer with a file somebody sent them, so a failure
must say which file, where in it, and what is wrong, in words, not a traceback. Telling the
formats apart is `detect.py`, above the formats, so this module imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

MAX_REPORTED = 20
IMPORTING_DOCS = "docs/importing.md"


class Format(StrEnum):
    PRETALX = "pretalx"  # schedule.json (pretalx, frab, c3voc)
    FRAB = "frab"  # schedule.xml (frab, Pentabarf, pretalx)
    ICS = "ics"
    CSV = "csv"


Param: TypeAlias = "str | int | Msg"


@dataclass(frozen=True)
class Msg:
    """An English message with named values. `str()` is the English text (CLI, logs); the
    presentation layer translates `template` as a msgid for the organizer who reads it, so
    the importers need no localizer."""

    template: str
    params: tuple[tuple[str, Param], ...] = ()

    def __str__(self) -> str:
        return self.template.format_map({key: str(value) for key, value in self.params})


def N_(template: str, **params: Param) -> Msg:
    """A message to translate where it is shown (extracted by `pybabel extract -k N_`)."""
    return Msg(template, tuple(params.items()))


def accepted(what: Msg) -> Msg:
    """What a file that is none of ours is, and what we read instead."""
    return N_(
        "{what}; expected a frab/pretalx schedule.xml, a pretalx/frab schedule.json, "
        "an iCalendar (.ics) file or our CSV template",
        what=what,
    )


@dataclass(frozen=True)
class Problem:
    """Where (a translatable place such as "line 3", or a path inside the file kept as data:
    "/schedule/conference/days/0/…", "schedule/day[1]/…"; "" for the whole file) and what.
    `docs` is a documentation path the CLI cites; chats give a hint of their own instead."""

    location: str | Msg
    message: str | Msg
    docs: str = ""

    def __str__(self) -> str:
        message = f"{self.message} ({self.docs})" if self.docs else str(self.message)
        return f"{self.location}: {message}" if str(self.location) else message


def line(n: int) -> Msg:
    return N_("line {n}", n=n)


class ProgrammeFormatError(ValueError):
    """A file that cannot be imported, with every problem found (the first 20 listed)."""

    def __init__(self, file: str, problems: list[Problem], total: int | None = None) -> None:
        self.file = file
        self.problems = tuple(problems[:MAX_REPORTED])
        self.total = max(total or 0, len(problems))
        super().__init__(self._render())

    def __reduce__(self) -> tuple[type[ProgrammeFormatError], tuple[str, list[Problem], int]]:
        """Pickled whole: the import worker's process raises it for the bot's."""
        return (type(self), (self.file, list(self.problems), self.total))

    def _render(self) -> str:
        if self.total == 1:
            return f"{self.file}: {self.problems[0]}"
        lines = [f"{self.file}: {self.total} problems"]
        lines += [f"  - {problem}" for problem in self.problems]
        if self.total > len(self.problems):
            lines.append(f"  … and {self.total - len(self.problems)} more")
        return "\n".join(lines)


class Problems:
    """Collects problems so one run reports them all instead of one per attempt."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._found: list[Problem] = []
        self._count = 0

    def add(self, location: str | Msg, message: Msg, *, docs: str = "") -> None:
        self._count += 1
        if len(self._found) < MAX_REPORTED:
            self._found.append(Problem(location, message, docs))

    @property
    def count(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def fail(self, location: str | Msg, message: Msg) -> ProgrammeFormatError:
        """An error for a problem that stops parsing at once (plus those already found)."""
        self.add(location, message)
        return self.error()

    def error(self) -> ProgrammeFormatError:
        return ProgrammeFormatError(self.file, self._found, self._count)

    def raise_if_any(self) -> None:
        if self._count:
            raise self.error()
