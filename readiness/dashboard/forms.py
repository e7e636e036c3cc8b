"""Forms of the dashboards. They validate input and show errors in place; the writes are the
services' (readiness.*.services, readiness.assessments.decisions)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from readiness.assessments.models import Verdict
from readiness.indicators.corrections import REASON_MAX_LENGTH
from readiness.indicators.models import Credibility, Indicator, Reliability
from readiness.posts.limits import EARLIEST_DATE, LATEST_DATE, ROUTE_SEATS_MAX
from readiness.posts.models import AlertLevel, Category, RouteStatus
from readiness.wording.vocabulary import shipped

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field ``name``, a choice field (``form.fields`` is typed as any field)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field


class DateTimeLocalInput(forms.DateTimeInput):
    """A local date and time; the browser offers only 1900..2100 (limits.EARLIEST_DATE,
    LATEST_DATE), the model refuses the rest naming the field, in the post's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        bounds = {
            "min": f"{EARLIEST_DATE.year}-01-01T00:00",
            "max": f"{LATEST_DATE.year - 1}-12-31T23:59",
        }
        super().__init__(attrs={**bounds, **(attrs or {})}, format=DATETIME_LOCAL)


class OverviewFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    region = forms.ChoiceField(label=_("Region"), required=False)
    verdict = forms.ChoiceField(label=_("Gauge"), required=False)

    def __init__(self, *args: Any, regions: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "region").choices = [("", _("All regions")), *((r, r) for r in regions)]
        _choice_field(self, "verdict").choices = [
            ("", _("All")),
            *Verdict.choices,
            ("not_assessed", _("Not assessed")),
        ]
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Code, name, city or country")}
        )


class IndicatorFilterForm(forms.Form):
    PERIODS = [
        ("", _("Any time")),
        ("1", _("Last 24 hours")),
        ("7", _("Last 7 days")),
        ("30", _("Last 30 days")),
        ("90", _("Last 90 days")),
    ]

    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *Category.choices]
    )
    min_severity = forms.TypedChoiceField(
        label=_("Severity at least"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *((str(n), str(n)) for n in range(1, 6))],
    )
    days = forms.TypedChoiceField(
        label=_("Observed"), required=False, coerce=int, empty_value=None, choices=PERIODS
    )
    ongoing = forms.BooleanField(label=_("Ongoing conditions only"), required=False)
    limit = forms.TypedChoiceField(
        label=_("Show"),
        required=False,
        coerce=int,
        empty_value=None,  # empty: the default of IndicatorFilters.limit (25)
        choices=[("25", "25"), ("100", "100"), ("500", "500")],
    )


class IndicatorForm(forms.ModelForm):
    """Validated with the model's own rules (an observation from the future is refused);
    saved by readiness.indicators.services.indicator_record."""

    class Meta:
        model = Indicator
        fields = [
            "category",
            "severity",
            "reliability",
            "credibility",
            "source",
            "text",
            "observed_at",
            "ongoing",
            "expires_at",
            "event",
            "de_escalation",
        ]
        labels = {
            "category": _("Category"),
            "severity": _("Severity (1 minor … 5 extreme)"),
            "reliability": _("Source reliability"),
            "credibility": _("Information credibility"),
            "source": _("Source"),
            "text": _("What was observed"),
            "observed_at": _("Observed at"),
            "ongoing": _("Ongoing condition (weighs fully until marked ended)"),
            "expires_at": _("Expires at (optional)"),
            "event": _("Event (optional)"),
            "de_escalation": _("De-escalation (it lowers the threat)"),
        }
        widgets = {
            "severity": forms.Select(choices=[("", "—"), *((n, str(n)) for n in range(1, 6))]),
            "text": forms.Textarea(attrs={"rows": 3}),
            "observed_at": DateTimeLocalInput(),
            "expires_at": DateTimeLocalInput(),
        }
        help_texts = {
            "severity": "",
            "event": _(
                "A short key for the event this reports, e.g. kayes-road-blockade. Give the "
                "same key to every report of one event: they count once, and a later one "
                "re-confirms an ongoing condition. Leave empty for an event of its own."
            ),
            "de_escalation": _("A route reopened, a ceasefire, a curfew lifted."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "category").choices = [("", "—"), *Category.choices]
        _choice_field(self, "reliability").choices = [("", "—"), *Reliability.choices]
        _choice_field(self, "credibility").choices = [("", "—"), *Credibility.choices]
        if not self.is_bound:
            self.initial.setdefault(
                "observed_at", timezone.localtime().replace(second=0, microsecond=0)
            )


class DecisionForm(forms.Form):
    to_level = forms.TypedChoiceField(label=_("New level"), coerce=int)
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why, in a few sentences: this goes into the decision log."),
    )
    # The assessment the decision is taken against: required (readiness.assessments
    # .decisions.decision_record refuses a decision without one, or with another post's).
    assessment = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "required": _(
                "A decision is taken against the post's newest assessment: none was given. "
                "Review the assessment now shown before deciding."
            ),
            "invalid": _("That is not an assessment of this post."),
            "min_value": _("That is not an assessment of this post."),
            "max_value": _("That is not an assessment of this post."),
        },
    )
    against_recommendation_confirmed = forms.BooleanField(
        label=_("I confirm this decision goes against the recommended level"),
        required=False,
        help_text=_("Needed only when the new level differs from the recommended one."),
    )
    # Re-authentication (readiness/dashboard/reauth.py): asked when the sign-in is older
    # than settings.DECISION_REAUTH_MINUTES. Never rendered back.
    password = forms.CharField(
        label=_("Your password"),
        required=False,
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(
        self, *args: Any, levels: Iterable[AlertLevel] = (), current: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "to_level").choices = [
            (level.rank, f"{level.rank} · {shipped(level.name)}")
            for level in levels
            if level.rank != current
        ]
        self.fields["password"].help_text = _(
            "Needed only if you signed in more than %(minutes)s minutes ago: a level "
            "decision is recorded by the officer at the screen."
        ) % {"minutes": settings.DECISION_REAUTH_MINUTES}


class IndicatorWithdrawForm(forms.Form):
    """Withdraw an indicator from the post page's timeline (readiness.indicators
    .corrections.indicator_withdraw): it stays on the timeline, no longer counts, and says
    who withdrew it, when and why."""

    reason = forms.CharField(
        label=_("Why it is withdrawn"), max_length=REASON_MAX_LENGTH, strip=True
    )


class RouteCheckForm(forms.Form):
    """A route checked now. Seats above the physical ceiling are refused here; a figure far
    above the route's previous one is refused by the service (posts.services.route_check)
    until the officer ticks ``seats_confirmed``, which the form then shows."""

    status = forms.ChoiceField(label=_("Status"), choices=RouteStatus.choices)
    seats_per_day = forms.IntegerField(
        label=_("Seats/day"),
        min_value=0,
        max_value=ROUTE_SEATS_MAX,
        required=False,
        error_messages={
            "max_value": _(
                "More seats a day than any route carries (at most %(limit_value)s): "
                "check the figure."
            )
        },
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    seats_confirmed = forms.BooleanField(label=_("I confirm this figure"), required=False)

    @property
    def asks_confirmation(self) -> bool:
        """Show the confirmation box: the figure was refused as implausible, or the box is
        already ticked."""
        if not self.is_bound:
            return False
        if self.errors and any(
            error.code == "confirm" for error in self.errors.as_data().get("seats_per_day", [])
        ):
            return True
        return bool(self["seats_confirmed"].value())


class StaffConfirmForm(forms.Form):
    """Presence and contact. Unticking "Still in the country" for someone present is refused
    by the service (rosters.services.staff_confirm) until ``departure_confirmed`` is ticked,
    which the form then shows."""

    present = forms.BooleanField(label=_("Still in the country"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("Email"), required=False)
    departure_confirmed = forms.BooleanField(label=_("Yes, they have left"), required=False)

    @property
    def asks_confirmation(self) -> bool:
        if not self.is_bound:
            return False
        if self.errors and any(
            error.code == "confirm" for error in self.errors.as_data().get("present", [])
        ):
            return True
        return bool(self["departure_confirmed"].value())


class ActionTickForm(forms.Form):
    ready = forms.BooleanField(required=False)
