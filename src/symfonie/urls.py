from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from symfonie.api.v1 import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("hooks/", include("symfonie.connectors.urls")),
    path("reports/", include("symfonie.reporting.urls")),
    path("wfm/", include("symfonie.wfm.urls")),
    path("werkplek/", include("symfonie.workspace.urls")),
    path("wallboard/", include("symfonie.wallboard.urls")),
    path("chat/", include("symfonie.connectors.webchat.urls")),
    path("", include("symfonie.web.urls")),
]

if settings.DEMO_PROVIDER:  # the demo's stand-in for the providers' send APIs; never in production
    urlpatterns.insert(-1, path("demo-provider/", include("symfonie.connectors.demo_provider")))
