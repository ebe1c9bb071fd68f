"""Engagement: count each pair's activity (never contents), nudge quiet pairs, pauses,
volunteers, and the goals a pair agrees.
"""
