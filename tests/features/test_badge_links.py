"""A badge's QR code is a link to the bot: scanned by an organizer it checks the attendee in,
by its owner it shows the badge, by anyone else it says nothing about the attendee. At the
desk, an organizer can also paste a bare code."""

from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image

from bot.db import models as m
from bot.domain import deep_links
from tests.conftest import ADMIN
from tests.features.test_checkin_and_exports import register
from tests.features.test_registration import confirm, to_summary
from tests.harness import BotHarness, text_of

BOT = "symposium_test_bot"  # the fake Bot API's getMe


def decoded(png: bytes) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


async def checked_in(bot: BotHarness, user_id: int) -> bool:
    async with bot.runtime.services.sessions() as db:
        row = await db.get(m.Registration, user_id)
    return row is not None and row.checked_in_at is not None


async def test_the_badge_qr_is_a_link_that_opens_the_bot_on_the_badge(desk: BotHarness) -> None:
    user = desk.user(1001, "Amina")
    summary = await to_summary(desk, user)

    photo, code = await confirm(desk, user, summary)

    assert photo.document is not None
    assert decoded(photo.document) == [f"https://t.me/{BOT}?start=badge-{code}"]
    assert deep_links.parse_badge(f"badge-{code}") == code


async def test_an_organizer_scanning_a_badge_checks_the_attendee_in(desk: BotHarness) -> None:
    await register(desk, 2001, "Amina Yusuf", "K7M2Q9XA")
    organizer = desk.user(ADMIN, "Organizer")

    [first] = await desk.send(organizer, "/start badge-K7M2Q9XA")
    [again] = await desk.send(organizer, "/start badge-K7M2Q9XA")

    assert text_of(first) == "✅ Amina Yusuf (Journalist) is checked in."
    assert text_of(again).startswith("⚠️ Amina Yusuf (Journalist) was already checked in")
    assert await checked_in(desk, 2001)


async def test_the_owner_scanning_their_badge_sees_it_again(desk: BotHarness) -> None:
    await register(desk, 2002, "Amina Yusuf", "K7M2Q9XB")
    owner = desk.user(2002, "Amina")

    [photo] = await desk.send(owner, "/start badge-K7M2Q9XB")

    assert photo.kind == "photo" and photo.document is not None
    assert "<code>K7M2Q9XB</code>" in (photo.caption or "")
    assert decoded(photo.document) == [f"https://t.me/{BOT}?start=badge-K7M2Q9XB"]
    assert not await checked_in(desk, 2002)


async def test_a_stranger_scanning_a_badge_learns_nothing_about_its_owner(
    desk: BotHarness,
) -> None:
    await register(desk, 2003, "Amina Yusuf", "K7M2Q9XC", organization="Dawn Media")
    stranger = desk.user(3001, "Curious")

    [reply] = await desk.send(stranger, "/start badge-K7M2Q9XC")
    [unknown] = await desk.send(stranger, "/start badge-ZZZZZZZZ")

    assert text_of(reply) == (
        "🎫 This is a symposium badge. The organizers scan it at the registration desk to "
        "check its owner in. To get your own badge, send /register."
    )
    assert text_of(unknown) == text_of(reply)  # a valid code reads like any other
    for private in ("Amina", "Yusuf", "Dawn", "Journalist", "a@example.org"):
        assert private not in text_of(reply)
    assert not await checked_in(desk, 2003)


async def test_an_organizer_pastes_a_bare_code_to_check_in(desk: BotHarness) -> None:
    await register(desk, 2004, "Omar Haddad", "P3R4S5T6", profession="editor")
    organizer = desk.user(ADMIN, "Organizer")
    attendee = desk.user(3002, "Curious")

    [pasted] = await desk.send(organizer, " P3R4S5T6 ")
    [searched] = await desk.send(attendee, "P3R4S5T6")

    assert text_of(pasted) == "✅ Omar Haddad (Editor) is checked in."
    assert "Omar" not in text_of(searched)  # an attendee's code is only a search


async def test_words_an_organizer_types_still_reach_the_questions(desk: BotHarness) -> None:
    organizer = desk.user(ADMIN, "Organizer")

    [reply] = await desk.send(organizer, "keynote")

    assert "No registration" not in text_of(reply)
    assert re.search(r"[Kk]eynote", text_of(reply))
