"""URLs for the connector tests: the replies router under /api/v1/ until it is mounted in
``symfonie.api.v1`` (then the project's own URLs are used unchanged)."""

from django.urls import path
from ninja import NinjaAPI

import symfonie.urls
from symfonie.api import problems
from symfonie.api.auth import SessionTenancyAuth, TokenAuth
from symfonie.api.v1 import api as v1
from symfonie.connectors.api import router

urlpatterns = list(symfonie.urls.urlpatterns)
if not any(mounted is router for _prefix, mounted in v1._routers):
    test_api = NinjaAPI(auth=[TokenAuth(), SessionTenancyAuth()], urls_namespace="connectors_test")
    problems.install(test_api)
    test_api.add_router("", router)
    urlpatterns.insert(0, path("api/v1/", test_api.urls))
