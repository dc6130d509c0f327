import functools

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .dashboard import panels_for
from .scoping import default_office
from .transactions import use_case


class LiaisonAdminSite(admin.AdminSite):
    """The one admin the office staff share, titled with their office's name."""

    site_title = _("政协联络处工作系统")
    site_header = _("政协联络处工作系统")
    index_title = _("工作台")

    def each_context(self, request):
        context = super().each_context(request)
        if request.user.is_authenticated:
            office = default_office(request)
            if office is not None:
                context["site_header"] = office.name
        return context

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "panels": panels_for(request)}
        return super().index(request, extra_context)

    def admin_view(self, view, cacheable=False):
        """Every admin POST is one use case: the form, its inlines and the services its
        hooks and steps call commit together, or not at all (liaison.transactions)."""
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def in_one_transaction(request, *args, **kwargs):
            if request.method != "POST":
                return inner(request, *args, **kwargs)
            with use_case():
                return inner(request, *args, **kwargs)

        return in_one_transaction
