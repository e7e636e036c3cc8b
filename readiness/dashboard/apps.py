from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The crisis-centre dashboards: overview, post page, forms, daily brief."""

    name = "readiness.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .reauth import note_sign_in

        # The decision form asks for the password again once the sign-in is old.
        user_logged_in.connect(note_sign_in, dispatch_uid="dashboard-reauth-sign-in")

        from readiness import signin

        # The idle timeout counts from the sign-in (readiness/signin.py).
        user_logged_in.connect(signin.activity_starts, dispatch_uid="readiness-activity")
