from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("征求意见")

    def ready(self):
        from briefings.hooks import on_opinion_recorded
        from liaison.media import protect  # reads models: only once apps are loaded

        from . import dashboard  # noqa: F401  (registers the admin index to-dos)
        from .services import meeting_opinion_recorded

        # A 协商议事 meeting's opinions flow into the consultation that names it.
        on_opinion_recorded(meeting_opinion_recorded)

        # Draft documents: staff of the office, and the members consulted on them.
        protect(
            "consultations.ConsultationDocument",
            "file",
            office="consultation__office",
            owners=("consultation__recipients__member__user",),
        )
        # An answer's attachment: staff of the office, and the member who answered.
        protect(
            "consultations.Answer",
            "attachment",
            office="consultation__office",
            owners=("member__user",),
        )
