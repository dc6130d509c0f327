"""Speeches (委员发言): staff arrange a member to speak on a briefing's agenda, record
the speech afterwards in the admin, and the points, the portal duty record and the
ranking follow."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from briefings import services as briefing_services
from briefings.models import Activity, ActivityKind, AgendaItem, Speech
from liaison.workflow import WorkflowError
from members.models import PointEntry
from members.points import points_total
from reports import duty
from reports import services as report_services
from tests.briefings.test_pages import add_page_data
from tests.factories import MemberFactory, activity_held, shanghai

pytestmark = pytest.mark.django_db

BEFORE = shanghai(2026, 3, 2, 9)
AFTER = shanghai(2026, 3, 23, 10)


def _briefing_with_speaker(staff_client, speaker):
    kind = ActivityKind.objects.get(name="政情通报会")
    data = add_page_data(kind)
    data["agenda-1-title"] = "委员代表发言：关于老旧小区加装电梯"
    data["agenda-1-speaker"] = speaker.pk
    with time_machine.travel(BEFORE):
        response = staff_client.post(reverse("admin:briefings_activity_add"), data)
    return response


def _speech_data(activity, speaker, **fields):
    if "agenda_item" not in fields:
        fields["agenda_item"] = activity.agenda.get(speaker=speaker).pk
    return {
        "activity": activity.pk,
        "member": speaker.pk,
        "kind": "plenary",
        "title": "关于加快老旧小区加装电梯的建议",
        "text": "建议街道统筹资金，优先为高龄住户集中的楼栋加装电梯。",
        "delivered_on": "2026-03-20",
        "is_adopted": "on",
        **fields,
    }


def test_a_speaker_arranged_on_a_briefing_is_recorded_with_points(staff_client, office, member):
    assert _briefing_with_speaker(staff_client, member).status_code == 302
    activity = Activity.objects.get()
    item = activity.agenda.get(position=2)
    assert item.speaker == member and item.presenter_display == "唐朝阳"
    assert activity.agenda.get(position=1).presenter == "王书记"  # a leader stays free text

    with time_machine.travel(AFTER):
        page = staff_client.get(reverse("admin:briefings_speech_add") + f"?activity={activity.pk}")
        assert page.status_code == 200
        assert page.context["adminform"].form.initial["delivered_on"] == datetime.date(2026, 3, 20)
        # The arranged items only, each named with its activity and speaker.
        assert "委员代表发言：关于老旧小区加装电梯（唐朝阳）" in page.text
        assert "通报街道经济社会发展情况" not in page.text
        response = staff_client.post(
            reverse("admin:briefings_speech_add"), _speech_data(activity, member)
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
    speech = Speech.objects.get()
    assert (speech.member, speech.kind, speech.agenda_item) == (member, "plenary", item)
    # 大会发言 5 and 发言被采用或刊发 5, each from the speech.
    assert points_total(member=member, year=2026) == 10
    assert set(PointEntry.objects.filter(source_id=speech.pk).values_list("kind", "points")) == {
        ("speech", 5),
        ("speech_adopted", 5),
    }

    changelist = staff_client.get(reverse("admin:briefings_speech_changelist"))
    assert "关于加快老旧小区加装电梯的建议" in changelist.text
    activity_page = staff_client.get(reverse("admin:briefings_activity_change", args=[activity.pk]))
    assert "关于加快老旧小区加装电梯的建议" in activity_page.text
    assert "已记录1次发言" in activity_page.text and "记录委员发言" in activity_page.text
    filtered = staff_client.get(
        reverse("admin:briefings_speech_changelist") + f"?activity__id__exact={activity.pk}"
    )
    assert filtered.status_code == 200 and "关于加快老旧小区加装电梯的建议" in filtered.text

    mine = Client()
    mine.force_login(member.user)
    with time_machine.travel(AFTER):
        record = mine.get(reverse("portal:duty_record") + "?year=2026").text
    assert "关于加快老旧小区加装电梯的建议" in record and "大会发言" in record
    assert duty.standing_for(member, [2026]).speeches == 1


def test_correcting_a_speech_moves_its_points_and_deleting_it_takes_them_back(
    staff_client, office, member
):
    _briefing_with_speaker(staff_client, member)
    activity = Activity.objects.get()
    with time_machine.travel(AFTER):
        staff_client.post(reverse("admin:briefings_speech_add"), _speech_data(activity, member))
        speech = Speech.objects.get()
        data = _speech_data(activity, member, kind="written")
        del data["is_adopted"]
        response = staff_client.post(
            reverse("admin:briefings_speech_change", args=[speech.pk]), data
        )
        assert response.status_code == 302
    assert list(PointEntry.objects.values_list("kind", "points")) == [("speech_written", 3)]
    with time_machine.travel(AFTER):
        staff_client.post(
            reverse("admin:briefings_speech_delete", args=[speech.pk]), {"post": "yes"}
        )
    assert not Speech.objects.exists()
    assert points_total(member=member, year=2026) == 0


def test_a_member_of_another_office_is_neither_arranged_nor_recorded(
    staff_client, office, other_office, staff, member
):
    outsider = MemberFactory(office=other_office, name="罗建", mobile="")
    response = _briefing_with_speaker(staff_client, outsider)
    assert response.status_code == 200  # shown again: the autocomplete offers only ours
    assert not Activity.objects.exists()

    activity = activity_held(office=office, staff=staff, attended=[member])
    with time_machine.travel(AFTER):
        data = _speech_data(activity, member, member=outsider.pk, agenda_item="")
        response = staff_client.post(reverse("admin:briefings_speech_add"), data)
        assert response.status_code == 200
        with pytest.raises(WorkflowError, match="不是主办联络处的委员"):
            briefing_services.speech_record(
                activity=activity,
                member=outsider,
                kind="plenary",
                title="关于背街小巷整治的建议",
                text="……",
                delivered_on=datetime.date(2026, 3, 20),
                actor=None,
            )
    assert not Speech.objects.exists() and not PointEntry.objects.filter(member=outsider).exists()


def test_a_speech_file_that_is_not_what_its_extension_says_is_refused(
    staff_client, office, staff, member
):
    activity = activity_held(office=office, staff=staff, attended=[member])
    AgendaItem.objects.create(activity=activity, title="委员发言", speaker=member)
    with time_machine.travel(AFTER):
        data = _speech_data(activity, member, text="")
        data["file"] = SimpleUploadedFile("发言稿.pdf", b"MZ not a pdf", "application/pdf")
        response = staff_client.post(reverse("admin:briefings_speech_add"), data)
    assert response.status_code == 200
    assert "内容与扩展名不符" in response.text
    assert not Speech.objects.exists()
    assert points_total(member=member, year=2026) == 5  # attendance only


def test_a_speech_in_a_closed_year_is_refused(staff_client, office, staff, member):
    activity = activity_held(office=office, staff=staff, attended=[member])
    AgendaItem.objects.create(activity=activity, title="委员发言", speaker=member)
    report_services.duty_year_close(
        duty_year=report_services.duty_year_open(office=office, year=2026), actor=staff
    )
    with time_machine.travel(AFTER):
        response = staff_client.post(
            reverse("admin:briefings_speech_add"), _speech_data(activity, member)
        )
    assert response.status_code == 200
    assert "2026年度履职考核已结束" in response.text
    assert not Speech.objects.exists()


def test_the_ranking_counts_speeches(office, staff, member, other_member):
    activity = activity_held(office=office, staff=staff, attended=[member, other_member])
    for kind in ("plenary", "exchange"):
        briefing_services.speech_record(
            activity=activity,
            member=member,
            kind=kind,
            title="发言",
            text="发言内容",
            delivered_on=datetime.date(2026, 3, 20),
            actor=staff,
        )
    rows = {row.member.pk: row for row in duty.standings(office=office, years=[2026])}
    assert rows[member.pk].speeches == 2 and rows[other_member.pk].speeches == 0
    assert rows[member.pk].total == 5 + 5 + 3
