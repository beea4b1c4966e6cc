"""Bad input gets a clear, translated answer; nothing stops the bot from serving others."""

from __future__ import annotations

from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.services.schedule import ScheduleService
from tests.harness import BotHarness, text_of


def update_from(user_id: int, **content: Any) -> dict[str, Any]:
    return {
        "message": {
            "message_id": 500,
            "date": 1773460000,
            "chat": {"id": user_id, "type": "private", "first_name": "Amina"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Amina", "language_code": "en"},
            **content,
        }
    }


async def send_raw(bot: BotHarness, update: dict[str, Any]) -> int:
    await bot.fake.send_raw_update(update)
    update_id = update.get("update_id") or max(bot.fake.acknowledged_update_ids() | {0})
    return int(update_id)


async def test_an_unknown_command_is_answered_with_help(bot: BotHarness) -> None:
    user = bot.user()

    [reply] = await bot.send(user, "/teleport now")

    assert text_of(reply).startswith("I don't know the command /teleport.")
    assert "/programme" in text_of(reply)


async def test_a_sticker_gets_a_translated_hint(bot: BotHarness) -> None:
    user = bot.user()
    update = update_from(
        user.id,
        sticker={
            "file_id": "s1",
            "file_unique_id": "u1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        },
    )
    update["update_id"] = 9001

    await bot.fake.send_raw_update(update)
    await bot.processed(9001)

    assert text_of(bot.fake.last_message(user.id)).startswith("I can only read text.")


async def test_a_forged_button_is_refused_with_a_toast(bot: BotHarness) -> None:
    user = bot.user()
    [days] = await bot.send(user, "/programme")

    for data in ("ses:999999:d0.0", "day:x:1", "room:1", "bogus", "spk:999999"):
        update = {
            "update_id": 9100 + len(bot.fake.callback_answers(user.id)),
            "callback_query": {
                "id": f"forged-{data}",
                "from": {"id": user.id, "is_bot": False, "first_name": "Amina"},
                "chat_instance": "ci",
                "message": days.raw_message() if hasattr(days, "raw_message") else None,
                "data": data,
            },
        }
        if update["callback_query"]["message"] is None:
            del update["callback_query"]["message"]
        await bot.fake.send_raw_update(update)
        await bot.processed(update["update_id"])

    answers = bot.fake.callback_answers(user.id)
    assert len(answers) == 5
    assert all("This button has expired" in a.get("text", "") for a in answers)
    assert text_of(bot.fake.last_message(user.id)) == text_of(days)  # nothing changed


async def test_a_malformed_update_is_recorded_and_the_next_one_served(bot: BotHarness) -> None:
    user = bot.user()
    await bot.fake.send_raw_update({"update_id": 9200, "message": {"text": 5}})
    await bot.processed(9200)

    [reply] = await bot.send(user, "/start")

    assert "Welcome" in text_of(reply)
    counts = await bot.runtime.inbox.counts()
    assert counts.get("failed") == 1


class BrokenSchedule(ScheduleService):
    async def now_and_next(self, locale: str) -> Any:
        raise RuntimeError("the database caught fire")


async def test_a_failing_handler_apologises_in_the_users_language(bot: BotHarness) -> None:
    services = bot.runtime.services
    services.schedule = BrokenSchedule(services.sessions, services.clock)
    user = bot.user(lang="ar")

    [apology] = await bot.send(user, "/now")
    [still_serving] = await bot.send(user, "/programme")

    l10n = await services.localizer("ar")
    assert text_of(apology) == text_of_catalog(
        l10n._("Sorry, something went wrong on my side. Please try again in a moment.")
    )
    assert still_serving.button_texts()


async def test_a_user_who_blocked_the_bot_does_not_stop_it(bot: BotHarness) -> None:
    blocker, other = bot.user(1001), bot.user(1002, "Omar")
    # They write, then block the bot before it answers: the reply is refused with 403.
    bot.fake.inject(
        "sendMessage",
        error_code=403,
        description="Forbidden: bot was blocked by the user",
        chat_id=blocker.id,
        times=5,
    )

    await bot.send(blocker, "/start")
    [reply] = await bot.send(other, "/start")

    assert "Welcome, Omar!" in text_of(reply)
    refused = [c for c in bot.fake.calls if c.error_code == 403]
    assert refused  # the bot tried, Telegram refused, nothing crashed


def text_of_catalog(text: str) -> str:
    from bot.i18n import strip_bidi

    return strip_bidi(text)


async def test_command_menus_failing_at_start_are_logged_and_the_bot_still_serves(
    fake: FakeBotApi, sqlite_sample_db: str, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake.inject("setMyCommands", error_code=500, description="Internal Server Error", times=10)

    async with BotHarness.running(fake, sqlite_sample_db, clock) as bot:
        [reply] = await bot.send(bot.user(), "/start")

    assert "Welcome" in text_of(reply)
    assert "setMyCommands for ar failed" in caplog.text


async def test_a_polled_update_is_confirmed_to_telegram_only_once_stored(bot: BotHarness) -> None:
    user = bot.user()

    update = await bot.fake.send_text(user, "/start")
    await bot.processed(update["update_id"])
    await bot.send(user, "/help")  # the next getUpdates carries the new offset

    assert update["update_id"] in bot.fake.acknowledged_update_ids()
    assert await bot.runtime.inbox.is_finished(update["update_id"])
