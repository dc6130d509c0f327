"""Members read the research reports whose group they led or joined — topic, group,
summary, the report itself and what was adopted — and nobody else's."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from proposals.models import ResearchAdoption, ResearchReport
from tests.factories import member_with_account

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def report(office, member, other_member, other_office):
    """A joint research group: led by ``other_member``, ``member`` in it, and a member
    of another office too."""
    guest = member_with_account(office=other_office, name="陈立新", mobile="13900000009")
    report = ResearchReport.objects.create(
        office=office,
        year=2026,
        topic="关于老旧小区适老化改造的调研",
        lead_member=other_member,
        summary="走访了12个老旧小区。",
        file=ContentFile(PDF, name="适老化调研.pdf"),
        submitted_to="街道党工委",
        submitted_on=datetime.date(2026, 6, 30),
    )
    report.group_members.set([member, guest])
    ResearchAdoption.objects.create(
        report=report,
        body="街道办事处",
        content="纳入2027年民生实事项目。",
        adopted_on=datetime.date(2026, 9, 1),
    )
    return report


def test_a_group_member_reads_the_report_and_what_was_adopted(member_client, report):
    listing = member_client.get(reverse("portal:research")).content.decode()
    assert report.topic in listing and "已采纳 1 项" in listing
    page = member_client.get(reverse("portal:research_detail", args=[report.pk]))
    text = page.content.decode()
    assert "唐朝阳" in text and "陈立新" in text  # the group, across offices
    assert "纳入2027年民生实事项目" in text and "街道办事处" in text
    download = member_client.get(report.file.url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_the_lead_member_and_a_member_of_another_office_in_the_group_see_it(client, report):
    for member in (report.lead_member, report.group_members.get(name="陈立新")):
        client.force_login(member.user)
        assert report.topic in client.get(reverse("portal:research")).content.decode()
        assert client.get(reverse("portal:research_detail", args=[report.pk])).status_code == 200
        assert client.get(report.file.url).status_code == 200


def test_a_member_outside_the_group_sees_neither_the_report_nor_its_file(client, office, report):
    outsider = member_with_account(office=office, name="林晓", mobile="13900000077")
    client.force_login(outsider.user)
    assert report.topic not in client.get(reverse("portal:research")).content.decode()
    assert client.get(reverse("portal:research_detail", args=[report.pk])).status_code == 404
    assert client.get(report.file.url).status_code == 404
