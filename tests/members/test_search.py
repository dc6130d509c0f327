"""The roster search: the member changelist's search box and the member autocomplete
(members.selectors.search_members). Names and employers match anywhere, one Chinese
character included; numbers match from the start. On PostgreSQL an index serves every
kind of term (the EXPLAIN test); SQLite gives the same results by scanning."""

import pytest
from django.db import connection
from django.urls import reverse

from members.models import Member
from members.selectors import search_members
from tests.factories import MemberFactory, refresh_planner_statistics
from tests.members.test_admin import bulk_members

CHANGELIST_URL = reverse("admin:members_member_changelist")
AUTOCOMPLETE_URL = reverse("admin:autocomplete")


def found(text, office=None):
    queryset = Member.objects.all() if office is None else Member.objects.filter(office=office)
    return set(search_members(queryset, text).values_list("name", flat=True))


@pytest.fixture
def roster(office):
    MemberFactory(
        office=office,
        name="王小明",
        employer="长沙某某建材有限公司",
        mobile="13912345678",
        office_phone="0731-8888",
        member_no="FR230001",
    )
    MemberFactory(
        office=office,
        name="汪明王",
        employer="湘江大学",
        mobile="13800001234",
        member_no="FR230002",
    )
    MemberFactory(
        office=office,
        name="李娜",
        employer="王府井百货",
        mobile="15012340000",
        member_no="FR240003",
    )
    MemberFactory(
        office=office,
        name="Zhang Wei",
        employer="ABC Trading",
        mobile="18600000000",
        member_no="FR240004",
    )


def test_a_single_character_finds_it_anywhere_in_the_name_or_the_employer(roster):
    assert found("王") == {"王小明", "汪明王", "李娜"}
    assert found("明") == {"王小明", "汪明王"}


def test_several_characters_match_only_in_that_order(roster):
    assert found("小明") == {"王小明"}
    assert found("明小") == set()
    assert found("湘江") == {"汪明王"}


def test_every_term_must_match(roster):
    assert found("王 湘江") == {"汪明王"}
    assert found("王 139") == {"王小明"}


def test_quotes_keep_a_phrase_and_an_unclosed_quote_is_part_of_the_term(roster):
    assert found('"Zhang Wei"') == {"Zhang Wei"}
    assert found('"王') == set()  # the quote is searched for, not an error


@pytest.mark.parametrize(
    "url",
    [
        CHANGELIST_URL,
        reverse("admin:liaison_notification_changelist"),
        reverse("admin:visits_visit_changelist"),
    ],
)
def test_the_admin_searches_answer_an_unclosed_quote(admin_client, roster, url):
    response = admin_client.get(url, {"q": '"王'})
    assert response.status_code == 200


def test_latin_letters_match_in_either_case(roster):
    assert found("zhang") == {"Zhang Wei"}
    assert found("abc") == {"Zhang Wei"}


def test_numbers_match_from_the_start_of_the_mobile_or_office_phone(roster):
    assert found("139") == {"王小明"}
    assert found("1380000") == {"汪明王"}
    assert found("0731-") == {"王小明"}
    # The middle or the end of a number is not a match: "from the start" is what an
    # index can serve at any size.
    assert found("1234") == set()


def test_member_numbers_match_from_the_start_in_either_case(roster):
    assert found("FR24") == {"李娜", "Zhang Wei"}
    assert found("fr230001") == {"王小明"}
    assert found("230001") == set()


def test_the_changelist_search_box_uses_it(staff_client, roster):
    response = staff_client.get(CHANGELIST_URL, {"q": "明"})

    assert {m.name for m in response.context["cl"].result_list} == {"王小明", "汪明王"}
    assert "开头几位" in response.content.decode()


def test_the_member_autocomplete_uses_it(staff_client, roster, other_office):
    MemberFactory(office=other_office, name="王其他")

    response = staff_client.get(
        AUTOCOMPLETE_URL,
        {
            "app_label": "members",
            "model_name": "contribution",
            "field_name": "member",
            "term": "王",
        },
    )

    assert response.status_code == 200
    assert {r["text"] for r in response.json()["results"]} == {"王小明", "汪明王", "李娜"}


# Session, user, permissions (2), three filters' choices, the filtered count, the
# header's office and the page: searching costs no query more than listing.
STAFF_SEARCH_QUERIES = 10
# Session, user, permissions (2), the paginator's count of matches and the page.
AUTOCOMPLETE_QUERIES = 6


@pytest.mark.parametrize("count", [1200, 6000])
def test_searching_costs_the_same_queries_at_1200_and_6000_members(
    staff_client, staff, other_office, count, django_assert_num_queries
):
    bulk_members(staff.office, count // 2)
    bulk_members(other_office, count // 2, start=count)
    refresh_planner_statistics()

    with django_assert_num_queries(STAFF_SEARCH_QUERIES):
        response = staff_client.get(CHANGELIST_URL, {"q": "王"})
    assert len(response.context["cl"].result_list) == 50

    with django_assert_num_queries(AUTOCOMPLETE_QUERIES):
        response = staff_client.get(
            AUTOCOMPLETE_URL,
            {
                "app_label": "members",
                "model_name": "contribution",
                "field_name": "member",
                "term": "137",
            },
        )
    assert len(response.json()["results"]) == 20


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="index use is PostgreSQL's; SQLite scans, with the results tested above",
)
@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("王", "member_name_chars_idx"),
        ("王", "member_employer_chars_idx"),
        ("小明", "member_name_chars_idx"),
        ("1391", "member_mobile_prefix_idx"),
        ("1391", "member_office_phone_prefix_idx"),
    ],
)
def test_on_postgresql_every_kind_of_term_is_an_index_lookup(office, other_office, text, index):
    bulk_members(office, 2500)
    bulk_members(other_office, 2500, start=2500)
    refresh_planner_statistics()

    # As district staff search: the whole roster, no office to narrow it first.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = search_members(Member.objects.all(), text).explain()

    assert index in plan
