from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The crisis-centre dashboards: overview, post page, forms, daily brief."""

    name = "readiness.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboards")
