"""CSV/XLSX import and export of rosters (django-import-export).

Rows name their post by code. ``clean_model_instances`` runs each row through the model's
full_clean, so a bad row is reported with its field (a phone that is not a phone number,
an e-mail that is not an address); the import runs in a transaction and the admin refuses
to confirm an import with any invalid row, so nothing is half-saved.

Exports are safe to open in a spreadsheet: a text cell that a spreadsheet would run as a
formula (it starts with = + - @, a tab or a carriage return) is written with a leading
apostrophe, so it comes back as text in CSV and XLSX alike (OWASP "CSV injection"). An
import takes that apostrophe off again, so an exported file imports unchanged. Without the
personal-data permission the names, roles, phones and e-mails are left out.
"""

from __future__ import annotations

from typing import Any

from import_export import fields, resources
from import_export.results import Result
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


# Names and contacts of people: shown only with rosters.view_personal_data
# (readiness/posts/access.py).
PERSONAL_FIELDS = frozenset({"name", "role", "email", "phone"})
# What makes a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> object:
    """A text that a spreadsheet would run as a formula, as text: a leading apostrophe.
    Spaces before the formula sign do not hide it (spreadsheets skip them)."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def formula_unescaped(value: object) -> object:
    """What formula_safe wrote, as it was."""
    if isinstance(value, str) and value.startswith("'") and formula_safe(value[1:]) == value:
        return value[1:]
    return value


class LineNumberedResult(Result):
    """Each bad row numbered by its line in the file, the header being line 1 (as a text
    editor or a spreadsheet numbers it), where django-import-export counts data rows."""

    def append_invalid_row(self, number: int, row: Any, validation_error: Any) -> None:
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number: int, row: Any, errors: Any) -> None:
        super().append_error_row(number + 1, row, errors)

    def row_errors(self) -> list[tuple[int, Any]]:
        return [(row.number, row.errors) for row in self.error_rows]


class _PostRosterResource(resources.ModelResource):
    post = fields.Field(column_name="post", attribute="post", widget=PostCodeWidget())

    def get_result_class(self) -> type[Result]:
        return LineNumberedResult

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        """The existing row to update, found by post and name; None (a new row) when the
        post code names no post: the row is then refused with its field's error like any
        other invalid row, and every bad row is reported, not only the first."""
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def __init__(self, *, personal: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.personal = personal

    def get_export_fields(self, selected_fields: Any = None) -> list[Any]:
        exported = super().get_export_fields(selected_fields)
        if self.personal:
            return list(exported)
        return [f for f in exported if f.attribute not in PERSONAL_FIELDS]

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> object:
        return formula_safe(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        for key in list(row.keys()):
            row[key] = formula_unescaped(row[key])
        super().before_import_row(row, **kwargs)

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
        fields = (
            "post", "zone", "name", "phone", "email", "last_confirmed_at", "latitude", "longitude",
        )  # fmt: skip


class AssemblyPointResource(_PostRosterResource):
    class Meta(_PostRosterResource.Meta):
        model = AssemblyPoint
        import_id_fields = ("post", "name")
        fields = ("post", "name", "zone", "capacity", "address", "latitude", "longitude")
