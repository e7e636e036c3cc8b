from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from readiness.posts.limits import indicator_observed_recently

from .models import Feed, Indicator
from .services import feed_token_issue


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    """Feeds push indicators over the API (docs/api.md). A token is shown once, when the
    feed is created or a new one is issued; only its digest is kept."""

    list_display = ["name", "reliability", "is_active", "token_hint", "last_used_at"]
    list_filter = ["is_active", "reliability"]
    search_fields = ["name"]
    filter_horizontal = ["posts"]
    readonly_fields = ["token_hint", "created_at", "last_used_at"]
    actions = ["issue_new_token"]

    def save_model(
        self, request: HttpRequest, obj: Feed, form: forms.ModelForm[Feed], change: bool
    ) -> None:
        token = None if change else feed_token_issue(feed=obj)
        super().save_model(request, obj, form, change)
        if token:
            _show_token(request, obj, token)

    @admin.action(description="Issue a new token (the old one stops working)")
    def issue_new_token(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        for feed in queryset:
            _show_token(request, feed, feed_token_issue(feed=feed))


def _show_token(request: HttpRequest, feed: Feed, token: str) -> None:
    messages.warning(
        request,
        f"Token of feed “{feed}”: {token} — copy it now into the feed's configuration; "
        "it is not shown again.",
    )


class IndicatorAdminForm(forms.ModelForm):
    """The model's rules, and the age limit of what people type (readiness/posts/limits.py):
    an observation dated more than five years ago is a mistyped year. Checked only when
    the date is typed, so an old scenario indicator can still be edited."""

    class Meta:
        model = Indicator
        fields = [
            "post", "category", "severity", "reliability", "credibility", "source", "text",
            "observed_at", "expires_at", "ongoing", "ended_at", "external_id", "event",
            "de_escalation",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        super().clean()  # a ModelForm's clean returns its cleaned_data, never None
        cleaned = self.cleaned_data
        if "observed_at" in self.changed_data:
            try:
                indicator_observed_recently(cleaned.get("observed_at"), timezone.now())
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorAdminForm
    list_display = [
        "observed_at", "post", "category", "severity", "reliability", "credibility", "ongoing",
        "de_escalation", "event", "ended_at", "short_text",
    ]  # fmt: skip
    list_filter = [
        "category", "severity", "reliability", "ongoing", "de_escalation", "feed", "post",
    ]  # fmt: skip
    list_select_related = ["post"]
    search_fields = ["text", "source", "external_id", "event", "post__code"]
    autocomplete_fields = ["post"]
    date_hierarchy = "observed_at"
    readonly_fields = ["recorded_at", "recorded_by", "feed"]

    @admin.display(description="text")
    def short_text(self, obj: Indicator) -> str:
        return obj.text[:80]

    def save_model(
        self, request: HttpRequest, obj: Indicator, form: IndicatorAdminForm, change: bool
    ) -> None:
        if not change and request.user.is_authenticated:  # always so in the admin
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)  # the save queues a re-score
