"""Organizers find speakers to invite or to withdraw invites from, by list or by name; links
and names read in the reader's language; a speaker reopening their link is welcomed back;
promoting someone who never wrote is warned about and they are not counted as active."""

from __future__ import annotations

from bot.i18n import strip_bidi
from tests.conftest import ADMIN
from tests.features.test_reminders import expected
from tests.features.test_speakers import LINK, invite_link, speaker_id
from tests.harness import BotHarness, text_of


async def test_the_invite_names_the_speaker_in_the_organizers_language(desk: BotHarness) -> None:
    admin = desk.user(ADMIN, "Admin")
    await desk.send(admin, "/start")

    [picker] = await desk.send(admin, "/invite Ayesha")
    [shown] = await desk.press(admin, picker, "Ayesha Siddiqui")

    assert text_of(shown).startswith("🔗 A one-time link for Ayesha Siddiqui, valid until")
    assert "عائشہ" not in text_of(shown)


async def test_invite_searches_by_name_in_any_language_and_marks_linked_speakers(
    desk: BotHarness,
) -> None:
    admin, mariam = desk.user(ADMIN, "Admin"), desk.user(3001, "Mariam", lang="ar")
    await desk.send(admin, "/start")
    payload = await invite_link(desk, admin, "mariam-obeid")
    await desk.send(mariam, f"/start {payload}")

    [by_latin] = await desk.send(admin, "/invite mariam")
    [by_arabic] = await desk.send(admin, "/invite مريم")
    [nobody] = await desk.send(admin, "/invite zzzz")
    [everyone] = await desk.send(admin, "/invite")

    [found] = by_latin.button_texts()
    assert strip_bidi(found).startswith("✅ Mariam Obeid")
    assert by_arabic.button_texts() == by_latin.button_texts()
    no_match = await expected(desk, "en", "No speaker matches “{query}”.", query="zzzz")
    assert text_of(nobody) == no_match
    assert all(b.startswith(("🎤", "✅", "◀", "Next", "1/")) for b in everyone.button_texts())
    assert sum(b.startswith("✅") for b in everyone.button_texts()) <= 1


async def test_an_organizer_revokes_by_picking_the_speaker(desk: BotHarness) -> None:
    admin, omar = desk.user(ADMIN, "Admin"), desk.user(3010, "Omar")
    await desk.send(admin, "/start")
    payload = await invite_link(desk, admin, "usman-tariq")
    await invite_link(desk, admin, "usman-tariq")

    [picker] = await desk.send(admin, "/revoke")
    [done] = await desk.press(admin, picker, "Usman Tariq")
    [again] = await desk.send(admin, "/revoke")
    [refused] = await desk.send(omar, f"/start {payload}")

    assert "Usman Tariq" in " ".join(picker.button_texts())
    assert len(picker.button_texts()) == 1  # only speakers with open invites
    assert text_of(done) == "🚫 2 open invites of Usman Tariq revoked."
    assert text_of(again) == "No speaker has an open invite."
    assert text_of(refused).startswith("🚫 This invite link was withdrawn.")


async def test_revoke_by_key_and_by_name_still_work(desk: BotHarness) -> None:
    admin = desk.user(ADMIN, "Admin")
    await desk.send(admin, "/start")
    await invite_link(desk, admin, "usman-tariq")
    await invite_link(desk, admin, "mariam-obeid")

    [by_key] = await desk.send(admin, "/revoke usman-tariq")
    [by_name] = await desk.send(admin, "/revoke Mariam")

    assert text_of(by_key) == "🚫 1 open invite revoked."
    assert by_name.button_texts() == [
        b for b in by_name.button_texts() if strip_bidi(b).startswith("🎤 Mariam Obeid")
    ]
    wanted = f"spr:{await speaker_id(desk, 'mariam-obeid')}"
    [done] = await desk.press_data(admin, by_name, wanted)
    assert text_of(done) == "🚫 1 open invite of Mariam Obeid revoked."


async def test_a_linked_speaker_reopening_their_link_is_welcomed_back(desk: BotHarness) -> None:
    admin, mariam = desk.user(ADMIN, "Admin"), desk.user(3020, "Mariam")
    await desk.send(admin, "/start")
    payload = await invite_link(desk, admin, "mariam-obeid")
    await desk.send(mariam, f"/start {payload}")

    [again] = await desk.send(mariam, f"/start {payload}")

    assert text_of(again).startswith("🎤 Welcome back, Mariam Obeid!")
    assert "Business Models for Independent Arabic Digital Media" in text_of(again)
    assert "Ask the organizers" not in text_of(again)
    assert LINK.search(text_of(again)) is None


async def test_promoting_someone_who_never_wrote_warns_and_they_are_not_active(
    desk: BotHarness,
) -> None:
    admin = desk.user(ADMIN, "Admin")
    await desk.send(admin, "/start")
    [before] = await desk.send(admin, "/stats")

    [promoted] = await desk.send(admin, "/promote 12345")
    [after] = await desk.send(admin, "/stats")

    assert text_of(promoted).startswith("✅ 12345 is now an organizer.")
    assert "This id has not used the bot yet." in text_of(promoted)
    assert "🟢 1 active in the last 24 hours" in text_of(before)
    assert "🟢 1 active in the last 24 hours" in text_of(after)
    profile = await desk.runtime.services.users.profile(12345)
    assert profile is not None and profile.role == "organizer"
    # Telegram knows no such chat yet: the menu waits for their first visit
    assert any(c.method == "setMyCommands" and c.error_code == 400 for c in desk.fake.calls)
    newcomer = desk.user(12345, "Nadia")
    await desk.send(newcomer, "/start")
    [later] = await desk.send(admin, "/stats")
    assert "🟢 2 active in the last 24 hours" in text_of(later)
    menu = {c["command"] for c in desk.fake.commands("en", scope="chat:12345")}
    assert "checkin" in menu
