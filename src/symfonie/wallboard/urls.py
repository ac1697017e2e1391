from django.urls import path

from symfonie.wallboard import views

app_name = "wallboard"

urlpatterns = [
    path("", views.board, name="board"),
    path("data.json", views.data, name="data"),
    path("agents/<int:user_id>/presence/", views.agent_presence, name="agent-presence"),
    path("agents/<int:user_id>/skills/", views.agent_skills, name="agent-skills"),
]
