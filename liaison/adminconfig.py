from django.contrib.admin.apps import AdminConfig


class LiaisonAdminConfig(AdminConfig):
    """Replaces the default admin site with the office-branded one."""

    default_site = "liaison.admin_site.LiaisonAdminSite"
