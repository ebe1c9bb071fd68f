"""Errors the core raises for mistakes a person can fix.

Every message is one sentence saying what was wrong and what to do, so the CLI and
the chat adapters can show it as it is, without a traceback.
"""

from __future__ import annotations


class PenpalsError(Exception):
    """A user-facing error: its message is shown as it is."""


class InvalidValue(PenpalsError, ValueError):
    """A value (country, time zone, language, sector...) is not one we accept."""


class NotFound(PenpalsError, LookupError):
    """A community, round, member or application does not exist."""


class Conflict(PenpalsError):
    """The request clashes with the current state (wrong round state, duplicate...)."""


class NotAllowed(PenpalsError, PermissionError):
    """The person asking may not do this (e.g. a non-organiser)."""
