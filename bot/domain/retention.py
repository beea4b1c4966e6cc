"""How long the bot keeps what it stores, said once for the code that purges and the privacy
notice that tells people (`bot/presentation/registration.py`)."""

from __future__ import annotations

from datetime import timedelta

# Questions typed to the bot (`asked_questions`), for organizers' "what went unanswered".
ASKED_QUESTIONS = timedelta(days=90)
# Done updates, to recognise one Telegram sends again (it keeps an unconfirmed update for
# 24 hours), then forgotten, a batch at a time.
INBOX_UPDATES = timedelta(days=2)
