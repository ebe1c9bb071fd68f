"""An in-process chat platform that keeps what it was sent (rehearsals and tests)."""

from adapters.rehearsal.platform import RehearsalPlatform

__all__ = ["RehearsalPlatform"]
