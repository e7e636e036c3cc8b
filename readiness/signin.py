"""Sign-in and session rules that sit around every request: whose address a failed
password counts against (django-axes), the idle timeout, and no copy of a page in any
cache. docs/operations.md, "Sign-in, sessions and lockout"."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# Requests the pages make by themselves (polls, refreshes after an event) carry this
# header (static/readiness/dashboard.js sets it), and event streams (EventSource) ask for
# text/event-stream: neither counts as activity, so an open tab left alone is still signed
# out. Forging either only shortens one's own session.
BACKGROUND_HEADER = "HTTP_X_READINESS_BACKGROUND"
LAST_ACTIVITY = "readiness_last_activity"
# The time of the last activity is written at most this often (seconds): writing the
# session on every request would cost three queries a page.
ACTIVITY_RESOLUTION = 60


def activity_starts(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """On sign-in (the user_logged_in signal, connected in readiness/dashboard/apps.py)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = time.time()


def client_ip(request: HttpRequest) -> str:
    """The address a sign-in attempt counts against (settings.AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT proxies of ours stand in front: each
    appends the address it received from to X-Forwarded-For, so the client is the
    TRUSTED_PROXY_COUNT-th entry from the right. Whatever a client writes itself stands to
    the left of it and is never read; a request with fewer entries did not come through
    our proxies, and counts against REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count: int = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") or ""
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _background(request: HttpRequest) -> bool:
    return request.META.get(BACKGROUND_HEADER) == "1" or "text/event-stream" in (
        request.META.get("HTTP_ACCEPT", "") or ""
    )


class IdleTimeoutMiddleware:
    """Signs a user out after settings.SESSION_IDLE_MINUTES without a request of their own.
    The view then answers as to anyone signed out (the sign-in page; for HTMX, a redirect
    of the whole page to it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY)
            idle = settings.SESSION_IDLE_MINUTES * 60
            if isinstance(last, int | float) and now - last > idle:
                logout(request)
            elif not isinstance(last, int | float) or (
                not _background(request) and now - last > ACTIVITY_RESOLUTION
            ):
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every answer of the application (static files
    are served before it, by WhiteNoise): pages carry names, contacts and decisions, and
    must stay out of shared and browser caches (ASVS 5.0 14.3)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
