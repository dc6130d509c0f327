"""Official name lists (名册) are ordered by surname stroke count (按姓氏笔画为序).

The order comes from ICU's Chinese stroke collation (``zh@collation=stroke``), which ships
with the pyicu-wheels package: stroke counts and stroke order for every CJK character,
offline, maintained by the Unicode consortium — no hand-typed table. The sort key is
stored on each member so the database can sort and paginate the roster itself.
"""

from functools import lru_cache

import icu


@lru_cache(maxsize=1)
def _collator():
    return icu.Collator.createInstance(icu.Locale("zh@collation=stroke"))


def stroke_sort_key(name: str) -> str:
    """A string that sorts names in official stroke order, as ASCII hex."""
    return _collator().getSortKey(name.strip()).hex()
