"""A per-token rate limit on the feeds' API: at most ``API_RATE_LIMIT`` requests in each
fixed window of ``API_RATE_WINDOW_SECONDS``, counted per feed token.

The counters live in Redis when ``REDIS_URL`` is set (shared by every web worker), else in
Django's cache (one process: the demo and tests). A request over the limit is answered 429
with ``Retry-After``, the seconds left in the window. When Redis cannot be reached the
request is let through and a warning logged: a broken counter must not stop the feeds.
"""

from __future__ import annotations

import functools
import logging
import math
import time

import redis
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

KEY_PREFIX = "readiness:api-rate"


@functools.cache
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def _count(key: str, ttl: int) -> int:
    """Add one to the window's counter and return it."""
    if settings.REDIS_URL:
        pipe = _redis(settings.REDIS_URL).pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl)
        count, _expiry = pipe.execute()
        return int(count)
    cache.add(key, 0, ttl)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, ttl)
        return 1


def retry_after(*, token_digest: str, now: float | None = None) -> int | None:
    """Seconds until the token may call again when this request is over its limit, else
    None (the request is counted either way)."""
    limit, window = settings.API_RATE_LIMIT, settings.API_RATE_WINDOW_SECONDS
    if limit <= 0:
        return None
    now = time.time() if now is None else now
    slot = int(now // window)
    key = f"{KEY_PREFIX}:{token_digest}:{slot}"
    try:
        count = _count(key, window + 1)
    except redis.RedisError as exc:
        logger.warning("API rate limit not applied, its counter is unavailable: %s", exc)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil((slot + 1) * window - now))
