"""Pure rules and value objects: no Telegram, no SQL, no Babel."""
