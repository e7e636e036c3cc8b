from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefsConfig(AppConfig):
    """The morning brief's record: each brief an officer issues (who, when, under which
    marking), and what changed since the last one (docs/dashboards.md, "Daily brief")."""

    name = "readiness.briefs"
    label = "briefs"
    verbose_name = _("Issued briefs")
