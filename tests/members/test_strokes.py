"""Official name lists follow mainland stroke counts and, for equal counts, the stroke
order 横竖撇点折 (GB/T 13418)."""

from members.strokes import stroke_count, stroke_sort_key


def _ordered(names):
    return sorted(names, key=stroke_sort_key)


def test_mainland_stroke_counts_not_traditional_ones():
    assert (stroke_count("黄"), stroke_count("范"), stroke_count("花")) == (11, 8, 7)
    assert _ordered(["彭丽", "黄德军"]) == ["黄德军", "彭丽"]  # 11 before 12
    assert _ordered(["胡明", "范文"]) == ["范文", "胡明"]  # 8 before 9


def test_equal_counts_go_by_first_stroke_heng_shu_pie_dian_zhe():
    # 石 starts with 横, 叶 with 竖, 白 with 撇; all have five strokes.
    assert _ordered(["白雪", "叶青", "石磊"]) == ["石磊", "叶青", "白雪"]


def test_same_surname_orders_by_the_given_name_and_shorter_name_first():
    assert _ordered(["王芳", "王", "王一"]) == ["王", "王一", "王芳"]


def test_unknown_characters_sort_after_known_ones_deterministically():
    rare = "\U00020000"  # CJK Extension B, outside the table
    assert _ordered([f"{rare}某", "龘某"]) == ["龘某", f"{rare}某"]
