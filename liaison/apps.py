from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "liaison"
    verbose_name = _("联络处")

    def ready(self):
        from . import messages, panels  # noqa: F401  (panels: the admin index panel)
        from .media import protect  # reads models: only once apps are loaded

        protect("liaison.Job", "upload", office="office")
        messages.autodiscover()  # each app's message_kinds.py
