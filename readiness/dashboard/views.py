"""Dashboard views: load, validate, call a service, render. Full pages and HTMX updates
render the same named partials of one template."""

from __future__ import annotations

import time
import zoneinfo
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    QueryDict,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import (
    HttpResponseClientRedirect,
    HttpResponseStopPolling,
    trigger_client_event,
)
from django_htmx.middleware import HtmxDetails

from readiness.assessments import live
from readiness.assessments.decisions import decision_record
from readiness.assessments.models import Assessment
from readiness.briefs.models import IssuedBrief
from readiness.briefs.services import brief_issue
from readiness.indicators.corrections import indicator_withdraw
from readiness.indicators.models import Indicator
from readiness.indicators.services import indicator_record
from readiness.posts import access
from readiness.posts.models import ActionItem, ExitRoute, Post
from readiness.posts.services import action_item_tick, route_check
from readiness.rosters.models import StaffMember
from readiness.rosters.services import staff_confirm
from readiness.wording import numbers

from . import reauth, selectors
from .forms import (
    ActionTickForm,
    DecisionForm,
    IndicatorForm,
    IndicatorWithdrawForm,
    RouteCheckForm,
    StaffConfirmForm,
)
from .pages import BriefPage, OverviewPage, PostPage, may_withdraw

# Panels of the post page an HTMX request may ask for by target id.
POST_PANELS = frozenset(
    {
        "gauge",
        "changes",
        "explanation",
        "charts",
        "indicators",
        "routes",
        "roster",
        "checklists",
        "decisions",
        "indicator-form",
        "decision-form",
        "decision-against",
    }
)
EVENT = "assessmentChanged"
# A write's re-score is queued (the real worker): the poller says so at once.
RESCORE_QUEUED = "rescoreQueued"


class HtmxRequest(HttpRequest):
    """A request as django-htmx's middleware (settings.MIDDLEWARE) hands it on."""

    htmx: HtmxDetails


class SignedInRequest(HtmxRequest):
    """What a view behind signin_required receives: the user is signed in."""

    user: User


def signin_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """login_required that also works for HTMX requests: a partial must not swap the
    sign-in page into a panel, so the browser is sent to it whole."""

    @wraps(view)
    def wrapper(request: HtmxRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            back = request.htmx.current_url_abs_path or request.get_full_path()
            login = resolve_url(settings.LOGIN_URL)
            return HttpResponseClientRedirect(f"{login}?{urlencode({'next': back})}")
        return redirect_to_login(request.get_full_path())

    return wrapper


def _add_errors(form: Any, exc: ValidationError) -> None:
    """A service's errors onto the form: on their field when the form has it, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _post(request: SignedInRequest, code: str) -> Post:
    try:
        return selectors.post_for(user=request.user, code=code)
    except Post.DoesNotExist:
        raise Http404(_("No such post, or not one of yours.")) from None


def _post_to_write(request: SignedInRequest, code: str) -> Post:
    """The post, for a write: read-only viewers change nothing (readiness/posts/access.py)."""
    post = _post(request, code)
    if not access.can_write(request.user):
        raise PermissionDenied(_("Read-only viewers change nothing."))
    return post


def _render_post(
    request: SignedInRequest,
    page: PostPage,
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    # Times on a post's page are the post's local times.
    with timezone.override(page.tz), numbers.same_locale():
        template = "dashboard/post_detail.html" + (f"#{partial}" if partial else "")
        return render(request, template, {"page": page, "post": page.post}, status=status)


def _after_write(
    request: SignedInRequest,
    page: PostPage,
    *,
    partial: str,
    anchor: str,
    message: str,
    before: int | None,
    queued_message: str = "",
) -> HttpResponse:
    """HTMX: the panel again, and, once the write's re-score is done, an event so the other
    panels refresh (once). Without JavaScript: back to the page (post/redirect/get).

    With tasks in-process the re-score has run by now: the event goes with the poller at the
    new assessment (out of band), so the stream's news of it is not news twice. With the
    real worker it is only queued: the page is told so (the poller says "Re-scoring…"), and
    the panels refresh when the new assessment exists (the stream or the poll brings it).
    ``before`` is the post's newest assessment before the write."""
    pending, newest = (
        Post.objects.filter(pk=page.post.pk)
        .values_list("rescore_requested_at", "newest_assessment_id")
        .first()
    ) or (None, None)
    page.rescoring = pending is not None or newest == before
    if request.htmx:
        response = _render_post(request, page, partial=partial)
        if page.rescoring:
            return trigger_client_event(response, RESCORE_QUEUED)
        poller = render(
            request,
            "dashboard/post_detail.html#poll",
            {"page": page, "post": page.post, "since": newest or 0, "oob": True},
        )
        response.content += poller.content
        return trigger_client_event(response, EVENT)
    messages.success(request, queued_message if page.rescoring and queued_message else message)
    return redirect(f"{page.url}#{anchor}")


def _invalid(request: SignedInRequest, page: PostPage, *, partial: str) -> HttpResponse:
    """The form again with its errors and everything typed: in place with HTMX, in the whole
    page without JavaScript."""
    return _render_post(request, page, partial=partial if request.htmx else None, status=422)


def _form_write(
    request: SignedInRequest,
    post: Post,
    *,
    form: Any,
    form_key: str,
    write: Callable[..., object],
    partial: str,
    anchor: str,
    message: str,
    queued_message: str = "",
    params: Any = None,
    saved: str = "",
) -> HttpResponse:
    """A post page form's submission: validate, hand the cleaned data to the service
    (``write``), then the panel again (or the page) with the service's errors or the
    change. ``form_key`` is where PostPage looks for the bound form to show again."""
    before = post.newest_assessment_id
    if form.is_valid():
        try:
            write(**form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
    if not form.is_valid():
        page = PostPage(post=post, user=request.user, params=params, forms={form_key: form})
        return _invalid(request, page, partial=partial)
    page = PostPage(post=post, user=request.user, params=params, saved=saved)
    return _after_write(
        request,
        page,
        partial=partial,
        anchor=anchor,
        message=message,
        before=before,
        queued_message=queued_message,
    )


# --- Pages --------------------------------------------------------------------------------


@signin_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def overview(request: SignedInRequest) -> HttpResponse:
    page = OverviewPage(user=request.user, params=request.GET)
    if request.htmx:
        # The poll: nothing new costs one aggregate query and an empty answer.
        since = request.GET.get("since")
        if since and since == selectors.overview_version(user=request.user):
            return HttpResponse(status=204)
        with numbers.same_locale():
            return render(request, "dashboard/overview.html#rows", {"page": page})
    with numbers.same_locale():
        return render(request, "dashboard/overview.html", {"page": page})


@signin_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def post_detail(request: SignedInRequest, code: str) -> HttpResponse:
    page = PostPage(post=_post(request, code), user=request.user, params=request.GET)
    target = request.htmx.target if request.htmx else None
    return _render_post(request, page, partial=target if target in POST_PANELS else None)


@signin_required
@require_GET
def post_poll(request: SignedInRequest, code: str) -> HttpResponse:
    """Polled by an open post page: 204 while nothing changed; when a new assessment is in,
    the poller again (with the new id) and the event that refreshes the panels."""
    post = access.posts_visible_to(request.user).filter(code=code).first()
    if post is None:
        return HttpResponseStopPolling()  # gone, or no longer one of this user's posts
    newest = post.newest_assessment_id or 0
    pending = post.rescore_requested_at is not None
    if request.GET.get("since") == str(newest) and request.GET.get("pending", "0") == str(
        int(pending)
    ):
        return HttpResponse(status=204)
    page = PostPage(post=post, user=request.user, params=None)
    response = render(
        request,
        "dashboard/post_detail.html#poll",
        {"page": page, "post": post, "since": newest, "pending": pending},
    )
    if request.GET.get("since") != str(newest):
        trigger_client_event(response, EVENT)
    return response


# --- Telling open pages ----------------------------------------------------------------
# An open overview or post page listens to an event stream (static/readiness/dashboard.js)
# and refreshes when the version it shows is no longer the newest; its poll is the
# fallback while the stream is down. A stream lasts STREAM_SECONDS (the browser reconnects
# after RETRY_MS), so no request is held for long and a changed permission takes effect.
STREAM_SECONDS = 55
# With Redis, the news of a re-score wakes the stream at once; it checks by itself too
# after this long without news (a lost message costs at most this), and says it is alive.
QUIET_CHECK_SECONDS = 10
RETRY_MS = 1000


def _event_stream(version: Callable[[], str]) -> Iterator[str]:
    """Server-sent events: ``version`` at once, then each time it changes."""
    yield f"retry: {RETRY_MS}\n\n"
    last = version()
    yield f"event: version\ndata: {last}\n\n"
    deadline = time.monotonic() + STREAM_SECONDS
    with live.Listener() as listener:
        while (left := deadline - time.monotonic()) > 0:
            listener.wait(min(QUIET_CHECK_SECONDS, left))
            now = version()
            if now != last:
                last = now
                yield f"event: version\ndata: {now}\n\n"
            else:
                yield ": quiet\n\n"


def _event_response(version: Callable[[], str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_event_stream(version), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # a proxy must pass each event on at once
    return response


@signin_required
@require_GET
def overview_events(request: SignedInRequest) -> HttpResponseBase:
    """The overview's version (selectors.overview_version) each time it changes."""
    user = request.user
    return _event_response(lambda: selectors.overview_version(user=user))


@signin_required
@require_GET
def post_events(request: SignedInRequest, code: str) -> HttpResponseBase:
    """The id of the post's newest assessment each time it changes."""
    post = access.posts_visible_to(request.user).filter(code=code).first()
    if post is None:
        return HttpResponse(status=204)  # an event stream that gets 204 stops reconnecting
    pk = post.pk

    def newest() -> str:
        found = Post.objects.filter(pk=pk).values_list("newest_assessment_id", flat=True)
        return str(found.first() or 0)

    return _event_response(newest)


@signin_required
@require_GET
def brief(request: SignedInRequest) -> HttpResponse:
    """Today's brief; ``?issued=<id>``: an issued brief again, with its own window and
    marking (to print it after issuing it)."""
    issued = None
    wanted = request.GET.get("issued", "")
    if wanted:
        pk = int(wanted) if wanted.isdigit() and len(wanted) < 19 else 0
        issued = IssuedBrief.objects.filter(pk=pk).first()
        if issued is None:
            raise Http404(_("No such issued brief."))
    page = BriefPage(user=request.user, issued=issued)
    with numbers.same_locale():
        return render(request, "dashboard/brief.html", {"page": page})


@signin_required
@require_POST
def brief_issue_view(request: SignedInRequest) -> HttpResponse:
    """Issue the brief: recorded (who, when, marking), then shown as issued, to print."""
    last = request.POST.get("last", "").strip()
    try:
        issued = brief_issue(
            user=request.user, last_seen=int(last) if last.isdigit() and len(last) < 19 else None
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("dashboard:brief")
    messages.success(
        request,
        _("Brief issued at %(when)s UTC by %(who)s, marked %(marking)s.")
        % {
            "when": issued.issued_at.strftime("%H:%M"),
            "who": issued.issued_by_name,
            "marking": issued.classification,
        },
    )
    return redirect(f"{reverse('dashboard:brief')}?issued={issued.pk}")


# --- Writes -------------------------------------------------------------------------------


@signin_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: SignedInRequest, code: str) -> HttpResponse:
    post = _post(request, code)
    if request.method == "GET":
        return redirect(
            f"{PostPage(post=post, user=request.user, params=None).url}#record-indicator"
        )
    post = _post_to_write(request, code)
    tz = zoneinfo.ZoneInfo(post.timezone)
    with timezone.override(tz):  # a datetime-local input is the post's local time
        return _form_write(
            request,
            post,
            form=IndicatorForm(request.POST, instance=Indicator(post=post)),
            form_key="indicator",
            write=lambda **data: indicator_record(post=post, user=request.user, **data),
            partial="indicator-form",
            anchor="indicators",
            saved="indicator",
            message=_("Indicator recorded; the post has been re-scored."),
            queued_message=_("Indicator recorded; the post is being re-scored."),
        )


@signin_required
@require_http_methods(["GET", "POST"])
def decision_create(request: SignedInRequest, code: str) -> HttpResponse:
    post = _post(request, code)
    before = post.newest_assessment_id
    page = PostPage(post=post, user=request.user, params=None)
    if request.method == "GET":
        return redirect(f"{page.url}#record-decision")
    if not page.can_decide:
        return HttpResponseForbidden(_("Level decisions are recorded by the crisis centre."))
    form = DecisionForm(request.POST, levels=page.ladder, current=post.level)
    if form.is_valid():
        data = form.cleaned_data
        # Only one of the post's own assessments: another post's (or no such) id is refused
        # here, never taken as "no assessment".
        assessment = Assessment.objects.filter(pk=data["assessment"], post=post).first()
        if not reauth.is_fresh(request) and not reauth.confirm_password(request, data["password"]):
            form.add_error(
                "password",
                (
                    _("That is not your password. Nothing was recorded; type it again.")
                    if data["password"]
                    else _(
                        "You signed in more than %(minutes)s minutes ago: type your password "
                        "to record this decision. Nothing you typed is lost."
                    )
                    % {"minutes": reauth.window_minutes()}
                ),
            )
        elif assessment is None:
            form.add_error(
                "assessment",
                _(
                    "That assessment is not one of this post's. Review the post's newest "
                    "assessment, now shown, before deciding."
                ),
            )
        else:
            try:
                decision_record(
                    post=post,
                    to_level=data["to_level"],
                    rationale=data["rationale"],
                    user=request.user,
                    assessment=assessment,
                    against_recommendation_confirmed=data["against_recommendation_confirmed"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
    if not form.is_valid():
        if "assessment" in form.errors:
            # Show the newest assessment now, keeping what was typed: the next submit is
            # taken against what the officer has then seen.
            form = _rebased(form, page, request.POST)
        page = PostPage(post=post, user=request.user, params=None, forms={"decision": form})
        return _invalid(request, page, partial="decision-form")
    post.refresh_from_db()
    page = PostPage(post=post, user=request.user, params=None, saved="decision")
    return _after_write(
        request,
        page,
        partial="decision-form",
        anchor="decisions",
        message=_("Decision recorded."),
        before=before,
    )


def _rebased(form: DecisionForm, page: PostPage, submitted: QueryDict) -> DecisionForm:
    """The decision form again on what was ``submitted`` (the data ``form`` is bound to),
    against the newest assessment."""
    data = submitted.copy()
    data["assessment"] = str(page.assessment.pk) if page.assessment else ""
    page.post.refresh_from_db(fields=["level"])
    rebased = DecisionForm(data, levels=page.ladder, current=page.post.level)
    rebased.full_clean()
    for field, errors in form.errors.items():
        for error in errors:
            if error not in rebased.errors.get(field, []):
                rebased.add_error(None if field == "assessment" else field, error)
    return rebased


@signin_required
@require_POST
def indicator_withdraw_create(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    """Withdraw an indicator (with a reason): duty officers any of the post's, others only
    one they recorded themselves. The row stays on the timeline, marked withdrawn."""
    post = _post_to_write(request, code)
    indicator = get_object_or_404(Indicator, post=post, pk=pk)
    if not may_withdraw(request.user, indicator):
        return HttpResponseForbidden(
            _("Only the crisis centre, or whoever recorded it, withdraws an indicator.")
        )
    return _form_write(
        request,
        post,
        form=IndicatorWithdrawForm(request.POST, prefix=f"withdraw-{indicator.pk}"),
        form_key=f"withdraw-{indicator.pk}",
        write=lambda **data: indicator_withdraw(indicator=indicator, user=request.user, **data),
        partial="indicators",
        anchor="indicators",
        message=_("Indicator withdrawn; the post has been re-scored."),
        queued_message=_("Indicator withdrawn; the post is being re-scored."),
    )


@signin_required
@require_POST
def route_check_create(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    post = _post_to_write(request, code)
    route = get_object_or_404(ExitRoute, post=post, pk=pk)
    return _form_write(
        request,
        post,
        form=RouteCheckForm(request.POST, prefix=f"route-{route.pk}"),
        form_key=f"route-{route.pk}",
        write=lambda **data: route_check(route=route, user=request.user, **data),
        partial="routes",
        anchor="routes",
        message=_("Route %(route)s marked verified.") % {"route": route.key},
    )


@signin_required
@require_POST
def staff_confirm_create(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    post = _post_to_write(request, code)
    if not access.sees_personal_data(request.user):
        # The row is a person, and the form their phone and e-mail.
        raise PermissionDenied(_("Confirming staff needs the personal-data permission."))
    staff = get_object_or_404(StaffMember, post=post, pk=pk)
    return _form_write(
        request,
        post,
        form=StaffConfirmForm(request.POST, prefix=f"staff-{staff.pk}"),
        form_key=f"staff-{staff.pk}",
        write=lambda **data: staff_confirm(staff=staff, **data),
        partial="roster",
        anchor="roster",
        params=request.GET,  # keeps the staff search
        message=_("%(name)s confirmed.") % {"name": staff.name},
    )


@signin_required
@require_POST
def action_tick(request: SignedInRequest, code: str, pk: int) -> HttpResponse:
    post = _post_to_write(request, code)
    item = get_object_or_404(ActionItem, level__post=post, pk=pk)
    form = ActionTickForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    before = post.newest_assessment_id
    action_item_tick(item=item, ready=form.cleaned_data["ready"], user=request.user)
    page = PostPage(post=post, user=request.user, params=None)
    return _after_write(
        request,
        page,
        partial="checklists",
        anchor="checklists",
        message=_("Checklist updated."),
        before=before,
    )
