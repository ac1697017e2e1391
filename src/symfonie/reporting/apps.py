from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "symfonie.reporting"
    label = "reporting"
    verbose_name = _("reporting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from symfonie.reporting import signals  # noqa: F401  (connects the receivers)
