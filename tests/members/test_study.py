"""The materials library (参阅资料): staff publish to everyone, a term or some 界别; a
member opening a material in the portal marks it read and may hand in a reflection;
the duty record counts study, and a yearly study minimum is named when missed."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from liaison.workflow import WorkflowError
from members.models import Sector, StudyMaterial, StudyRead, StudyReflection, Term
from members.services import (
    refresh_study_counts,
    study_material_read,
    study_reflection_submit,
)
from plans.models import PlanConfig
from reports import duty
from tests.factories import MemberFactory, activity_held

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _material(office, title="区政协全会精神学习辅导材料", **fields):
    fields.setdefault("url", "https://www.cppcc.gov.cn/")
    return StudyMaterial.objects.create(
        office=office, title=title, published_on=datetime.date(2026, 3, 1), **fields
    )


def _client(member):
    client = Client()
    client.force_login(member.user)
    return client


def test_staff_publish_a_material_and_see_who_read_it(staff_client, office, member):
    response = staff_client.post(
        reverse("admin:members_studymaterial_add"),
        {
            "title": "人民政协工作学习读本（节选）",
            "summary": "委员履职基本知识。",
            "file": SimpleUploadedFile("读本.pdf", PDF, "application/pdf"),
            "url": "",
            "published_on": "2026-03-01",
            "audience": "all",
            "term": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    material = StudyMaterial.objects.get()
    assert material.office == office and material.created_by.username == "staff"
    _client(member).get(reverse("portal:study_detail", args=[material.pk]))
    changelist = staff_client.get(reverse("admin:members_studymaterial_changelist"))
    assert changelist.context["cl"].result_list[0].read_count == 1


def test_handing_in_again_replaces_the_reflection(office, member):
    material = _material(office)
    for text in ("初稿", "修改后的学习体会"):
        study_reflection_submit(material=material, member=member, actor=member.user, text=text)
    assert list(StudyReflection.objects.values_list("text", flat=True)) == ["修改后的学习体会"]


def test_a_material_reaches_only_its_audience(office, other_office, member):
    other_sector = Sector.objects.exclude(pk=member.sector_id).first()
    earlier = Term.objects.create(name="第九届", start_year=2011, end_year=2016)
    to_sector = _material(office, "界别材料", audience="sectors")
    to_sector.sectors.set([other_sector])
    to_term = _material(office, "上届材料", audience="term", term=earlier)
    elsewhere = _material(other_office, "别处材料")
    mine = _client(member)
    listing = mine.get(reverse("portal:study")).text
    for material in (to_sector, to_term, elsewhere):
        assert material.title not in listing
        assert mine.get(reverse("portal:study_detail", args=[material.pk])).status_code == 404
    for material in (to_sector, elsewhere):
        with pytest.raises(WorkflowError, match="该参阅资料未向您发布"):
            study_reflection_submit(
                material=material, member=member, actor=member.user, text="体会"
            )
    assert not StudyRead.objects.exists() and not StudyReflection.objects.exists()

    to_sector.sectors.add(member.sector_id)
    assert to_sector.title in mine.get(reverse("portal:study")).text


def test_a_missed_study_minimum_is_named_like_the_others(office, staff, member, other_member):
    PlanConfig.objects.update_or_create(
        office=office,
        defaults={
            "min_proposals": 0,
            "min_opinion_reports": 0,
            "min_activities": 0,
            "min_study": 2,
        },
    )
    activity_held(office=office, staff=staff, attended=[member], kind="学习", title="委员学习会")
    study_reflection_submit(
        material=_material(office), member=member, actor=member.user, text="学习体会"
    )
    rows = {row.member.pk: row for row in duty.standings(office=office, years=[2026])}
    assert (rows[member.pk].study_sessions, rows[member.pk].reflections) == (1, 1)
    assert rows[member.pk].minimums_met
    assert rows[other_member.pk].missed_labels == "学习（次）"
    assert duty.minimum_terms(PlanConfig.for_office(office)) == "学习2次"


def test_a_briefing_is_not_a_study_session(office, staff, member):
    activity_held(office=office, staff=staff, attended=[member])
    assert duty.standing_for(member, [2026]).study_sessions == 0


def test_the_materials_admin_shows_the_counts_kept_on_the_row(
    staff_client, office, django_assert_max_num_queries
):
    members = [MemberFactory(office=office, mobile="") for _ in range(5)]

    def fill(n):
        for i in range(n):
            material = _material(office, f"资料{n}-{i}")
            StudyRead.objects.bulk_create(StudyRead(material=material, member=m) for m in members)
            refresh_study_counts(material.pk)

    url = reverse("admin:members_studymaterial_changelist")
    fill(3)
    with django_assert_max_num_queries(20) as small:
        assert staff_client.get(url).status_code == 200
    fill(40)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        page = staff_client.get(url)
    assert [m.read_count for m in page.context["cl"].result_list][:1] == [5]
    # The list reads no read mark: what it shows is on the materials' rows.
    assert not [q for q in large.captured_queries if "members_studyread" in q["sql"]]


def test_reading_and_handing_in_keep_the_counts_and_a_save_does_not_undo_them(
    staff_client, office, member
):
    material = _material(office)
    opened_before = StudyMaterial.objects.get(pk=material.pk)  # a form read it, counts 0
    other = MemberFactory(office=office, mobile="")
    for _ in range(2):  # opening it again counts once
        _client(member).get(reverse("portal:study_detail", args=[material.pk]))
    study_material_read(material=material, member=other)
    study_reflection_submit(material=material, member=member, actor=member.user, text="体会")
    study_reflection_submit(material=material, member=member, actor=member.user, text="改稿")
    material.refresh_from_db()
    assert (material.read_count, material.reflection_count) == (2, 1)
    # What was read before anyone opened it is saved: the counts are not written back.
    opened_before.title = "改过的标题"
    opened_before.save()
    material.refresh_from_db()
    assert material.title == "改过的标题"
    assert (material.read_count, material.reflection_count) == (2, 1)
    changelist = staff_client.get(reverse("admin:members_studymaterial_changelist"))
    assert '<td class="field-read_count">2</td>' in changelist.text


def test_a_deleted_member_leaves_the_counts_of_what_they_read(office, member):
    material = _material(office)
    reader = MemberFactory(office=office, mobile="")
    for who in (member, reader):
        study_reflection_submit(material=material, member=who, actor=who.user, text="体会")
    reader.delete()
    material.refresh_from_db()
    assert (material.read_count, material.reflection_count) == (1, 1)


def test_deleting_a_material_counts_its_read_marks_rather_than_listing_them(
    staff_client, office, django_assert_max_num_queries
):
    material = _material(office)
    url = reverse("admin:members_studymaterial_delete", args=[material.pk])

    def read_by(n):
        readers = [MemberFactory(office=office, mobile="") for _ in range(n)]
        StudyRead.objects.bulk_create(StudyRead(material=material, member=m) for m in readers)
        return readers

    first = read_by(3)
    with django_assert_max_num_queries(40) as few:
        page = staff_client.get(url).text
    assert "阅读记录：3条" in page and first[0].name not in page
    read_by(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = staff_client.get(url).text
    assert "阅读记录：30条" in page


def test_a_read_material_is_deleted_with_its_read_marks(staff_client, office, member):
    material = _material(office)
    _client(member).get(reverse("portal:study_detail", args=[material.pk]))
    url = reverse("admin:members_studymaterial_delete", args=[material.pk])
    assert "阅读记录：1条" in staff_client.get(url).text
    assert staff_client.post(url, {"post": "yes"}).status_code == 302
    assert not StudyMaterial.objects.exists() and not StudyRead.objects.exists()


def test_a_material_with_reflections_is_not_deleted(staff_client, office, member):
    material = _material(office)
    study_reflection_submit(material=material, member=member, actor=member.user, text="体会")
    url = reverse("admin:members_studymaterial_delete", args=[material.pk])
    page = staff_client.get(url).text
    assert "学习体会" in page
    staff_client.post(url, {"post": "yes"})
    assert StudyMaterial.objects.filter(pk=material.pk).exists()
    assert StudyReflection.objects.filter(material=material).exists()


def test_reflections_are_listed_newest_first_and_filtered_by_year(staff_client, office, member):
    material = _material(office)
    study_reflection_submit(material=material, member=member, actor=member.user, text="体会")
    url = reverse("admin:members_studyreflection_changelist")
    year = StudyReflection.objects.get().submitted_at.year
    shown = staff_client.get(url, {"submitted_at__year": year})
    assert [r.text for r in shown.context["cl"].result_list] == ["体会"]
    assert not staff_client.get(url, {"submitted_at__year": year - 1}).context["cl"].result_list
