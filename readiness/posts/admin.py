from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from readiness.engine.vocabulary import CONDITION_FIELDS, FIELDS_BY_KIND
from readiness.rosters.models import Community, School
from readiness.wording.vocabulary import shipped

from .models import ActionItem, AlertLevel, ExitRoute, Post, Trigger
from .services import post_ladder_copy


class ExitRouteInline(admin.TabularInline):
    model = ExitRoute
    extra = 0
    fields = [
        "key", "mode", "from_place", "to_place", "status", "seats_per_day", "lead_time_hours",
        "closes_at_threat", "usable_from", "verified_at",
    ]  # fmt: skip


class SchoolInline(admin.TabularInline):
    model = School
    extra = 0


class CommunityInline(admin.StackedInline):
    model = Community
    can_delete = False


@admin.register(Post)
class PostAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "country", "city", "region", "level", "level_name"]
    list_filter = ["region", "country", "level"]
    search_fields = ["code", "name", "city", "country"]
    inlines = [CommunityInline, ExitRouteInline, SchoolInline]
    filter_horizontal = ["security_officers"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        # One query for the list: the current level's name comes from a subquery.
        level_name = AlertLevel.objects.filter(post=OuterRef("pk"), rank=OuterRef("level")).values(
            "name"
        )
        posts: QuerySet[Post] = super().get_queryset(request)
        return posts.annotate(level_name=Subquery(level_name[:1]))

    @admin.display(description="current level", ordering="level_name")
    def level_name(self, obj: Post) -> str:
        return getattr(obj, "level_name", "") or "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Post | None = None) -> list[str]:
        # The level changes by recording a decision (the log is evidence), not by editing.
        return ["level"] if obj is not None else []

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm[Post],
        formsets: list[forms.BaseInlineFormSet[Any, Post, Any]],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        if not change:
            post_ladder_copy(post=form.instance)


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fields = ["order", "text", "ready_at", "ready_by"]
    raw_id_fields = ["ready_by"]


class TriggerForm(forms.ModelForm):
    """The kind's select names the condition fields of each kind: static/readiness/admin.js
    shows only the chosen kind's (without JavaScript every field shows, and the model's
    clean names any field the kind does not use)."""

    class Meta:
        model = Trigger
        fields = ["level", "name", "kind", "enabled", *CONDITION_FIELDS, "active", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields.get("kind")
        if kind is not None:
            kind.widget.attrs["data-condition-fields"] = json.dumps(
                [*CONDITION_FIELDS, "active", "reason"]
            )
            kind.widget.attrs["data-fields-by-kind"] = json.dumps(
                {k.value: sorted(names) for k, names in FIELDS_BY_KIND.items()}
            )
        # The watched level by its name, once the trigger's ladder is known (not a raw rank).
        level = self.instance.level if self.instance.level_id else None
        if level is not None and "margin_level" in self.fields:
            ladder = AlertLevel.objects.filter(post_id=level.post_id).order_by("rank")
            old_field = self.fields["margin_level"]
            self.fields["margin_level"] = forms.TypedChoiceField(
                label=old_field.label,
                help_text=old_field.help_text,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "---------")]
                + [(lv.rank, f"{lv.rank} · {shipped(lv.name)}") for lv in ladder],
            )


class TriggerInline(admin.StackedInline):
    model = Trigger
    form = TriggerForm
    extra = 0
    autocomplete_fields = ["route"]
    fieldsets = [
        (None, {"fields": [("name", "kind", "enabled")]}),
        (
            "Condition (the fields the kind uses)",
            {
                "fields": [
                    ("category", "threshold"),
                    ("count", "min_severity", "within_days"),
                    ("with_category", "with_min_severity"),
                    ("route", "mode", "below_seats"),
                    ("margin_level", "below_days"),
                    ("active", "reason"),
                ]
            },
        ),
    ]


class TemplateFilter(admin.SimpleListFilter):
    title = "ladder"
    parameter_name = "ladder"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [("template", "Default (template for new posts)"), ("posts", "Posts' own")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[AlertLevel]
    ) -> QuerySet[AlertLevel]:
        if self.value() == "template":
            return queryset.filter(post__isnull=True)
        if self.value() == "posts":
            return queryset.filter(post__isnull=False)
        return queryset


@admin.register(AlertLevel)
class AlertLevelAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "post", "quorum", "leaves_display"]
    list_filter = [TemplateFilter, "post"]
    list_select_related = ["post"]
    search_fields = ["name", "post__code"]
    autocomplete_fields = ["post"]
    inlines = [ActionItemInline, TriggerInline]

    @admin.display(description="who leaves")
    def leaves_display(self, obj: AlertLevel) -> str:
        return ", ".join(sorted(group.replace("_", " ") for group in obj.leaves)) or "—"


@admin.register(Trigger)
class TriggerAdmin(SimpleHistoryAdmin):
    form = TriggerForm
    list_display = ["name", "level", "level_post", "kind", "enabled"]
    list_filter = ["kind", "enabled", "level__post"]
    list_select_related = ["level", "level__post"]
    search_fields = ["name", "level__name", "level__post__code"]
    # Chosen by name (a search box), not typed as raw ids.
    autocomplete_fields = ["level", "route"]

    @admin.display(description="post", ordering="level__post__code")
    def level_post(self, obj: Trigger) -> str:
        return obj.level.post.code if obj.level.post else "template"


@admin.register(ExitRoute)
class ExitRouteAdmin(SimpleHistoryAdmin):
    list_display = [
        "key",
        "post",
        "mode",
        "status",
        "seats_per_day",
        "lead_time_hours",
        "verified_at",
    ]
    list_filter = ["mode", "status", "post"]
    list_select_related = ["post"]
    search_fields = ["key", "from_place", "to_place", "post__code"]
    autocomplete_fields = ["post"]
