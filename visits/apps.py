from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("走访与意见建议")

    def ready(self):
        from . import dashboard  # noqa: F401  (registers the admin index panel)
