"""Broadcasts, the organizer's side: the guided dialogue and Confirm.

The draft lives in the `conversations` table (flow "broadcast"), so it survives restarts and
any instance takes the next answer. Confirm writes the broadcast and one outbox row per
recipient in one transaction and moves the dialogue to SENT, which remembers the broadcast:
a second Confirm (double press, or the update redelivered) finds it instead of making
another, and the draft's token is unique in `broadcasts` should two instances race.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import models as m
from bot.db.engine import SessionFactory
from bot.domain.broadcast_views import Confirmation, Prompt
from bot.domain.broadcasts import (
    CAPTION_LIMIT,
    CHOICE_STEPS,
    TEXT_LIMIT,
    Audience,
    AudienceKind,
    Draft,
    Incoming,
    InvalidInput,
    Problem,
    Step,
    check_text,
    versions_fit,
    with_audience,
)
from bot.domain.locales import is_supported
from bot.domain.send_times import parse_send_time
from bot.domain.views import UserProfile
from bot.services import audiences, conversations
from bot.services import broadcast_store as store
from bot.services.audit import record, require_role
from bot.services.schedule import NoEventError, ScheduleService

SESSION_MATCHES = 8
CONFIRM_ATTEMPTS = 2
Move = Callable[[AsyncSession, Draft, str], Awaitable[Prompt | None]]
ProgressRef = tuple[int, int]  # chat id, message id of the message that becomes the progress


class BroadcastService:
    def __init__(self, sessions: SessionFactory, clock: Clock, schedule: ScheduleService) -> None:
        self._sessions = sessions
        self._clock = clock
        self._schedule = schedule
        # Buttons: action -> (the steps it answers, None for any open step; what it does)
        self._moves: dict[str, tuple[frozenset[Step] | None, Move]] = {
            "aud": (frozenset({Step.AUDIENCE}), self._audience),
            "ses": (frozenset({Step.SESSION}), self._pick(AudienceKind.SESSION)),
            "trk": (frozenset({Step.TRACK}), self._pick(AudienceKind.TRACK)),
            "grp": (frozenset({Step.GROUP}), self._pick(AudienceKind.LANGUAGE)),
            "lang": (frozenset({Step.TEXT}), self._to_step(Step.DEFAULT)),
            "def": (frozenset({Step.DEFAULT}), self._default_language),
            "ver": (frozenset({Step.VERSIONS, Step.VERSION}), self._version),
            "done": (frozenset({Step.VERSIONS, Step.VERSION}), self._to_step(Step.PREVIEW)),
            "edit": (None, self._edit),
            "prev": (None, self._to_step(Step.PREVIEW)),
            "when": (frozenset({Step.PREVIEW, Step.WHEN}), self._to_step(Step.SCHEDULE)),
        }

    # --- the dialogue ----------------------------------------------------------------------
    async def begin(self, actor: UserProfile) -> Prompt:
        """/broadcast: a new draft (replacing any other dialogue), written in the
        organizer's language unless they choose another."""
        await require_role(self._sessions, actor, "broadcast", at=self._clock.now())
        draft = Draft(token=secrets.token_hex(8), default_locale=actor.locale)
        async with self._sessions.begin() as db:
            await store.save_draft(db, actor.id, Step.AUDIENCE, draft, self._clock.now())
        return Prompt(Step.AUDIENCE, draft)

    async def press(self, actor: UserProfile, action: str, value: str) -> Prompt | None:
        """A dialogue button; None when it is stale (another step, or no draft)."""
        found = self._moves.get(action)
        if found is None:
            return None
        steps, move = found
        async with self._sessions.begin() as db:
            now = self._clock.now()
            saved = await store.load_draft(db, actor.id, now)
            if saved is None or saved.step is Step.SENT:
                return None
            if steps is not None and saved.step not in steps:
                return None
            prompt = await move(db, saved.draft, value)
            if prompt is None:
                return None
            await store.save_draft(db, actor.id, prompt.step, prompt.draft, now)
            return await self._decorate(db, prompt, actor.locale)

    async def receive(self, actor: UserProfile, incoming: Incoming, zone: str) -> Prompt | None:
        """A message for the dialogue; None when there is no dialogue to feed, or when it is
        a file or sticker and no message is awaited (a schedule file to import, say)."""
        async with self._sessions.begin() as db:
            now = self._clock.now()
            saved = await store.load_draft(db, actor.id, now)
            if saved is None or saved.step is Step.SENT:
                return None
            step, draft = saved.step, saved.draft
            media = incoming.attachment is not None or not incoming.supported
            if media and step not in (Step.TEXT, Step.VERSION):
                return None
            if step is Step.SESSION:
                return await self._find_sessions(draft, incoming.plain, actor.locale)
            try:
                prompt = self._typed(step, draft, incoming, now, ZoneInfo(zone))
            except InvalidInput as refused:
                prompt = Prompt(step, draft, problem=refused.problem, limit=refused.limit)
            if prompt.problem is None:
                await store.save_draft(db, actor.id, prompt.step, prompt.draft, now)
            return await self._decorate(db, prompt, actor.locale)

    async def discard(self, actor: UserProfile) -> bool:
        """Cancel the draft; False when there was none (or it was already sent)."""
        async with self._sessions.begin() as db:
            saved = await store.load_draft(db, actor.id, self._clock.now())
            await conversations.drop(db, actor.id, store.FLOW)
            return saved is not None and saved.step is not Step.SENT

    # --- Confirm ---------------------------------------------------------------------------
    async def confirm(
        self, actor: UserProfile, progress: ProgressRef | None, *, scheduled: bool
    ) -> Confirmation | Prompt | None:
        """Send now (from the preview) or at the time typed (`scheduled`). A Prompt says why
        not (nobody to send to, the time has passed meanwhile); None: a stale button."""
        await require_role(self._sessions, actor, "broadcast", at=self._clock.now())
        for attempt in range(CONFIRM_ATTEMPTS):
            try:
                return await self._confirm_once(actor, progress, scheduled)
            except IntegrityError:  # another instance confirmed the same draft first
                if attempt + 1 == CONFIRM_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    async def _confirm_once(
        self, actor: UserProfile, progress: ProgressRef | None, scheduled: bool
    ) -> Confirmation | Prompt | None:
        async with self._sessions.begin() as db:
            now = self._clock.now()
            saved = await store.load_draft(db, actor.id, now, lock=True)
            if saved is None:
                return None
            if saved.step is Step.SENT and saved.broadcast_id is not None:
                row = await db.get(m.Broadcast, saved.broadcast_id)
                if row is None:
                    return None
                return Confirmation(await store.view(db, row, actor.locale), already=True)
            if saved.step is not (Step.WHEN if scheduled else Step.PREVIEW):
                return None
            draft, audience = saved.draft, saved.draft.audience
            if audience is None or draft.default_text is None:
                return None
            send_at = draft.send_at if scheduled and draft.send_at else now
            if scheduled and send_at <= now:
                prompt = Prompt(Step.SCHEDULE, draft, problem=Problem.TIME_PAST)
                await store.save_draft(db, actor.id, Step.SCHEDULE, draft, now)
                return prompt
            people = list((await db.execute(audiences.recipients(audience))).tuples())
            if not people:
                nobody = Prompt(Step.PREVIEW, draft, Problem.NOBODY)
                return await self._decorate(db, nobody, actor.locale)
            row = await store.create(
                db,
                draft,
                audience,
                people,
                creator_id=actor.id,
                send_at=send_at,
                now=now,
                progress=progress,
            )
            await store.save_draft(db, actor.id, Step.SENT, draft, now, broadcast_id=row.id)
            detail = f"{audience.describe()}; {row.total} recipients; at {send_at.isoformat()}"
            record(db, actor, "broadcast", at=now, subject=store.subject(row.id), detail=detail)
            return Confirmation(await store.view(db, row, actor.locale))

    # --- moves -----------------------------------------------------------------------------
    async def _audience(self, db: AsyncSession, draft: Draft, value: str) -> Prompt | None:
        try:
            kind = AudienceKind(value)
        except ValueError:
            return None
        if kind in CHOICE_STEPS:
            return Prompt(CHOICE_STEPS[kind], draft)
        return _after_audience(with_audience(draft, Audience(kind)))

    def _pick(self, kind: AudienceKind) -> Move:
        async def pick(db: AsyncSession, draft: Draft, value: str) -> Prompt | None:
            audience = Audience(kind, value)
            if not await audiences.valid(db, audience):
                return None
            return _after_audience(with_audience(draft, audience))

        return pick

    def _to_step(self, step: Step) -> Move:
        async def go(db: AsyncSession, draft: Draft, value: str) -> Prompt | None:
            needs_text = step in (Step.PREVIEW, Step.SCHEDULE)
            if needs_text and (draft.audience is None or draft.default_text is None):
                return None
            return Prompt(step, replace(draft, pending=None))

        return go

    async def _default_language(self, db: AsyncSession, draft: Draft, value: str) -> Prompt | None:
        if not is_supported(value):
            return None
        return Prompt(Step.TEXT, replace(draft, default_locale=value))

    async def _version(self, db: AsyncSession, draft: Draft, value: str) -> Prompt | None:
        if not is_supported(value) or value == draft.default_locale:
            return None
        return Prompt(Step.VERSION, replace(draft, pending=value))

    async def _edit(self, db: AsyncSession, draft: Draft, value: str) -> Prompt | None:
        """'' shows what can change; aud, txt and ver go back to that part."""
        targets = {"": Step.EDIT, "aud": Step.AUDIENCE, "txt": Step.TEXT, "ver": Step.VERSIONS}
        step = targets.get(value)
        if step is None or (step is not Step.AUDIENCE and draft.audience is None):
            return None
        if step in (Step.EDIT, Step.VERSIONS) and draft.default_text is None:
            return None
        return Prompt(step, replace(draft, pending=None))

    # --- typed answers ---------------------------------------------------------------------
    def _typed(
        self, step: Step, draft: Draft, incoming: Incoming, now: datetime, zone: ZoneInfo
    ) -> Prompt:
        if step in (Step.SCHEDULE, Step.WHEN):  # a second time typed replaces the first
            when = parse_send_time(incoming.plain, now, zone)
            return Prompt(Step.WHEN, replace(draft, send_at=when))
        if step not in (Step.TEXT, Step.VERSION):
            raise InvalidInput(Problem.USE_BUTTONS)
        if not incoming.supported:
            raise InvalidInput(Problem.UNSUPPORTED)
        if step is Step.TEXT:
            return Prompt(Step.VERSIONS, _with_message(draft, incoming))
        if incoming.attachment is not None:
            raise InvalidInput(Problem.TEXT_ONLY)
        locale = draft.pending or draft.default_locale
        text = check_text(incoming.html, locale, draft.limit)
        return Prompt(Step.VERSIONS, replace(draft.with_text(locale, text), pending=None))

    async def _find_sessions(self, draft: Draft, words: str, locale: str) -> Prompt:
        query = " ".join(words.split())[:100]
        try:
            found = (await self._schedule.search(query, locale)).sessions[:SESSION_MATCHES]
        except NoEventError:  # no programme loaded yet: nothing can match
            found = ()
        problem = None if found else Problem.NO_MATCH
        return Prompt(Step.SESSION, draft, problem=problem, query=query, sessions=found)

    # --- helpers ---------------------------------------------------------------------------
    async def _decorate(self, db: AsyncSession, prompt: Prompt, locale: str) -> Prompt:
        """What the screen of the step shows besides the draft: names and figures."""
        draft = prompt.draft
        if prompt.step is Step.TRACK:
            prompt = replace(prompt, tracks=tuple(await audiences.tracks(db, locale)))
        if draft.audience is not None:
            label = await audiences.label(db, draft.audience, locale)
            prompt = replace(prompt, audience_label=label)
            if prompt.step in (Step.PREVIEW, Step.WHEN):
                prompt = replace(prompt, reach=await audiences.reach(db, draft.audience))
        return prompt


def _after_audience(draft: Draft) -> Prompt:
    """Editing an audience returns to the preview; a new draft goes on to the message."""
    return Prompt(Step.PREVIEW if draft.default_text is not None else Step.TEXT, draft)


def _with_message(draft: Draft, incoming: Incoming) -> Draft:
    """The default-language message (and its photo or document, if any) replaces the old."""
    attachment = incoming.attachment
    limit = CAPTION_LIMIT if attachment else TEXT_LIMIT
    text = check_text(incoming.html, draft.default_locale, limit, may_be_empty=bool(attachment))
    if attachment is not None and not versions_fit(draft, CAPTION_LIMIT):
        raise InvalidInput(Problem.VERSIONS_TOO_LONG, CAPTION_LIMIT)
    return replace(draft.with_text(draft.default_locale, text), attachment=attachment, pending=None)
