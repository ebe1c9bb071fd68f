"""Durability evidence: fault injection (SIGKILL, 429 storms) against an out-of-process stand-in."""
