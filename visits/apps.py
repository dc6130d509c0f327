from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("走访与意见建议")

    def ready(self):
        from liaison.workdays import register_deadlines

        from . import dashboard  # noqa: F401  (registers the admin index panel)
        from .services.concerns import concern_deadlines_recompute

        register_deadlines(concern_deadlines_recompute)
