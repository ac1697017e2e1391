from django.urls import path

from symfonie.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("presence/", views.presence, name="presence"),
    path("state/", views.state_json, name="state"),
    path("contacts/<int:contact_id>/conversation/", views.conversation_tab, name="conversation"),
    path("contacts/<int:contact_id>/messages/", views.message_list, name="messages"),
    path("contacts/<int:contact_id>/panel/", views.customer_panel, name="panel"),
    path("contacts/<int:contact_id>/canned/<int:pk>/", views.canned_reply, name="canned"),
]
