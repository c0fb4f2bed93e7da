"""A local Messaging v1 API: SQLite state, an ASGI app, and ways to run it. No UI imports."""
