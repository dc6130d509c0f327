from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    name = "briefings"
    verbose_name = _("活动")  # as the admin menu names it

    def ready(self):
        from liaison.media import protect  # reads models: only once apps are loaded

        from . import dashboard  # noqa: F401  (registers the admin index panel)

        protect("briefings.Activity", "request_document", office="office")
        protect("briefings.Material", "file", office="activity__office")
        protect("briefings.ActivityPhoto", "image", office="activity__office")
        protect("briefings.Speech", "file", office="activity__office", owners=("member__user",))
