"""Interactions: the slash commands, autocompletes, modal submits, button presses and
select choices a test sends as members, and the bot's callbacks, follow-ups and edits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from tests.adapters.discord import payloads as p
from tests.adapters.discord.standin_model import (
    ACK_SECONDS,
    EPHEMERAL,
    MODAL_INPUTS_MAX,
    MODAL_TITLE_MAX,
    Channel,
    Refused,
    Reply,
    Request,
    Role,
    Upload,
    check_content,
)
from tests.adapters.discord.standin_state import State


class Interactions(State):
    """Interactions come from a member of the server of the channel they are sent in
    (the home channel of *guild*, the default server's unless told)."""

    def _interaction(
        self,
        kind: int,
        user_id: int,
        data: dict[str, Any],
        *,
        channel_id: int | None = None,
        locale: str = "en-US",
        message: dict[str, Any] | None = None,
        guild: int | None = None,
    ) -> dict[str, Any]:
        where = channel_id or self._guild(guild).home_channel
        server = self.guild_of(where)
        assert server is not None, f"channel {where} is in no server"
        assert user_id in server.members, f"{user_id} is not a member of {server.name}"
        interaction_id = self.ids()
        token = f"token-{interaction_id}"
        self._tokens[token] = interaction_id
        self._created[interaction_id] = time.monotonic()
        self._where[interaction_id] = where
        self.replies[interaction_id] = Reply()
        out: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(server.id),
            "guild": {"id": str(server.id), "locale": "en-US", "features": []},
            "channel_id": str(where),
            "channel": self.channels[where],
            "member": self._member(user_id, where),
            "token": token,
            "version": 1,
            "app_permissions": str(self.permissions_of(self.bot_id, where)),
            "locale": locale,
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(server.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            out["message"] = message
        return out

    async def _send_interaction(self, payload: dict[str, Any], wait: float) -> Reply:
        await self._dispatch_event("INTERACTION_CREATE", payload)
        interaction_id = int(payload["id"])
        reply = self.replies[interaction_id]
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(reply.final), wait)
        return reply

    def _command_data(
        self, name: str, options: Mapping[str, Any], sub: str | None, focused: str | None
    ) -> dict[str, Any]:
        opts = []
        resolved: dict[str, dict[str, Any]] = {}
        for key, value in options.items():
            opt: dict[str, Any] = {"name": key}
            if isinstance(value, bool):
                opt |= {"type": 5, "value": value}
            elif isinstance(value, int):
                opt |= {"type": 4, "value": value}
            elif isinstance(value, Channel):
                opt |= {"type": 7, "value": str(value.id)}
                resolved.setdefault("channels", {})[str(value.id)] = {
                    k: self.channels[value.id][k] for k in ("id", "name", "type")
                } | {"permissions": str(p.BOT_PERMISSIONS)}
            elif isinstance(value, Upload):
                # An attachment option: the file is on the CDN, the command names it (type 11).
                aid = str(self.ids())
                self.uploads[aid] = value.content
                opt |= {"type": 11, "value": aid}
                resolved.setdefault("attachments", {})[aid] = {
                    "id": aid,
                    "filename": value.filename,
                    "size": len(value.content),
                    "content_type": "text/csv; charset=utf-8",
                    "url": f"http://127.0.0.1:{self.port}/cdn/{aid}/{value.filename}",
                    "proxy_url": f"http://127.0.0.1:{self.port}/cdn/{aid}/{value.filename}",
                }
            elif isinstance(value, Role):
                opt |= {"type": 8, "value": str(value.id)}
                resolved.setdefault("roles", {})[str(value.id)] = self.role(value.id)
            else:
                opt |= {"type": 3, "value": value}
            if key == focused:
                opt["focused"] = True
            opts.append(opt)
        command_id = next((c["id"] for c in self.commands if c["name"] == name), str(self.ids()))
        data: dict[str, Any] = {"id": command_id, "name": name, "type": 1}
        data["options"] = [{"type": 1, "name": sub, "options": opts}] if sub else opts
        if resolved:
            data["resolved"] = resolved
        return data

    async def slash(
        self,
        user_id: int,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        sub: str | None = None,
        locale: str = "en-US",
        wait: float = 10.0,
        guild: int | None = None,
    ) -> Reply:
        """Run a slash command as *user_id* (in *guild*); return once the bot has answered."""
        data = self._command_data(name, options or {}, sub, None)
        return await self._send_interaction(
            self._interaction(2, user_id, data, locale=locale, guild=guild), wait
        )

    async def autocomplete(
        self,
        user_id: int,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        sub: str | None = None,
        locale: str = "en-US",
        guild: int | None = None,
    ) -> list[dict[str, Any]]:
        """Type into an autocompleted option; return the bot's suggestions."""
        data = self._command_data(name, options, sub, focused)
        made = self._interaction(4, user_id, data, locale=locale, guild=guild)
        reply = await self._send_interaction(made, 5)
        assert reply.type == 8, reply.responses
        return reply.choices

    async def submit_modal(
        self,
        user_id: int,
        modal: Reply,
        values: Mapping[str, str | Sequence[str]],
        *,
        locale: str = "en-US",
        guild: int | None = None,
    ) -> Reply:
        """Fill in the modal the bot opened (by component custom id) and submit it."""
        assert modal.type == 9, f"expected a modal, got {modal.responses}"
        components = []
        for top in modal.data["components"]:
            inner = top["component"] if top["type"] == 18 else top["components"][0]
            value = values.get(inner["custom_id"], [] if inner["type"] == 3 else "")
            if inner["type"] == 3:
                filled = {"type": 3, "custom_id": inner["custom_id"], "values": list(value)}
            else:
                filled = {"type": 4, "custom_id": inner["custom_id"], "value": value}
            components.append({"type": 18, "id": top.get("id", 0), "component": filled})
        data = {"custom_id": modal.data["custom_id"], "components": components}
        made = self._interaction(5, user_id, data, locale=locale, guild=guild)
        return await self._send_interaction(made, 10)

    async def press_on(
        self, user_id: int, message: Mapping[str, Any], custom_id: str, *, locale: str = "en-US"
    ) -> Reply:
        """Press a button on a message the bot posted in a server channel or thread."""
        ids = [c.get("custom_id") for row in message["components"] for c in row["components"]]
        assert custom_id in ids, f"{custom_id} not in {ids}"
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(
            3,
            user_id,
            data,
            channel_id=int(message["channel_id"]),
            locale=locale,
            message=dict(message),
        )
        return await self._send_interaction(payload, 10)

    def _ephemeral(self, data: Mapping[str, Any], guild: int | None) -> dict[str, Any]:
        """Return the bot's ephemeral answer as the message a component sits on."""
        g = self._guild(guild)
        return p.message(self.ids(), g.home_channel, self.bot, data, guild_id=g.id, flags=EPHEMERAL)

    async def press(
        self,
        user_id: int,
        reply: Reply,
        custom_id: str,
        *,
        locale: str = "en-US",
        guild: int | None = None,
    ) -> Reply:
        """Press the button *custom_id* on the message the bot answered with."""
        assert custom_id in reply.custom_ids(), f"{custom_id} not in {reply.custom_ids()}"
        message = self._ephemeral(reply.data, guild)
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(3, user_id, data, message=message, locale=locale, guild=guild)
        return await self._send_interaction(payload, 10)

    async def press_id(
        self,
        user_id: int,
        custom_id: str,
        *,
        guild: int | None = None,
        values: Sequence[str] | None = None,
    ) -> Reply:
        """Send, in *guild*, a button press (or a choice of *values*) carrying any custom id:
        an old message of the bot's, or a client that forged the id."""
        kind = 2 if values is None else 3
        button: dict[str, Any] = {"type": 2, "style": 1, "custom_id": custom_id, "label": "Go"}
        if values is not None:
            button = {
                "type": 3,
                "custom_id": custom_id,
                "options": [{"label": v, "value": v} for v in values],
            }
        message = self._ephemeral({"components": [{"type": 1, "components": [button]}]}, guild)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
        if values is not None:
            data["values"] = list(values)
        payload = self._interaction(3, user_id, data, message=message, guild=guild)
        return await self._send_interaction(payload, 10)

    async def choose(
        self,
        user_id: int,
        reply: Reply,
        custom_id: str,
        values: Sequence[str],
        *,
        locale: str = "en-US",
        guild: int | None = None,
    ) -> Reply:
        """Pick *values* in the select menu *custom_id* of the message the bot answered with."""
        menus = {
            c["custom_id"]: c
            for row in reply.data.get("components") or []
            for c in row.get("components", [])
            if c.get("type") == 3
        }
        assert custom_id in menus, f"{custom_id} not in {list(menus)}"
        offered = {o["value"] for o in menus[custom_id]["options"]}
        assert set(values) <= offered, f"{values} not among {offered}"
        message = self._ephemeral(reply.data, guild)
        data = {"custom_id": custom_id, "component_type": 3, "values": list(values)}
        payload = self._interaction(3, user_id, data, message=message, locale=locale, guild=guild)
        return await self._send_interaction(payload, 10)

    async def _record_reply(self, token: str, response: dict[str, Any]) -> None:
        interaction_id = self._tokens[token]
        async with self._changed:
            self.replies[interaction_id].responses.append(response)
            self._changed.notify_all()

    async def _callback(self, r: Request) -> Any:
        interaction_id = r.id("iid")
        check_content(r.body.get("data"))
        sent = self._created.get(interaction_id)
        if sent is not None and time.monotonic() - sent > ACK_SECONDS:
            # An interaction not answered (or deferred) within 3 s is gone for good.
            raise Refused(404, 10062, "Unknown interaction")
        if r.body.get("type") == 9:
            modal = r.body.get("data") or {}
            if len(modal.get("components") or []) > MODAL_INPUTS_MAX:
                raise Refused(400, 50035, "Invalid Form Body (components: 5 or fewer)")
            if len(modal.get("title") or "") > MODAL_TITLE_MAX:
                raise Refused(400, 50035, "Invalid Form Body (title: 45 or fewer)")
        done = self.replies[interaction_id].responses if interaction_id in self.replies else []
        if any(isinstance(x.get("type"), int) for x in done):
            # One callback per interaction; a second (a replayed event) is refused.
            raise Refused(400, 40060, "Interaction has already been acknowledged.")
        await self._record_reply(r.params["token"], {**r.body, "files": r.files})
        kind = r.body["type"]
        out: dict[str, Any] = {
            "interaction": {
                "id": str(interaction_id),
                "type": kind,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(
                    int((r.body.get("data") or {}).get("flags") or 0) & EPHEMERAL
                ),
            }
        }
        return out

    async def _followup(self, r: Request) -> Any:
        check_content(r.body)
        await self._record_reply(
            r.params["token"], {"type": "followup", "data": r.body, "files": r.files}
        )
        return self._answer_message(r) | {"webhook_id": str(self.application_id)}

    async def _edit_original(self, r: Request) -> Any:
        check_content(r.body)
        await self._record_reply(
            r.params["token"], {"type": "edit", "data": r.body, "files": r.files}
        )
        return self._answer_message(r)

    def _answer_message(self, r: Request) -> dict[str, Any]:
        """Return a follow-up or edited answer as a message in the interaction's channel."""
        where = self._where.get(self._tokens.get(r.params["token"], 0), self.home_channel)
        server = self.guild_of(where)
        guild = server.id if server is not None else None
        return p.message(self.ids(), where, self.bot, r.body, guild_id=guild)
