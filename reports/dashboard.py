from django.utils.translation import gettext as _

from liaison.dashboard import Panel, register
from liaison.scoping import visible_offices

from .models import Document


@register
def documents_panel(request):
    """Documents the worker is rendering, while there are any: staff who asked for one
    see that it is on its way (a long document takes a minute or two)."""
    if not request.user.has_perm("reports.view_document"):
        return None
    working = Document.objects.filter(
        office__in=visible_offices(request.user),
        status__in=[Document.Status.PENDING, Document.Status.RENDERING],
    ).count()
    if not working:
        return None
    return Panel(
        title=_("报告文件"),
        template="admin/reports/documents_panel.html",
        context={"working": working},
        order=21,  # under the plans panel, where this line used to be
    )
