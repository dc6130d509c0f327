from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("提案与社情民意")

    def ready(self):
        from liaison import demo

        from . import dashboard  # noqa: F401  (registers the admin index panel)
        from .demo import reset_proposals, seed_proposals

        demo.register(
            demo.DemoPart("proposals", order=10, seed=seed_proposals, reset=reset_proposals)
        )
