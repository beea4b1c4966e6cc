"""What a feature declares about itself, and the index built from those declarations.

Each handler module exposes a `Feature`: its commands (with the line Telegram's command menu
shows), the buttons it answers (by callback verb), the main-menu actions it answers, its
lines in /help and the dialogue it continues. `handlers/__init__.py` only puts the features
in order; the handler list, the menu's actions, /help, the published command menus and the
routing of typed text to a dialogue are all built from the declarations, so a new command is
written in its own modules, plus its place in that order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram import Update

from bot.presentation.callbacks import VERBS
from bot.presentation.menu import Audience, CommandLine, Guide, HelpLine, Text
from bot.telegram.context import BotContext

V = TypeVar("V")
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]
# A dialogue's answer to typed text: True when it used the text.
Answer = Callable[[Update, BotContext], Coroutine[Any, Any, bool]]


@dataclass(frozen=True)
class Command:
    """`/name`, answered by `handler`; `describe` None keeps it out of the command menu (an
    alias such as /program)."""

    name: str
    handler: Handler
    describe: Text | None = None
    audience: Audience = Audience.EVERYONE
    last: bool = False  # listed after the roles' commands: the ways out


@dataclass(frozen=True)
class Press:
    """Buttons whose callback data carries one of `verbs` (with the arity `VERBS` gives it),
    answered by `handler`. `pattern` overrides the one built from the verbs."""

    handler: Handler
    verbs: tuple[str, ...]
    pattern: str | None = None

    def regex(self) -> str:
        if self.pattern is not None:
            return self.pattern
        tails = [re.escape(verb) + ("$" if VERBS[verb] == 0 else ":") for verb in self.verbs]
        return "^" + tails[0] if len(tails) == 1 else "^(?:" + "|".join(tails) + ")"


def press(handler: Handler, *verbs: str) -> Press:
    return Press(handler, verbs)


@dataclass(frozen=True)
class MenuAction:
    """A main-menu button (`bot.presentation.menu.MENU_ROWS` names it) and what answers it."""

    action: str
    handler: Handler


@dataclass(frozen=True)
class Dialogue:
    """A durable conversation (`conversations.flow`) that typed text may answer."""

    flow: str
    answer: Answer


@dataclass(frozen=True)
class Feature:
    name: str
    commands: tuple[Command, ...] = ()
    presses: tuple[Press, ...] = ()
    menu: tuple[MenuAction, ...] = ()
    help: tuple[HelpLine, ...] = ()
    dialogue: Dialogue | None = None


@dataclass(frozen=True)
class FeatureIndex:
    """The declarations of the features in order, looked up by what an update names."""

    features: tuple[Feature, ...]
    guide: Guide = field(init=False)
    actions: dict[str, Handler] = field(init=False)
    dialogues: dict[str, Answer] = field(init=False)

    def __post_init__(self) -> None:
        lines = tuple(
            CommandLine(c.name, c.describe, c.audience, c.last)
            for f in self.features
            for c in f.commands
            if c.describe is not None
        )
        helps = tuple(line for f in self.features for line in f.help)
        object.__setattr__(self, "guide", Guide(lines, helps))
        object.__setattr__(
            self, "actions", _unique((m.action, m.handler) for f in self.features for m in f.menu)
        )
        object.__setattr__(
            self,
            "dialogues",
            _unique((f.dialogue.flow, f.dialogue.answer) for f in self.features if f.dialogue),
        )

    def commands(self) -> Iterable[Command]:
        return (c for f in self.features for c in f.commands)

    def presses(self) -> Iterable[Press]:
        return (p for f in self.features for p in f.presses)


def _unique(pairs: Iterable[tuple[str, V]]) -> dict[str, V]:
    found: dict[str, V] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"{key!r} is declared by two features")
        found[key] = value
    return found
