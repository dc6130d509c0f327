from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("计划与报告")  # as the admin menu names it

    def ready(self):
        from . import dashboard  # noqa: F401  (registers the admin index panel)
