"""One member's duty record and an office's ranking cost the same number of queries with
100 and with 10,000 ledger entries in the office (DOMAIN.md duty record; issue 17)."""

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import PointEntry, PointRule
from reports import documents
from reports.models import Document
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

KINDS = [PointRule.Kind.ACTIVITY_ATTENDED, PointRule.Kind.SPEECH, PointRule.Kind.RESEARCH]


def _fill(office, members, n):
    rng = random.Random(n)
    PointEntry.objects.bulk_create(
        [
            PointEntry(
                member=rng.choice(members),
                kind=rng.choice(KINDS),
                year=2026,
                points=5,
                occurred_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 300),
                description=f"第{i}次",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as ctx:
        run()
    return len(ctx.captured_queries)


def test_duty_record_and_ranking_queries_do_not_grow_with_the_ledger(office, member, member_client):
    members = [member] + [MemberFactory(office=office, mobile="") for _ in range(9)]
    url = reverse("portal:duty_record") + "?year=2026"
    ranking = documents.BUILDERS[Document.Kind.RANKING]

    def page():
        assert member_client.get(url).status_code == 200

    def rank():
        ranking(office, {"year": 2026}, datetime.date(2026, 11, 26))

    _fill(office, members, 100)
    small = (_queries(page), _queries(rank))
    _fill(office, members, 9_900)
    assert PointEntry.objects.filter(member__office=office).count() == 10_000
    assert (_queries(page), _queries(rank)) == small
