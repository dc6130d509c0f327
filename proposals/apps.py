from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("提案与社情民意")

    def ready(self):
        from liaison.media import protect  # reads models: only once apps are loaded
        from liaison.workdays import register_deadlines

        from . import (
            dashboard,  # noqa: F401  (registers the admin index panel)
            signals,  # noqa: F401  (keeps the search columns current)
        )
        from .services.handling import feedback_deadlines_recompute

        register_deadlines(feedback_deadlines_recompute)

        protect(
            "proposals.ProposalAttachment",
            "file",
            office="proposal__office",
            owners=("proposal__lead_member__user",),
        )
        protect("proposals.Reply", "letter", office="assignment__proposal__office")
        protect(
            "proposals.ResearchReport",
            "file",
            office="office",
            owners=("lead_member__user", "group_members__user"),
        )
