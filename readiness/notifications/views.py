"""The signed-in user's notifications and their choices: load, validate, call, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from readiness.dashboard.views import SignedInRequest, signin_required

from . import selectors, services
from .forms import QuietHoursForm, SubscriptionForm


@signin_required
@require_GET
def notification_list(request: SignedInRequest) -> HttpResponse:
    items = list(selectors.notifications_of(user=request.user))
    lines = [(item, services.headline(item)) for item in items]
    unread = selectors.unread_count(user=request.user)  # older ones than the list shows too
    return render(request, "notifications/list.html", {"lines": lines, "unread": unread})


@signin_required
@require_GET
@vary_on_headers("HX-Request")
def unread_badge(request: SignedInRequest) -> HttpResponse:
    """The header's count, fetched by the page after it loads (and every minute), so no
    page pays a query for it."""
    return render(
        request,
        "notifications/_header.html#badge",
        {"unread": selectors.unread_count(user=request.user)},
    )


@signin_required
@require_POST
def mark_read(request: SignedInRequest, pk: int) -> HttpResponse:
    services.notifications_mark_read(user=request.user, notification_ids=[pk])
    return redirect("notifications:list")


@signin_required
@require_POST
def mark_all_read(request: SignedInRequest) -> HttpResponse:
    count = services.notifications_mark_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("notifications:list")


def _settings_page(
    request: SignedInRequest,
    *,
    subscription_form: SubscriptionForm | None = None,
    quiet_form: QuietHoursForm | None = None,
    status: int = 200,
) -> HttpResponse:

    user = request.user
    current = selectors.settings_of(user=user)
    context: dict[str, Any] = {
        "subscriptions": selectors.subscriptions_of(user=user),
        "subscription_form": subscription_form
        or SubscriptionForm(user=user, regions=selectors.regions_visible_to(user=user)),
        "quiet_form": quiet_form
        or QuietHoursForm(
            initial={
                "quiet_from": current.quiet_from,
                "quiet_until": current.quiet_until,
                "timezone_name": current.timezone,
            }
        ),
        "email_enabled": settings.EMAIL_ENABLED,
        "quiet": current,
    }
    return render(request, "notifications/settings.html", context, status=status)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@signin_required
@require_GET
def settings_page(request: SignedInRequest) -> HttpResponse:
    return _settings_page(request)


@signin_required
@require_POST
def subscription_create(request: SignedInRequest) -> HttpResponse:
    user = request.user
    form = SubscriptionForm(
        request.POST, user=user, regions=selectors.regions_visible_to(user=user)
    )
    if form.is_valid():
        try:
            services.subscription_create(user=user, **form.cleaned_data)
            services.notification_language_remember(user=user, language=get_language() or "en")
        except ValidationError as exc:
            _add_errors(form, exc)
    if not form.is_valid():
        return _settings_page(request, subscription_form=form, status=422)
    messages.success(request, _("Subscription added."))
    return redirect("notifications:settings")


@signin_required
@require_POST
def subscription_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    if services.subscription_delete(user=request.user, subscription_id=pk):
        messages.success(request, _("Subscription removed."))
    return redirect("notifications:settings")


@signin_required
@require_http_methods(["POST"])
def quiet_hours_update(request: SignedInRequest) -> HttpResponse:
    form = QuietHoursForm(request.POST)
    if form.is_valid():
        try:
            services.notification_settings_update(
                user=request.user,
                quiet_from=form.cleaned_data["quiet_from"],
                quiet_until=form.cleaned_data["quiet_until"],
                timezone_name=form.cleaned_data["timezone_name"],
                language=get_language() or "en",
            )
        except ValidationError as exc:
            _add_errors(form, exc)
    if not form.is_valid():
        return _settings_page(request, quiet_form=form, status=422)
    messages.success(request, _("Quiet hours saved."))
    return redirect("notifications:settings")
