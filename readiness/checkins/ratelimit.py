"""Counting requests in fixed windows, in the cache named ``ratelimit`` (Redis when
REDIS_URL is set, so every web process counts together; each process's memory otherwise).
"""

from __future__ import annotations

import hashlib

from django.core.cache import caches

CACHE = "ratelimit"


def _key(scope: str, who: str) -> str:
    # Hashed: the key names no address or token.
    return f"rl:{scope}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"


def count(scope: str, who: str, *, window: int) -> int:
    """Add one to ``who``'s count in ``scope`` and answer the count in this window."""
    cache = caches[CACHE]
    key = _key(scope, who)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def peek(scope: str, who: str) -> int:
    """``who``'s count in ``scope`` now, without adding to it."""
    return int(caches[CACHE].get(_key(scope, who), 0))
