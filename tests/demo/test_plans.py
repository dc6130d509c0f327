"""Demo plans and reports, on top of the demo roster and its proposals and activities."""

import datetime
import random

import pytest

from demo.plans import seed_plans
from demo.roster import demo_seed
from plans.models import Document, DocumentIssue, PlanComment, WorkPlan, WorkReport

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 26)


def test_each_office_gets_an_adopted_plan_with_comments_and_an_issued_report(monkeypatch):
    from plans import services

    monkeypatch.setattr(services, "_enqueue", lambda pk, generation: None)
    from liaison.models import Office

    demo_seed(scale="small", today=TODAY)
    offices = list(Office.objects.all())
    counts = seed_plans(offices=offices, today=TODAY, rng=random.Random(1))
    for office in offices:
        adopted = WorkPlan.objects.get(office=office, year=2026, status="adopted")
        assert adopted.version == 2 and adopted.items.count() >= 10
        assert PlanComment.objects.filter(plan__office=office, plan__year=2026).count() == 2
        assert WorkPlan.objects.get(office=office, year=2027).status == "draft"  # autumn
        issued = WorkReport.objects.filter(office=office, status="issued")
        assert issued.count() == 2 and all(r.figures for r in issued)
    assert counts["reports"] == 2 * len(offices)
    documents = Document.objects.filter(kind="work-report")
    assert documents.count() == 2 * len(offices)
    issued = DocumentIssue.objects.filter(document__in=documents, recipient__username="leader")
    assert issued.exists()
