"""Telling open dashboards that posts have a new assessment, instead of leaving them to poll.

When a re-score stores assessments, the ids of their posts are published, after commit, on
a Redis channel (``CHANNEL``). A dashboard's event stream (``dashboard.views.events``)
listens on it and, on news, checks its own version token: only a change the user can see
becomes an event for the page. Without Redis (the demo's in-process tasks) there is no
channel: the listener sleeps ``LOCAL_CHECK_SECONDS`` and the stream checks anyway, which
costs one small query a check.

Publishing is best effort, like the re-score request itself: a broker that cannot be
reached is logged, and the pages' slow fallback poll still finds the new assessment.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from functools import cache
from types import TracebackType
from typing import Any

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

CHANNEL = "readiness:assessments"
# Without Redis: how often an open stream looks for a new assessment itself.
LOCAL_CHECK_SECONDS = 0.5


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def assessments_published(*, post_ids: Iterable[int]) -> None:
    """Tell listeners these posts have a new assessment (call it after commit)."""
    ids = ",".join(str(post_id) for post_id in post_ids)
    if not ids or not settings.REDIS_URL:
        return
    try:
        _client(settings.REDIS_URL).publish(CHANNEL, ids)
    except (redis.RedisError, OSError) as exc:
        logger.warning("could not tell open dashboards of new assessments (%s): %s", ids, exc)


class Listener:
    """News of new assessments, for one event stream. ``wait(seconds)`` returns True when
    there may be news (a message, or no channel to listen on), False after a quiet wait."""

    def __init__(self) -> None:
        self._pubsub: Any = None

    def __enter__(self) -> Listener:
        if settings.REDIS_URL:
            try:
                self._pubsub = _client(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
                self._pubsub.subscribe(CHANNEL)
            except (redis.RedisError, OSError) as exc:
                logger.warning("event stream without Redis news, checking itself: %s", exc)
                self._pubsub = None
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pubsub is not None:
            with contextlib.suppress(redis.RedisError, OSError):
                self._pubsub.close()

    def wait(self, seconds: float) -> bool:
        if self._pubsub is None:
            time.sleep(min(seconds, LOCAL_CHECK_SECONDS))
            return True
        try:
            message = self._pubsub.get_message(timeout=seconds)
        except (redis.RedisError, OSError) as exc:
            logger.warning("event stream lost Redis, checking itself: %s", exc)
            self._pubsub = None
            return True
        if message is None:
            return False
        # Several re-scores may have published meanwhile: one check covers them all.
        while self._pubsub.get_message(timeout=0) is not None:
            pass
        return True
