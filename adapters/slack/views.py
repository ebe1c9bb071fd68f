"""The signup modal: Block Kit view, searchable options, and reading a submission back.

Country, time zone and languages are external selects whose options Slack loads
from us as the member types (Block Kit allows at most 100 options, and there are
~250 countries, ~600 time zones, ~180 languages). Each input's block_id is the
field name core.rounds.profiles uses, so a ProfileInvalid maps straight onto
response_action "errors" next to the right field. The modal speaks the member's
language (gettext domain "slack"); its private_metadata carries that language, so
the options Slack loads as the member types are named in it too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from adapters.slack.render import mrkdwn
from adapters.slack.texts import LANGUAGES, translation
from adapters.slack.views_options import LABEL_MAX as LABEL_MAX
from adapters.slack.views_options import MAX_OPTIONS as MAX_OPTIONS
from adapters.slack.views_options import (
    _plain,
    country_option,
    language_option,
    option,
    timezone_option,
)
from adapters.slack.views_options import options_for as options_for
from core.messages import i18n, vocab
from core.messages.i18n import N_
from core.model import PairingRule, Profile
from core.rounds.profiles import MAX_INTRODUCTION, ProfileInvalid

CALLBACK_ID = "penpals_signup"
SEARCHABLE = ("country", "timezone", "languages", "wish_countries")
LANGUAGE_BLOCK = "language"
# The form's limits, checked again on every submission (a signed request can be hand-made).
TEXT_LIMITS = {
    "name": 80,
    "interests": 500,
    "wish_interests": 500,
    "introduction": MAX_INTRODUCTION,
    "institution": 100,
    "region": 100,
}
PICK_LIMITS = {
    "languages": 20,
    "wish_countries": 20,
    "wish_sectors": len(vocab.SECTORS),
    "wish_career_stages": len(vocab.CAREER_STAGES),
}
_SPLIT = re.compile(r"[,;\n]")
SECTOR_LABELS = {
    "academic": N_("Academic"),
    "public": N_("Public"),
    "school": N_("School"),
    "special": N_("Special"),
    "national": N_("National"),
    "government": N_("Government"),
    "health": N_("Health"),
    "other": N_("Other"),
}
STAGE_LABELS = {
    "student": N_("Student"),
    "early": N_("Early career (under 5 years)"),
    "mid": N_("Mid career"),
    "senior": N_("Senior"),
}

Json = dict[str, Any]


def _input(
    block_id: str, label: str, element: Json, *, optional: bool = False, hint: str = ""
) -> Json:
    block: Json = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {"action_id": block_id, **element},
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _text(
    initial: str = "", *, placeholder: str = "", multiline: bool = False, max_length: int = 0
) -> Json:
    element: Json = {"type": "plain_text_input", "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    if max_length:
        element["max_length"] = max_length
    return element


def _select(
    options: list[Json], chosen: list[Json], *, multi: bool, placeholder: str, most: int = 0
) -> Json:
    """Return a static select (with *options*) or, without options, an external one."""
    kind = ("multi_" if multi else "") + ("static_select" if options else "external_select")
    element: Json = {"type": kind, "placeholder": _plain(placeholder)}
    if multi and most:
        element["max_selected_items"] = most
    if options:
        element["options"] = options
    else:
        element["min_query_length"] = 1
    if chosen:
        element.update({"initial_options": chosen} if multi else {"initial_option": chosen[0]})
    return element


def signup_metadata(*, channel: str, round_name: str, lang: str) -> str:
    """Return the signup modal's private_metadata."""
    return json.dumps({"channel": channel, "round": round_name, "lang": lang})


def metadata_lang(view: Json) -> str:
    """Return the language a modal was shown in (English when it does not say)."""
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return i18n.SOURCE
    return i18n.pick(found.get("lang") if isinstance(found, dict) else None)


def signup_view(
    *,
    round_name: str,
    profile: Profile | None,
    default_name: str,
    rule: PairingRule,
    metadata: str = "",
    lang: str = "en",
    commitment: str = "",
    contact: str = "",
) -> Json:
    """Return the signup modal in *lang*, filled in from *profile* when editing an application.

    *commitment* and *contact* (the program's practices, in words) head the form.
    """
    _ = translation(lang)
    p, w = profile, profile.wishes if profile else None
    sectors = [option(_(SECTOR_LABELS.get(s, s)), s) for s in vocab.SECTORS]
    stages = [option(_(STAGE_LABELS.get(s, s)), s) for s in vocab.CAREER_STAGES]
    languages = [option(name, code) for code, name in LANGUAGES.items()]

    def pick(options: list[Json], values: Iterable[str]) -> list[Json]:
        wanted = set(values)
        return [o for o in options if o["value"] in wanted]

    def search(chosen: list[Json], placeholder: str, *, most: int = 0) -> Json:
        return _select([], chosen, multi=bool(most), placeholder=placeholder, most=most)

    def one_of(options: list[Json], chosen: Iterable[str], placeholder: str) -> Json:
        return _select(options, pick(options, chosen), multi=False, placeholder=placeholder)

    def any_of(options: list[Json], chosen: Iterable[str]) -> Json:
        return _select(options, pick(options, chosen), multi=True, placeholder=_("Any"))

    blocks = [
        _input(
            "name",
            _("Your name"),
            _text((p.name if p else default_name)[: TEXT_LIMITS["name"]], max_length=80),
        ),
        _input(
            LANGUAGE_BLOCK,
            _("Language penpals writes to you in"),
            one_of(languages, [i18n.pick(lang)], _("Choose one")),
        ),
        _input(
            "country",
            _("Country you work in"),
            search(
                [country_option(p.country, lang)] if p else [], _("Type to search, e.g. Finland")
            ),
        ),
        _input(
            "timezone",
            _("Your time zone"),
            search([timezone_option(p.timezone)] if p else [], _("Type a city, e.g. Helsinki")),
        ),
        _input(
            "languages",
            _("Languages you can hold a conversation in"),
            search(
                [language_option(c, lang) for c in (p.languages if p else ())],
                _("e.g. English"),
                most=PICK_LIMITS["languages"],
            ),
        ),
        _input(
            "sector", _("Library sector"), one_of(sectors, [p.sector] if p else [], _("Choose one"))
        ),
        _input(
            "career_stage",
            _("Career stage"),
            one_of(stages, [p.career_stage] if p else [], _("Choose one")),
        ),
        _input(
            "interests",
            _("Professional interests"),
            _text(
                ", ".join(p.interests) if p else "",
                placeholder=_("e.g. reference, open access"),
                max_length=TEXT_LIMITS["interests"],
            ),
            optional=True,
            hint=_("Separate them with commas."),
        ),
    ]
    if rule is PairingRule.INSTITUTION:
        blocks.append(
            _input(
                "institution",
                _("Your institution"),
                _text(p.institution if p else "", max_length=TEXT_LIMITS["institution"]),
            )
        )
    if rule is PairingRule.REGION:
        blocks.append(
            _input(
                "region",
                _("Your region or state"),
                _text(p.region if p else "", max_length=TEXT_LIMITS["region"]),
            )
        )
    wishes = _("*What you would like in a partner* (optional: any one met is enough)")
    blocks += [
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": wishes}]},
        _input(
            "wish_sectors",
            _("Their sector"),
            any_of(sectors, w.sectors if w else ()),
            optional=True,
        ),
        _input(
            "wish_career_stages",
            _("Their career stage"),
            any_of(stages, w.career_stages if w else ()),
            optional=True,
        ),
        _input(
            "wish_countries",
            _("Their country"),
            search(
                [country_option(c, lang) for c in (w.countries if w else ())],
                _("Any"),
                most=PICK_LIMITS["wish_countries"],
            ),
            optional=True,
        ),
        _input(
            "wish_interests",
            _("Their interests"),
            _text(
                ", ".join(w.interests) if w else "",
                placeholder=_("e.g. children's services"),
                max_length=TEXT_LIMITS["wish_interests"],
            ),
            optional=True,
        ),
        _input(
            "introduction",
            _("A short introduction for your partner"),
            _text(p.introduction if p else "", multiline=True, max_length=MAX_INTRODUCTION),
            optional=True,
        ),
    ]
    if commitment:
        about = _("Time asked of you: {commitment}.").format(commitment=commitment)
        if contact:
            about += " " + _("Questions? Contact {contact}.").format(contact=contact)
        head = {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn(about)}]}
        blocks.insert(0, head)
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(_("Apply: {round}").format(round=round_name)[:24]),
        "submit": _plain(_("Apply") if p is None else _("Save")),
        "close": _plain(_("Cancel")),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def notice_view(title: str, text: str, *, lang: str = "en") -> Json:
    """Return a modal that only tells the member something (after a submission)."""
    _ = translation(lang)
    return {
        "type": "modal",
        "title": _plain(title[:24]),
        "close": _plain(_("Close")),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def _read(values: Json, block: str) -> Any:
    """Return what the member entered in *block*: a list for multi-selects, else text."""
    state = next(iter((values.get(block) or {}).values()), {})
    kind = state.get("type") or ""
    if kind.startswith("multi_"):
        return [o["value"] for o in state.get("selected_options") or []]
    if kind.endswith("select"):
        return (state.get("selected_option") or {}).get("value", "")
    return state.get("value") or ""


def over_limits(values: Json, lang: str = "en") -> dict[str, str]:
    """Return the fields entered beyond the form's limits, with what to do, in *lang*."""
    _ = translation(lang)
    errors: dict[str, str] = {}
    for block, limit in TEXT_LIMITS.items():
        typed = _read(values, block)
        if isinstance(typed, str) and len(typed) > limit:
            errors[block] = _("keep it under {limit} characters").format(limit=limit)
    for block, most in PICK_LIMITS.items():
        chosen = _read(values, block)
        if isinstance(chosen, list) and len(chosen) > most:
            errors[block] = _("choose at most {limit}").format(limit=most)
    return errors


def submitted(values: Json) -> dict[str, Any]:
    """Return build_profile's keyword arguments from a view_submission's state values.

    A field of the wrong kind (a list where text belongs, or the reverse: only a
    hand-made request sends that) reads as empty, so the core names what is missing.
    """

    def text(block: str) -> str:
        found = _read(values, block)
        return found if isinstance(found, str) else ""

    def many(block: str) -> list[str]:
        found = _read(values, block)
        return found if isinstance(found, list) else []

    def listed(block: str) -> list[str]:
        return [part.strip() for part in _SPLIT.split(text(block)) if part.strip()]

    return {
        "name": text("name"),
        "country": text("country"),
        "timezone": text("timezone"),
        "languages": many("languages"),
        "sector": text("sector"),
        "career_stage": text("career_stage"),
        "interests": listed("interests"),
        "introduction": text("introduction"),
        "wish_sectors": many("wish_sectors"),
        "wish_career_stages": many("wish_career_stages"),
        "wish_interests": listed("wish_interests"),
        "wish_countries": many("wish_countries"),
        "institution": text("institution"),
        "region": text("region"),
    }


def chosen_language(values: Json) -> str | None:
    """Return the language chosen in the signup modal, if any."""
    state = next(iter((values.get(LANGUAGE_BLOCK) or {}).values()), {})
    return i18n.supported((state.get("selected_option") or {}).get("value"))


def field_errors(exc: ProfileInvalid, values: Json, lang: str = "en") -> dict[str, str]:
    """Map a ProfileInvalid onto the modal's blocks (response_action "errors"), in *lang*."""
    errors: dict[str, str] = {}
    for name, why in exc.localized_fields(lang).items():
        block = name if name in values else "name"
        text = why if block == name else f"{name}: {why}"
        errors[block] = f"{errors[block]}; {text}" if block in errors else text
    return errors
