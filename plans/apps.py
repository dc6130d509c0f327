from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("工作计划与报告")

    def ready(self):
        from . import dashboard  # noqa: F401  (registers the admin index panel)
