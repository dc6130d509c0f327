from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("报告文件")

    def ready(self):
        from liaison.media import protect  # reads models: only once apps are loaded

        from . import dashboard  # noqa: F401  (registers the admin index panel)

        protect("reports.Document", "file", office="office")
        protect("reports.Document", "word_file", office="office")
