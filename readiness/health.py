"""GET /healthz: is this web process able to serve? For compose's health check and a load
balancer. 200 when the database answers and (with REDIS_URL) the broker does; 503 naming
what does not. Answered before any other middleware, so a host name outside ALLOWED_HOSTS
(the container's own 127.0.0.1), an HTTPS redirect or a session never stands in the way;
it says nothing but "ok" or the failing part's name.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

PATH = "/healthz"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> None:
    if not settings.REDIS_URL:
        return  # tasks run in-process: no broker to ask
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "broker": _broker}


def health() -> tuple[int, dict[str, str]]:
    """(status code, {part: "ok" or "unavailable"})."""
    parts = {}
    for name, check in CHECKS.items():
        try:
            check()
            parts[name] = "ok"
        except Exception:
            parts[name] = "unavailable"
    return (200 if all(v == "ok" for v in parts.values()) else 503), parts


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        status, parts = health()
        response = JsonResponse({"status": "ok" if status == 200 else "unavailable", **parts})
        response.status_code = status
        response["Cache-Control"] = "no-store"
        return response
