"""The Slack stand-in's conversations.* methods: create, invite, kick, list, info,
members, history, archive, close, join and open, with Slack's errors and scopes."""

from __future__ import annotations

from tests.adapters.slack.standin_model import CHANNEL_NAME, Channel, Json, Refusal, truthy
from tests.adapters.slack.standin_state import Workspace


class Conversations(Workspace):
    """conversations.*: channels, private channels, DMs and group DMs."""

    def _m_conversations_create(self, args: Json) -> Json:
        private = truthy(args.get("is_private"))
        self._need("conversations.create", kind="groups" if private else "channels")
        name = str(args.get("name", ""))
        if not CHANNEL_NAME.match(name):
            raise Refusal("invalid_name_specials" if len(name) <= 80 else "invalid_name_maxlength")
        if self.channel_named(name) is not None:
            raise Refusal("name_taken")
        channel = Channel(
            self._new_id("C"), name, self.bot_user, is_private=private, members=[self.bot_user]
        )
        self.channels[channel.id] = channel
        return {"channel": channel.as_json(self.bot_user)}

    def _m_conversations_setPurpose(self, args: Json) -> Json:
        channel = self._member_of(args.get("channel", ""))
        self._need("conversations.setPurpose", channel)
        channel.purpose = str(args.get("purpose", ""))
        return {"purpose": channel.purpose}

    def _m_conversations_invite(self, args: Json) -> Json:
        channel = self._member_of(args.get("channel", ""))
        self._need("conversations.invite", channel)
        if channel.is_archived:
            raise Refusal("is_archived")
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            raise Refusal("no_user")
        if self.bot_user in users:
            raise Refusal("cant_invite_self")
        for user in users:
            if user not in self.users or self.users[user]["deleted"]:
                raise Refusal("user_not_found")
        new = [u for u in users if u not in channel.members]
        if not new:
            raise Refusal("already_in_channel")
        channel.members.extend(new)
        return {"channel": channel.as_json(self.bot_user)}

    def _m_conversations_kick(self, args: Json) -> Json:
        channel = self._member_of(args.get("channel", ""))
        self._need("conversations.kick", channel)
        if channel.is_im or channel.is_mpim:
            raise Refusal("method_not_supported_for_channel_type")
        user = str(args.get("user", ""))
        if user == self.bot_user:
            raise Refusal("cant_kick_self")
        if user not in self.users:
            raise Refusal("user_not_found")
        if user not in channel.members:
            raise Refusal("not_in_channel")
        channel.members.remove(user)
        return {}

    def _m_conversations_list(self, args: Json) -> Json:
        kinds = {
            "public_channel": "channels",
            "private_channel": "groups",
            "mpim": "mpim",
            "im": "im",
        }
        wanted = {
            kinds[t] for t in str(args.get("types", "public_channel")).split(",") if t in kinds
        }
        for kind in wanted:
            self._need("conversations.list", kind=kind)
        skip_archived = truthy(args.get("exclude_archived"))
        found = [
            c
            for c in self.channels.values()
            if c.kind in wanted
            and (c.kind == "channels" or self.bot_user in c.members)
            and not (skip_archived and c.is_archived)
        ]
        page, cursor = self._page(found, args)
        return {
            "channels": [c.as_json(self.bot_user) for c in page],
            "response_metadata": {"next_cursor": cursor},
        }

    def _m_conversations_info(self, args: Json) -> Json:
        channel = self._visible(args.get("channel", ""))
        self._need("conversations.info", channel)
        return {"channel": channel.as_json(self.bot_user)}

    def _m_conversations_members(self, args: Json) -> Json:
        channel = self._visible(args.get("channel", ""))
        self._need("conversations.members", channel)
        page, cursor = self._page(list(channel.members), args)
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _m_conversations_history(self, args: Json) -> Json:
        channel = self._member_of(args.get("channel", ""))
        self._need("conversations.history", channel)
        oldest = float(args.get("oldest") or 0)
        with_meta = truthy(args.get("include_all_metadata"))
        newest_first = [m for m in reversed(channel.messages) if float(m["ts"]) > oldest]
        start = int(args.get("cursor") or 0)
        limit = min(int(args.get("limit") or 100), 999)
        page = newest_first[start : start + limit]
        cursor = str(start + limit) if start + limit < len(newest_first) else ""
        shown = [m if with_meta else {k: v for k, v in m.items() if k != "metadata"} for m in page]
        return {
            "messages": shown,
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _m_conversations_archive(self, args: Json) -> Json:
        channel = self._member_of(args.get("channel", ""))
        self._need("conversations.archive", channel)
        if channel.is_im or channel.is_mpim:
            raise Refusal("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise Refusal("already_archived")
        channel.is_archived = True
        return {}

    def _m_conversations_unarchive(self, args: Json) -> Json:
        # Slack's method page: "Bot tokens (xoxb-...) cannot currently be used to
        # unarchive conversations." Every token this stand-in accepts is a bot's.
        raise Refusal("not_allowed_token_type")

    def _m_conversations_close(self, args: Json) -> Json:
        channel = self._member_of(args.get("channel", ""))
        self._need("conversations.close", channel)
        if not (channel.is_im or channel.is_mpim):
            raise Refusal("method_not_supported_for_channel_type")
        return {"no_op": False, "already_closed": False}

    def _m_conversations_join(self, args: Json) -> Json:
        channel = self._visible(args.get("channel", ""))
        self._need("conversations.join", channel)
        if channel.kind != "channels":
            raise Refusal("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise Refusal("is_archived")
        if self.bot_user not in channel.members:
            channel.members.append(self.bot_user)
        return {"channel": channel.as_json(self.bot_user)}

    def _m_conversations_open(self, args: Json) -> Json:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users or len(users) > 8:
            raise Refusal("not_enough_users" if not users else "too_many_users")
        for user in users:
            if user not in self.users:
                raise Refusal("user_not_found")
        mpim = len(users) > 1
        self._need("conversations.open", kind="mpim" if mpim else "im")
        members = sorted({*users, self.bot_user})
        for channel in self.channels.values():
            if (channel.is_mpim or channel.is_im) and sorted(channel.members) == members:
                return {"channel": channel.as_json(self.bot_user), "already_open": True}
        channel = Channel(
            self._new_id("G" if mpim else "D"),
            "mpdm-" + "--".join(self.users[u]["name"] for u in users) + "-1" if mpim else users[0],
            self.bot_user,
            is_private=True,
            is_mpim=mpim,
            is_im=not mpim,
            members=members,
        )
        self.channels[channel.id] = channel
        return {"channel": channel.as_json(self.bot_user), "already_open": False}
