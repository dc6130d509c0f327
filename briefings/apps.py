from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    name = "briefings"
    verbose_name = _("通报会与活动")

    def ready(self):
        from . import dashboard  # noqa: F401  (registers the admin index panel)
