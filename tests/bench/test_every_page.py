"""The benchmark's small mode in CI: every page of the URLconf opens for a persona
(bench/sweep.py fills its arguments from the small demo), and no page's SQL queries grow
when the members grow tenfold. ``python -m bench pages --small`` is the same check on
throwaway databases, with the table printed."""

import pytest
from django.db import transaction

from bench import pages

pytestmark = [pytest.mark.bench, pytest.mark.django_db]


def _sweep(factor: int) -> dict:
    with transaction.atomic():
        pages.seed(factor, "small")
        swept = pages.sweep_pages()
        transaction.set_rollback(True)
    return swept


def test_every_page_is_measured_and_keeps_its_queries_when_the_data_grows():
    one, ten = _sweep(1), _sweep(10)

    assert one["unfilled"] == [], "URL patterns the sweep could not open (bench/sweep.py)"
    assert ten["members"] > 5 * one["members"]
    personas = {page["persona"] for page in one["measured"]}
    assert {"office_staff", "district_staff", "member", "leader", "anonymous"} <= personas
    problems = {
        row["key"]: (row["queries_1x"], row.get("queries_10x"), row["problems"])
        for row in pages.compare(one, ten)
        if row["problems"]
    }
    assert problems == {}, "pages whose queries grow with the data (1×, 10×)"
