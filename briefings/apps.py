from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    name = "briefings"
    verbose_name = _("通报会与活动")

    def ready(self):
        from liaison import demo

        from . import dashboard  # noqa: F401  (registers the admin index panel)
        from .demo import reset_briefings, seed_briefings

        # After proposals (10), before visits (20): the visits reset clears concerns an
        # opinion may point to first, then this one clears the activities.
        demo.register(
            demo.DemoPart("briefings", order=15, seed=seed_briefings, reset=reset_briefings)
        )
