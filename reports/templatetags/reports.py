"""Filters for the documents (templates/reports/)."""

import re
from decimal import Decimal

from django import template
from django.utils.html import conditional_escape, format_html_join

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


@register.filter(needs_autoescape=True)
def paragraphs(text, autoescape=True) -> str:
    """Stored text as paragraphs, one per line, so that each gets the first-line indent
    (首行缩进) documents expect. Escaped: stored text is never markup."""
    escape = conditional_escape if autoescape else (lambda s: s)
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return format_html_join("", "<p>{}</p>", ((escape(line),) for line in lines))


# Lines staff type as 公文 headings: 一、 (level 1, 黑体) and （一） (level 2, 楷体).
_HEADINGS = (
    (re.compile(r"^[一二三四五六七八九十]+、"), "h2"),
    (re.compile(r"^[（(][一二三四五六七八九十]+[）)]"), "h3"),
)


@register.filter(needs_autoescape=True)
def gongwen_paragraphs(text, autoescape=True) -> str:
    """Like ``paragraphs``, but a line that starts as a 公文 heading (一、 or （一）)
    becomes that heading, so a letter staff typed gets the heading fonts."""
    escape = conditional_escape if autoescape else (lambda s: s)
    rows = []
    for line in str(text or "").splitlines():
        line = line.strip()
        if line:
            tag = next((tag for pattern, tag in _HEADINGS if pattern.match(line)), "p")
            rows.append((tag, escape(line), tag))
    return format_html_join("", "<{}>{}</{}>", rows)


@register.filter
def chinese_numeral(value) -> str:
    """1 → 一, 12 → 十二: the numbers of 公文 headings （一）（二）."""
    from reports.documents import chinese_numeral as numeral

    return numeral(int(value))
