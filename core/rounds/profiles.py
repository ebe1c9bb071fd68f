"""Build a validated Profile from what a member typed in a form or a command."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from core.errors import InvalidValue, PenpalsError
from core.messages import vocab
from core.messages.i18n import N_
from core.model import Profile, Wishes

# The limits of the signup forms (Discord modal, Slack view), checked again here so that
# every way in (a signed but hand-made Slack submission, a Discord option, the CSV import)
# meets the same ones.
MAX_NAME = 80
MAX_INTRODUCTION = 1000
MAX_PLACE = 100  # institution, region
MAX_LANGUAGES = 20
MAX_INTERESTS = 20


class ProfileInvalid(InvalidValue):
    """Some fields are wrong; `fields` maps each field name to what is wrong with it.

    `fields` holds the English sentences; `problems` the errors themselves, so that
    `localized_fields(lang)` can say each one in the member's language.
    """

    def __init__(self, fields: Mapping[str, str | PenpalsError]) -> None:
        self.problems: dict[str, PenpalsError] = {
            name: why if isinstance(why, PenpalsError) else InvalidValue(why)
            for name, why in fields.items()
        }
        self.fields = {name: str(why) for name, why in self.problems.items()}
        super().__init__("; ".join(f"{name}: {why}" for name, why in self.fields.items()))

    def localized_fields(self, lang: str) -> dict[str, str]:
        """Return what is wrong with each field, in *lang*."""
        return {name: why.localized(lang) for name, why in self.problems.items()}

    def localized(self, lang: str) -> str:
        return "; ".join(f"{name}: {why}" for name, why in self.localized_fields(lang).items())


class _Checker:
    """Collect every field's problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: dict[str, PenpalsError] = {}

    def one(self, field: str, check: Callable[[str], str], value: str) -> str:
        try:
            return check(value)
        except InvalidValue as exc:
            self.problems[field] = exc
            return ""

    def many(
        self, field: str, check: Callable[[str], str], values: Iterable[str]
    ) -> tuple[str, ...]:
        if field in self.problems:
            return ()
        try:
            return vocab.each(check, values)
        except InvalidValue as exc:
            self.problems[field] = exc
            return ()

    def one_list(self, field: str, limit: int, values: Iterable[str]) -> tuple[str, ...]:
        """Return the distinct non-blank *values*, or note that there are more than *limit*."""
        distinct = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
        if len(distinct) > limit:
            self.problems[field] = InvalidValue(N_("give at most {limit}"), limit=limit)
            return ()
        return distinct


def _text(limit: int, *, multiline: bool = False) -> Callable[[str], str]:
    """Return a check of free text: at most *limit* characters, no control characters."""

    def check(value: str) -> str:
        vocab.plain_text(value, multiline=multiline)
        if len(value.strip()) > limit:
            raise InvalidValue(N_("keep it under {limit} characters"), limit=limit)
        return value

    return check


def build_profile(
    *,
    name: str,
    country: str,
    timezone: str,
    languages: Iterable[str],
    sector: str,
    career_stage: str,
    interests: Iterable[str] = (),
    introduction: str = "",
    wish_sectors: Iterable[str] = (),
    wish_career_stages: Iterable[str] = (),
    wish_interests: Iterable[str] = (),
    wish_countries: Iterable[str] = (),
    institution: str = "",
    region: str = "",
) -> Profile:
    """Return a Profile, or raise ProfileInvalid naming every bad field at once."""
    c = _Checker()
    # One-line texts: line breaks and runs of spaces become one space, then the checks.
    clean_name = c.one("name", _text(MAX_NAME), " ".join(name.split()))
    if not clean_name and "name" not in c.problems:
        c.problems["name"] = InvalidValue(N_("a display name is needed"))
    introduction = c.one("introduction", _text(MAX_INTRODUCTION, multiline=True), introduction)
    institution = c.one("institution", _text(MAX_PLACE), " ".join(institution.split()))
    region = c.one("region", _text(MAX_PLACE), " ".join(region.split()))
    languages, interests, wish_interests = (
        c.one_list(field, limit, values)
        for field, limit, values in (
            ("languages", MAX_LANGUAGES, languages),
            ("interests", MAX_INTERESTS, interests),
            ("wish_interests", MAX_INTERESTS, wish_interests),
        )
    )
    spoken = c.many("languages", vocab.language, languages)
    if not spoken and "languages" not in c.problems:
        c.problems["languages"] = InvalidValue(
            N_("give at least one language you can hold a conversation in")
        )
    profile = Profile(
        name=clean_name,
        country=c.one("country", vocab.country, country),
        timezone=c.one("timezone", vocab.timezone, timezone),
        languages=spoken,
        sector=c.one("sector", vocab.sector, sector),
        career_stage=c.one("career_stage", vocab.career_stage, career_stage),
        interests=c.many("interests", vocab.tag, interests),
        introduction=introduction.strip(),
        wishes=Wishes(
            sectors=c.many("wish_sectors", vocab.sector, wish_sectors),
            career_stages=c.many("wish_career_stages", vocab.career_stage, wish_career_stages),
            interests=c.many("wish_interests", vocab.tag, wish_interests),
            countries=c.many("wish_countries", vocab.country, wish_countries),
        ),
        institution=institution.strip(),
        region=region.strip(),
    )
    if c.problems:
        raise ProfileInvalid(c.problems)
    return profile
