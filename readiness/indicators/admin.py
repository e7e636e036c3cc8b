from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

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

    def save_model(self, request: HttpRequest, obj: Feed, form, change: bool) -> None:  # type: ignore[no-untyped-def]
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


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "observed_at", "post", "category", "severity", "reliability", "credibility", "ongoing",
        "ended_at", "short_text",
    ]  # fmt: skip
    list_filter = ["category", "severity", "reliability", "ongoing", "feed", "post"]
    list_select_related = ["post"]
    search_fields = ["text", "source", "external_id", "post__code"]
    autocomplete_fields = ["post"]
    date_hierarchy = "observed_at"
    readonly_fields = ["recorded_at", "recorded_by", "feed"]

    @admin.display(description="text")
    def short_text(self, obj: Indicator) -> str:
        return obj.text[:80]

    def save_model(self, request: HttpRequest, obj: Indicator, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        if not change:
            obj.recorded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)  # the save queues a re-score
