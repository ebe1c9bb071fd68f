"""Signups when many arrive at once: the modal first, the answer before the write, nothing lost."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp

from adapters.slack.http import EVENTS_PATH
from bots.bootstrap import Services
from bots.settings import Settings
from core.model import Community
from tests.adapters.slack import payloads
from tests.adapters.slack.conftest import MEMBER, SECRET
from tests.adapters.slack.payloads import SignedClient
from tests.adapters.slack.rounds import open_round
from tests.adapters.slack.serving import free_port, serving
from tests.adapters.slack.standin import SlackStandIn, wait_until


@contextmanager
def write_lock(database_url: str) -> Iterator[None]:
    """Hold SQLite's write lock from another connection (as an import's batch does)."""
    path = database_url.split(":///", 1)[1]
    held = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        held.execute("BEGIN IMMEDIATE")
        yield
    finally:
        held.execute("ROLLBACK")
        held.close()


async def test_signup_opens_the_modal_before_anything_else(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """views.open is the request's first Web API call; users.info is asked once, then cached."""
    await open_round(services, community)

    await payloads.open_signup(slack, http, MEMBER)
    first = [c.method for c in slack.calls if c.method != "auth.test"]
    await http.command(payloads.command(slack, MEMBER, "signup"))
    await payloads.signup_form(slack, 2)
    second = [c.method for c in slack.calls if c.method != "auth.test"][len(first) :]

    assert first[0] == "views.open"
    assert first.count("users.info") == 1
    assert second[0] == "views.open"
    assert second.count("users.info") == 0  # cached for a few minutes


async def test_a_submission_is_answered_while_the_database_is_busy(
    slack: SlackStandIn,
    http: SignedClient,
    services: Services,
    community: Community,
    sqlite_database_url: str,
) -> None:
    """With the write lock held for 6 s, the submission is answered at once and saved later."""
    await open_round(services, community)
    view = await payloads.open_signup(slack, http, MEMBER)
    submission = payloads.view_submission(slack, MEMBER, view, payloads.signup_values())

    with write_lock(sqlite_database_url):
        started = time.monotonic()
        status, answer = await http.interact(submission)
        answered = time.monotonic() - started
        await asyncio.sleep(6)  # longer than SQLite's busy timeout: the write is tried again

    assert status == 200
    assert answered < 2.0
    assert answer["response_action"] == "update"
    assert "Saving" in answer["view"]["title"]["text"]
    assert "Thank you" in await payloads.outcome(slack, view)
    [app] = await services.applications.list(community.id, "2027A")
    assert app.member.external_id == MEMBER
    assert slack.calls_to("chat.postMessage") == []


async def test_a_refusal_after_the_answer_reaches_the_member_by_direct_message(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """The round closes between the form and the submission: the member is told in a DM."""
    await open_round(services, community)
    view = await payloads.open_signup(slack, http, MEMBER)
    await services.rounds.close(community.id, "2027A")

    status, answer = await http.interact(
        payloads.view_submission(slack, MEMBER, view, payloads.signup_values())
    )

    assert (status, answer["response_action"]) == (200, "update")
    notice = await payloads.outcome(slack, view)
    assert "closed" in notice
    await wait_until(lambda: bool(slack.calls_to("chat.postMessage", ok=True)))
    [dm] = [c for c in slack.channels.values() if c.is_im and MEMBER in c.members]
    [told] = dm.messages
    assert told["text"].startswith("Your application was not saved")
    assert await services.applications.list(community.id, "2027A") == []


async def test_200_concurrent_signups_are_all_opened_and_stored(
    slack: SlackStandIn, http: SignedClient, services: Services, community: Community
) -> None:
    """200 members at once: 200 forms open, 200 submissions answered, 200 applications stored."""
    await open_round(services, community)
    users = [f"URUSH{n:05d}" for n in range(200)]
    for user in users:
        slack.add_user(user, f"Rush {user[-5:]}")

    commands = await asyncio.gather(
        *(http.command(payloads.command(slack, user, "signup")) for user in users)
    )
    assert {status for status, _ in commands} == {200}
    await wait_until(lambda: len(payloads.signup_forms(slack)) == len(users), timeout=60)
    assert len(slack.calls_to("views.open", ok=True)) == len(users)
    # Forms differ only by the name filled in: which member submits which one does not matter.
    by_user = dict(zip(users, payloads.signup_forms(slack), strict=True))

    answers = await asyncio.gather(
        *(
            http.interact(
                payloads.view_submission(
                    slack, user, view, payloads.signup_values(name=f"Rush {user[-5:]}")
                )
            )
            for user, view in by_user.items()
        )
    )

    assert {(status, a["response_action"]) for status, a in answers} == {(200, "update")}

    # Each form is replaced by the outcome of its write (the thanks, or what went wrong).
    await wait_until(lambda: not payloads.signup_forms(slack), timeout=60)
    apps = await services.applications.list(community.id, "2027A")
    assert sorted(a.member.external_id for a in apps) == sorted(users)
    assert slack.calls_to("chat.postMessage") == []  # nobody had to be told of a failure


async def test_a_first_burst_after_start_up_asks_auth_test_once(
    slack: SlackStandIn, settings: Settings, services: Services, community: Community
) -> None:
    """50 signups arriving together right after start-up cost one auth.test, not 50."""
    await open_round(services, community)
    port = free_port()
    http_mode = settings.model_copy(update={"slack_port": port})
    users = [f"UFIRST{n:04d}" for n in range(50)]
    for user in users:
        slack.add_user(user, f"First {user[-4:]}")

    async with serving(http_mode, services, host="127.0.0.1"):
        url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
        async with aiohttp.ClientSession() as session:
            for _ in range(500):  # until the server listens
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as health:
                        if health.status < 500:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.02)
        signed = SignedClient(url, SECRET)
        answers = await asyncio.gather(
            *(signed.command(payloads.command(slack, user, "signup")) for user in users)
        )
        assert {status for status, _ in answers} == {200}
        await wait_until(lambda: len(payloads.signup_forms(slack)) == len(users), timeout=30)

    assert len(slack.calls_to("auth.test")) == 1
