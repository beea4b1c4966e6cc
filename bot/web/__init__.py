"""aiohttp: the webhook endpoint and health checks (later, the organizers' pages)."""
