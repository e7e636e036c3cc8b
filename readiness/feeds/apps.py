from django.apps import AppConfig


class FeedsConfig(AppConfig):
    """Imports from published sources: ACLED event files and other governments' travel
    advisories (docs/feeds.md)."""

    name = "readiness.feeds"
    label = "feeds"
    verbose_name = "Feed imports"
