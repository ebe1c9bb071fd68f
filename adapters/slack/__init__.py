"""The Slack adapter: slack-bolt's AsyncApp for commands and modals, SlackPlatform for delivery.

app.build_app wires the /penpals command, the signup modal and the review buttons
to the core services; platform.SlackPlatform implements core.platform.ChatPlatform
(private pair channels or group DMs, topics, public topic threads); bots/slack_main
runs it in Socket Mode or HTTP mode.
"""
