"""A ChatPlatform adapter over a small JSON HTTP API: idempotent per key, paced, 429-aware."""

from adapters.remote.pacing import Pacer
from adapters.remote.platform import RemotePlatform

__all__ = ["Pacer", "RemotePlatform"]
