"""The emulator's request handlers, one module per resource; emulator/routes.py maps paths
to them."""
