from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "symfonie.events"
    verbose_name = _("Event log and webhooks")
