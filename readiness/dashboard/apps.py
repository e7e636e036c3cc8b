from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The crisis-centre dashboards: overview, post page, forms, daily brief."""

    name = "readiness.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from readiness import signin

        # The idle timeout counts from the sign-in (readiness/signin.py).
        user_logged_in.connect(signin.activity_starts, dispatch_uid="readiness-activity")
