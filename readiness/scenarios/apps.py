from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "readiness.scenarios"
    label = "scenarios"
