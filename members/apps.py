from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("委员")

    def ready(self):
        from liaison.media import protect  # reads models: only once apps are loaded

        from . import dashboard, jobs, signals  # noqa: F401  (index panel, job kinds, receivers)

        protect("members.Member", "photo", office="office", owners=("user",))
        protect("members.PointEntry", "evidence", office="member__office")
        protect("members.DutyClaim", "evidence", office="member__office", owners=("member__user",))
        # Members fetch a material through the portal (audience checked there).
        protect("members.StudyMaterial", "file", office="office")
        protect(
            "members.StudyReflection", "file", office="member__office", owners=("member__user",)
        )
