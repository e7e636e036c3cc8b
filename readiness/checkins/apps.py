from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "readiness.checkins"
    label = "checkins"
    verbose_name = "Staff check-ins"
