from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("events/", views.overview_events, name="overview_events"),
    path("brief/", views.brief, name="brief"),
    path("brief/issue/", views.brief_issue_view, name="brief_issue"),
    path("posts/<str:code>/", views.post_detail, name="post"),
    path("posts/<str:code>/poll/", views.post_poll, name="post_poll"),
    path("posts/<str:code>/events/", views.post_events, name="post_events"),
    path("posts/<str:code>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("posts/<str:code>/decisions/new/", views.decision_create, name="decision_create"),
    path(
        "posts/<str:code>/indicators/<int:pk>/withdraw/",
        views.indicator_withdraw_create,
        name="indicator_withdraw",
    ),
    path(
        "posts/<str:code>/routes/<int:pk>/check/",
        views.route_check_create,
        name="route_check",
    ),
    path(
        "posts/<str:code>/staff/<int:pk>/confirm/",
        views.staff_confirm_create,
        name="staff_confirm",
    ),
    path("posts/<str:code>/actions/<int:pk>/tick/", views.action_tick, name="action_tick"),
]
