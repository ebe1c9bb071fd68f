"""The organiser's review console on Discord: filters, pages, bulk decisions with a confirmation."""

from __future__ import annotations

from core.model import ApplicationStatus
from core.rounds.applicants_csv import ApplicantRow
from tests.adapters.discord.conftest import Bot
from tests.support import profile

A = ApplicationStatus


async def _round_of(bot: Bot, finns: int, others: int) -> list[int]:
    """Open round 2027A with *finns* pending applicants from FI and *others* from BR."""
    community = await bot.configure()
    await bot.services.rounds.create(community.id, "2027A")
    await bot.services.rounds.open(community.id, "2027A")
    ids = bot.add_people(finns + others)
    rows = [
        ApplicantRow(
            str(u),
            profile(f"Person {i:02d}", "FI" if i < finns else "BR", sector="academic"),
            (),
            i + 2,
        )
        for i, u in enumerate(ids)
    ]
    await bot.services.applications.import_rows(community, "2027A", rows)
    return ids


def _id(reply: object, prefix: str) -> str:
    [found] = [c for c in reply.custom_ids() if c.startswith(prefix)]  # type: ignore[attr-defined]
    return found


async def test_review_pages_of_ten_with_total_and_skip(bot: Bot) -> None:
    """25 pending: page 1 of 3 (25) holds ten; next and a skip to page 3 show the rest."""
    await _round_of(bot, 25, 0)
    s, organiser = bot.standin, bot.server.organiser
    first = await s.slash(organiser, "applications", {"round": "2027A"}, sub="review")
    assert "Page 1 of 3 (25 in all)" in first.text and first.text.count("**Person") == 10
    second = await s.press(organiser, first, _id(first, "pp:rv:n:"))
    assert "Page 2 of 3 (25 in all)" in second.text and "Person 10" in second.text
    back = await s.press(organiser, second, _id(second, "pp:rv:p:"))
    assert "Page 1 of 3" in back.text
    third = await s.slash(organiser, "applications", {"round": "2027A", "page": 3}, sub="review")
    assert "Page 3 of 3" in third.text and third.text.count("**Person") == 5


async def test_review_filters_by_menu_and_bulk_waitlists_the_filtered_set(bot: Bot) -> None:
    """Choosing country BR in the menu shows the 3 Brazilians; waitlisting asks 'Waitlist 3?'."""
    ids = await _round_of(bot, 12, 3)
    s, organiser = bot.standin, bot.server.organiser
    page = await s.slash(organiser, "applications", {"round": "2027A"}, sub="review")
    brazil = await s.choose(organiser, page, _id(page, "pp:rv:fc:"), ["BR"])
    assert "country BR" in brazil.text and "Page 1 of 1 (3 in all)" in brazil.text
    ask = await s.press(organiser, brazil, _id(brazil, "pp:rv:bw:"))
    assert "Waitlist 3 applications?" in ask.text
    done = await s.press(organiser, ask, _id(ask, "pp:rv:cw:"))
    assert "Waitlisted: 3 applications" in done.text
    community = await bot.community()
    apps = await bot.services.applications.list(community.id, "2027A")
    waitlisted = {int(a.member.external_id) for a in apps if a.status is A.WAITLISTED}
    assert waitlisted == set(ids[12:])
    entries = await bot.services.audit.list(community.id, "2027A")
    assert any(str(organiser) in e.actor for e in entries), entries


async def test_bulk_confirmation_refused_when_the_set_changed(bot: Bot) -> None:
    """A confirmation for 3 is refused, nothing changed, once a fourth matches."""
    ids = await _round_of(bot, 0, 3)
    s, organiser = bot.standin, bot.server.organiser
    page = await s.slash(
        organiser, "applications", {"round": "2027A", "country": "BR"}, sub="review"
    )
    ask = await s.press(organiser, page, _id(page, "pp:rv:ba:"))
    community = await bot.community()
    [late] = bot.add_people(1)
    row = ApplicantRow(str(late), profile("Late", "BR"), (), 2)
    await bot.services.applications.import_rows(community, "2027A", [row])
    refused = await s.press(organiser, ask, _id(ask, "pp:rv:ca:"))
    assert "changed" in refused.text and "nothing was changed" in refused.text, refused.text
    apps = await bot.services.applications.list(community.id, "2027A")
    assert all(a.status is A.PENDING for a in apps) and len(apps) == len(ids) + 1


async def test_review_searches_by_name_and_refuses_members(bot: Bot) -> None:
    """The name option narrows to one person; a member gets a refusal and no page."""
    await _round_of(bot, 12, 0)
    s = bot.standin
    found = await s.slash(
        bot.server.organiser, "applications", {"round": "2027A", "name": "person 07"}, sub="review"
    )
    assert "Page 1 of 1 (1 in all)" in found.text and "Person 07" in found.text
    refused = await s.slash(bot.server.member, "applications", {"round": "2027A"}, sub="review")
    assert "Only organisers" in refused.text and not refused.custom_ids()
