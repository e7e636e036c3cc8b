"""Check-in doors: the officer's start form and board (signed in, the post's rights), and
the staff member's answer page (no account: the link is the key)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from readiness.dashboard import selectors as dashboard_selectors
from readiness.dashboard.views import SignedInRequest, signin_required
from readiness.posts import access
from readiness.posts.models import Post
from readiness.signin import client_ip
from readiness.wording import numbers

from . import ratelimit
from .forms import AnswerForm, StartForm
from .models import Answer
from .services import LinkRefused, checkin_answer, checkin_start, request_for_token, token_hash
from .templatetags.checkins import board_context

BOARD_TEMPLATE = "checkins/board.html"


def _post(request: SignedInRequest, code: str) -> Post:
    try:
        return dashboard_selectors.post_for(user=request.user, code=code)
    except Post.DoesNotExist:
        raise Http404(_("No such post, or not one of yours.")) from None


def _render_board(
    request: SignedInRequest,
    post: Post,
    *,
    form: StartForm | None = None,
    status: int = 200,
    partial: str = "",
    saved: str = "",
) -> HttpResponse:
    """The panel (start form and board), or only its board (``partial="live"``)."""
    with timezone.override(zoneinfo.ZoneInfo(post.timezone)), numbers.same_locale():
        context = board_context(
            request,
            post=post,
            can_write=access.can_write(request.user),
            personal=access.sees_personal_data(request.user),
            form=form,
        )
        context["saved"] = saved
        template = BOARD_TEMPLATE + (f"#{partial}" if partial else "")
        return render(request, template, context, status=status)


@signin_required
@require_GET
def board(request: SignedInRequest, code: str) -> HttpResponse:
    """The board alone: the panel refreshes itself with it (polled while a check-in is open,
    and on assessmentChanged)."""
    post = _post(request, code)
    if not request.htmx:
        return redirect(reverse("dashboard:post", args=[post.code]) + "#checkins")
    return _render_board(request, post, partial="live")


@signin_required
@require_POST
def start(request: SignedInRequest, code: str) -> HttpResponse:
    post = _post(request, code)
    if not access.can_write(request.user):
        raise PermissionDenied(_("Read-only viewers change nothing."))
    form = StartForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return _render_board(request, post, form=form, status=422)
        with timezone.override(zoneinfo.ZoneInfo(post.timezone)):
            return render(request, "checkins/start.html", {"post": post, "form": form}, status=422)

    def link(token: str) -> str:
        return request.build_absolute_uri(reverse("checkins:answer", args=[token]))

    checkin = checkin_start(
        post=post,
        user=request.user,
        scope=form.cleaned_data["scope"],
        note=form.cleaned_data["note"],
        link=link,
    )
    sent = checkin.requests.filter(sent_at__isnull=False).count()
    message = ngettext(
        "Check-in started: %(n)s link sent.", "Check-in started: %(n)s links sent.", sent
    ) % {"n": sent}
    if request.htmx:
        return _render_board(request, post, saved=message)
    messages.success(request, message)
    return redirect(reverse("dashboard:post", args=[post.code]) + "#checkins")


# --- The answer page: no account, the token is the key ------------------------------------


def _limited(window: int) -> HttpResponse:
    response = HttpResponse(
        _("Too many attempts. Wait a few minutes, then open the link again."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(window)
    return response


# Unknown: 404, whatever the reason (never said which part was wrong). Known but spent: 410.
REFUSAL_STATUS = {"unknown": 404, "used": 410, "expired": 410, "replaced": 410}


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    texts = {
        "unknown": _(
            "This link is not valid. Check that you opened the whole link from the message."
        ),
        "used": _(
            "This link has already been used: the answer was recorded. If your situation "
            "has changed, call your post."
        ),
        "expired": _("This link has expired. If you still need to answer, call your post."),
        "replaced": _("A newer check-in replaced this one: use the link in the newest message."),
    }
    status = REFUSAL_STATUS[reason]
    return render(
        request,
        "checkins/answer.html",
        {"refused": texts[reason], "reason": reason},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The one question, for the holder of the link. Opening it (GET) changes nothing --
    mail scanners open links -- only the answer (POST) uses it. Rate-limited per link and,
    for links that do not exist, per client address (429)."""
    window = int(settings.CHECKIN_RATE_WINDOW_SECONDS)
    address = client_ip(request)
    if ratelimit.peek("checkin-bad", address) >= settings.CHECKIN_RATE_BAD_LINKS:
        return _limited(window)
    if (
        ratelimit.count("checkin-link", token_hash(token), window=window)
        > settings.CHECKIN_RATE_PER_LINK
    ):
        return _limited(window)
    try:
        found = request_for_token(token)
    except LinkRefused as refused:
        if refused.reason == "unknown":
            ratelimit.count("checkin-bad", address, window=window)
        return _refused(request, refused.reason)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = checkin_answer(
                token=token, answer=form.cleaned_data["answer"], note=form.cleaned_data["note"]
            )
        except LinkRefused as refused:
            return _refused(request, refused.reason)
        return render(
            request,
            "checkins/answer.html",
            {"done": recorded, "need_help": recorded.answer == Answer.NEED_HELP},
        )
    status = 422 if form.is_bound else 200
    context: dict[str, Any] = {"form": form, "headcount": found.headcount, "answers": Answer}
    return render(request, "checkins/answer.html", context, status=status)
