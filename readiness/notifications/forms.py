"""The settings page's forms. They validate input; the writes are services.py's."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from readiness.posts import access
from readiness.posts.models import Post

from .models import Scope

# Every IANA zone the machine knows.
_ZONES = sorted(zoneinfo.available_timezones() - {"localtime"})


class SubscriptionForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Which posts"), choices=Scope.choices, widget=forms.RadioSelect, initial=Scope.ALL
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    posts = forms.ModelMultipleChoiceField(
        label=_("Posts"),
        queryset=Post.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    on_level = forms.BooleanField(label=_("Its recommended level changes"), required=False)
    on_verdict = forms.BooleanField(label=_("Its verdict changes"), required=False)
    on_failure = forms.BooleanField(label=_("It can no longer be re-scored"), required=False)
    by_email = forms.BooleanField(label=_("Also send me an e-mail"), required=False)

    def __init__(self, *args: Any, user: Any, regions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = [("", "—"), *((name, name) for name in regions)]
        posts = self.fields["posts"]
        assert isinstance(posts, forms.ModelMultipleChoiceField)
        posts.queryset = access.posts_visible_to(user).order_by("code")
        if not self.is_bound:
            self.initial.setdefault("on_level", True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scope = data.get("scope")
        if scope == Scope.REGION and not data.get("region"):
            self.add_error("region", _("Choose a region."))
        if scope == Scope.POSTS and not data.get("posts"):
            self.add_error("posts", _("Choose at least one post."))
        if not (data.get("on_level") or data.get("on_verdict") or data.get("on_failure")):
            self.add_error("on_level", _("Choose at least one kind of change."))
        return data


class QuietHoursForm(forms.Form):
    quiet_from = forms.TimeField(
        label=_("Quiet from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_until = forms.TimeField(
        label=_("Quiet until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    timezone_name = forms.ChoiceField(
        label=_("Time zone"), choices=[(zone, zone) for zone in _ZONES], initial="UTC"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("quiet_from"), data.get("quiet_until")
        if "quiet_from" in data and "quiet_until" in data and (start is None) != (end is None):
            self.add_error(
                "quiet_until" if end is None else "quiet_from",
                _("Give both the start and the end of the quiet hours, or neither."),
            )
        elif start is not None and start == end:
            self.add_error("quiet_until", _("The quiet hours must end at another time."))
        return data
