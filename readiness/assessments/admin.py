from django.contrib import admin
from django.http import HttpRequest

from .models import Assessment, Decision, RecommendationChange


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence: shown, never added, changed or deleted through the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = [
        "decided_at", "post", "from_level", "to_level", "decided_by", "decided_by_name", "origin",
        "assessment",
    ]  # fmt: skip
    # "legacy": recorded without an assessment, before it was required (the brief flags them).
    list_filter = ["origin", "post", "to_level"]
    list_select_related = ["post", "decided_by", "assessment__post"]
    search_fields = ["rationale", "post__code", "decided_by_name"]
    date_hierarchy = "decided_at"


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = [
        "evaluated_at", "post", "current_level", "recommended_level", "verdict", "threat_index",
        "trend_per_day", "next_level_margin_days", "preparedness",
    ]  # fmt: skip
    list_filter = ["verdict", "post"]
    list_select_related = ["post"]
    search_fields = ["post__code"]
    date_hierarchy = "evaluated_at"


@admin.register(RecommendationChange)
class RecommendationChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at", "post", "from_level", "to_level", "from_verdict", "to_verdict", "processed_at",
    ]  # fmt: skip
    list_filter = ["to_verdict", "post"]
    list_select_related = ["post"]
    search_fields = ["post__code"]
