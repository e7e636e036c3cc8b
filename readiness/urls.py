from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Readiness administration"
admin.site.site_title = "Readiness"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("readiness.indicators.urls")),
    path("", include("readiness.dashboard.urls")),
]
