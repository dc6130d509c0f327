"""The materials library on the member's phone: the list, opening a material (the read
mark, the home page's to-do), handing in a reflection, and what stays out of reach."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from members.models import StudyMaterial, StudyRead, StudyReflection
from reports import duty
from tests.factories import member_with_account
from tests.portal.test_layout import _assert_no_inline_code

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


def test_the_study_pages_are_phone_pages_without_inline_code(office, member):
    material = _material(office)
    mine = _client(member)
    for url in (reverse("portal:study"), reverse("portal:study_detail", args=[material.pk])):
        response = mine.get(url)
        assert response.status_code == 200
        assert 'name="viewport"' in response.text
        _assert_no_inline_code(response.text.replace(material.url, ""))


def test_a_member_reads_a_material_and_hands_in_a_reflection(office, member):
    material = _material(office)
    mine = _client(member)
    home = mine.get(reverse("portal:dashboard")).text
    assert 'data-todo="study"' in home and "区政协全会精神学习辅导材料" in home
    listing = mine.get(reverse("portal:study")).text
    assert "未读" in listing

    page = mine.get(reverse("portal:study_detail", args=[material.pk]))
    assert page.status_code == 200
    assert StudyRead.objects.filter(material=material, member=member).count() == 1
    assert 'data-todo="study"' not in mine.get(reverse("portal:dashboard")).text

    response = mine.post(
        reverse("portal:study_detail", args=[material.pk]),
        {
            "text": "学习后深受启发，准备就小微企业融资难问题开展调研。",
            "file": SimpleUploadedFile("体会.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    reflection = StudyReflection.objects.get(member=member)
    assert reflection.material == material and reflection.file
    assert "已交体会" in mine.get(reverse("portal:study")).text
    assert mine.get(reflection.file.url).status_code == 200  # their own file

    record = mine.get(reverse("portal:duty_record") + "?year=2026").text
    assert "提交学习体会" in record and "《区政协全会精神学习辅导材料》学习体会" in record
    standing = duty.standing_for(member, [2026])
    assert (standing.materials_read, standing.reflections) == (1, 1)


def test_a_reflection_file_that_is_not_what_it_says_is_refused(office, member):
    material = _material(office)
    mine = _client(member)
    response = mine.post(
        reverse("portal:study_detail", args=[material.pk]),
        {
            "text": "体会",
            "file": SimpleUploadedFile("体会.pdf", b"MZ not a pdf", "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "内容与扩展名不符" in response.text
    assert not StudyReflection.objects.exists()


def test_another_offices_member_cannot_open_this_offices_material(office, other_office):
    outsider = member_with_account(office=other_office, name="罗建", mobile="13900000099")
    material = _material(office)
    client = _client(outsider)
    assert client.get(reverse("portal:study_detail", args=[material.pk])).status_code == 404
    assert client.get(reverse("portal:study_file", args=[material.pk])).status_code == 404
