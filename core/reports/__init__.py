"""Reports: counts per round and across rounds, never names or message contents."""
