from django.apps import AppConfig


class RostersConfig(AppConfig):
    name = "readiness.rosters"
    label = "rosters"
