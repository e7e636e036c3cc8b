from django.conf import settings
from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.urls import URLPattern, URLResolver, include, path

admin.site.site_header = "Readiness administration"
admin.site.site_title = "Readiness"

# Sign-in, sign-out and password change; the password-reset pages only when mail is
# configured (settings.PASSWORD_RESET_ENABLED): without mail nobody could receive the link.
accounts: list[URLPattern | URLResolver] = [
    pattern
    for pattern in auth_urls.urlpatterns
    if settings.PASSWORD_RESET_ENABLED
    or not str(getattr(pattern, "name", "")).startswith("password_reset")
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include(accounts)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("readiness.indicators.urls")),
    path("", include("readiness.checkins.urls")),
    path("notifications/", include("readiness.notifications.urls")),
    path("", include("readiness.dashboard.urls")),
]
