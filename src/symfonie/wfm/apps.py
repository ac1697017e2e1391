from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WfmConfig(AppConfig):
    name = "symfonie.wfm"
    label = "wfm"
    verbose_name = _("workforce management")
    default_auto_field = "django.db.models.BigAutoField"
