"""One store per resource the emulator serves, each owning its tables and queries; the
emulator's `Store` (emulator/store.py) is all of them over one SQLite connection."""
