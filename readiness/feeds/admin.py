"""Admin: the log of feed imports, and the pages that upload an ACLED file or a travel
advisory document (docs/feeds.md). The pages load, validate, call the service, render."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from readiness.indicators.models import Feed

from .advisories import MAX_BYTES, AdvisoryError
from .models import AcledVersion, AdvisoryLevel, FeedImport
from .services import (
    DEFAULT_ADVISORY_FEEDS,
    ImportRefused,
    acled_import,
    advisories_government,
    advisories_import,
    feed_for_import,
)


class ImportForm(forms.Form):
    feed = forms.ModelChoiceField(
        queryset=Feed.objects.filter(is_active=True),
        required=False,
        help_text="The feed whose grade and posts the indicators take. Empty: the default "
        "feed of the source (created on first use for every post).",
    )
    file = forms.FileField()


@admin.register(FeedImport)
class FeedImportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic in the stubs only
    """Every import, refused ones too, read-only: the record of what came in and why."""

    change_list_template = "admin/feeds/feedimport/change_list.html"
    list_display = ["started_at", "kind", "feed", "file_name", "ok", "created", "corrected",
                    "unchanged", "skipped", "by"]  # fmt: skip
    list_filter = ["kind", "ok"]
    list_select_related = ["feed", "by"]
    search_fields = ["file_name", "summary"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("acled/", self.admin_site.admin_view(self.acled_view), name="feeds_acled"),
            path(
                "advisories/",
                self.admin_site.admin_view(self.advisories_view),
                name="feeds_advisories",
            ),
        ]
        return own + super().get_urls()

    def _may_import(self, request: HttpRequest) -> None:
        # Importing writes indicators: the right to add them is the right to import.
        if not request.user.has_perm("indicators.add_indicator"):
            raise PermissionDenied

    def acled_view(self, request: HttpRequest) -> HttpResponse:
        self._may_import(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            feed = form.cleaned_data["feed"] or feed_for_import(name="ACLED", reliability="B")[0]
            upload = form.cleaned_data["file"]
            text = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
            try:
                result = acled_import(
                    feed=feed, file=text, file_name=upload.name, user=request.user
                )
            except ImportRefused as exc:
                form.add_error("file", f"Nothing imported: {exc}")
            else:
                messages.success(request, f"{upload.name}: {result.summary()}")
                return HttpResponseRedirect(reverse("admin:feeds_feedimport_changelist"))
        return self._page(request, form, "Import an ACLED file", "acled")

    def advisories_view(self, request: HttpRequest) -> HttpResponse:
        self._may_import(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            document = upload.read(MAX_BYTES + 1)
            try:
                feed = form.cleaned_data["feed"]
                if feed is None:
                    government = advisories_government(document) or "US"
                    feed = feed_for_import(
                        name=DEFAULT_ADVISORY_FEEDS[government], reliability="A"
                    )[0]
                result = advisories_import(
                    feed=feed, document=document, file_name=upload.name, user=request.user
                )
            except AdvisoryError as exc:
                form.add_error("file", f"Nothing imported: {exc}")
            except ImportRefused as exc:
                form.add_error("file", f"Nothing imported: {exc}")
            else:
                messages.success(request, f"{upload.name}: {result.summary()}")
                return HttpResponseRedirect(reverse("admin:feeds_feedimport_changelist"))
        return self._page(request, form, "Import travel advisories", "advisories")

    def _page(self, request: HttpRequest, form: ImportForm, title: str, kind: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "kind": kind,
        }
        status = 400 if form.errors else 200
        return TemplateResponse(request, "admin/feeds/import.html", context, status=status)


@admin.register(AdvisoryLevel)
class AdvisoryLevelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic in the stubs only
    """The last level seen per government and country: what the next import compares with."""

    list_display = ["government", "country", "step", "label", "published_at", "seen_at"]
    list_filter = ["government", "step"]
    search_fields = ["country", "label"]
    readonly_fields = ["government", "country", "step", "label", "published_at", "seen_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AcledVersion)
class AcledVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic in the stubs only
    list_display = ["event_id", "version", "feed", "imported_at"]
    list_select_related = ["feed"]
    search_fields = ["event_id"]
    readonly_fields = ["feed", "event_id", "version", "imported_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
