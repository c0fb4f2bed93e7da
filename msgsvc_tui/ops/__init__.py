"""The operations over the network: the write path, journal, pool moves, bulk, config as code."""
