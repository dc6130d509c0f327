from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "liaison"
    verbose_name = _("联络处")

    def ready(self):
        from . import panels  # noqa: F401  (registers the admin index panel)
        from .media import protect  # reads models: only once apps are loaded

        protect("liaison.Job", "upload", office="office")
