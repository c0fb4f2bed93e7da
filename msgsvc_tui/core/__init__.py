"""The field catalogue and the domain rules: no network, no UI."""
