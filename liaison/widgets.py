"""Form widgets every app's admin steps share."""

from itertools import groupby

from django import forms


class PickList(forms.CheckboxSelectMultiple):
    """Choosing many from a long list — units to assign, members to invite — without
    Ctrl-click: a search box, the number chosen so far, and the choices in groups that
    can each be ticked whole (js/picklist.js; without script, plain checkboxes)."""

    template_name = "liaison/widgets/picklist.html"

    def __init__(self, attrs=None, choices=(), presets=()):
        super().__init__(attrs, choices)
        self.presets = presets

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Buttons that tick exactly a set of choices (all serving members, the standing
        # committee …), to adjust afterwards: (label, [values]), the size shown.
        context["widget"]["presets"] = [
            {"label": label, "values": " ".join(str(v) for v in values), "size": len(values)}
            for label, values in self.presets
        ]
        return context

    class Media:
        js = ["js/picklist.js"]


def grouped_choices(queryset, group, label=str) -> list:
    """``queryset`` as grouped choices for a PickList or a select's optgroups:
    ``group(obj)`` names each row's group, in the order the rows come."""
    return [
        (name, [(obj.pk, label(obj)) for obj in rows])
        for name, rows in groupby(queryset, key=group)
    ]
