"""Short fields set out as columns inside one table cell (the roster's).

WeasyPrint's time for a page goes on its table cells (README, PDF figures), so the
roster prints its eight short fields — 序号 to 界别 — in one cell, each filled out to its
column's width, and draws the rules between them as the table's background: the page
looks like a ruled form of ten columns while WeasyPrint lays out three cells a row.

Widths are in ems of the table's font. The table asks the font for half-width forms
(``font-feature-settings: "hwid"``, which the free Noto CJK fonts have): then a CJK
character is one em and everything else — digits, Latin letters, and the spaces that
fill a column out and part two columns — exactly half an em, so a column of dates or
numbers lines up as well as one of names. (An office's own font without the feature
would print them at other widths: the roster sets its first cell in the free font then,
see ``reports.fonts.FontFile.half_width``.) Columns are parted by two em spaces
(U+2003, half an em each in half-width forms) and filled out with ideographic spaces
(U+3000): the Word copy (reports.word) splits the cell back into its columns at the em
spaces.
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

GAP = "\u2003\u2003"  # between two columns: one em; reports.word splits at it
FILLING = "\u3000"  # half an em
RULE_PT = 0.5


# Set with half-width forms (measured in the Noto CJK fonts): CJK characters (East
# Asian Wide) and the ambiguous ones (①, Ⅱ, —) take one em; ASCII and the full-width
# forms (digits, letters, brackets, the ideographic space) half an em. The middle dot of
# a name (阿依古丽·买买提) is a third of an em in one font and an em in another: a name
# is printed with the full-width one (・), one em in both.
_ONE_EM = ("W", "A")
_NAME_DOTS = str.maketrans(dict.fromkeys("\u00b7\u2022\u2027\u30fb\uff65", "\u30fb"))


def width(text: str) -> float:
    """``text``'s width in ems, set with half-width forms."""
    return sum(1 if unicodedata.east_asian_width(c) in _ONE_EM else 0.5 for c in text)


def _fill(text: str, ems: float, right: bool = False) -> str:
    filling = FILLING * round(max(ems - width(text), 0) * 2)
    return filling + text if right else text + filling


def split(text: str) -> list[str]:
    """A cell set out by ``Columns.line`` back into its columns' values."""
    return [value.strip(FILLING) for value in re.split("\u2003+", text)]


def clean(value) -> str:
    """A value as one line of a column: no column separator or line break inside it,
    and a name's middle dot the one of known width."""
    text = "" if value is None else str(value)
    text = text.replace("\u2003", " ").replace(FILLING, " ").translate(_NAME_DOTS)
    return " ".join(text.split())


@dataclass(frozen=True)
class Columns:
    """Columns sized to their longest value (or header), for one document."""

    headers: tuple[str, ...]
    widths: tuple[float, ...]
    right: tuple[bool, ...]

    @classmethod
    def fit(cls, headers, rows, right=()) -> "Columns":
        """``rows``: each a sequence of values, one per header (already cleaned)."""
        widths = [width(header) for header in headers]
        for row in rows:
            for i, value in enumerate(row):
                widths[i] = max(widths[i], width(value))
        flags = tuple(header in right for header in headers)
        return cls(tuple(headers), tuple(widths), flags)

    def line(self, values) -> str:
        """One row's cell text: each value filled out to its column (the last is not)."""
        last = len(values) - 1
        return GAP.join(
            value if i == last else _fill(value, self.widths[i], self.right[i])
            for i, value in enumerate(values)
        )

    def header(self) -> str:
        return self.line(self.headers)

    @property
    def ems(self) -> float:
        """The cell's text width: every column and the em between each two."""
        return sum(self.widths) + len(self.widths) - 1

    def rule_positions(self, font_pt: float, left_pt: float) -> list[float]:
        """Where the rules between columns go, in points from the cell's border edge
        (``left_pt``: its border and padding), each in the middle of the em between."""
        positions, at = [], 0.0
        for column_width in self.widths[:-1]:
            at += column_width
            positions.append(left_pt + (at + 0.5) * font_pt - RULE_PT / 2)
            at += 1
        return positions

    def rules_css(self, selectors, font_pt: float, left_pt: float, color: str) -> str:
        """The rules as the background of ``selectors``: one SVG of thin vertical lines,
        stretched to each box's height and drawn once a page for the whole box instead
        of a cell border each row. Stroked lines, as the cells' borders are: a viewer
        draws them at least a pixel wide at any zoom, where a thin filled strip (a
        gradient) vanishes on screen."""
        positions = self.rule_positions(font_pt, left_pt)
        if not positions:
            return ""
        right = positions[-1] + RULE_PT
        lines = "".join(
            f"<path d='M{x + RULE_PT / 2:.2f} 0V1' stroke='{color}' stroke-width='{RULE_PT}'/>"
            for x in positions
        )
        svg = (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {right:.2f} 1' "
            f"width='{right:.2f}' height='1' preserveAspectRatio='none'>{lines}</svg>"
        )
        return (
            f'{", ".join(selectors)} {{ background-image: url("data:image/svg+xml,'
            f'{quote(svg)}"); background-size: {right:.2f}pt 100%; '
            "background-repeat: no-repeat }"
        )
