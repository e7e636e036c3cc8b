from django.contrib import admin
from django.http import HttpRequest

from .models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "observed_at", "post", "category", "severity", "reliability", "credibility", "ongoing",
        "ended_at", "short_text",
    ]  # fmt: skip
    list_filter = ["category", "severity", "reliability", "ongoing", "post"]
    list_select_related = ["post"]
    search_fields = ["text", "source", "external_id", "post__code"]
    autocomplete_fields = ["post"]
    date_hierarchy = "observed_at"
    readonly_fields = ["recorded_at", "recorded_by"]

    @admin.display(description="text")
    def short_text(self, obj: Indicator) -> str:
        return obj.text[:80]

    def save_model(self, request: HttpRequest, obj: Indicator, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        if not change:
            obj.recorded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)  # the save queues a re-score
