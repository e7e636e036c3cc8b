from django.urls import path

from . import views

app_name = "checkins"

urlpatterns = [
    path("posts/<str:code>/checkins/start/", views.start, name="start"),
    path("posts/<str:code>/checkins/board/", views.board, name="board"),
    path("checkin/<str:token>/", views.answer, name="answer"),
]
