"""Numbers that count (issue 18 item 5): consultations run, answer and adoption rates
per office and year — in the work report, the plan's progress and the admin index."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from consultations import services
from consultations.models import Answer
from consultations.selectors import consultation_numbers
from plans.models import PlanItem
from reports import documents
from reports.figures import report_figures
from reports.metrics import measure
from tests.factories import plan_with_items

from .helpers import consultation_open, values_for

pytestmark = [pytest.mark.django_db]
YEAR = 2027


def _fed_back(staff, office, member, other_member, *, adopted: bool):
    """A consultation sent to both members; ``member`` answers, the outcome recorded."""
    consultation = consultation_open(staff=staff, office=office)
    services.answer_submit(
        consultation=consultation, member=member, actor=member.user, values=values_for(consultation)
    )
    services.consultation_close(consultation=consultation, actor=staff)
    services.consultation_compile(consultation=consultation, actor=staff, compiled_summary="汇总")
    services.consultation_submit(
        consultation=consultation, actor=staff, submitted_on=datetime.date.today()
    )
    answer = Answer.objects.get(consultation=consultation)
    outcome = Answer.Outcome.ADOPTED if adopted else Answer.Outcome.NOTED
    services.consultation_record_outcome(
        consultation=consultation,
        actor=staff,
        decision="方案修改后印发。",
        decided_on=datetime.date.today(),
        outcomes={answer.pk: (outcome, "")},
    )
    return consultation


@pytest.fixture
def year_of_consultations(staff, office, other_office, member, other_member):
    with time_machine.travel(datetime.date(YEAR, 3, 2)):
        _fed_back(staff, office, member, other_member, adopted=True)
    with time_machine.travel(datetime.date(YEAR, 9, 1)):
        _fed_back(staff, office, member, other_member, adopted=False)
    with time_machine.travel(datetime.date(YEAR - 1, 11, 2)):  # last year's: not counted
        _fed_back(staff, office, member, other_member, adopted=True)


def test_numbers_per_office_count_the_year_only(year_of_consultations, office, other_office):
    numbers = consultation_numbers(
        [office.pk, other_office.pk], datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    )
    mine = numbers[office.pk]
    assert (mine.run, mine.consulted, mine.answered, mine.answer_rate) == (2, 4, 2, 50)
    assert (mine.decided_opinions, mine.adopted, mine.adoption_rate) == (2, 1, 50)
    assert numbers[other_office.pk].run == 0


def test_work_report_tells_the_committee_how_members_were_consulted(year_of_consultations, office):
    figures = report_figures(office, YEAR)
    k = figures["consultations"]
    assert (k["run"], k["answer_rate"], k["adoption_rate"]) == (2, 50, 50)
    assert [row["adopted"] for row in k["list"]] == [1, 0]
    built = documents.build("work-report", office, {"year": YEAR}, datetime.date(YEAR, 12, 20))
    html = documents.render_document_html(built.template, built.context)
    assert "开展征求意见 2 次，委员反馈率 50%，意见采纳率 50%" in html
    assert "采纳（含部分采纳）1 条（采纳率 50%）" in html


def test_a_plan_item_is_measured_by_consultations_held(year_of_consultations, staff, office):
    plan = plan_with_items(
        office=office,
        staff=staff,
        year=YEAR,
        items=[("与党工委的联系", "重要决策前组织委员征求意见", "consultations", 3)],
    )
    (item,) = plan.items.all()
    assert item.get_metric_display() == "开展征求意见（次）"
    reading = measure(office, YEAR, [item])[item.pk]
    assert (reading.value, reading.goal, reading.met) == (2, 3, False)
    assert PlanItem.Metric.CONSULTATIONS == "consultations"


def test_admin_index_shows_each_offices_rates(
    year_of_consultations, client, staff, district_staff, office, other_office
):
    with time_machine.travel(datetime.date(YEAR, 10, 8)):
        client.force_login(staff)
        page = client.get(reverse("admin:index"))
        assert "2027 年征求意见" in page.text
        panel = next(p for p in page.context["panels"] if p.template.endswith("numbers_panel.html"))
        assert [(r["office"], r["n"].run, r["n"].answer_rate) for r in panel.context["rows"]] == [
            (office, 2, 50)
        ]
        client.force_login(district_staff)
        page = client.get(reverse("admin:index"))
        panel = next(p for p in page.context["panels"] if p.template.endswith("numbers_panel.html"))
        runs = {r["office"]: r["n"].run for r in panel.context["rows"]}
        assert runs == {office: 2, other_office: 0}


def test_the_recipient_count_is_kept_as_members_are_consulted(staff, office, member):
    """The district's numbers add up each consultation's kept count rather than count
    every recipient row: the count follows the rows — on opening, and when staff
    record the opinion of a member who was not asked (who is then a recipient)."""
    from consultations.models import Recipient
    from tests.factories import MemberFactory

    consultation = consultation_open(staff=staff, office=office)
    consultation.refresh_from_db()
    asked = Recipient.objects.filter(consultation=consultation).count()
    assert asked and consultation.recipient_count == asked
    newcomer = MemberFactory(office=office, mobile="")  # joined after it opened
    for _ in range(2):  # a second record for the same member adds no recipient
        services.answer_record(
            consultation=consultation,
            actor=staff,
            values=values_for(consultation, text="书面意见。"),
            source=Answer.Source.PAPER,
            member=newcomer,
        )
    consultation.refresh_from_db()
    assert consultation.recipient_count == asked + 1
    assert Recipient.objects.filter(consultation=consultation).count() == asked + 1
    numbers = consultation_numbers([office.pk], datetime.date.min, datetime.date.max)
    assert numbers[office.pk].consulted == asked + 1
