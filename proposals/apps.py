from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("提案与社情民意")

    def ready(self):
        from . import dashboard  # noqa: F401  (registers the admin index panel)
