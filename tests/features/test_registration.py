"""Registration: a guided dialogue in the attendee's language, a badge with a QR code, /me to
see, change or delete it; the dialogue survives restarts and never duplicates a registration."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.domain.registration import is_code
from bot.i18n import RLM, plain_text
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.sandbox.models import FakeUser, SentMessage
from bot.services.badges import badge_png
from tests.harness import BotHarness, text_of

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def expected(bot: BotHarness, locale: str, message: str, **values: Any) -> str:
    """The catalog's text as the user reads it: no tags, no bidi marks, entities decoded."""
    l10n = await bot.runtime.services.localizer(locale)
    return plain_text(l10n._(message, **values))


async def to_role(bot: BotHarness, user: FakeUser, name: str = "Amina Rahman") -> SentMessage:
    """/register and type the three answers; returns the role question."""
    await bot.send(user, "/register")
    await bot.send(user, name)
    await bot.send(user, "amina@example.org")
    [role] = await bot.send(user, "Bernama")
    return role


async def to_country(bot: BotHarness, user: FakeUser, name: str = "Amina Rahman") -> SentMessage:
    role = await to_role(bot, user, name)
    [country] = await bot.press(user, role, "Journalist")
    return country


async def to_summary(bot: BotHarness, user: FakeUser, name: str = "Amina Rahman") -> SentMessage:
    """Every answer in English, up to the summary."""
    await to_country(bot, user, name)
    [matches] = await bot.send(user, "malay")
    [language] = await bot.press(user, matches, "Malaysia")
    [consent] = await bot.press(user, language, "Melayu")
    [summary] = await bot.press(user, consent, "I agree")
    return summary


async def confirm(bot: BotHarness, user: FakeUser, summary: SentMessage) -> tuple[SentMessage, str]:
    """Press Confirm; returns the badge photo and the code in its caption."""
    replies = await bot.press(user, summary, "Confirm")
    [photo] = [r for r in replies if r.kind == "photo"]
    match = re.search(r"<code>([^<]+)</code>", photo.caption or "")
    assert match is not None
    return photo, match.group(1)


# --- the happy path ------------------------------------------------------------------------
async def test_registration_in_english_from_name_to_badge(bot: BotHarness) -> None:
    user = bot.user()

    [name] = await bot.send(user, "/register")
    [email] = await bot.send(user, "Amina Rahman")
    [organization] = await bot.send(user, "amina@example.org")
    [role] = await bot.send(user, "Bernama")
    [country] = await bot.press(user, role, "Journalist")
    [matches] = await bot.send(user, "malay")
    [language] = await bot.press(user, matches, "Malaysia")
    [consent] = await bot.press(user, language, "Melayu")
    [summary] = await bot.press(user, consent, "I agree")
    done, photo = await bot.press(user, summary, "Confirm")

    assert "step 1 of 6" in text_of(name)
    assert "What is your full name" in text_of(name)
    assert "What is your email address?" in text_of(email)
    assert "Which organization" in text_of(organization)
    assert role.button_texts()[:2] == ["Journalist", "Editor"]
    assert "Which country" in text_of(country)
    assert matches.button_texts()[0] == "Malaysia"
    assert language.button_texts()[:4] == ["العربية", "English", "Melayu", "اردو"]
    assert "name, email, organization, role, country and preferred language" in text_of(consent)
    assert "/me" in text_of(consent) and "Delete my data" in text_of(consent)
    assert text_of(summary).splitlines()[2:] == [
        "👤 Name: Amina Rahman",
        "✉️ Email: amina@example.org",
        "🏢 Organization: Bernama",
        "🎙 Role: Journalist",
        "🌍 Country: Malaysia",
        "🗣 Language: Malay",
    ]
    assert "You are registered!" in text_of(done)
    assert photo.kind == "photo"


async def test_the_badge_is_a_png_qr_of_the_code_in_the_caption(bot: BotHarness) -> None:
    user = bot.user()
    summary = await to_summary(bot, user)

    photo, code = await confirm(bot, user, summary)

    assert is_code(code)
    assert photo.document is not None
    assert photo.document.startswith(PNG_SIGNATURE) and len(photo.document) > 200
    # the very QR of the code the caption shows, as a link to the bot
    assert photo.document == badge_png("symposium_test_bot", code)
    assert f"<code>{code}</code>" in (photo.caption or "")  # copyable: no isolates around it
    assert code in text_of(photo)
    found = await bot.runtime.services.registration.registration(user.id)
    assert found is not None and found.code == code


async def test_registration_in_arabic_is_arabic_and_right_to_left(bot: BotHarness) -> None:
    user = bot.user(lang="ar")

    [name] = await bot.send(user, "/register")
    await bot.send(user, "أمينة رحمن")
    await bot.send(user, "amina@example.org")
    [role] = await bot.send(user, "الجزيرة")
    [country] = await bot.press(user, role, await expected(bot, "ar", "Journalist"))
    [matches] = await bot.send(user, "ماليزيا")
    [language] = await bot.press(user, matches, "ماليزيا")
    [consent] = await bot.press(user, language, "العربية")
    [summary] = await bot.press(user, consent, await expected(bot, "ar", "✅ I agree"))
    replies = await bot.press(user, summary, await expected(bot, "ar", "✅ Confirm"))

    question = "What is your full name, as it should appear on your badge?"
    assert await expected(bot, "ar", question) in text_of(name)
    assert (name.text or "").startswith(RLM)
    assert await expected(
        bot,
        "ar",
        "Which country are you from? Type a few letters of its name, in any of our four languages.",
    ) in text_of(country)
    assert matches.button_texts()[0] == "ماليزيا"
    summary_lines = text_of(summary).splitlines()
    assert await expected(bot, "ar", "👤 Name: {value}", value="أمينة رحمن") in summary_lines
    assert await expected(bot, "ar", "🌍 Country: {value}", value="ماليزيا") in summary_lines
    assert all(line.startswith(RLM) for line in (summary.text or "").splitlines() if line)
    photo = next(r for r in replies if r.kind == "photo")
    assert (photo.caption or "").startswith(RLM)
    found = await bot.runtime.services.registration.registration(user.id)
    assert found is not None and (found.country, found.language) == ("MY", "ar")


# --- answers that are refused -------------------------------------------------------------
@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("A", "⚠️ Your name should have 2 to 120 characters."),
        ("12345", "⚠️ Your name should contain at least one letter."),
        ("Amina\x07Rahman", "⚠️ Please type it on one line, without invisible control characters."),
        ("Amina\nRahman", "⚠️ Please type it on one line, without invisible control characters."),
    ],
)
async def test_a_bad_name_is_refused_and_asked_again(
    bot: BotHarness, answer: str, problem: str
) -> None:
    user = bot.user()
    await bot.send(user, "/register")

    [refused] = await bot.send(user, answer)
    [accepted] = await bot.send(user, "Amina Rahman")

    assert problem in text_of(refused)
    assert "What is your full name" in text_of(refused)
    assert "What is your email address?" in text_of(accepted)


@pytest.mark.parametrize("answer", ["amina@example", "amina example.org", "amina@@example.org"])
async def test_a_bad_email_is_refused_and_asked_again(bot: BotHarness, answer: str) -> None:
    user = bot.user()
    await bot.send(user, "/register")
    await bot.send(user, "Amina Rahman")

    [refused] = await bot.send(user, answer)

    assert "That does not look like an email address" in text_of(refused)
    assert "What is your email address?" in text_of(refused)


async def test_html_in_the_name_is_stored_as_typed_and_shown_escaped(bot: BotHarness) -> None:
    user = bot.user()

    summary = await to_summary(bot, user, name="<b>Ali</b> & Co")

    assert "&lt;b&gt;Ali&lt;/b&gt; &amp; Co" in (summary.text or "")
    assert "👤 Name: <b>Ali</b> & Co" in text_of(summary)
    await confirm(bot, user, summary)
    found = await bot.runtime.services.registration.registration(user.id)
    assert found is not None and found.full_name == "<b>Ali</b> & Co"


# --- finding a country ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "first"), [("malay", "Malaysia"), ("ماليزيا", "Malaysia"), ("PK", "Pakistan")]
)
async def test_a_country_is_found_by_english_arabic_or_code(
    bot: BotHarness, typed: str, first: str
) -> None:
    user = bot.user()
    await to_country(bot, user)

    [matches] = await bot.send(user, typed)

    assert matches.button_texts()[0] == first
    assert len(matches.button_texts()) <= 8 + 1  # the matches and Cancel


async def test_no_country_found_says_so_and_keeps_asking(bot: BotHarness) -> None:
    user = bot.user()
    await to_country(bot, user)

    [nothing] = await bot.send(user, "qqqq")

    assert "I found no country matching “qqqq”" in text_of(nothing)


# --- changing, cancelling, resuming --------------------------------------------------------
async def test_editing_one_field_from_the_summary_changes_only_that_field(bot: BotHarness) -> None:
    user = bot.user()
    summary = await to_summary(bot, user)
    before = text_of(summary).splitlines()

    [picker] = await bot.press(user, summary, "Edit a detail")
    [question] = await bot.press(user, picker, "Organization")
    [after] = await bot.send(user, "Astro Awani")

    assert "Now: Bernama" in text_of(question)
    changed = [(b, a) for b, a in zip(before, text_of(after).splitlines(), strict=True) if b != a]
    assert changed == [("🏢 Organization: Bernama", "🏢 Organization: Astro Awani")]
    assert "Confirm" in " ".join(after.button_texts())


async def test_cancel_forgets_the_answers_and_free_text_searches_again(bot: BotHarness) -> None:
    user = bot.user()
    await bot.send(user, "/register")
    await bot.send(user, "Amina Rahman")

    [cancelled] = await bot.send(user, "/cancel")
    [search] = await bot.send(user, "climate")

    assert text_of(cancelled) == "Registration cancelled. Nothing was saved."
    assert text_of(search).startswith("🔎 “climate”")
    assert await bot.runtime.services.registration.current(user.id) is None


async def test_the_cancel_button_cancels(bot: BotHarness) -> None:
    user = bot.user()
    role = await to_role(bot, user)

    [cancelled] = await bot.press(user, role, "Cancel")

    assert text_of(cancelled) == "Registration cancelled. Nothing was saved."


async def test_menu_buttons_and_commands_work_mid_registration(bot: BotHarness) -> None:
    user = bot.user()
    [welcome] = await bot.send(user, "/start")
    await bot.send(user, "/register")
    await bot.send(user, "Amina Rahman")

    [days] = await bot.send(user, welcome.keyboard_texts()[0])  # 📅 Programme
    [now] = await bot.send(user, "/now")
    [organization] = await bot.send(user, "amina@example.org")

    assert "choose a day" in text_of(days)
    assert "What is your email" not in text_of(now)
    assert "Which organization" in text_of(organization)


async def test_register_again_mid_way_offers_to_continue(bot: BotHarness) -> None:
    user = bot.user()
    await bot.send(user, "/register")
    await bot.send(user, "Amina Rahman")

    [offer] = await bot.send(user, "/register")
    [question] = await bot.press(user, offer, "Continue")

    assert offer.button_texts() == ["▶️ Continue", "🔄 Start over", "✖ Cancel"]
    assert "What is your email address?" in text_of(question)


async def test_start_over_begins_with_the_name_again(bot: BotHarness) -> None:
    user = bot.user()
    await bot.send(user, "/register")
    await bot.send(user, "Amina Rahman")
    [offer] = await bot.send(user, "/register")

    [question] = await bot.press(user, offer, "Start over")

    assert "What is your full name" in text_of(question)


async def test_a_registration_survives_a_restart(
    fake: FakeBotApi, sqlite_sample_db: str, clock: FrozenClock
) -> None:
    async with BotHarness.running(fake, sqlite_sample_db, clock) as first:
        user = first.user()
        await first.send(user, "/register")
        await first.send(user, "Amina Rahman")

    async with BotHarness.running(fake, sqlite_sample_db, clock) as second:
        user = second.user()
        [organization] = await second.send(user, "amina@example.org")

        assert "Which organization" in text_of(organization)
        progress = await second.runtime.services.registration.current(user.id)
        assert progress is not None and progress.draft.full_name == "Amina Rahman"


async def test_a_stale_role_button_after_cancel_is_refused(bot: BotHarness) -> None:
    user = bot.user()
    role = await to_role(bot, user)
    await bot.send(user, "/cancel")

    await bot.press(user, role, "Editor")

    [answer] = bot.fake.callback_answers(user.id)[-1:]
    assert "This button has expired" in answer.get("text", "")


# --- confirming ------------------------------------------------------------------------------
async def test_confirming_twice_keeps_one_registration_and_one_code(bot: BotHarness) -> None:
    user = bot.user()
    summary = await to_summary(bot, user)
    _, code = await confirm(bot, user, summary)

    await press_again(bot, user, summary, "rg:confirm")  # a double tap on the old summary

    registrations = bot.runtime.services.registration
    assert (await registrations.counts()).confirmed == 1
    found = await registrations.registration(user.id)
    assert found is not None and found.code == code
    photos = [m for m in bot.fake.messages(user.id) if m.kind == "photo"]
    assert len(photos) == 1
    [shown] = [m for m in bot.fake.messages(user.id) if m.message_id == summary.message_id]
    assert "You are already registered." in text_of(shown)


async def test_register_when_registered_shows_the_registration(bot: BotHarness) -> None:
    user = bot.user()
    await confirm(bot, user, await to_summary(bot, user))

    [card] = await bot.send(user, "/register")

    assert "You are already registered." in text_of(card)
    assert "👤 Name: Amina Rahman" in text_of(card)


# --- /me -------------------------------------------------------------------------------------
async def test_me_shows_every_answer_and_the_code(bot: BotHarness) -> None:
    user = bot.user()
    _, code = await confirm(bot, user, await to_summary(bot, user))

    [card] = await bot.send(user, "/me")

    lines = text_of(card).splitlines()
    assert "🎙 Role: Journalist" in lines and "🌍 Country: Malaysia" in lines
    assert f"🎫 Registration code: {code}" in lines
    assert card.button_texts() == ["✏️ Edit", "🎫 My badge", "🗑 Delete my data"]


async def test_me_without_registration_offers_to_register(bot: BotHarness) -> None:
    user = bot.user()

    [card] = await bot.send(user, "/me")
    [question] = await bot.press(user, card, "Register")

    assert "You are not registered yet" in text_of(card)
    assert "What is your full name" in text_of(question)


async def test_edit_from_me_changes_the_registration_and_keeps_the_code(bot: BotHarness) -> None:
    user = bot.user()
    _, code = await confirm(bot, user, await to_summary(bot, user))
    [card] = await bot.send(user, "/me")

    [picker] = await bot.press(user, card, "Edit")
    [question] = await bot.press(user, picker, "Country")
    [matches] = await bot.send(user, "PK")
    [summary] = await bot.press(user, matches, "Pakistan")
    [updated] = await bot.press(user, summary, "Confirm")

    assert "Now:" not in text_of(question)
    assert "Your registration is updated." in text_of(updated)
    assert "🌍 Country: Pakistan" in text_of(updated)
    found = await bot.runtime.services.registration.registration(user.id)
    assert found is not None and (found.country, found.code) == ("PK", code)


async def test_delete_my_data_erases_it_after_asking(bot: BotHarness) -> None:
    user = bot.user()
    await confirm(bot, user, await to_summary(bot, user))
    [card] = await bot.send(user, "/me")

    [question] = await bot.press(user, card, "Delete my data")
    [erased] = await bot.press(user, question, "Yes, delete")
    [me] = await bot.send(user, "/me")

    assert "It cannot be undone." in text_of(question)
    assert "Your data has been deleted." in text_of(erased)
    assert "You are not registered yet" in text_of(me)
    counts = await bot.runtime.services.registration.counts()
    assert (counts.confirmed, counts.erased) == (0, 1)
    assert (counts.by_profession, counts.by_country) == ({"journalist": 1}, {"MY": 1})


async def test_keep_goes_back_to_the_registration(bot: BotHarness) -> None:
    user = bot.user()
    await confirm(bot, user, await to_summary(bot, user))
    [card] = await bot.send(user, "/me")
    [question] = await bot.press(user, card, "Delete my data")

    [back] = await bot.press(user, question, "Keep")

    assert "👤 Name: Amina Rahman" in text_of(back)
    assert await bot.runtime.services.registration.registration(user.id) is not None


async def test_the_menu_has_register_and_my_registration(bot: BotHarness) -> None:
    user = bot.user()
    [welcome] = await bot.send(user, "/start")

    [question] = await bot.send(user, "📝 Register")
    await bot.send(user, "/cancel")
    [card] = await bot.send(user, "🪪 My registration")

    assert {"📝 Register", "🪪 My registration"} <= set(welcome.keyboard_texts())
    assert "What is your full name" in text_of(question)
    assert "You are not registered yet" in text_of(card)


async def press_again(bot: BotHarness, user: FakeUser, old: SentMessage, data: str) -> None:
    """A press on a message as it was when the user saw it (a double tap, a slow client)."""
    update_id = bot.fake.hub.next_id()
    update = {
        "update_id": update_id,
        "callback_query": {
            "id": f"again-{old.message_id}-{data}",
            "from": user.to_api(),
            "message": bot.fake.state.message_dict(old),
            "chat_instance": "again",
            "data": data,
        },
    }
    await bot.fake.send_raw_update(update)
    await bot.processed(update_id)


async def test_a_bad_email_in_urdu_is_refused_in_urdu_and_asked_again(bot: BotHarness) -> None:
    user = bot.user(lang="ur")
    await bot.send(user, "/register")
    await bot.send(user, "آمنہ رحمان")

    [refused] = await bot.send(user, "amina@example")

    problem = await expected(
        bot,
        "ur",
        "⚠️ That does not look like an email address. Please check it "
        "(for example: name@example.org).",
    )
    question = await expected(bot, "ur", "What is your email address?")
    assert problem in text_of(refused)
    assert question in text_of(refused)
    assert "email address" not in text_of(refused)
    assert (refused.text or "").startswith(RLM)
