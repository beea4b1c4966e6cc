from tests.harness import BotHarness, texts


async def test_start_greets_in_english(bot: BotHarness) -> None:
    user = bot.user(lang="en")
    replies = await bot.send(user, "/start")
    print(texts(replies))
    assert "Welcome, Amina!" in texts(replies)
