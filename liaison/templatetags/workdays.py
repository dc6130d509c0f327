"""``{% provisional_mark date %}``: the "（暂定）" marker after a deadline counted in
working days over a year whose holiday schedule is not entered yet (the caller checks
the record's ``…_is_provisional``); the reason is in its tooltip, and with
``explain=True`` also written out below (a phone has no hover)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from liaison.workdays import provisional_note

register = template.Library()


@register.simple_tag
def provisional_mark(deadline, explain=False):
    note = provisional_note(deadline)
    mark = format_html('<span class="provisional" title="{}">{}</span>', note, _("（暂定）"))
    if explain:
        return format_html('{}<span class="d-block small">{}</span>', mark, note)
    return mark
