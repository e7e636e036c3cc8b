from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import AssemblyPoint, Community, School, StaffMember, Warden
from .resources import AssemblyPointResource, SchoolResource, StaffMemberResource, WardenResource


class RosterAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Import/export with a dry-run preview, plus change history, on a cheap list."""

    list_select_related = ["post"]
    autocomplete_fields = ["post"]
    list_per_page = 100


@admin.register(StaffMember)
class StaffMemberAdmin(RosterAdmin):
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
class WardenAdmin(RosterAdmin):
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
