from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "readiness.indicators"
    label = "indicators"
