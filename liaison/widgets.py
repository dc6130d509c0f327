"""Form widgets every app's admin steps share."""

from itertools import groupby

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class PickList(forms.CheckboxSelectMultiple):
    """Choosing many from a long list — units to assign, members to invite — without
    Ctrl-click: a search box, the number chosen so far, and the choices in groups that
    can each be ticked whole (js/picklist.js; without script, plain checkboxes)."""

    template_name = "liaison/widgets/picklist.html"

    def __init__(self, attrs=None, choices=(), presets=(), group_by=None):
        super().__init__(attrs, choices)
        # Buttons that tick exactly a set of choices (all serving members, the standing
        # committee …), to adjust afterwards: (label, [values]) or, for a model choice
        # field, (label, predicate on the object). A callable returning that list is
        # called each time the list is drawn (presets read from the database).
        self.presets = presets
        # For a model choice field (whose choices are reset with each form): the group
        # of each object, the queryset ordered so that groups are contiguous.
        self.group_by = group_by

    def _flat_choices(self):
        for value, label in self.choices:
            if isinstance(label, (list, tuple)):
                yield from label
            else:
                yield value, label

    def optgroups(self, name, value, attrs=None):
        if self.group_by is None:
            return super().optgroups(name, value, attrs)
        choices = self.choices
        # get_context has read a model field's choices already: group those rows
        # rather than run the query a second time.
        flat = getattr(self, "_rows", None)
        if flat is None:
            flat = list(self._flat_choices())
        self.choices = [
            (group, list(rows))
            for group, rows in groupby(flat, key=lambda c: self.group_by(c[0].instance))
        ]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = choices

    def get_context(self, name, value, attrs):
        rows = self._rows = list(self._flat_choices())  # a model field's choices: one query
        try:
            context = super().get_context(name, value, attrs)
        finally:
            del self._rows
        presets = []
        for label, spec in self.presets() if callable(self.presets) else self.presets:
            values = [v for v, _l in rows if spec(v.instance)] if callable(spec) else list(spec)
            if values:
                presets.append(
                    {
                        "label": label,
                        "values": " ".join(str(v) for v in values),
                        "size": len(values),
                    }
                )
        context["widget"]["presets"] = presets
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


def _attributes(attrs: dict) -> str:
    """``attrs`` as Django's widgets/attrs.html writes them: False left out, True bare."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(format_html(" {}", name))
        elif value is not False:
            parts.append(format_html(' {}="{}"', name, value))
    return mark_safe("".join(parts))


class QuickSelect(forms.Select):
    """A select with the stock markup, written in Python: the stock widget renders a
    template for every option (a millisecond for a list of twenty units), which a page
    of filters pays for each list."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attributes(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('\n  <optgroup label="{}">', group))
            parts += [
                format_html(
                    '\n  <option value="{}"{}>{}</option>',
                    option["value"],
                    _attributes(option["attrs"]),
                    option["label"],
                )
                for option in options
            ]
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    """QuickSelect for several choices (``multiple``)."""
