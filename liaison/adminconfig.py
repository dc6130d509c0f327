from django.contrib.admin.apps import AdminConfig


class LiaisonAdminConfig(AdminConfig):
    """Replaces the default admin site with the office-branded one."""

    default_site = "liaison.admin_site.LiaisonAdminSite"

    def ready(self):
        super().ready()
        from .admin_dates import install

        install()  # one date format in admin tables (2026-05-13)
