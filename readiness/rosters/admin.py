from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from readiness.posts import access

from .models import AssemblyPoint, Community, School, StaffMember, Warden
from .resources import (
    PERSONAL_FIELDS,
    AssemblyPointResource,
    SchoolResource,
    StaffMemberResource,
    WardenResource,
)


class RosterAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Import/export with a dry-run preview, plus change history, on a cheap list."""

    list_select_related = ["post"]
    autocomplete_fields = ["post"]
    list_per_page = 100


class PersonalRosterAdmin(RosterAdmin):
    """Rows that are people (staff, wardens). Without the personal-data permission
    (readiness/posts/access.py) the list shows no name, role, phone or e-mail and links to
    no row, the search looks at no name, a row's page, history and deletion are refused,
    there is no import, and the export leaves those columns out: counts, not people."""

    def get_list_display(self, request: HttpRequest) -> Any:
        columns = super().get_list_display(request)
        if access.sees_personal_data(request.user):
            return columns
        return [c for c in columns if c not in PERSONAL_FIELDS]

    def get_list_display_links(self, request: HttpRequest, list_display: Any) -> Any:
        if access.sees_personal_data(request.user):
            return super().get_list_display_links(request, list_display)
        return None

    def get_search_fields(self, request: HttpRequest) -> Any:
        fields = super().get_search_fields(request)
        if access.sees_personal_data(request.user):
            return fields
        return [f for f in fields if f not in PERSONAL_FIELDS]

    def get_actions(self, request: HttpRequest) -> Any:
        # "Delete selected" lists the rows by name before it asks.
        if access.sees_personal_data(request.user):
            return super().get_actions(request)
        return {}

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not access.sees_personal_data(request.user):
            return False
        return bool(super().has_view_permission(request, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not access.sees_personal_data(request.user):
            return False
        return bool(super().has_change_permission(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not access.sees_personal_data(request.user):
            return False
        return bool(super().has_delete_permission(request, obj))

    def has_import_permission(self, request: HttpRequest) -> bool:
        return access.sees_personal_data(request.user) and bool(
            super().has_import_permission(request)
        )

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> Any:
        return {
            **super().get_export_resource_kwargs(request, **kwargs),
            "personal": access.sees_personal_data(request.user),
        }


@admin.register(StaffMember)
class StaffMemberAdmin(PersonalRosterAdmin):
    resource_classes = [StaffMemberResource]
    list_display = [
        "name", "post", "category", "essential", "headcount", "dependants", "present",
        "contactable_display", "last_confirmed_at",
    ]  # fmt: skip
    list_filter = ["category", "essential", "present", "post"]
    search_fields = ["name", "role", "email", "post__code"]

    @admin.display(description="contactable", boolean=True)
    def contactable_display(self, obj: StaffMember) -> bool:
        return obj.contactable


@admin.register(School)
class SchoolAdmin(RosterAdmin):
    resource_classes = [SchoolResource]
    list_display = ["name", "post", "pupils", "expatriate_staff", "is_open"]
    list_filter = ["is_open", "post"]
    search_fields = ["name", "post__code"]


@admin.register(Community)
class CommunityAdmin(SimpleHistoryAdmin):
    list_display = ["post", "registered", "dual_nationals", "unregistered_estimate", "updated_at"]
    list_select_related = ["post"]
    autocomplete_fields = ["post"]
    search_fields = ["post__code", "post__name"]


@admin.register(Warden)
class WardenAdmin(PersonalRosterAdmin):
    resource_classes = [WardenResource]
    list_display = ["name", "zone", "post", "phone", "last_confirmed_at"]
    list_filter = ["post"]
    search_fields = ["name", "zone", "post__code"]


@admin.register(AssemblyPoint)
class AssemblyPointAdmin(RosterAdmin):
    resource_classes = [AssemblyPointResource]
    list_display = ["name", "zone", "capacity", "post"]
    list_filter = ["post"]
    search_fields = ["name", "zone", "post__code"]
