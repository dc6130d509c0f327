"""The issue's "done when", tried as a new user would: staff record a hospital visit in
the admin, note two opinions, assign one to the city management department (15 working
days across the National Day holiday) and escalate the other; the department reports
the result through its link; the member reads it on the phone and confirms; the
coverage page shows who still needs a visit this half-year; every reminder is
delivered once."""

import datetime
import re
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from liaison.models import HandlingUnit, Notification
from liaison.outbox import deliver_pending
from tests.factories import HandlingUnitFactory, MemberFactory
from visits.models import Concern, Visit
from visits.reminders import visit_reminders_queue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("members_prefer_email")]

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(day: datetime.date, hour: int = 9):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
    )


def sweep(day: datetime.date) -> None:
    """What beat does on ``day``: run the sweep (twice, as the hourly runs do), deliver."""
    with at(day, 10):
        visit_reminders_queue(day)
        visit_reminders_queue(day)
        deliver_pending()


def _step(client, concern_or_visit, step, data):
    model = "concern" if isinstance(concern_or_visit, Concern) else "visit"
    url = reverse(f"admin:visits_{model}_step", args=[concern_or_visit.pk, step])
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "已完成" in response.text, re.findall(r'class="errornote">([^<]*)', response.text)
    return response


def test_hospital_visit_to_confirmed_result_with_every_reminder_once(
    staff_client, staff, member, office
):
    unit_browser, phone = Client(), Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    cgk = HandlingUnitFactory(
        office=office, name="城管科", kind=HandlingUnit.Kind.STREET_DEPARTMENT, email="cgk@x.cn"
    )
    bureau = HandlingUnitFactory(
        office=None,
        name="区住房和城乡建设局",
        kind=HandlingUnit.Kind.DISTRICT_BODY,
        email="zj@x.cn",
    )
    not_visited = MemberFactory(office=office, name="曹胜阳", mobile="13700000009")
    assign_day = datetime.date(2026, 9, 28)

    # 1. Staff record the hospital visit in the admin, with the member and the team.
    with at(assign_day):
        response = staff_client.post(
            reverse("admin:visits_visit_add"),
            {
                "kind": Visit.Kind.HOSPITAL,
                "visited_on": "2026-09-28",
                "place": "湘雅医院住院部",
                "amount": "1000",
                "gifts": "鲜花、水果",
                "summary": "委员术后恢复良好，感谢组织关心。",
                "staff_notes": "家属提到医药费压力较大，内部跟进。",
                "visited_members": [str(member.pk)],
                "team-TOTAL_FORMS": "2",
                "team-INITIAL_FORMS": "0",
                "team-0-user": str(staff.pk),
                "team-1-name": "刘书记",
                "team-1-title": "街道党工委书记",
                "team-1-is_leader": "on",
                "concerns-TOTAL_FORMS": "0",
                "concerns-INITIAL_FORMS": "0",
            },
            follow=True,
        )
        assert response.status_code == 200
        visit = Visit.objects.get()
        assert (visit.status, visit.kind, list(visit.members.all())) == (
            Visit.Status.DONE,
            Visit.Kind.HOSPITAL,
            [member],
        )
        assert visit.team.count() == 2

        # 2. Two opinions the member raised during the visit.
        for title in ("小区门口占道经营严重", "老旧小区加装电梯审批慢"):
            _step(
                staff_client,
                visit,
                "opinion",
                {"member": member.pk, "title": title, "content": title},
            )
        street, beyond = Concern.objects.order_by("pk")
        assert street.visit == visit and street.source == Concern.Source.VISIT

        # 3. One to 城管科 within the street's duties, the other escalated.
        _step(staff_client, street, "assign", {"unit": cgk.pk, "due_date": "", "note": ""})
        _step(
            staff_client,
            beyond,
            "escalate",
            {"unit": bureau.pk, "coordination_notes": "已函告区住建局，请其牵头协调。"},
        )
    street.refresh_from_db()
    beyond.refresh_from_db()
    assert street.status == Concern.Status.ASSIGNED
    # 15 working days from Monday 28 September: the National Day week (1–7 October) is
    # skipped and Saturday 10 October is a make-up working day.
    assert street.due_date == datetime.date(2026, 10, 23)
    assert beyond.status == Concern.Status.ESCALATED and beyond.unit == bureau

    with at(assign_day, 11):
        deliver_pending()
    assignment_mail = [m for m in mail.outbox if m.to == ["cgk@x.cn"]]
    assert len(assignment_mail) == 1
    link = re.search(r"http://\S+/units/concerns/\S+/", assignment_mail[0].body).group(0)
    path = link.split("8000", 1)[1] if "8000" in link else link

    # 4. Reminders before the due date and on the day, each once, swept twice a day.
    for day in (
        datetime.date(2026, 10, 19),
        datetime.date(2026, 10, 20),
        datetime.date(2026, 10, 23),
    ):
        sweep(day)
    unit_subjects = Counter(m.subject for m in mail.outbox if m.to == ["cgk@x.cn"])
    assert sum("将于" in s for s in unit_subjects) == 1  # 3 working days before
    assert sum("今日到期" in s for s in unit_subjects) == 1
    assert all(count == 1 for count in unit_subjects.values())

    # 5. The department reports the result through its link, no account needed.
    with at(datetime.date(2026, 10, 23), 15):
        unit_browser.post(path, {"action": "acknowledge"})
        response = unit_browser.post(
            path,
            {
                "action": "result",
                "outcome": "resolved",
                "result": "已联合执法清理占道摊点，设置便民疏导点。",
                "reason": "",
                "resolved_on": "2026-10-23",
            },
            follow=True,
        )
        assert "办理结果已提交" in response.text
        street.refresh_from_db()
        assert street.status == Concern.Status.RESOLVED

        # Staff feed the result back to the member.
        _step(staff_client, street, "feed_back", {"note": "请委员确认。"})

    # 6. The member reads the result on the phone and confirms.
    with at(datetime.date(2026, 10, 26)):
        phone.force_login(member.user)
        page = phone.get(reverse("portal:concern_detail", args=[street.pk]))
        assert "已联合执法清理占道摊点" in page.text
        visit_page = phone.get(reverse("portal:visit_detail", args=[visit.pk])).text
        assert "委员术后恢复良好" in visit_page
        assert "家属提到医药费压力较大" not in visit_page  # staff-only notes
        phone.post(reverse("portal:concern_confirm", args=[street.pk]), {"satisfied": "1"})
    street.refresh_from_db()
    assert street.status == Concern.Status.CLOSED
    assert street.verdict == Concern.Verdict.SATISFIED

    # 7. The coverage page shows who still needs a visit this half-year.
    with at(datetime.date(2026, 10, 26)):
        coverage = staff_client.get(reverse("admin:visits_visit_coverage"))
    assert coverage.status_code == 200
    members_table = coverage.text.split('data-testid="coverage-members"', 1)[1]
    assert not_visited.name in members_table
    assert member.name not in members_table

    # 8. Every reminder was delivered exactly once, whatever the sweeps did.
    sweep(datetime.date(2026, 10, 26))  # a Monday: the weekly digests (nothing overdue)
    keys = list(Notification.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys))
    sent = Notification.objects.filter(channel=Notification.Channel.EMAIL)
    assert not sent.filter(status=Notification.Status.PENDING).exists()
    assert len(mail.outbox) == sent.filter(status=Notification.Status.SENT).count()
    member_mail = [m for m in mail.outbox if m.to == [member.email]]
    assert [m.subject for m in member_mail] == [
        "【办理结果】您反映的“小区门口占道经营严重”有了办理结果"
    ]
    assert sum(m.to == ["zj@x.cn"] for m in mail.outbox) == 1  # the escalation
