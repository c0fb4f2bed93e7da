"""msgsvc-tui: manage Twilio Messaging Services from the terminal."""

__version__ = "0.1.0"
