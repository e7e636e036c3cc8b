from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import IssuedBrief


@admin.register(IssuedBrief)
class IssuedBriefAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic in the stubs only
    """Issued briefs are evidence: listed and read, never added, changed or deleted here."""

    list_display = ("issued_at", "issued_by_name", "classification", "covers_since", "posts")
    list_select_related = ()
    date_hierarchy = "issued_at"
    search_fields = ("issued_by_name", "classification")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
