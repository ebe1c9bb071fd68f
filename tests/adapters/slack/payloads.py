"""What Slack sends penpals: slash commands, options loads, view submissions, button presses.

The same payloads go over HTTP (signed, form-encoded) and over Socket Mode (inside
an envelope), so both paths reach the same listeners.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from tests.adapters.slack.standin import SlackStandIn, wait_until

Json = dict[str, Any]


def command(slack: SlackStandIn, user: str, text: str, *, channel: str = "CGENERAL") -> Json:
    """Return the form fields of `/penpals <text>` run by *user*."""
    return {
        "token": "legacy-verification-token",
        "team_id": slack.team_id,
        "team_domain": slack.team_domain,
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": slack.users[user]["name"],
        "command": "/penpals",
        "text": text,
        "api_app_id": "APENPALS",
        "response_url": slack.response_url(),
        "trigger_id": slack.issue_trigger(),
    }


def _team_user(slack: SlackStandIn, user: str) -> Json:
    return {
        "team": {"id": slack.team_id, "domain": slack.team_domain},
        "user": {"id": user, "username": slack.users[user]["name"], "team_id": slack.team_id},
        "api_app_id": "APENPALS",
        "token": "legacy-verification-token",
    }


def options(slack: SlackStandIn, user: str, view: Json, action_id: str, value: str) -> Json:
    """Return the block_suggestion payload of a member typing *value* in a search field."""
    return {
        "type": "block_suggestion",
        **_team_user(slack, user),
        "action_id": action_id,
        "block_id": action_id,
        "value": value,
        "container": {"type": "view", "view_id": view["id"]},
        "view": view,
    }


def view_submission(slack: SlackStandIn, user: str, view: Json, values: Json) -> Json:
    """Return the view_submission payload of *view* filled with *values*."""
    return {
        "type": "view_submission",
        **_team_user(slack, user),
        "trigger_id": f"{uuid.uuid4().int % 10**12}.x",
        "view": {**view, "state": {"values": values}, "hash": uuid.uuid4().hex},
        "response_urls": [],
    }


def button(slack: SlackStandIn, user: str, action_id: str, value: str) -> Json:
    """Return the block_actions payload of *user* pressing a button in an ephemeral message."""
    return {
        "type": "block_actions",
        **_team_user(slack, user),
        "container": {"type": "message", "message_ts": "1.0", "is_ephemeral": True},
        "channel": {"id": "CGENERAL", "name": "general"},
        "response_url": slack.response_url(),
        "trigger_id": f"{uuid.uuid4().int % 10**12}.x",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "review",
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def signup_values(**changes: Any) -> Json:
    """Return the state values of a correctly filled signup modal, with *changes*."""
    fields: Json = {
        "name": "Aino Virtanen",
        "country": "FI",
        "timezone": "Europe/Helsinki",
        "languages": ["fi", "en"],
        "sector": "academic",
        "career_stage": "early",
        "interests": "open access, reference",
        "introduction": "Subject librarian in Oulu.",
        "wish_sectors": [],
        "wish_career_stages": [],
        "wish_countries": ["BR"],
        "wish_interests": "",
        **changes,
    }
    selects = {"country", "timezone", "sector", "career_stage"}
    values: Json = {}
    for block, value in fields.items():
        if block in selects:
            option = {"text": {"type": "plain_text", "text": value}, "value": value}
            kind = "static_select" if block in ("sector", "career_stage") else "external_select"
            state: Json = {"type": kind, "selected_option": option if value else None}
        elif isinstance(value, list):
            kind = (
                "multi_static_select"
                if block in ("wish_sectors", "wish_career_stages")
                else "multi_external_select"
            )
            state = {
                "type": kind,
                "selected_options": [
                    {"text": {"type": "plain_text", "text": v}, "value": v} for v in value
                ],
            }
        else:
            state = {"type": "plain_text_input", "value": value or None}
        values[block] = {block: state}
    return values


class SignedClient:
    """Send requests to the app's HTTP endpoint the way Slack does: signed with the secret."""

    def __init__(self, url: str, secret: str) -> None:
        self.url = url
        self._verifier = SignatureVerifier(secret)

    def headers(
        self, body: str, *, timestamp: int | None = None, secret: str | None = None
    ) -> Json:
        """Return the headers Slack would send with *body*."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signer = self._verifier if secret is None else SignatureVerifier(secret)
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signer.generate_signature(timestamp=ts, body=body),
        }

    async def send(self, body: str, headers: Json) -> tuple[int, Any]:
        """POST *body* with *headers*; return the status and the decoded answer."""
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=body.encode(), headers=headers) as resp,
        ):
            text = await resp.text()
            try:
                return resp.status, json.loads(text) if text else None
            except ValueError:
                return resp.status, text

    async def command(self, fields: Json) -> tuple[int, Any]:
        body = urlencode(fields)
        return await self.send(body, self.headers(body))

    async def interact(self, payload: Json) -> tuple[int, Any]:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.send(body, self.headers(body))


def signup_forms(slack: SlackStandIn) -> list[Json]:
    """Return the signup forms penpals has put in modals so far."""
    return [v for v in slack.views.values() if v.get("callback_id") == "penpals_signup"]


async def signup_form(slack: SlackStandIn, n: int = 1) -> Json:
    """Wait until the *n*-th modal opened holds the signup form (views.update after views.open)."""

    def form() -> Json | None:
        opened = list(slack.views.values())
        if len(opened) < n or opened[n - 1].get("callback_id") != "penpals_signup":
            return None
        return opened[n - 1]

    await wait_until(lambda: form() is not None)
    found = form()
    assert found is not None
    return found


async def open_signup(slack: SlackStandIn, http: SignedClient, user: str) -> Json:
    """Run /penpals signup as *user*; return the signup form once it is open."""
    await http.command(command(slack, user, "signup"))
    return await signup_form(slack)


async def outcome(slack: SlackStandIn, view: Json) -> str:
    """Wait for the notice that replaces a submitted signup modal; return its text."""
    await wait_until(lambda: slack.views[view["id"]].get("callback_id") != "penpals_signup")
    return str(slack.views[view["id"]]["blocks"][0]["text"]["text"])


async def modal_text(slack: SlackStandIn, n: int = 1) -> str:
    """Wait until the *n*-th modal opened shows a notice (not the loading one); return it."""

    def notices() -> list[Json]:
        return [
            v
            for v in slack.views.values()
            if not v.get("callback_id") and ":hourglass" not in json.dumps(v["blocks"])
        ]

    await wait_until(lambda: len(notices()) >= n)
    return str(notices()[n - 1]["blocks"][0]["text"]["text"])
