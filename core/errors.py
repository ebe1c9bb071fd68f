"""Errors the core raises for mistakes a person can fix.

Every message is one sentence saying what was wrong and what to do, so the CLI and
the chat adapters can show it as it is, without a traceback.

Errors a member can meet through the chat commands are raised with a template
marked N_() and its named parameters, e.g.
`Conflict(N_("applications for round {round} closed"), round=r.name)`: str(exc) is
the English sentence (the CLI, logs and tests read it), `exc.localized(lang)` the
same sentence from the "penpals" catalog, for the member's language. A plain
message (`Conflict("text")`, organisers' errors) is shown as it is in every language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core import times
from core.messages import i18n


class PenpalsError(Exception):
    """A user-facing error: its message is shown as it is, or translated (localized)."""

    def __init__(self, message: str = "", /, **params: Any) -> None:
        self.template = message
        self.params = params
        super().__init__(message.format(**params) if params else message)

    def localized(self, lang: str) -> str:
        """Return the message in *lang* from the "penpals" catalog (English if not there)."""
        if not self.template:
            return str(self)
        text = i18n.translator(lang).gettext(self.template)
        if not self.params:
            return text
        values = {k: _localized(v, lang) for k, v in self.params.items()}
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):  # a broken translation: say it in English
            return str(self)


def _localized(value: Any, lang: str) -> Any:
    """Return a parameter as *lang* shows it (a Moment or a nested error knows how)."""
    method = getattr(value, "localized", None)
    return method(lang) if callable(method) else value


@dataclass(frozen=True, slots=True)
class Moment:
    """A date in an error: written out in English ('01 March 2027') and in translations.

    The English sentence keeps its strftime form; other languages get the date as
    Babel writes it in that language ('1 mars 2027'), never an English month name.
    """

    at: datetime
    english: str = "%d %B %Y %H:%M"

    def __str__(self) -> str:
        return format(self.at, self.english)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def localized(self, lang: str) -> str:
        """Return the date as *lang* reads it (written by Babel: '1 mars 2027')."""
        if i18n.normalize(lang) == i18n.SOURCE:
            return str(self)
        if "%H" in self.english:
            return times.written(self.at, lang=lang, named_zone=False)
        return times.day(self.at.date(), lang=lang)


class InvalidValue(PenpalsError, ValueError):
    """A value (country, time zone, language, sector...) is not one we accept."""


class NotFound(PenpalsError, LookupError):
    """A community, round, member or application does not exist."""


class Conflict(PenpalsError):
    """The request clashes with the current state (wrong round state, duplicate...)."""


class NotAllowed(PenpalsError, PermissionError):
    """The person asking may not do this (e.g. a non-organiser)."""
