"""CSV/XLSX import and export of rosters (django-import-export).

Rows name their post by code. ``clean_model_instances`` runs each row through the model's
full_clean, so a bad row is reported with its field; the import runs in a transaction and
the admin refuses to confirm an import with any invalid row, so nothing is half-saved.
"""

from __future__ import annotations

from typing import Any

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from readiness.posts.models import Post

from .models import AssemblyPoint, School, StaffMember, Warden


class PostCodeWidget(ForeignKeyWidget):
    """A post by its code, with an error that says which code was not found."""

    def __init__(self) -> None:
        super().__init__(Post, field="code")

    def clean(self, value: object, row: dict[str, Any] | None = None, **kwargs: Any) -> Post | None:
        try:
            post: Post | None = super().clean(value, row, **kwargs)  # None for an empty cell
            return post
        except Post.DoesNotExist:
            raise ValueError(f"no post with code {value!r}") from None


class _PostRosterResource(resources.ModelResource):
    post = fields.Field(column_name="post", attribute="post", widget=PostCodeWidget())

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True


class StaffMemberResource(_PostRosterResource):
    class Meta(_PostRosterResource.Meta):
        model = StaffMember
        import_id_fields = ("post", "name")
        fields = (
            "post", "name", "role", "category", "essential", "headcount", "dependants",
            "email", "phone", "present", "last_confirmed_at",
        )  # fmt: skip


class SchoolResource(_PostRosterResource):
    class Meta(_PostRosterResource.Meta):
        model = School
        import_id_fields = ("post", "name")
        fields = ("post", "name", "pupils", "expatriate_staff", "is_open")


class WardenResource(_PostRosterResource):
    class Meta(_PostRosterResource.Meta):
        model = Warden
        import_id_fields = ("post", "zone", "name")
        fields = ("post", "zone", "name", "phone", "email", "last_confirmed_at")


class AssemblyPointResource(_PostRosterResource):
    class Meta(_PostRosterResource.Meta):
        model = AssemblyPoint
        import_id_fields = ("post", "name")
        fields = ("post", "name", "zone", "capacity", "address")
