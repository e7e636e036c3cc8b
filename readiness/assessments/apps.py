from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "readiness.assessments"
    label = "assessments"
