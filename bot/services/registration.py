"""Attendee registration: the guided dialogue, confirmation with a badge code, and erasure.

The dialogue lives in the `conversations` table (flow "register"), so it survives restarts
and any instance can take the next answer. Confirming is idempotent: one row per user,
whose code never changes once issued.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory, engine_of
from bot.domain.locales import is_supported
from bot.domain.registration import (
    FIELDS,
    PROFESSIONS,
    TYPED_FIELDS,
    Draft,
    InvalidAnswer,
    Problem,
    Step,
    clean_typed_answer,
    new_code,
)
from bot.domain.registration_views import (
    Badge,
    Cancelled,
    Confirmation,
    Erasure,
    Progress,
    Promotion,
    RegistrationCounts,
    RegistrationView,
)
from bot.i18n.countries import is_country, search_countries
from bot.services import conversations
from bot.services import registration_store as store
from bot.services.erasure import checkpoint_sqlite, erase_person
from bot.services.seats import SeatService

FLOW = "register"
CONFIRM_ATTEMPTS = 3
MAX_SEARCH_LENGTH = 100

_CHOICES: dict[Step, Callable[[str], bool]] = {
    Step.ROLE: lambda value: value in PROFESSIONS,
    Step.COUNTRY: is_country,
    Step.LANGUAGE: is_supported,
}


class RegistrationService:
    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        seats: SeatService,
        codes: Callable[[], str] = new_code,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._seats = seats
        self._codes = codes

    # --- the dialogue --------------------------------------------------------------------
    async def begin(self, user_id: int, *, restart: bool = False) -> Progress | RegistrationView:
        """/register: the dialogue under way, the registration if there is one, or a new one."""
        async with self._sessions.begin() as db:
            now = self._clock.now()
            if restart:
                await conversations.drop(db, user_id, FLOW)
            current = await self._load(db, user_id, now)
            if current is not None:
                return replace(current, resumed=True)
            row = await store.confirmed(db, user_id)
            if row is not None:
                return store.view(row)
            return await self._save(db, user_id, Progress(Step.NAME, Draft()), now)

    async def current(self, user_id: int) -> Progress | None:
        async with self._sessions.begin() as db:
            return await self._load(db, user_id, self._clock.now())

    async def answer(self, user_id: int, text: str, locale: str) -> Progress | None:
        """Typed text for the dialogue; None when there is no dialogue to feed."""
        async with self._sessions.begin() as db:
            now = self._clock.now()
            progress = await self._load(db, user_id, now)
            if progress is None:
                return None
            if progress.step in TYPED_FIELDS:
                try:
                    value = clean_typed_answer(progress.step, text)
                except InvalidAnswer as refused:
                    return replace(progress, problem=refused.problem)
                return await self._save(db, user_id, _answered(progress, value), now)
            if progress.step is Step.COUNTRY:
                query = " ".join(text.split())[:MAX_SEARCH_LENGTH]
                return replace(progress, query=query, matches=search_countries(query, locale))
            return replace(progress, problem=Problem.USE_BUTTONS)

    async def choose(self, user_id: int, step: Step, value: str) -> Progress | None:
        """A role, country or language button; None when it belongs to another question."""
        valid = _CHOICES.get(step)
        if valid is None or not valid(value):
            return None
        async with self._sessions.begin() as db:
            now = self._clock.now()
            progress = await self._load(db, user_id, now)
            if progress is None or progress.step is not step:
                return None
            return await self._save(db, user_id, _answered(progress, value), now)

    async def agree(self, user_id: int) -> Progress | None:
        async with self._sessions.begin() as db:
            now = self._clock.now()
            progress = await self._load(db, user_id, now)
            if progress is None or progress.step is not Step.CONSENT:
                return None
            draft = replace(progress.draft, consent=True)
            progress = Progress(draft.next_step(), draft, existing=progress.existing)
            return await self._save(db, user_id, progress, now)

    async def go_to(self, user_id: int, step: Step) -> Progress | None:
        """From a complete draft: the summary, the field picker, or one field to re-ask."""
        if step not in (Step.SUMMARY, Step.PICK, *FIELDS):
            return None
        async with self._sessions.begin() as db:
            now = self._clock.now()
            progress = await self._load(db, user_id, now)
            if progress is None or not progress.draft.complete:
                return None
            return await self._save(db, user_id, replace(progress, step=step), now)

    async def edit_registration(self, user_id: int) -> Progress | None:
        """/me → Edit: a dialogue prefilled with the registration, at the field picker."""
        async with self._sessions.begin() as db:
            row = await store.confirmed(db, user_id)
            if row is None:
                return None
            progress = Progress(Step.PICK, store.draft_of(row), existing=True)
            return await self._save(db, user_id, progress, self._clock.now())

    async def cancel(self, user_id: int) -> Cancelled:
        async with self._sessions.begin() as db:
            progress = await self._load(db, user_id, self._clock.now())
            if progress is None:
                return Cancelled.NOTHING
            await conversations.drop(db, user_id, FLOW)
            return Cancelled.EDIT if progress.existing else Cancelled.DRAFT

    # --- the registration ----------------------------------------------------------------
    async def confirm(self, user_id: int) -> Confirmation | None:
        """Store the answers (one row per user, same code), or None if nothing to confirm."""
        for attempt in range(CONFIRM_ATTEMPTS):
            try:
                return await self._confirm_once(user_id)
            except IntegrityError:  # another instance inserted the same row or code first
                if attempt + 1 == CONFIRM_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    async def registration(self, user_id: int) -> RegistrationView | None:
        async with self._sessions() as db:
            row = await store.confirmed(db, user_id)
            return store.view(row) if row is not None else None

    async def badge(self, user_id: int) -> Badge | None:
        found = await self.registration(user_id)
        return Badge(found.code) if found else None

    async def erase(self, user_id: int) -> Erasure:
        """Delete my data: the registration's personal fields and every other copy of what
        the person typed or is called (`bot.services.erasure`); anonymous figures stay.
        `erased` says whether there was a registration; the rest goes either way.

        Seats are given back through the seat service first, so each freed seat goes to
        the next attendee on its waitlist instead of to whoever reserves next.
        """
        async with self._sessions() as db:
            seats = list(await db.scalars(store.reserved_sessions(user_id)))
        promoted = []
        for session_id in seats:
            given_back = await self._seats.cancel(user_id, session_id)
            if given_back.promoted_user_id is not None:
                promoted.append(Promotion(given_back.promoted_user_id, session_id))
        async with self._sessions.begin() as db:
            row = await store.confirmed(db, user_id)
            codes = [row.code] if row is not None and row.code else []
            await erase_person(db, user_id, codes)
            erased = await store.erase(db, user_id, self._clock.now())
        await checkpoint_sqlite(engine_of(self._sessions))
        return Erasure(erased, tuple(promoted))

    async def counts(self) -> RegistrationCounts:
        async with self._sessions() as db:
            return await store.count(db)

    # --- helpers -------------------------------------------------------------------------
    async def _confirm_once(self, user_id: int) -> Confirmation | None:
        async with self._sessions.begin() as db:
            now = self._clock.now()
            progress = await self._load(db, user_id, now)
            if progress is None:  # already confirmed (e.g. Confirm pressed twice) or stale
                row = await store.confirmed(db, user_id)
                return Confirmation(store.view(row), False, False, already=True) if row else None
            if not progress.draft.complete:
                return None
            stored = await store.upsert(db, user_id, progress.draft, now, self._codes)
            await conversations.drop(db, user_id, FLOW)
            code = stored.view.code
            badge = Badge(code) if stored.first_time else None
            return Confirmation(stored.view, stored.first_time, stored.changed, badge=badge)

    async def _load(self, db: AsyncSession, user_id: int, now: datetime) -> Progress | None:
        saved = await conversations.load(db, user_id, FLOW, now)
        if saved is None:
            return None
        draft = Draft.from_json(saved.data.get("draft"))
        step = _step(saved.step)
        if step is None or (step not in FIELDS and not draft.complete):
            step = draft.next_step()  # a row from an older version: ask what is missing
        return Progress(step, draft, existing=saved.data.get("existing") is True)

    async def _save(
        self, db: AsyncSession, user_id: int, progress: Progress, now: datetime
    ) -> Progress:
        data = {"draft": progress.draft.to_json(), "existing": progress.existing}
        await conversations.save(db, user_id, FLOW, progress.step.value, data, now)
        return progress


def _step(text: str) -> Step | None:
    try:
        return Step(text)
    except ValueError:
        return None


def _answered(progress: Progress, value: str) -> Progress:
    draft = progress.draft.answer(progress.step, value)
    return Progress(draft.next_step(), draft, existing=progress.existing)
