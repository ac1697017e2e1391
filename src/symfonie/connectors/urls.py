"""Provider webhooks: ``/hooks/<kind>/<account>/``."""

from django.urls import path

from symfonie.connectors import views

app_name = "connectors"

urlpatterns = [
    path("<slug:kind>/<slug:key>/", views.webhook, name="webhook"),
]
