from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("工作计划与报告")

    def ready(self):
        from liaison.media import protect  # reads models: only once apps are loaded

        from . import dashboard  # noqa: F401  (registers the admin index panel)

        protect("plans.Document", "file", office="office")
