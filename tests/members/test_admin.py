"""The member admin: changelist, change form (photo, history), the official name list,
and the contributions admin."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from members.models import DELIVERY_FIELDS, Affiliation, Contribution, Member, Sector, Term
from members.strokes import stroke_sort_key
from tests.factories import ContributionFactory, MemberFactory

pytestmark = pytest.mark.levels

CHANGELIST_URL = reverse("admin:members_member_changelist")
ROSTER_URL = reverse("admin:members_member_roster")


def bulk_members(office, count, *, start=0):
    """``count`` members in one go. bulk_create skips Member.save(), so the stroke key
    is set here as save() would."""
    term = Term.objects.get(is_current=True)
    sectors = list(Sector.objects.all()[:5])
    affiliations = list(Affiliation.objects.all()[:3])
    surnames, given = "王李张刘陈杨黄赵吴周", "芳明伟洋静帆军磊敏强"
    members = []
    for i in range(start, start + count):
        name = surnames[i % 10] + given[(i // 10) % 10] + given[i % 7]
        members.append(
            Member(
                office=office,
                name=name,
                stroke_key=stroke_sort_key(name),
                sex=Member.Sex.MALE if i % 2 else Member.Sex.FEMALE,
                member_no=f"B{i:06d}",
                term=term,
                sector=sectors[i % len(sectors)],
                affiliation=affiliations[i % len(affiliations)],
                mobile=f"137{i:08d}",
                employer="长沙某某有限公司",
                photo=f"members/photos/2026/{i}.jpg" if i % 3 == 0 else "",
            )
        )
    Member.objects.bulk_create(members, batch_size=500)


def change_url(member):
    return reverse("admin:members_member_change", args=[member.pk])


def change_form_data(member, **changes):
    data = {
        "name": member.name,
        "sex": member.sex,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.isoformat() if member.birth_date else "",
        "native_place": member.native_place,
        "education": member.education,
        "member_no": member.member_no,
        "status": member.status,
        "term": member.term_id,
        "terms_served": member.terms_served,
        "sector": member.sector_id,
        "affiliation": member.affiliation_id,
        "role": member.role,
        "honours": member.honours,
        "employer": member.employer,
        "position": member.position,
        "professional_title": member.professional_title,
        "mobile": member.mobile,
        "office_phone": member.office_phone,
        "email": member.email,
        "wechat": member.wechat,
        "home_address": member.home_address,
        "work_address": member.work_address,
        "notes": member.notes,
        **{name: getattr(member, name) for name in DELIVERY_FIELDS},
        "contributions-TOTAL_FORMS": "0",
        "contributions-INITIAL_FORMS": "0",
        "contributions-MIN_NUM_FORMS": "0",
        "contributions-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    data.update(changes)
    return data


# --- changelist --------------------------------------------------------------------------

# Session, user, the user's permissions (2), the sector, affiliation and term filters'
# choices, the filtered count, the office for the page header, and the page of members
# with everything its columns show: the same at 100 and at 5,000 members.
STAFF_CHANGELIST_QUERIES = 10
# District staff: the office count replaces the header's office, and the office filter
# adds its choices.
DISTRICT_CHANGELIST_QUERIES = 11


@pytest.mark.parametrize("count", [100, 5000])
def test_member_changelist_costs_the_same_queries_at_100_and_5000_members(
    staff_client, staff, count, django_assert_num_queries
):
    bulk_members(staff.office, count)

    with django_assert_num_queries(STAFF_CHANGELIST_QUERIES):
        response = staff_client.get(CHANGELIST_URL)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 50
    assert 'class="member-thumb"' in response.content.decode()


@pytest.mark.parametrize("count", [100, 5000])
def test_district_changelist_costs_the_same_queries_at_100_and_5000_members(
    client, district_staff, office, other_office, count, django_assert_num_queries
):
    bulk_members(office, count // 2)
    bulk_members(other_office, count // 2, start=count)
    client.force_login(district_staff)

    with django_assert_num_queries(DISTRICT_CHANGELIST_QUERIES):
        response = client.get(CHANGELIST_URL, {"q": "王", "status__exact": "serving"})

    assert response.status_code == 200
    assert response.context["cl"].result_list


def test_changelist_filters_by_sector_affiliation_term_and_status(staff_client, staff):
    sectors = [spec.title for spec in staff_client.get(CHANGELIST_URL).context["cl"].filter_specs]
    assert sectors == ["界别", "政治面貌", "届次", "状态", "政协职务", "平台账号"]

    economy = Sector.objects.get(name="经济界")
    MemberFactory(office=staff.office, name="王芳", sector=economy)
    MemberFactory(office=staff.office, name="丁一", sector=Sector.objects.get(name="教育界"))
    MemberFactory(office=staff.office, name="石磊", sector=economy, status="term_ended")

    response = staff_client.get(
        CHANGELIST_URL, {"sector__id__exact": economy.pk, "status__exact": "serving"}
    )

    assert [m.name for m in response.context["cl"].result_list] == ["王芳"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("黄德军", "黄德军"), ("13911112222", "黄德军"), ("湘江建材", "刘洋")],
)
def test_changelist_search_finds_members_by_name_phone_and_employer(
    staff_client, staff, query, expected
):
    MemberFactory(office=staff.office, name="黄德军", mobile="13911112222", employer="某银行")
    MemberFactory(office=staff.office, name="刘洋", employer="长沙湘江建材有限公司")

    response = staff_client.get(CHANGELIST_URL, {"q": query})

    assert [m.name for m in response.context["cl"].result_list] == [expected]


def test_changelist_links_to_the_official_name_list_and_to_import_and_export(staff_client):
    page = staff_client.get(CHANGELIST_URL).content.decode()

    assert ROSTER_URL in page
    assert "按姓氏笔画排序名册" in page
    assert reverse("admin:members_member_import") in page
    assert reverse("admin:members_member_export") in page


# --- change form: photo and history ------------------------------------------------------


def test_a_change_by_staff_appears_in_history_with_that_user(staff_client, staff):
    member = MemberFactory(office=staff.office, name="王芳", employer="旧单位")

    response = staff_client.post(change_url(member), change_form_data(member, employer="新单位"))

    assert response.status_code == 302
    latest = member.history.first()
    assert latest.employer == "新单位"
    assert latest.history_user == staff


def test_history_page_shows_who_changed_what(staff_client, staff):
    member = MemberFactory(office=staff.office, name="王芳", employer="旧单位")
    staff_client.post(change_url(member), change_form_data(member, employer="新单位"))

    response = staff_client.get(reverse("admin:members_member_history", args=[member.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "周文静" in page
    assert "工作单位" in page  # simple-history lists the changed field by its label


def test_photo_that_is_not_an_image_is_refused_with_a_clear_message(staff_client, staff):
    member = MemberFactory(office=staff.office)
    fake = SimpleUploadedFile("photo.jpg", "这不是照片，是一段文字".encode(), "image/jpeg")

    response = staff_client.post(change_url(member), change_form_data(member, photo=fake))

    assert response.status_code == 200
    assert "照片必须是 JPG、PNG 或 WEBP 格式的图片" in response.content.decode()
    member.refresh_from_db()
    assert not member.photo


def real_png(size_px) -> bytes:
    image = Image.frombytes("RGB", (size_px, size_px), os.urandom(size_px * size_px * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_photo_over_the_size_limit_is_refused_with_a_clear_message(staff_client, staff, settings):
    settings.PHOTO_MAX_BYTES = 20 * 1024
    member = MemberFactory(office=staff.office)
    big = real_png(160)
    assert len(big) > settings.PHOTO_MAX_BYTES
    upload = SimpleUploadedFile("photo.png", big, "image/png")

    response = staff_client.post(change_url(member), change_form_data(member, photo=upload))

    assert response.status_code == 200
    assert "照片不能超过 20.0\xa0KB" in response.content.decode()
    member.refresh_from_db()
    assert not member.photo


def test_photo_within_the_limit_is_stored(staff_client, staff):
    member = MemberFactory(office=staff.office)
    upload = SimpleUploadedFile("photo.png", real_png(40), "image/png")

    response = staff_client.post(change_url(member), change_form_data(member, photo=upload))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.photo.name.endswith(".png")


def test_member_added_by_staff_belongs_to_their_office(staff_client, staff, other_office):
    template = MemberFactory.build(office=staff.office, member_no="NEW001", mobile="13700000009")
    template.term = Term.objects.get(is_current=True)
    template.sector = Sector.objects.get(name="经济界")
    template.affiliation = Affiliation.objects.get(name="无党派人士")

    response = staff_client.post(
        reverse("admin:members_member_add"), change_form_data(template, name="石磊")
    )

    assert response.status_code == 302
    assert Member.objects.get(member_no="NEW001").office == staff.office


# --- the official name list (名册) ------------------------------------------------------


def test_name_list_orders_serving_members_by_surname_stroke_count(
    staff_client, staff, other_office
):
    for name in ["黄德军", "刘洋", "石磊", "王芳", "丁一"]:
        MemberFactory(office=staff.office, name=name)
    MemberFactory(office=staff.office, name="于光", status=Member.Status.DECEASED)
    MemberFactory(office=other_office, name="马明")

    response = staff_client.get(ROSTER_URL)

    assert response.status_code == 200
    [(_, members)] = response.context["groups"]
    # 丁 2 strokes, 王 4, 石 5, 刘 6, 黄 11.
    assert [m.name for m in members] == ["丁一", "王芳", "石磊", "刘洋", "黄德军"]
    page = response.content.decode()
    assert "韭菜园街道政协联络处委员名册" in page
    assert "按姓氏笔画为序" in page
    assert "members/roster.css" in page


def test_name_list_can_be_grouped_by_sector(staff_client, staff):
    economy, education = Sector.objects.get(name="经济界"), Sector.objects.get(name="教育界")
    MemberFactory(office=staff.office, name="刘洋", sector=economy)
    MemberFactory(office=staff.office, name="王芳", sector=economy)
    MemberFactory(office=staff.office, name="石磊", sector=education)

    response = staff_client.get(ROSTER_URL, {"group": "sector"})

    groups = [(s.name, [m.name for m in ms]) for s, ms in response.context["groups"]]
    expected = sorted(
        [("经济界", ["王芳", "刘洋"]), ("教育界", ["石磊"])],
        key=lambda g: Sector.objects.get(name=g[0]).position,
    )
    assert groups == expected


def test_name_list_costs_the_same_queries_however_long(
    staff_client, staff, django_assert_num_queries
):
    bulk_members(staff.office, 30)
    with django_assert_num_queries(7) as first:
        staff_client.get(ROSTER_URL)
    bulk_members(staff.office, 300, start=30)
    with django_assert_num_queries(len(first.captured_queries)):
        response = staff_client.get(ROSTER_URL)
    assert response.context["total"] == 330
    with django_assert_num_queries(len(first.captured_queries) + 1):  # sector counts
        staff_client.get(ROSTER_URL, {"group": "sector", "page": "3"})


def test_name_list_pages_by_a_hundred_numbered_on_and_says_when_a_sector_continues(
    staff_client, staff
):
    bulk_members(staff.office, 260)

    second = staff_client.get(ROSTER_URL, {"page": "2"})
    [(_, members)] = second.context["groups"]
    by_sector = staff_client.get(ROSTER_URL, {"group": "sector", "page": "2"})

    assert [m.number for m in members] == list(range(101, 201))
    assert "第 2 页，共 3 页（第 101–200 人）" in second.text
    assert "在任委员共 260 人" in second.text
    assert "page=3" in second.text and "page=1" in second.text
    # Five sectors of 52 each: page 2 begins inside the second sector's list (53–104).
    sector, _rows = by_sector.context["groups"][0]
    assert sector.total == 52 and sector.continued
    assert f"{sector.name}（52人）（续）" in by_sector.text
    assert by_sector.text.count("（续）") == 1  # the next sector starts on this page
    assert "group=sector&amp;page=3" in by_sector.text
    assert reverse("admin:reports_document_add") + "?kind=roster" in second.text


def test_district_staff_choose_the_office_of_the_name_list(
    client, district_staff, office, other_office
):
    MemberFactory(office=office, name="王芳")
    MemberFactory(office=other_office, name="吴海")
    client.force_login(district_staff)

    response = client.get(ROSTER_URL, {"office": other_office.pk})

    assert [m.name for m in response.context["groups"][0][1]] == ["吴海"]
    assert response.context["title"] == "东屯渡街道政协联络处委员名册"


# --- contributions -----------------------------------------------------------------------


def test_contribution_admin_filters_by_kind_and_year(staff_client, staff):
    member = MemberFactory(office=staff.office, name="黄德军")
    ContributionFactory(member=member, kind=Contribution.Kind.TAX, year=2025)
    ContributionFactory(member=member, kind=Contribution.Kind.DONATION, year=2025, title="捐书")
    ContributionFactory(member=member, kind=Contribution.Kind.DONATION, year=2024)
    url = reverse("admin:members_contribution_changelist")

    response = staff_client.get(url, {"kind__exact": "donation", "year": "2025"})

    assert [c.title for c in response.context["cl"].result_list] == ["捐书"]
    titles = [spec.title for spec in response.context["cl"].filter_specs]
    assert titles == ["类别", "年度"]
    assert reverse("admin:members_contribution_export") in response.content.decode()
