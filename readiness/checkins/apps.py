from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    name = "readiness.checkins"
    label = "checkins"
    verbose_name = "Staff check-ins"

    def ready(self) -> None:
        # The morning brief shows each post's check-in results since the last brief
        # (readiness/briefs/hooks.py): the brief never imports this app.
        from readiness.briefs import hooks

        from .brief import results_since

        hooks.register(
            hooks.BriefSection(
                key="checkins",
                title=_("Check-in results"),
                template="checkins/brief_rows.html",
                read=results_since,
            )
        )
