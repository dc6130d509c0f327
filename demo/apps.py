from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (seed_demo). It imports every other app; nothing imports it."""

    name = "demo"
    verbose_name = _("演示数据")
