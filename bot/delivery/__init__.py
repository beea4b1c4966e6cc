"""The durable delivery engine: every message the bot sends on its own initiative."""
