"""The officer's form that starts a check-in, and the one question a staff member answers."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Answer, Scope

NOTE_MAX = 500


class StartForm(forms.Form):
    scope = forms.ChoiceField(label=_("Whom to ask"), choices=Scope.choices, initial=Scope.ALL)
    note = forms.CharField(
        label=_("A line for the message (optional)"),
        required=False,
        max_length=NOTE_MAX,
        help_text=_("For example where to go. Never a name or a phone number."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "checkin")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=Answer.choices)
    note = forms.CharField(required=False, max_length=NOTE_MAX)
