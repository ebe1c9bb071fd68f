"""`/penpals report [ROUND]`: a round's figures and charts, posted in the organisers' channel.

The figures are core.reports.service'; the summary is core.messages.report_texts.report_message
(in the community's language); the charts are PNGs drawn by the function bots/bootstrap
wires in as services.report_charts (bots.reporting.chart_pngs, in a worker thread: drawing takes
a moment and must not hold up the event loop). The summary is posted as a message
and the charts are uploaded under it (files_upload_v2).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from adapters.slack.failures import delivery_failed
from core.errors import InvalidValue
from core.messages import report_texts as messages
from core.model import Community
from core.platform import Message
from core.reports.model import Report

if TYPE_CHECKING:
    from adapters.slack.services import Services

ALERTS = "organiser_alerts"

Charts = Callable[[Report], Sequence[tuple[str, bytes]]]


def summary(report: Report, lang: str) -> Message:
    """Return the report's headline figures as a core Message."""
    return messages.report_message(report, lang=lang)


class Reports:
    """Post round reports for organisers (commands.py checks who is asking first)."""

    def __init__(
        self, *, services: Services, client: AsyncWebClient, charts: Charts | None = None
    ) -> None:
        self._s = services
        self._client = client
        self._charts = charts

    async def post(self, community: Community, round_name: str | None) -> str:
        """Post the report of *round_name* (the latest round when None); say where it went."""
        report = await self._s.reports.round_report(community.id, round_name)
        message = summary(report, community.settings.default_language)
        channel = community.settings.channels.get(ALERTS)
        if not channel:
            return (
                f"The report of round {report.title} was not posted: there is no organisers' "
                "channel. Set one with `/penpals setup alerts #channel` (invite the bot there "
                "first if it is private), then run `/penpals report` again. Meanwhile, the "
                f"figures:\n\n{render.mrkdwn(message.plain())}"
            )
        pngs = await asyncio.to_thread(self._draw, report)
        try:
            posted = await self._client.chat_postMessage(
                channel=channel,
                text=render.fallback_text(message),
                blocks=render.blocks(message),
                unfurl_links=False,
            )
            if pngs:
                await self._client.files_upload_v2(
                    channel=channel,
                    file_uploads=[
                        {"content": data, "filename": name, "title": name} for name, data in pngs
                    ],
                    thread_ts=str(posted["ts"]),
                )
        except SlackApiError as exc:
            raise InvalidValue(str(delivery_failed(exc, channel=f"<#{channel}>"))) from None
        charts = f" with {len(pngs)} chart(s) in its thread" if pngs else ""
        return f"Posted the report of round {report.title} in <#{channel}>{charts}."

    def _draw(self, report: Report) -> list[tuple[str, bytes]]:
        """Return the report's charts as (file name, PNG bytes); runs in a worker thread."""
        draw = self._charts or self._s.report_charts
        return [(str(name), bytes(data)) for name, data in draw(report)]
