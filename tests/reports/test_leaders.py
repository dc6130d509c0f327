"""Committee leaders sign in, see exactly the documents issued to them, are told when one
arrives, download it — and reach nothing else."""

import io

import pytest
from django.core import mail
from django.urls import reverse

from liaison import roles
from liaison.models import Notification
from liaison.outbox import deliver_pending
from liaison.workflow import WorkflowError
from reports import services, tasks
from reports.models import Document, DocumentIssue
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(services, "_enqueue", lambda pk, generation: sent.append((pk, generation)))
    return sent


def rendered(office, staff, kind="roster", **params):
    document = services.document_request(office=office, kind=kind, params=params, actor=staff)
    tasks.render_document(document.pk, document.generation)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE
    return document


@pytest.fixture
def other_leader(other_office):
    return UserFactory(
        username="other_leader",
        full_name="东屯渡党工委书记",
        office=other_office,
        role=roles.COMMITTEE_LEADER,
    )


def test_a_leader_signing_in_lands_on_the_reports_page(client, leader):
    response = client.post(reverse("portal:login"), {"username": "leader", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:index")


def test_a_member_signing_in_still_lands_on_the_portal(client, member):
    response = client.post(
        reverse("portal:login"), {"username": member.mobile, "password": PASSWORD}
    )
    assert response["Location"] == reverse("portal:dashboard")


def test_leader_sees_exactly_the_documents_issued_to_them_and_downloads_one(
    client, leader, other_leader, staff, other_staff, office, other_office, queued
):
    mine = rendered(office, staff, "roster")
    not_issued = rendered(office, staff, "ranking", year=2026)
    theirs = rendered(other_office, other_staff, "roster")
    services.document_issue(document=mine, recipients=[leader], actor=staff)
    services.document_issue(document=theirs, recipients=[other_leader], actor=other_staff)

    client.force_login(leader)
    page = client.get(reverse("reports:index")).content.decode()
    assert page.count('data-testid="issued-document"') == 1
    assert mine.title in page and not_issued.title not in page
    assert other_office.name not in page

    response = client.get(reverse("reports:report_download", args=[mine.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == mine.file.open("rb").read()
    assert DocumentIssue.objects.get(document=mine).downloaded_at is not None

    # Another office's document, or one of this office's not issued to them: 404.
    for document in (theirs, not_issued):
        assert client.get(reverse("reports:report_download", args=[document.pk])).status_code == 404


def test_a_leader_is_notified_once_the_issued_document_is_rendered(leader, staff, office, queued):
    document = services.document_request(office=office, kind="roster", params={}, actor=staff)
    services.document_issue(document=document, recipients=[leader], actor=staff)
    assert not Notification.objects.filter(recipient=leader).exists()  # not ready yet
    tasks.render_document(document.pk, document.generation)
    deliver_pending()
    assert [m.to for m in mail.outbox] == [[leader.email]]
    assert "委员名册" in mail.outbox[0].subject
    portal = Notification.objects.get(recipient=leader, channel="portal")
    assert portal.link == reverse("reports:index")
    services.document_issue(document=document, recipients=[leader], actor=staff)
    deliver_pending()
    assert len(mail.outbox) == 1  # issuing again tells nobody twice


def test_a_document_cannot_be_issued_to_another_offices_leader(other_leader, staff, office, queued):
    document = rendered(office, staff)
    with pytest.raises(WorkflowError):
        services.document_issue(document=document, recipients=[other_leader], actor=staff)


def test_an_issued_document_is_not_re_rendered(leader, staff, office, queued):
    document = rendered(office, staff)
    services.document_issue(document=document, recipients=[leader], actor=staff)
    with pytest.raises(WorkflowError):
        services.document_request(
            office=office, kind="roster", params={}, actor=staff, refresh=True
        )


def test_a_leader_reaches_nothing_of_the_admin(client, leader):
    client.force_login(leader)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get(reverse("admin:reports_document_changelist")).status_code == 302


def test_the_reports_page_is_for_leaders_only(client, member):
    client.force_login(member.user)
    assert client.get(reverse("reports:index")).status_code == 403
    client.logout()
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


def test_staff_issue_from_the_document_page(staff_client, staff, leader, office, queued):
    document = rendered(office, staff)
    page = staff_client.get(reverse("admin:reports_document_change", args=[document.pk]))
    assert leader.full_name in page.content.decode()
    staff_client.post(
        reverse("admin:reports_document_issue", args=[document.pk]), {"recipients": [leader.pk]}
    )
    assert DocumentIssue.objects.filter(document=document, recipient=leader).exists()


def test_reports_page_runs_a_constant_number_of_queries(client, leader, staff, office, queued):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(leader)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:index")).status_code == 200
        return len(ctx.captured_queries)

    services.document_issue(document=rendered(office, staff), recipients=[leader], actor=staff)
    small = count()
    for year in range(2020, 2026):
        document = services.document_request(
            office=office, kind="ranking", params={"year": year}, actor=staff
        )
        Document.objects.filter(pk=document.pk).update(
            status=Document.Status.DONE, page_count=1, size=1000, file="documents/x.pdf"
        )
        services.document_issue(document=document, recipients=[leader], actor=staff)
    assert count() == small


def test_a_leader_downloads_the_word_copy_beside_the_pdf(client, leader, staff, office, queued):
    import docx

    document = rendered(office, staff, "roster")
    services.document_issue(document=document, recipients=[leader], actor=staff)
    client.force_login(leader)
    page = client.get(reverse("reports:index")).content.decode()
    word_url = reverse("reports:report_download_word", args=[document.pk])
    assert word_url in page and "下载 Word（可编辑）" in page
    response = client.get(word_url)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"].endswith('.docx"')
        or ".docx" in response["Content-Disposition"]
    )
    word = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    assert "委员名册" in [p.text for p in word.paragraphs]
