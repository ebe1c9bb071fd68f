"""The Discord adapter: application commands in, core.platform.ChatPlatform out.

Thin by design: handlers translate an interaction into one core service call and
render the result; DiscordPlatform carries out the outbox's actions over REST.
"""
