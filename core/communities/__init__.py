"""Communities: one Discord server or Slack workspace (or a CLI program), its settings and
the practices organisers state to members.
"""
