from django.urls import path

from . import api, schema_views

app_name = "api"

urlpatterns = [
    path("indicators", api.indicators_post, name="indicators"),
    path("cap", api.cap_post, name="cap"),
    path("openapi.json", schema_views.openapi_json, name="openapi"),
    path("docs/", schema_views.api_docs, name="docs"),
    path("overview", api.overview_get, name="overview"),
    path("posts/<str:code>/assessment", api.post_assessment_get, name="post-assessment"),
]
