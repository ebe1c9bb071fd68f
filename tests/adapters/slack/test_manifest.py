"""slack-manifest.yaml creates an app that can do everything the adapter asks of Slack."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from adapters.slack.http import EVENTS_PATH
from tests.adapters.slack.standin import METHOD_SCOPES, SCOPE_ALIASES

ADAPTER = Path(__file__).resolve().parents[3] / "adapters" / "slack"
# The kinds of conversation penpals uses each method on: public channels (announcements,
# community), private channels (pair spaces, organiser alerts), group DMs, DMs.
KINDS: dict[str, tuple[str, ...]] = {
    "conversations.create": ("groups",),
    "conversations.invite": ("groups",),
    "conversations.kick": ("groups",),
    "conversations.setPurpose": ("groups",),
    "conversations.archive": ("groups",),
    "conversations.unarchive": ("groups",),
    "conversations.close": ("mpim",),
    "conversations.list": ("channels", "groups"),
    "conversations.info": ("channels", "groups", "mpim"),
    "conversations.members": ("groups",),
    "conversations.history": ("channels", "groups", "mpim", "im"),
    "conversations.open": ("mpim", "im"),
    "conversations.join": ("channels",),
}
# slack_sdk helpers that call several Web API methods.
HELPERS = {
    "files.upload.v2": ("files.getUploadURLExternal", "files.completeUploadExternal"),
}


def called_methods() -> set[str]:
    """Return the Web API methods the adapter's code calls (bolt itself calls auth.test)."""
    found = {"auth.test"}
    for path in ADAPTER.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'_call\(\s*"([\w.]+)"', text))
        for name in re.findall(r"client\.([a-z]+_\w+)\(", text):
            method = name.replace("_", ".")
            found |= set(HELPERS.get(method, (method,)))
    return found


def test_the_bot_scopes_cover_every_method_called(manifest: dict[str, Any]) -> None:
    """Each method the adapter calls needs only scopes the manifest grants."""
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    methods = called_methods()
    assert methods <= set(METHOD_SCOPES), "teach the stand-in the scopes of a new method"
    missing = {}
    for method in sorted(methods):
        for template in METHOD_SCOPES[method]:
            for kind in KINDS.get(method, ("channels",)) if "{kind}" in template else ("",):
                scope = template.format(kind=kind)
                scope = SCOPE_ALIASES.get(scope, scope)
                if scope not in granted:
                    missing[method] = scope
    assert missing == {}
    assert "commands" in granted


def test_the_command_and_interactivity_point_at_the_app(manifest: dict[str, Any]) -> None:
    """/penpals escapes mentions (for setup), and buttons, modals and options reach the app."""
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/penpals"
    assert command["should_escape"] is True
    assert command["url"].endswith(EVENTS_PATH)
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    assert interactivity["request_url"].endswith(EVENTS_PATH)
    assert interactivity["message_menu_options_url"].endswith(EVENTS_PATH)


def test_distribution_redirect_and_uninstall_events(manifest: dict[str, Any]) -> None:
    """The OAuth redirect URL and the two uninstall events a distributed app handles."""
    from adapters.slack.install import REDIRECT_PATH

    [redirect] = manifest["oauth_config"]["redirect_urls"]
    assert redirect.startswith("https://") and redirect.endswith(REDIRECT_PATH)
    events = manifest["settings"]["event_subscriptions"]
    assert events["request_url"].endswith(EVENTS_PATH)
    assert set(events["bot_events"]) == {"app_uninstalled", "tokens_revoked", "app_home_opened"}


def test_the_home_tab_is_enabled_and_its_opening_sent(manifest: dict[str, Any]) -> None:
    """Organisers review on the Home tab: it is on, and app_home_opened reaches the app."""
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    assert home["messages_tab_enabled"] is True  # penpals' direct messages stay visible
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
