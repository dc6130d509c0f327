"""Input limits every form, filter and query parameter shares (issue 12, item 7).

- Free text has a length a person would accept: a note or reason (NOTE), the body of a
  proposal, report or concern (TEXT), a document's section (DOCUMENT). Django checks a
  TextField's max_length only in its form field, so ``LimitedTextField`` checks it in
  ``full_clean`` too, and hand-written forms get the same limits from ``LimitedForm``.
- Single-line fields (titles, names, 案由, addresses) refuse line breaks and other
  control characters: a title is copied into e-mail subjects, bodies and exports, where
  a ``\\r\\nBcc:`` would start a line of its own.
- Dates lie between 1900 and 2100: nothing the office records is older (members' birth
  dates included) and date arithmetic near year 9999 overflows.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

LINE = 200
NOTE = 2_000
TEXT = 10_000
DOCUMENT = 50_000

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)

# C0 controls (CR, LF, tab, NUL …), DEL, NEL and the Unicode line/paragraph separators.
_LINE_BREAK = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def single_line(value: str) -> None:
    if value and _LINE_BREAK.search(value):
        raise ValidationError(_("此处只能填写一行文字，不能换行。"), code="single_line")


def plausible_date(value) -> None:
    day = value.date() if isinstance(value, datetime.datetime) else value
    if day is not None and not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("日期须在 %(first)s 至 %(last)s 之间。"),
            code="date_range",
            params={"first": EARLIEST.year, "last": LATEST.year},
        )


def is_plausible(day: datetime.date) -> bool:
    return EARLIEST <= day <= LATEST


def year_param(value) -> int | None:
    """A year from a query string (``?year=2026``), or None when it is not one the office
    could mean."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return year if EARLIEST.year <= year <= LATEST.year else None


def month_param(value) -> datetime.date | None:
    """The first day of ``YYYY-MM`` from a query string (``?month=2026-03``), or None."""
    try:
        year_text, month_text = str(value).split("-")
        month = int(month_text)
    except (TypeError, ValueError):
        return None
    year = year_param(year_text)
    if year is None or not 1 <= month <= 12:
        return None
    return datetime.date(year, month, 1)


class LimitedTextField(models.TextField):
    """A TextField whose ``max_length`` (NOTE unless given) ``full_clean`` checks too."""

    def __init__(self, *args, max_length=NOTE, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, MaxLengthValidator(self.max_length)]


def limit_form_fields(fields) -> None:
    """Give a form's fields the shared limits, where a field does not set its own:
    text areas NOTE characters, one-line text LINE characters and no line breaks,
    dates between 1900 and 2100."""
    for field in fields.values():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            field.validators.append(plausible_date)
            continue
        if not isinstance(field, forms.CharField) or field.widget.is_hidden:
            continue
        multiline = isinstance(field.widget, forms.Textarea)
        if field.max_length is None:
            field.max_length = NOTE if multiline else LINE
            field.validators.append(MaxLengthValidator(field.max_length))
            field.widget.attrs.update(field.widget_attrs(field.widget))
        if not multiline:
            field.validators.append(single_line)


class LimitedForm(forms.Form):
    """Base of every hand-written form (see ``limit_form_fields``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_form_fields(self.fields)
