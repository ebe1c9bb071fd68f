"""Delivery and the outbox: every platform action recorded before it is done, carried out
exactly once, retried after failures and rate limits.
"""
