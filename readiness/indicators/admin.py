from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from readiness.posts.limits import indicator_observed_recently

from .corrections import CORRECTABLE, REASON_MAX_LENGTH, indicator_correct, indicator_withdraw
from .models import Feed, Indicator
from .services import feed_token_issue


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    """Feeds push indicators over the API (docs/api.md). A token is shown once, when the
    feed is created or a new one is issued; only its digest is kept."""

    list_display = ["name", "reliability", "is_active", "can_read", "token_hint", "last_used_at"]
    list_filter = ["is_active", "can_read", "reliability"]
    search_fields = ["name"]
    filter_horizontal = ["posts"]
    readonly_fields = ["token_hint", "created_at", "last_used_at"]
    actions = ["issue_new_token"]

    def save_model(
        self, request: HttpRequest, obj: Feed, form: forms.ModelForm[Feed], change: bool
    ) -> None:
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


class IndicatorAdminForm(forms.ModelForm):
    """A new indicator typed in the admin: the model's rules, and the age limit of what
    people type (readiness/posts/limits.py): an observation dated more than five years ago
    is a mistyped year. A stored indicator is never edited here (IndicatorAdmin)."""

    class Meta:
        model = Indicator
        fields = [
            "post", "category", "severity", "reliability", "credibility", "source", "text",
            "observed_at", "expires_at", "ongoing", "ended_at", "external_id", "event",
            "de_escalation",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        super().clean()  # a ModelForm's clean returns its cleaned_data, never None
        cleaned = self.cleaned_data
        if "observed_at" in self.changed_data:
            try:
                indicator_observed_recently(cleaned.get("observed_at"), timezone.now())
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why it is withdrawn",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        help_text="Part of the record, shown on the post's indicator timeline.",
    )


class CorrectForm(forms.ModelForm):
    """The corrected values, prefilled with the original's; saved as a new indicator by
    corrections.indicator_correct (never on the original)."""

    reason = forms.CharField(
        label="What was wrong",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        help_text="Part of the record: the original is withdrawn with this reason.",
    )

    class Meta:
        model = Indicator
        fields = list(CORRECTABLE)


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # untyped package: its history view
    """Indicators are evidence: a stored one is shown read-only and never deleted here (nor
    anywhere: the database refuses it on PostgreSQL). It is put right by a correction (a
    new indicator that supersedes it) or withdrawn, with who, when and why: the buttons on
    its page, for users with the "change indicator" permission."""

    form = IndicatorAdminForm
    change_form_template = "admin/indicators/indicator/change_form.html"
    list_display = [
        "observed_at", "post", "category", "severity", "reliability", "credibility", "ongoing",
        "de_escalation", "event", "ended_at", "short_text", "state",
    ]  # fmt: skip
    list_filter = [
        "category", "severity", "reliability", "ongoing", "de_escalation",
        ("withdrawn_at", admin.EmptyFieldListFilter), "feed", "post",
    ]  # fmt: skip
    list_select_related = ["post", "correction"]
    search_fields = ["text", "source", "external_id", "event", "post__code"]
    autocomplete_fields = ["post"]
    date_hierarchy = "observed_at"
    readonly_fields = ["recorded_at", "recorded_by", "feed"]
    stored_readonly_fields = [
        "post", "category", "severity", "reliability", "credibility", "source", "text",
        "observed_at", "expires_at", "ongoing", "ended_at", "external_id", "event",
        "de_escalation", "recorded_at", "recorded_by", "feed", "corrects", "corrected_by",
        "withdrawn_at", "withdrawn_by", "withdrawal_reason",
    ]  # fmt: skip

    @admin.display(description="text")
    def short_text(self, obj: Indicator) -> str:
        return obj.text[:80]

    @admin.display(description="state")
    def state(self, obj: Indicator) -> str:
        return indicator_state(obj)

    @admin.display(description="corrected by")
    def corrected_by(self, obj: Indicator) -> str:
        correction = getattr(obj, "correction", None)
        if correction is None:
            return "—"
        url = reverse("admin:indicators_indicator_change", args=[correction.pk])
        return format_html('<a href="{}">#{}</a>', url, correction.pk)

    def get_readonly_fields(self, request: HttpRequest, obj: Indicator | None = None) -> Any:
        return self.stored_readonly_fields if obj is not None else self.readonly_fields

    def get_fields(self, request: HttpRequest, obj: Indicator | None = None) -> Any:
        if obj is None:
            return [*IndicatorAdminForm.Meta.fields, *self.readonly_fields]
        return self.stored_readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Nothing of a stored indicator is edited: the page is a view, corrections and
        # withdrawals have their own pages (below).
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def may_amend(self, request: HttpRequest) -> bool:
        return request.user.has_perm("indicators.change_indicator")

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Indicator | None = None,
    ) -> Any:
        context["may_amend"] = (
            obj is not None and obj.withdrawn_at is None and self.may_amend(request)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(
        self, request: HttpRequest, obj: Indicator, form: IndicatorAdminForm, change: bool
    ) -> None:
        if change:  # never reached: a stored indicator has no change permission here
            raise PermissionDenied
        if request.user.is_authenticated:  # always so in the admin
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)  # the save queues a re-score

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="indicators_indicator_withdraw",
            ),
            path(
                "<path:object_id>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="indicators_indicator_correct",
            ),
        ]
        theirs: list[URLPattern] = super().get_urls()
        return own + theirs

    def _amendable(self, request: HttpRequest, object_id: str) -> Indicator:
        if not self.may_amend(request):
            raise PermissionDenied
        indicator = self.get_object(request, object_id)
        if not isinstance(indicator, Indicator):
            raise Http404("No such indicator.")
        return indicator

    def _amend_page(
        self, request: HttpRequest, indicator: Indicator, form: forms.BaseForm, title: str
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": indicator,
            "title": title,
            "form": form,
            "state": indicator_state(indicator),
        }
        return TemplateResponse(
            request,
            "admin/indicators/indicator/amend.html",
            context,
            status=422 if form.is_bound and form.errors else 200,
        )

    def withdraw_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        indicator = self._amendable(request, object_id)
        form = WithdrawForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                indicator_withdraw(
                    indicator=indicator, reason=form.cleaned_data["reason"], user=request.user
                )
            except ValidationError as exc:
                _errors_onto(form, exc)
            else:
                messages.success(request, f"Indicator #{indicator.pk} withdrawn.")
                return redirect("admin:indicators_indicator_change", indicator.pk)
        return self._amend_page(request, indicator, form, f"Withdraw indicator #{indicator.pk}")

    def correct_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        indicator = self._amendable(request, object_id)
        form = CorrectForm(
            request.POST or None,
            instance=Indicator(post=indicator.post),
            initial={name: getattr(indicator, name) for name in CORRECTABLE},
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("reason")
            try:
                corrected = indicator_correct(
                    indicator=indicator, reason=reason, user=request.user, **data
                )
            except ValidationError as exc:
                _errors_onto(form, exc)
            else:
                messages.success(
                    request, f"Indicator #{indicator.pk} corrected by #{corrected.pk}."
                )
                return redirect("admin:indicators_indicator_change", corrected.pk)
        return self._amend_page(request, indicator, form, f"Correct indicator #{indicator.pk}")


def _errors_onto(form: forms.BaseForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def indicator_state(indicator: Indicator) -> str:
    """Counted, withdrawn or superseded, and whether it corrects another: the admin's
    words (the dashboard's are in readiness/dashboard/pages.py)."""
    parts = []
    if indicator.corrects_id is not None:
        parts.append(f"corrects #{indicator.corrects_id}")
    correction = getattr(indicator, "correction", None)
    if correction is not None:
        parts.append(f"superseded by #{correction.pk}")
    elif indicator.withdrawn_at is not None:
        parts.append(f"withdrawn {indicator.withdrawn_at:%Y-%m-%d %H:%M}")
    return ", ".join(parts) or "—"
