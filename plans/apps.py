from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("工作计划与报告")

    def ready(self):
        from liaison import demo

        from . import dashboard  # noqa: F401  (registers the admin index panel)
        from .demo import reset_plans, seed_plans

        # Last: plans and reports read every other area's demo data.
        demo.register(demo.DemoPart("plans", order=90, seed=seed_plans, reset=reset_plans))
