"""Surveys through the real client: the pair thread's button, the paged modal, answers, refusals.

The round is run through the stand-in (tests.adapters.discord.rounds.running_pair);
its mid-round check-in is scheduled to open now, and the round engine posts the
invitation in the pair thread, as it would on the day.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.discord.surveys import short_label
from core.model import MemberRef, Platform
from core.surveys.model import SurveyKind
from core.surveys.rules import parse_survey_action
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.rounds import Pair, dms_to, press_in_dm, running_pair
from tests.adapters.discord.standin import Reply

PAGE_1 = {
    "satisfaction": ["4"],
    "frequency": ["weekly"],
    "topics": ["1", "2"],
    "modes": ["chat", "video"],
    "goals": ["partly"],
}
PAGE_2 = {"recommend": ["yes"], "comment": "More topics about makerspaces, please."}


async def invited(bot: Bot) -> tuple[Pair, dict[str, Any], int]:
    """Run a round, open its mid-round check-in now; return the invitation and survey id."""
    pair = await running_pair(bot)
    community = await bot.community()
    opens = bot.clock.now()
    await bot.services.surveys.schedule(
        community.id, "2027A", SurveyKind.MID, opens=opens, closes=opens + timedelta(days=14)
    )
    bot.clock.advance(hours=1)
    await bot.deliver()
    found = [
        (m, c["custom_id"])
        for m in bot.standin.bot_messages(pair.thread)
        for row in m["components"]
        for c in row["components"]
        if parse_survey_action(c.get("custom_id", "")) is not None
    ]
    [(invitation, button)] = found
    survey_id = parse_survey_action(button)
    assert survey_id is not None
    return pair, invitation, survey_id


def labels(modal: Reply) -> list[str]:
    return [c["label"] for c in modal.data["components"]]


def inner(modal: Reply, key: str) -> dict[str, Any]:
    return next(
        c["component"] for c in modal.data["components"] if c["component"]["custom_id"] == key
    )


async def stored(bot: Bot, survey_id: int) -> list[dict[str, Any]]:
    async with bot.services.uow() as uow:
        return [dict(r.answers) for r in await uow.surveys.responses(survey_id)]


async def test_the_button_in_the_pair_thread_opens_the_questions_in_french(bot: Bot) -> None:
    """A French member's press opens page 1 of the form in French, with core's wording."""
    pair, invitation, survey_id = await invited(bot)
    s = bot.standin
    button = f"survey:open:{survey_id}"
    modal = await s.press_on(pair.ana, invitation, button, locale="fr")
    assert modal.type == 9, modal.responses
    form = await bot.services.surveys.form(
        MemberRef(Platform.DISCORD, str(pair.ana)), survey_id, locale="fr"
    )
    page = form.pages(5)
    assert len(page) == 2 and modal.data["title"] == f"{form.title} (1/2)"
    assert labels(modal) == [short_label(q.label)[0] for q in page[0]]
    assert form.lang == "fr" and modal.data["title"].startswith("Point de mi-parcours")
    first = modal.data["components"][0]
    assert first["description"] == page[0][0].label  # cut in the label, whole below
    assert "satisfaction" in first["description"]
    scale = inner(modal, "satisfaction")
    assert scale["type"] == 3 and scale["max_values"] == 1 and scale["min_values"] == 1
    assert [o["value"] for o in scale["options"]] == ["1", "2", "3", "4", "5"]
    assert [o["label"] for o in scale["options"]] == [o.label for o in page[0][0].options]
    modes = inner(modal, "modes")
    assert modes["max_values"] == len(modes["options"]) == 4 and modes["min_values"] == 0


async def test_answering_both_pages_stores_one_response_and_thanks(bot: Bot) -> None:
    """Page 1 is saved with a Continue (2/2) button; page 2 ends with core's thanks."""
    pair, invitation, survey_id = await invited(bot)
    s = bot.standin
    modal = await s.press_on(pair.ana, invitation, f"survey:open:{survey_id}")
    first = await s.submit_modal(pair.ana, modal, PAGE_1)
    assert first.ephemeral and first.text == "Page 1 of 2 is saved.", first.text
    assert first.custom_ids() == [f"survey:page:{survey_id}:1:1"]
    assert first.data["components"][0]["components"][0]["label"] == "Continue (2/2)"
    assert await stored(bot, survey_id) == [
        {
            "satisfaction": "4",
            "frequency": "weekly",
            "topics": ("1", "2"),
            "modes": ("chat", "video"),
            "goals": "partly",
        }
    ]

    second_page = await s.press(pair.ana, first, f"survey:page:{survey_id}:1:1")
    assert second_page.type == 9 and [
        c["component"]["custom_id"] for c in second_page.data["components"]
    ] == [
        "recommend",
        "comment",
    ]
    thanks = await s.submit_modal(pair.ana, second_page, PAGE_2)
    assert thanks.ephemeral and thanks.text.startswith("Thank you! Your answers are saved")
    [answers] = await stored(bot, survey_id)
    assert answers["recommend"] == "yes" and answers["comment"] == PAGE_2["comment"]
    assert answers["satisfaction"] == "4"


async def test_answering_again_edits_the_same_response_with_the_form_prefilled(bot: Bot) -> None:
    """A second press shows the saved answers; submitting changes them, still one response."""
    pair, invitation, survey_id = await invited(bot)
    s = bot.standin
    button = f"survey:open:{survey_id}"
    await s.submit_modal(pair.ana, await s.press_on(pair.ana, invitation, button), PAGE_1)

    again = await s.press_on(pair.ana, invitation, button)
    defaults = {
        key: [o["value"] for o in inner(again, key)["options"] if o.get("default")]
        for key in PAGE_1
    }
    assert defaults == PAGE_1
    updated = await s.submit_modal(pair.ana, again, {**PAGE_1, "satisfaction": ["2"]})
    assert updated.text == "Page 1 of 2 is saved."
    second = await s.press(pair.ana, updated, f"survey:page:{survey_id}:1:0")
    await s.submit_modal(pair.ana, second, PAGE_2)
    third = await s.press(pair.ana, updated, f"survey:page:{survey_id}:1:0")
    assert inner(third, "comment")["value"] == PAGE_2["comment"]
    done = await s.submit_modal(pair.ana, third, PAGE_2)
    assert done.text.startswith("Your answers are updated"), done.text
    [answers] = await stored(bot, survey_id)
    assert answers["satisfaction"] == "2" and answers["recommend"] == "yes"


async def test_refused_answers_say_why_and_offer_the_page_again(bot: Bot) -> None:
    """A required question left empty is named; nothing is saved; the page can be reopened."""
    pair, invitation, survey_id = await invited(bot)
    s = bot.standin
    modal = await s.press_on(pair.ana, invitation, f"survey:open:{survey_id}")
    refused = await s.submit_modal(pair.ana, modal, {**PAGE_1, "satisfaction": []})
    assert refused.ephemeral and refused.text.startswith("Nothing on this page was saved")
    assert "please answer this question" in refused.text
    assert await stored(bot, survey_id) == []
    assert refused.custom_ids() == [f"survey:page:{survey_id}:0:1"]
    reopened = await s.press(pair.ana, refused, f"survey:page:{survey_id}:0:1")
    assert reopened.type == 9 and labels(reopened) == labels(modal)


async def test_outsiders_and_late_answers_are_refused(bot: Bot) -> None:
    """Someone outside the round, and anyone after the survey closed, get one sentence."""
    pair, invitation, survey_id = await invited(bot)
    s = bot.standin
    button = f"survey:open:{survey_id}"
    outsider = await s.press_on(pair.chen, invitation, button)
    assert outsider.ephemeral and "you were not in it" in outsider.text, outsider.text

    modal = await s.press_on(pair.bruno, invitation, button)
    bot.clock.advance(days=15)
    late = await s.submit_modal(pair.bruno, modal, PAGE_1)
    assert late.ephemeral and "closed" in late.text, late.text
    again = await s.press_on(pair.bruno, invitation, button)
    assert again.type == 4 and "closed" in again.text
    assert await stored(bot, survey_id) == []


async def test_the_reminder_dm_button_opens_the_same_form(bot: Bot) -> None:
    """The reminder a member gets by DM opens the survey too (no server in the interaction)."""
    pair, _invitation, survey_id = await invited(bot)
    bot.clock.advance(days=10)  # past the reminder date, five days before closing
    await bot.deliver()
    [reminder] = [m for m in dms_to(bot.standin, pair.bruno) if m["components"]]
    modal = await press_in_dm(bot.standin, pair.bruno, reminder, f"survey:open:{survey_id}")
    assert modal.type == 9 and len(modal.data["components"]) == 5


def test_long_questions_keep_their_whole_text_below_the_label() -> None:
    """Discord labels hold 45 characters: a longer question is cut there and shown in full."""
    assert short_label("How are you?") == ("How are you?", None)
    text, description = short_label("How satisfied are you with the program so far, truly?")
    assert len(text) <= 45 and text.endswith("…")
    assert description == "How satisfied are you with the program so far, truly?"
