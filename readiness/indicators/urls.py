from django.urls import path

from . import api

app_name = "api"

urlpatterns = [
    path("indicators", api.indicators_post, name="indicators"),
    path("cap", api.cap_post, name="cap"),
]
