"""The Slack stand-in's other Web API methods: auth.test, oauth.v2.access,
apps.connections.open, chat.*, users.info, files.* (external upload),
usergroups.users.list and views.* (with trigger expiry and Slack's modal limits)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.adapters.slack.standin_model import TRIGGER_TTL, Json, Refusal, check_blocks, truthy
from tests.adapters.slack.standin_state import Workspace


class Methods(Workspace):
    """Web API methods other than conversations.*."""

    def _m_auth_test(self, args: Json) -> Json:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": "Librarians",
            "user": "penpals",
            "team_id": self.team_id,
            "user_id": self.bot_user,
            "bot_id": "BPENPALS",
            "enterprise_id": self.enterprise_id,
            "is_enterprise_install": False,
        }

    def _m_oauth_v2_access(self, args: Json) -> Json:
        """Exchange a code for the workspace's bot token (docs: oauth.v2.access)."""
        client_id = str(args.get("client_id", ""))
        if client_id not in self.oauth_apps:
            raise Refusal("invalid_client_id")
        if self.oauth_apps[client_id] != args.get("client_secret"):
            raise Refusal("bad_client_secret")
        grant = self._codes.pop(str(args.get("code", "")), None)  # a code is used once
        self.revoked = False  # installing again issues a working token
        if grant is None:
            raise Refusal("invalid_code")
        if grant["redirect_uri"] and grant["redirect_uri"] != args.get("redirect_uri"):
            raise Refusal("bad_redirect_uri")
        return {
            "access_token": self.bot_token,
            "token_type": "bot",
            "scope": ",".join(sorted(self.scopes)),
            "bot_user_id": self.bot_user,
            "app_id": "APENPALS",
            "team": {"name": self.team_domain.title(), "id": self.team_id},
            "enterprise": (
                {"id": self.enterprise_id, "name": "Grid"} if self.enterprise_id else None
            ),
            "authed_user": {"id": grant["installer"]},
            "is_enterprise_install": False,
        }

    def _m_apps_connections_open(self, args: Json) -> Json:
        return {"url": f"ws://127.0.0.1:{self.port}/socket?ticket={uuid.uuid4().hex}"}

    def _m_chat_postMessage(self, args: Json) -> Json:
        channel = self._visible(args.get("channel", ""))
        self._need("chat.postMessage", channel)
        if channel.is_archived:
            raise Refusal("is_archived")
        if self.bot_user not in channel.members and "chat:write.public" not in self.scopes:
            raise Refusal("not_in_channel")
        blocks = check_blocks(args.get("blocks"), limit=50)
        if not args.get("text") and not blocks:
            raise Refusal("no_text")
        message: Json = {
            "type": "message",
            "ts": self._new_ts(),
            "user": self.bot_user,
            "bot_id": "BPENPALS",
            "text": args.get("text", ""),
            "blocks": blocks,
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if metadata:
            message["metadata"] = metadata
        channel.messages.append(message)
        return {"channel": channel.id, "ts": message["ts"], "message": message}

    def _m_chat_postEphemeral(self, args: Json) -> Json:
        channel = self._visible(args.get("channel", ""))
        self._need("chat.postEphemeral", channel)
        return {"message_ts": self._new_ts()}

    def _m_chat_getPermalink(self, args: Json) -> Json:
        channel = self._visible(args.get("channel", ""))
        ts = str(args.get("message_ts", ""))
        if not any(m["ts"] == ts for m in channel.messages):
            raise Refusal("message_not_found")
        link = f"https://{self.team_domain}.slack.com/archives/{channel.id}/p{ts.replace('.', '')}"
        return {"channel": channel.id, "permalink": link}

    def _m_users_info(self, args: Json) -> Json:
        self._need("users.info")
        user = self.users.get(str(args.get("user", "")))
        if user is None:
            raise Refusal("user_not_found")
        if not truthy(args.get("include_locale")):
            user = {k: v for k, v in user.items() if k != "locale"}
        return {"user": user}

    def _m_files_getUploadURLExternal(self, args: Json) -> Json:
        self._need("files.getUploadURLExternal")
        filename, length = str(args.get("filename") or ""), str(args.get("length") or "")
        if not filename or not length.isdigit():
            raise Refusal("invalid_arguments")
        file_id = self._new_id("F")
        self.uploads[file_id] = {"id": file_id, "filename": filename, "length": int(length)}
        return {"upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, args: Json) -> Json:
        self._need("files.completeUploadExternal")
        raw = args.get("files")
        listed = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(listed, list) or not listed:
            raise Refusal("invalid_arguments")
        files = []
        for item in listed:
            upload = self.uploads.get(str(item.get("id", "")))
            if upload is None or "data" not in upload:
                raise Refusal("file_not_found")
            upload["title"] = item.get("title") or upload["filename"]
            files.append({k: v for k, v in upload.items() if k != "data"})
        channel_id = str(args.get("channel_id") or "")
        if channel_id:
            channel = self._member_of(channel_id)
            if channel.is_archived:
                raise Refusal("is_archived")
            message: Json = {
                "type": "message",
                "ts": self._new_ts(),
                "user": self.bot_user,
                "bot_id": "BPENPALS",
                "text": str(args.get("initial_comment") or ""),
                "files": files,
            }
            if args.get("thread_ts"):
                message["thread_ts"] = str(args["thread_ts"])
            channel.messages.append(message)
            for upload in files:
                self.uploads[upload["id"]]["channel"] = channel.id
        return {"files": files}

    def _m_usergroups_users_list(self, args: Json) -> Json:
        self._need("usergroups.users.list")
        group = self.usergroups.get(str(args.get("usergroup", "")))
        if group is None:
            raise Refusal("no_such_subteam")
        return {"users": list(group)}

    def _m_views_open(self, args: Json) -> Json:
        trigger = str(args.get("trigger_id", ""))
        if not trigger:
            raise Refusal("invalid_arguments")
        issued = self._triggers.pop(trigger, None)
        late = issued is not None and time.monotonic() - issued > TRIGGER_TTL
        if trigger.startswith("expired") or late:
            raise Refusal("expired_trigger_id")
        return {"view": self._store_view(args.get("view"))}

    def _m_views_update(self, args: Json) -> Json:
        view_id = str(args.get("view_id", ""))
        if view_id not in self.views:
            raise Refusal("not_found")
        if args.get("hash") and args["hash"] != self.views[view_id]["hash"]:
            raise Refusal("hash_conflict")  # the view changed since that hash was read
        return {"view": self._store_view(args.get("view"), view_id=view_id)}

    def _m_views_push(self, args: Json) -> Json:
        return self._m_views_open(args)

    def _store_view(self, raw: Any, *, view_id: str = "") -> Json:
        view = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(view, dict) or view.get("type") != "modal":
            raise Refusal("invalid_arguments")
        if len(view.get("title", {}).get("text", "")) > 24:
            raise Refusal("invalid_arguments", response_metadata={"messages": ["title too long"]})
        check_blocks(view.get("blocks"), limit=100)
        stored = {
            **view,
            "id": view_id or self._new_id("V"),
            "hash": uuid.uuid4().hex,
            "team_id": self.team_id,
            "state": {"values": {}},
        }
        self.views[stored["id"]] = stored
        return stored
