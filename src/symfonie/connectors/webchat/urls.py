"""Web chat: the customer's side of a chat on the tenant's website (``/chat/``)."""

from django.urls import path

from symfonie.connectors.webchat import views

app_name = "webchat"

urlpatterns = [
    path("<slug:tenant_slug>/", views.start, name="start"),
    path("<slug:tenant_slug>/start/", views.begin, name="begin"),
    path("<slug:tenant_slug>/c/<str:token>/", views.chat, name="conversation"),
    path("<slug:tenant_slug>/c/<str:token>/messages", views.messages, name="messages"),
    path("<slug:tenant_slug>/c/<str:token>/end", views.end, name="end"),
]
