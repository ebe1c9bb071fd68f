"""Times as each reader reads them: their clock, their language.

Core texts never print a bare UTC time. A moment in a member-facing text is a
*time token*, `⟦t:<unix>:<style>|<fallback>⟧`: the Discord renderer turns it into
`<t:unix:style>` (Discord shows it in the reader's own time zone and client
language), the Slack renderer into `<!date^unix^{date_long_pretty} {time}|fallback>`
(the same, by Slack). Everywhere else (the CLI, reports, plain-text fallbacks,
rehearsals) the fallback is shown: the date written by Babel in the reader's
language and, when known, their time zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_interval

from core.messages import i18n

TOKEN = re.compile(r"⟦t:(-?\d+):([tTdDfFR])\|([^⟧]*)⟧")

# Discord's styles: d short date, D long date, t short time, f date and time, F with weekday.
_BABEL = {"d": "short", "D": "long", "t": "short", "T": "medium", "f": "long", "F": "full"}


def _zone(tz: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz) if tz else ZoneInfo("UTC")
    except (ValueError, KeyError, OSError):  # an unknown name: say it in UTC
        return ZoneInfo("UTC")


def _locale(lang: str) -> str:
    return i18n.normalize(lang)


# Pure, and asked for the same few moments over and over (a survey's closing time for
# each of 20,000 members, in a few dozen languages and zones): Babel's formatting is the
# cost, so the words are kept.
@lru_cache(maxsize=4096)
def written(
    at: datetime,
    *,
    lang: str = "en",
    tz: str | None = None,
    style: str = "f",
    named_zone: bool = True,
) -> str:
    """Return *at* as words in *lang* and the zone *tz* (UTC if unknown), with the zone named.

    e.g. 'March 12, 2027, 15:00 (Europe/Paris)', '12 mars 2027, 15:00 (Europe/Paris)';
    styles as Discord's. Without *named_zone* the zone is left for the caller to name.
    """
    zone = _zone(tz)
    here = at.astimezone(zone) if at.tzinfo else at.replace(tzinfo=UTC).astimezone(zone)
    loc = _locale(lang)
    if style in ("d", "D"):
        return format_date(here.date(), _BABEL[style], locale=loc)
    if style in ("t", "T"):
        text = format_datetime(here, "HH:mm", tzinfo=zone, locale=loc)
    else:
        day = format_date(here.date(), "full" if style == "F" else "long", locale=loc)
        clock = format_datetime(here, "HH:mm", tzinfo=zone, locale=loc)
        text = f"{day}, {clock}"
    return f"{text} ({zone.key})" if named_zone else text


def token(at: datetime, *, lang: str = "en", tz: str | None = None, style: str = "f") -> str:
    """Return a time token for *at*: adapters show it in the reader's clock (module doc)."""
    stamp = int((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp())
    fallback = written(at, lang=lang, tz=tz, style=style).replace("⟧", ")")
    return f"⟦t:{stamp}:{style}|{fallback}⟧"


def replace_tokens(text: str, render: Callable[[int, str, str], str]) -> str:
    """Return *text* with each time token replaced by render(unix, style, fallback)."""
    return TOKEN.sub(lambda m: render(int(m.group(1)), m.group(2), m.group(3)), text)


def plain(text: str) -> str:
    """Return *text* with its time tokens written out (their fallbacks)."""
    return replace_tokens(text, lambda _unix, _style, fallback: fallback)


def discord(text: str) -> str:
    """Return *text* with Discord timestamps (`<t:unix:style>`) for its time tokens."""
    return replace_tokens(text, lambda unix, style, _fallback: f"<t:{unix}:{style}>")


_SLACK_FORMATS = {
    "d": "{date_short}",
    "D": "{date_long_full}",
    "t": "{time}",
    "T": "{time_secs}",
    "f": "{date_long_pretty} {time}",
    "F": "{date_long_pretty} {time}",
    "R": "{date_pretty} {time}",
}


def slack(text: str) -> str:
    """Return *text* with Slack date tokens (`<!date^unix^format|fallback>`)."""

    def render(unix: int, style: str, fallback: str) -> str:
        safe = fallback.replace("|", "/").replace(">", ")").replace("<", "(")
        return f"<!date^{unix}^{_SLACK_FORMATS.get(style, '{date_long_pretty} {time}')}|{safe}>"

    return replace_tokens(text, render)


def day(on: date, *, lang: str = "en", style: str = "long") -> str:
    """Return a calendar date in *lang* (e.g. '12 mars 2027')."""
    return format_date(on, style, locale=_locale(lang))


def working_window(
    zones: list[str], on: date, *, start: int = 9, end: int = 17
) -> tuple[datetime, datetime] | None:
    """Return the UTC interval when everyone's working day (start-end local) overlaps."""
    lo: datetime | None = None
    hi: datetime | None = None
    for tz in zones:
        zone = _zone(tz)
        a = datetime(on.year, on.month, on.day, start, tzinfo=zone).astimezone(UTC)
        b = datetime(on.year, on.month, on.day, end, tzinfo=zone).astimezone(UTC)
        lo = a if lo is None or a > lo else lo
        hi = b if hi is None or b < hi else hi
    if lo is None or hi is None:
        return None
    if hi <= lo:
        # Working days on different calendar dates (far east and far west): try a day apart.
        shifted = []
        for delta in (-1, 1):
            lo2, hi2 = None, None
            for i, tz in enumerate(zones):
                d = on + timedelta(days=delta if i else 0)
                zone = _zone(tz)
                a = datetime(d.year, d.month, d.day, start, tzinfo=zone).astimezone(UTC)
                b = datetime(d.year, d.month, d.day, end, tzinfo=zone).astimezone(UTC)
                lo2 = a if lo2 is None or a > lo2 else lo2
                hi2 = b if hi2 is None or b < hi2 else hi2
            if lo2 is not None and hi2 is not None and hi2 > lo2:
                shifted.append((lo2, hi2))
        return max(shifted, key=lambda w: w[1] - w[0]) if shifted else None
    return lo, hi


def interval(start: datetime, end: datetime, *, lang: str = "en", tz: str | None = None) -> str:
    """Return a time range on one clock, e.g. '09:00–12:00', in *lang*'s way."""
    zone = _zone(tz)
    return format_interval(
        start.astimezone(zone), end.astimezone(zone), "Hm", tzinfo=zone, locale=_locale(lang)
    )
