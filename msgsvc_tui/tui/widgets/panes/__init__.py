"""The detail tabs' panes: one module each, named in tui/tabs.py."""
