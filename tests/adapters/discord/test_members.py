"""Member flows through the real discord.py client: /signup, /profile, /withdraw."""

from __future__ import annotations

from core.errors import NotFound
from core.model import ApplicationStatus, MemberRef, Platform
from tests.adapters.discord.conftest import Bot
from tests.adapters.discord.rounds import FORM, SIGNUP, open_round


async def test_member_signs_up_with_autocomplete_and_modal(bot: Bot) -> None:
    """Autocomplete suggests localized countries and time zones; the modal saves the application."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    countries = await s.autocomplete(member, "signup", {"country": "suo"}, "country", locale="fi")
    assert countries[0] == {"name": "Suomi (FI)", "value": "FI"}
    assert len(await s.autocomplete(member, "signup", {"country": ""}, "country")) == 25
    zones = await s.autocomplete(member, "signup", {"country": "FI", "timezone": "hel"}, "timezone")
    assert zones[0]["value"] == "Europe/Helsinki"
    assert len(zones) <= 25

    modal = await s.slash(member, "signup", SIGNUP)
    assert modal.type == 9
    labels = [c["label"] for c in modal.data["components"]]
    assert labels[0] == "Languages you can talk in" and len(labels) == 5
    saved = await s.submit_modal(member, modal, FORM)
    assert saved.ephemeral
    assert "Application received: round 2027A" in saved.text
    assert "Finland (FI)" in saved.text and "Swedish" in saved.text

    app = await bot.services.applications.mine(
        await bot.community(), MemberRef(Platform.DISCORD, str(member))
    )
    assert app.status is ApplicationStatus.PENDING
    assert app.profile.languages == ("fi", "en", "sv")
    assert app.profile.interests == ("open access", "makerspaces")
    assert app.profile.wishes.sectors == ("academic",)
    assert app.profile.name == "mika-member"


async def test_signing_up_again_edits_with_the_form_prefilled(bot: Bot) -> None:
    """A second /signup opens the form with the saved answers and updates the same application."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    await s.submit_modal(member, await s.slash(member, "signup", SIGNUP), FORM)
    again = await s.slash(member, "signup", {**SIGNUP, "career_stage": "senior"})
    languages = again.data["components"][0]["component"]["options"]
    assert {o["value"] for o in languages if o.get("default")} == {"fi", "en", "sv"}
    intro = again.data["components"][4]["component"]
    assert intro["value"] == FORM["introduction"]
    updated = await s.submit_modal(member, again, {**FORM, "interests": "reading"})
    assert "Application updated" in updated.text
    apps = await bot.services.applications.list((await bot.community()).id, "2027A")
    assert len(apps) == 1 and apps[0].profile.career_stage == "senior"


async def test_signup_without_an_open_round_is_refused_clearly(bot: Bot) -> None:
    """With no round open, /signup answers ephemerally and opens no form."""
    reply = await bot.standin.slash(bot.server.member, "signup", SIGNUP)
    assert reply.type == 4 and reply.ephemeral
    assert "No round is taking applications" in reply.text


async def test_signup_after_the_window_closed_is_refused_clearly(bot: Bot) -> None:
    """A closed round's applicant is told when applications closed."""
    await open_round(bot)
    await bot.standin.slash(bot.server.organiser, "round", {"name": "2027A"}, sub="close")
    reply = await bot.standin.slash(bot.server.member, "signup", SIGNUP)
    assert reply.type == 4 and "closed" in reply.text


async def test_bad_form_values_are_named_and_nothing_is_saved(bot: Bot) -> None:
    """An unknown time zone and an invalid language are reported field by field."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    bad_zone = await s.slash(member, "signup", {**SIGNUP, "timezone": "Mars/Olympus"})
    assert bad_zone.type == 4 and "Time zone" in bad_zone.text
    modal = await s.slash(member, "signup", SIGNUP)
    reply = await s.submit_modal(member, modal, {**FORM, "languages": [], "other_languages": "xx"})
    assert "Languages" in reply.text and "Nothing was saved" in reply.text
    try:
        await bot.services.applications.mine(
            await bot.community(), MemberRef(Platform.DISCORD, str(member))
        )
    except NotFound:
        pass
    else:
        raise AssertionError("an invalid form must not be saved")


async def test_profile_then_withdraw(bot: Bot) -> None:
    """/profile shows the application; /withdraw leaves the round."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    await s.submit_modal(member, await s.slash(member, "signup", SIGNUP), FORM)
    shown = await s.slash(member, "profile")
    assert "Your application to round 2027A" in shown.text and "pending" in shown.text
    left = await s.slash(member, "withdraw")
    assert "You have left round 2027A" in left.text
    apps = await bot.services.applications.list((await bot.community()).id, "2027A")
    assert apps[0].status is ApplicationStatus.WITHDRAWN


async def test_declined_applicant_is_told_before_the_form(bot: Bot) -> None:
    """Someone declined in the open round gets a clear answer instead of the form."""
    await open_round(bot)
    s, member = bot.standin, bot.server.member
    await s.submit_modal(member, await s.slash(member, "signup", SIGNUP), FORM)
    community = await bot.community()
    await bot.services.applications.decide(
        community.id, "2027A", ApplicationStatus.DECLINED, [str(member)]
    )
    reply = await s.slash(member, "signup", SIGNUP)
    assert reply.type == 4 and "was declined" in reply.text
