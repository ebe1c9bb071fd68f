"""The organiser's console on Slack: talk to everyone, edit a round, its topics, get CSV files.

`/penpals announce TEXT` posts once to the announcements channel; `/penpals broadcast
NAME pairs|applicants TEXT` once to every pair space or every applicant of a round
(the core keys each message by its text, round and audience, so a request Slack or
the organiser repeats sends nothing twice). `/penpals round edit NAME opens=...`
moves dates or the cadence while safe; `/penpals topic NAME N LANG title | prompt`
edits a round's topic in one language (without the text, a form with its questions:
console_topic_form.py; adding, removing and listing topics are in
console_topics.py, `/penpals survey` in console_surveys.py); `/penpals export NAME
applications|pairs|audit` sends the CSV file to the organiser's direct messages
(files_upload_v2: Slack's files.getUploadURLExternal and files.completeUploadExternal).
Each passes the organiser as the audit actor.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import console_surveys, console_topic_form, console_topics, parsing
from adapters.slack.console_matching import actor
from adapters.slack.console_review import statuses as review_statuses
from core import audit
from core.delivery.broadcast import Sent
from core.errors import InvalidValue
from core.model import Community
from core.rounds.files import CsvFile

if TYPE_CHECKING:
    from adapters.slack.services import Services

EDIT_OPTIONS = frozenset({"opens", "closes", "starts", "ends", "cadence"})
VERBS = ("announce", "broadcast", "topic", "topics", "survey", "export")  # /penpals VERB
AUDIENCES = ("pairs", "applicants")
FILES = ("applications", "pairs", "audit")


def said(sent: Sent, where: str) -> str:
    """Say what an announcement or a broadcast queued, or that it was sent before."""
    if sent.repeated:
        return f"Already sent to {where} (request {sent.request_id}): nothing sent again."
    return f"Sending {sent.queued} message(s) to {where}."


class TalkConsole:
    """Announcements, broadcasts, round edits, topics and CSV files, bound to the services."""

    def __init__(self, services: Services, client: AsyncWebClient) -> None:
        self._s = services
        self._client = client

    async def run(
        self, verb: str, community: Community, user_id: str, words: list[str], trigger_id: str
    ) -> str:
        """Run one of VERBS; only `topic NAME N LANG` uses the trigger id (to open its form)."""
        if verb == "topic" and len(words) == 3 and words[1].isdigit():
            await console_topic_form.open_form(self._s, self._client, community, trigger_id, words)
            return ""  # the form is the answer
        talk = getattr(self, verb)
        return str(await talk(community, user_id, words))

    async def announce(self, community: Community, user_id: str, words: list[str]) -> str:
        """Post the words once to the announcements channel."""
        if not words:
            raise InvalidValue("say what to announce: /penpals announce TEXT")
        sent = await self._s.broadcasts.announce(community, " ".join(words), actor=actor(user_id))
        self._s.wake(None)
        return said(sent, "the announcements channel")

    async def broadcast(self, community: Community, user_id: str, words: list[str]) -> str:
        """Send the words once to every pair space or every applicant of a round."""
        if len(words) < 3 or words[1].lower() not in AUDIENCES:
            raise InvalidValue("use /penpals broadcast NAME pairs|applicants TEXT")
        name, audience = words[0], words[1].lower()
        sent = await self._s.broadcasts.broadcast(
            community, name, " ".join(words[2:]), audience=audience, actor=actor(user_id)
        )
        self._s.wake(None)
        return said(sent, f"every {audience[:-1]} of round {name}")

    async def edit(self, community: Community, user_id: str, words: list[str]) -> str:
        """Move a round's dates or cadence while that is safe."""
        positional, opts = parsing.split_options(words, EDIT_OPTIONS)
        if not positional or not opts:
            raise InvalidValue("use /penpals round edit NAME opens=YYYY-MM-DD cadence=14 ...")
        dates = {
            k: parsing.when(opts[k], k) for k in ("opens", "closes", "starts", "ends") if k in opts
        }
        cadence = parsing.number(opts["cadence"], "cadence") if "cadence" in opts else None
        done = await self._s.round_settings.reschedule(
            community.id, " ".join(positional), cadence_days=cadence, actor=actor(user_id), **dates
        )
        self._s.wake(done.round.id)  # the calendar's jobs follow the new dates
        if not done.changes:
            return f"Round {done.round.name}: nothing changed."
        return f"Round {done.round.name}: " + "; ".join(done.changes) + "."

    async def topic(self, community: Community, user_id: str, words: list[str]) -> str:
        """Edit a round's topic in one language (title | prompt), or add or remove one."""
        if len(words) >= 2 and words[1].lower() in console_topics.VERBS:
            return await console_topics.change(self._s, community, user_id, words)
        if len(words) < 4 or not words[1].isdigit():
            raise InvalidValue(
                "use /penpals topic NAME NUMBER LANG title | prompt (or without the text: a form)"
            )
        name, position, lang = words[0], int(words[1]), words[2].lower()
        title, _, prompt = " ".join(words[3:]).partition("|")
        topic = await self._s.round_topics.edit(
            community.id,
            name,
            position,
            lang=lang,
            title=title.strip() or None,
            prompt=prompt.strip() or None,
            actor=actor(user_id),
        )
        return f"Round {name}: topic {topic.position} edited in {lang}."

    async def topics(self, community: Community, user_id: str, words: list[str]) -> str:
        """List a round's topics, their dates and languages (console_topics.py)."""
        return await console_topics.listing(self._s, community, words)

    async def survey(self, community: Community, user_id: str, words: list[str]) -> str:
        """Show or edit a round's survey questions (console_surveys.py)."""
        return await console_surveys.run(self._s, community, user_id, words)

    async def export(self, community: Community, user_id: str, words: list[str]) -> str:
        """Send the round's applications, pairs or audit log as a CSV file to the organiser."""
        positional, opts = parsing.split_options(words, frozenset({"status"}))
        if len(positional) != 2 or positional[1].lower() not in FILES:
            raise InvalidValue(
                "use /penpals export NAME applications|pairs|audit "
                "(applications: status=approved,waitlisted for some only)"
            )
        name, what = positional[0], positional[1].lower()
        files = self._s.files
        if what == "audit":
            made = await self._audit_csv(community, name)
        elif what == "applications":
            statuses = review_statuses(opts.get("status", "")) or None
            made = await files.applications_csv(community.id, name, statuses)
        else:
            made = await files.pairs_csv(community, name)
        opened = await self._client.conversations_open(users=user_id)
        await self._client.files_upload_v2(
            channel=opened["channel"]["id"],
            content=made.data,
            filename=made.name,
            title=made.name,
            initial_comment=f"Round {name}: {made.rows} row(s) of {what}.",
        )
        return f"Sent {made.name} ({made.rows} rows) to your direct messages with penpals."

    async def _audit_csv(self, community: Community, name: str) -> CsvFile:
        """Return the round's whole audit log as CSV (the chat shows the latest entries)."""
        entries = await self._s.audit.list(community.id, name)
        out = io.StringIO()
        audit.write_audit(entries, out)
        return CsvFile(f"audit-{name}.csv", out.getvalue().encode(), len(entries))
