"""Why people were matched (or not), as structured reasons rendered in words per reader.

The matcher gives reasons as codes with parameters (`Reason`), stored with each
group as short strings (`Reason.encode`: 'wish who=U123 kind=sector value=academic').
Nothing stored is a sentence: a reason is put into words only when someone reads
it, in their language, naming people by name and never by platform id, language
or career code, and giving working hours on the reader's own clock:

- "You both hoped for a partner in academic libraries"
- "You share French and English"
- "Your working hours overlap about 3 hours (09:00–12:00 your time)"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, unquote

from babel.numbers import format_decimal

from core import times
from core.messages import i18n, vocab
from core.messages.i18n import N_
from core.model import Profile

# --- codes -------------------------------------------------------------------------

WISH = "wish"  # who, kind (sector | career | interest | country), value
INTERESTS = "interests"  # tags (comma-separated)
LANGUAGES = "languages"  # codes (comma-separated): spoken by everyone in the group
PAIR_LANGUAGES = "pair_languages"  # a, b, codes: a trio with no language common to all
HOURS = "hours"  # value: average hours of working day in common
NO_HOURS = "no_hours"
# Why someone has no group.
ALONE = "alone"  # by (country | institution): nobody else from elsewhere applied
NO_LANGUAGE = "no_language"
NO_SHARED_LANGUAGE = "no_shared_language"  # by, codes
ONLY_PREVIOUS = "only_previous"
NEEDED_ELSEWHERE = "needed_elsewhere"  # count, trio (1 when the trio could have been theirs)


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason: a code and its named parameters (all strings)."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: object) -> Reason:
        """Build a reason from keyword parameters."""
        return cls(code, tuple((k, str(v)) for k, v in params.items()))

    def get(self, name: str, default: str = "") -> str:
        """Return one parameter."""
        return dict(self.params).get(name, default)

    def items(self, name: str) -> list[str]:
        """Return a comma-separated parameter as a list."""
        value = self.get(name)
        return [unquote(v) for v in value.split(",")] if value else []

    def encode(self) -> str:
        """Return the stored form: 'code key=value ...' (values percent-encoded, no ';')."""
        parts = [self.code, *(f"{k}={quote(v, safe='')}" for k, v in self.params)]
        return " ".join(parts)

    @classmethod
    def decode(cls, text: str) -> Reason | None:
        """Return the reason stored as *text*, or None for free text (older rows)."""
        code, *rest = text.split(" ")
        if code not in _KNOWN or not all("=" in p for p in rest):
            return None
        params = []
        for p in rest:
            k, _, v = p.partition("=")
            params.append((k, unquote(v)))
        return cls(code, tuple(params))


_KNOWN = frozenset(
    {
        WISH,
        INTERESTS,
        LANGUAGES,
        PAIR_LANGUAGES,
        HOURS,
        NO_HOURS,
        ALONE,
        NO_LANGUAGE,
        NO_SHARED_LANGUAGE,
        ONLY_PREVIOUS,
        NEEDED_ELSEWHERE,
    }
)


def listed(values: Iterable[str]) -> str:
    """Return values as a comma-separated parameter (each percent-encoded)."""
    return ",".join(quote(v, safe="") for v in values)


# --- words ---------------------------------------------------------------------------

# Whole phrases, so that each language can word them.
SECTOR_PARTNER = {
    "academic": N_("a partner in academic libraries"),
    "public": N_("a partner in public libraries"),
    "school": N_("a partner in school libraries"),
    "special": N_("a partner in special libraries"),
    "national": N_("a partner in a national library"),
    "government": N_("a partner in government libraries"),
    "health": N_("a partner in health libraries"),
    "other": N_("a partner in another kind of library"),
}
CAREER_PARTNER = {
    "student": N_("a partner who is still studying"),
    "early": N_("a partner early in their career"),
    "mid": N_("a partner in the middle of their career"),
    "senior": N_("a partner with a long career behind them"),
}


def _what(kind: str, value: str, lang: str) -> str:
    _ = i18n.translator(lang).gettext
    if kind == "sector":
        return _(SECTOR_PARTNER.get(value, N_("a partner in another kind of library")))
    if kind == "career":
        return _(CAREER_PARTNER.get(value, N_("a partner at another stage of their career")))
    if kind == "interest":
        return _("a partner interested in {interest}").format(interest=value)
    if kind == "country":
        return _("a partner from {country}").format(country=vocab.country_name(value, lang))
    return _("a partner like the one you hoped for")


def and_list(names: Sequence[str], lang: str) -> str:
    """Return 'A and B' or 'A, B and C' in *lang*."""
    _ = i18n.translator(lang).gettext
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return _("{names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


def _hours(value: float, lang: str) -> tuple[str, int]:
    """Return hours rounded to the half hour as *lang* writes them, and the plural count."""
    half = max(0.5, round(value * 2) / 2)
    return format_decimal(half, locale=i18n.normalize(lang)), max(1, round(half))


@dataclass(frozen=True, slots=True)
class Person:
    """Someone a reason may name: their platform id (as stored), name and profile."""

    id: str
    profile: Profile


def describe(
    stored: Sequence[str],
    people: Sequence[Person],
    *,
    lang: str = "en",
    reader: str | None = None,
    on: date | None = None,
) -> list[str]:
    """Return the reasons in words, for one reader (by id) or for the whole group.

    Reasons that cannot be read (free text from older versions) are left out: they
    may name platform ids. Working hours are given on the reader's clock, or on each
    member's when the text is for the whole group.
    """
    _ = i18n.translator(lang).gettext
    ngettext = i18n.translator(lang).ngettext
    by_id = {p.id: p for p in people}
    reasons = [r for r in (Reason.decode(s) for s in stored) if r is not None]
    lines: list[str] = []

    wishes = [r for r in reasons if r.code == WISH]
    kinds = {(r.get("kind"), r.get("value")) for r in wishes}
    if len(wishes) == len(people) >= 2 and len(kinds) == 1:
        kind, value = kinds.pop()
        what = _what(kind, value, lang)
        template = (
            _("You both hoped for {what}") if len(people) == 2 else _("You all hoped for {what}")
        )
        lines.append(template.format(what=what))
    else:
        for r in wishes:
            what = _what(r.get("kind"), r.get("value"), lang)
            who = r.get("who")
            if who == reader:
                lines.append(_("You hoped for {what}").format(what=what))
            elif who in by_id:
                lines.append(
                    _("{name} hoped for {what}").format(name=by_id[who].profile.name, what=what)
                )
            else:
                lines.append(_("One of you hoped for {what}").format(what=what))

    for r in reasons:
        if r.code == INTERESTS:
            tags = r.items("tags")
            lines.append(
                ngettext(
                    "You share an interest in {interests}",
                    "You share interests in {interests}",
                    len(tags),
                ).format(interests=and_list(tags, lang))
            )
        elif r.code == LANGUAGES:
            names = [vocab.language_name(c, lang) for c in r.items("codes")]
            lines.append(
                ngettext("You both speak {languages}", "You share {languages}", len(names)).format(
                    languages=and_list(names, lang)
                )
            )
        elif r.code == PAIR_LANGUAGES:
            a, b = by_id.get(r.get("a")), by_id.get(r.get("b"))
            names = [vocab.language_name(c, lang) for c in r.items("codes")]
            if a is not None and b is not None and names:
                lines.append(
                    _("{a} and {b} share {languages}").format(
                        a=a.profile.name, b=b.profile.name, languages=and_list(names, lang)
                    )
                )
        elif r.code == HOURS:
            lines.append(_hours_line(float(r.get("value") or 0), people, lang, reader, on))
        elif r.code == NO_HOURS:
            lines.append(
                _(
                    "Your working hours do not overlap: you will mostly write to each other, "
                    "each at a time that suits you"
                )
            )
    return lines


def _hours_line(
    value: float, people: Sequence[Person], lang: str, reader: str | None, on: date | None
) -> str:
    _ = i18n.translator(lang).gettext
    ngettext = i18n.translator(lang).ngettext
    zones = [p.profile.timezone for p in people]
    window = times.working_window(zones, on or date.today()) if zones else None
    if window is not None:
        value = (window[1] - window[0]).total_seconds() / 3600
    hours, count = _hours(value, lang)
    if window is None:
        return ngettext(
            "Your working hours overlap about {hours} hour",
            "Your working hours overlap about {hours} hours",
            count,
        ).format(hours=hours)
    me = next((p for p in people if p.id == reader), None)
    if me is not None:
        return ngettext(
            "Your working hours overlap about {hours} hour ({window} your time)",
            "Your working hours overlap about {hours} hours ({window} your time)",
            count,
        ).format(hours=hours, window=times.interval(*window, lang=lang, tz=me.profile.timezone))
    each = [
        _("{window} for {name}").format(
            window=times.interval(*window, lang=lang, tz=p.profile.timezone), name=p.profile.name
        )
        for p in people
    ]
    return ngettext(
        "Your working hours overlap about {hours} hour ({windows})",
        "Your working hours overlap about {hours} hours ({windows})",
        count,
    ).format(hours=hours, windows=and_list(each, lang))


def for_organisers(stored: Sequence[str], names: Mapping[str, str], *, lang: str = "en") -> str:
    """Return a group's reasons in one line for organisers (CLI, chat previews): names, no ids."""
    return "; ".join(organiser_lines(stored, names, lang=lang))


def organiser_lines(
    stored: Sequence[str], names: Mapping[str, str], *, lang: str = "en"
) -> list[str]:
    """Return a group's reasons in words for organisers, one per line (never a ';').

    Free text from older versions is shown as it is.
    """
    _ = i18n.translator(lang).gettext
    ngettext = i18n.translator(lang).ngettext
    out: list[str] = []
    for text in stored:
        r = Reason.decode(text)
        if r is None:
            out.append(text)
        elif r.code == WISH:
            who = names.get(r.get("who"), _("someone"))
            out.append(
                _("{name} hoped for {what}").format(
                    name=who, what=_what(r.get("kind"), r.get("value"), lang)
                )
            )
        elif r.code == HOURS:
            hours, count = _hours(float(r.get("value") or 0), lang)
            out.append(
                ngettext(
                    "about {hours} hour of working day in common",
                    "about {hours} hours of working day in common",
                    count,
                ).format(hours=hours)
            )
        elif r.code == NO_HOURS:
            out.append(_("no working hours in common"))
        elif r.code == PAIR_LANGUAGES:
            names_ = [vocab.language_name(c, lang) for c in r.items("codes")]
            out.append(
                _("{a} and {b} share {languages}").format(
                    a=names.get(r.get("a"), "?"),
                    b=names.get(r.get("b"), "?"),
                    languages=and_list(names_, lang),
                )
            )
        elif r.code == INTERESTS:
            tags = r.items("tags")
            out.append(
                ngettext(
                    "a shared interest in {interests}", "shared interests in {interests}", len(tags)
                ).format(interests=and_list(tags, lang))
            )
        elif r.code == LANGUAGES:
            names_ = [vocab.language_name(c, lang) for c in r.items("codes")]
            out.append(
                _("languages in common: {languages}").format(languages=and_list(names_, lang))
            )
        else:
            out.append(unplaced(text, lang=lang))
    return [line.replace(";", ",") for line in out]


def unplaced(stored: str, *, lang: str = "en") -> str:
    """Return why a member has no group, in words addressed to them."""
    _ = i18n.translator(lang).gettext
    r = Reason.decode(stored)
    if r is None:
        return _("there were not enough applicants who could be paired with you this round")
    by_country = r.get("by", "country") == "country"
    if r.code == ALONE:
        if by_country:
            return _("everyone else who applied this round is from your country")
        return _("everyone else who applied this round is from your institution or region")
    if r.code == NO_LANGUAGE:
        return _("your application lists no language you can hold a conversation in")
    if r.code == NO_SHARED_LANGUAGE:
        names = and_list([vocab.language_name(c, lang) for c in r.items("codes")], lang)
        if by_country:
            return _("nobody from another country this round speaks {languages}").format(
                languages=names
            )
        return _("nobody from another institution or region this round speaks {languages}").format(
            languages=names
        )
    if r.code == ONLY_PREVIOUS:
        return _("everyone you could be paired with has been your partner before")
    if r.code == NEEDED_ELSEWHERE:
        return _(
            "the people who could be paired with you were all needed in other pairs, "
            "and there can be only one group of three"
        )
    return _("there were not enough applicants who could be paired with you this round")


# The note of an unplaced application: the organisers' sentence, then the stored reason.
_MARK = " ⟦why:"


def attach(note: str, reason: Reason | None) -> str:
    """Return an application note carrying a structured reason after its text."""
    return note if reason is None else f"{note}{_MARK}{reason.encode()}⟧"


def split(note: str) -> tuple[str, str | None]:
    """Return an application note's text and its stored reason (None if it has none)."""
    text, mark, rest = note.partition(_MARK)
    if not mark:
        return note, None
    return text, rest.removesuffix("⟧")
