"""Readiness: evacuation-readiness decision support for a crisis centre.

The Celery app (readiness/celery.py) is loaded when Django starts, by the assessments
app's ready(), not here: importing ``readiness.engine`` (pure Python) must not load
Celery or Django settings. ``celery -A readiness`` finds ``readiness.celery`` by itself.
"""
