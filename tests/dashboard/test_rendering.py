"""The fast widget renderer writes the same markup as Django's widget templates."""

from __future__ import annotations

import pytest
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html

from readiness.dashboard.forms import (
    DecisionForm,
    IndicatorFilterForm,
    IndicatorForm,
    OverviewFilterForm,
    RouteCheckForm,
    StaffConfirmForm,
)
from readiness.dashboard.rendering import renderer

pytestmark = pytest.mark.django_db


def forms(post):  # type: ignore[no-untyped-def]
    levels = list(post.levels.all())
    return [
        OverviewFilterForm(initial={"region": "Sahel", "q": 'a "quoted" <b>'}, regions=["Sahel"]),
        IndicatorFilterForm({"category": "supply", "ongoing": "on", "limit": "100"}),
        IndicatorForm(),
        IndicatorForm({"text": "<script>x</script>", "severity": "9", "ongoing": "on"}),
        DecisionForm(initial={"to_level": 2, "assessment": 7}, levels=levels, current=0),
        DecisionForm({"rationale": "Tom & Jerry"}, levels=levels, current=1),
        RouteCheckForm(prefix="route-3", initial={"status": "open", "seats_per_day": 80}),
        StaffConfirmForm({"staff-1-present": "on", "staff-1-email": "bad"}, prefix="staff-1"),
    ]


def test_widgets_render_as_with_django_templates(post_a):  # type: ignore[no-untyped-def]
    django_renderer = DjangoTemplates()
    for form in forms(post_a):
        for bound in form:
            fast = bound.as_widget()
            form.renderer = django_renderer
            slow = bound.as_widget()
            form.renderer = renderer
            assert parse_html(fast) == parse_html(slow), (form, bound.name, fast, slow)
