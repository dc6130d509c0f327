"""Charts for the documents, drawn as SVG on the server: WeasyPrint lays out inline SVG,
so a chart needs no JavaScript, no image file and no fetch. Labels are escaped."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "Noto Sans CJK SC"
BAR = "#a61b1b"
MET = "#1a7f37"
TRACK = "#eeeeee"
INK = "#222222"


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}"


def _svg(width: int, height: int, body: list[str], title: str) -> SafeString:
    label = escape(title)  # what a screen reader says for the chart
    return mark_safe(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{label}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11">'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(
    rows: list[tuple[str, float]],
    *,
    title: str = "",
    label: str = "",
    unit: str = "",
    width: int = 600,
    label_width: int = 170,
    bar_height: int = 15,
    gap: int = 5,
) -> SafeString:
    """Horizontal bars, one per (label, value), scaled to the largest value. ``title``
    is drawn above the bars; ``label`` names an untitled chart for screen readers (a
    page that heads the chart itself)."""
    if not rows:
        return mark_safe("")
    peak = max((value for _, value in rows), default=0) or 1
    track = width - label_width - 80
    top = 22 if title else 4
    body = []
    if title:
        body.append(f'<text x="0" y="14" font-size="12" fill="{INK}">{escape(title)}</text>')
    for i, (name, value) in enumerate(rows):
        y = top + i * (bar_height + gap)
        length = max(track * value / peak, 0.5 if value else 0)
        body.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 3.5}" text-anchor="end" '
            f'fill="{INK}">{escape(name)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{BAR}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height - 3.5}" '
            f'fill="{INK}">{_number(value)}{escape(unit)}</text>'
        )
    height = top + len(rows) * (bar_height + gap)
    return _svg(width, height, body, title or label)


def progress_chart(
    rows: list[tuple[str, float, float]],
    *,
    title: str = "",
    width: int = 600,
    label_width: int = 210,
    bar_height: int = 15,
    gap: int = 5,
) -> SafeString:
    """One bar per (label, value, goal): the share of the goal reached, green once met."""
    if not rows:
        return mark_safe("")
    track = width - label_width - 90
    top = 22 if title else 4
    body = []
    if title:
        body.append(f'<text x="0" y="14" font-size="12" fill="{INK}">{escape(title)}</text>')
    for i, (label, value, goal) in enumerate(rows):
        y = top + i * (bar_height + gap)
        share = min(value / goal, 1.0) if goal else 1.0
        color = MET if share >= 1 else BAR
        body.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 3.5}" text-anchor="end" '
            f'fill="{INK}">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{track}" height="{bar_height}" '
            f'fill="{TRACK}"/>'
            f'<rect x="{label_width}" y="{y}" width="{track * share:.1f}" '
            f'height="{bar_height}" fill="{color}"/>'
            f'<text x="{label_width + track + 4}" y="{y + bar_height - 3.5}" fill="{INK}">'
            f"{_number(value)} / {_number(goal)}</text>"
        )
    height = top + len(rows) * (bar_height + gap)
    return _svg(width, height, body, title)
