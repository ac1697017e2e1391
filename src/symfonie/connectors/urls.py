"""Provider webhooks: ``/hooks/<kind>/<account>/``."""

from django.urls import path

app_name = "connectors"

urlpatterns: list = []
