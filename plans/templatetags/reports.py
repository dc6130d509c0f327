"""Filters for the documents (templates/reports/)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount as a Chinese document writes it: 1200000 → 120万元, 3500 → 3500元.
    (The zh-hans locale has no thousands separator; 万 is how amounts are read.)"""
    if value in (None, ""):
        return "—"
    amount = Decimal(str(value))
    if abs(amount) >= 10000:
        wan = (amount / 10000).quantize(Decimal("0.01")).normalize()
        return f"{wan:f}万元"
    return f"{amount.quantize(Decimal('0.01')).normalize():f}元"
