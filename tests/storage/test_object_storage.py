"""Uploaded files on the object store (MEDIA_STORAGE=s3): they land in a private bucket,
never on the web host's disk, and reach only those the /media/ view lets through, by a
signed URL that expires and names one file."""

import datetime
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.models import Proposal, ProposalAttachment, ProposalCategory
from reports import services as report_services
from reports import tasks as report_tasks
from reports.models import Document

from ..factories import proposal_draft

pytestmark = [pytest.mark.django_db, pytest.mark.s3]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\nphoto"


def fetch(url: str):
    """What a browser gets from the store for ``url``: (status, headers, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def files_on_disk(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def attachment(bucket, member):
    proposal = proposal_draft(member=member)
    return ProposalAttachment.objects.create(
        proposal=proposal, file=ContentFile(PDF, name="调研材料.pdf"), name="调研材料.pdf"
    )


def test_an_upload_lands_in_the_private_bucket_and_not_on_disk(
    member_client, member, bucket, settings
):
    response = member_client.post(
        reverse("portal:proposal_create"),
        {
            "title": "关于增设社区养老服务站的建议",
            "category": ProposalCategory.objects.get(name="社区建设").pk,
            "reasons": "老龄化加快",
            "suggestions": "利用闲置用房",
            "attachment": SimpleUploadedFile("调研.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    stored = Proposal.objects.get(lead_member=member).attachments.get().file
    key = f"media/{stored.name}"
    assert bucket.stored() == [key]
    assert bucket.client.get_object(Bucket=bucket.name, Key=key)["Body"].read() == PDF
    assert files_on_disk(settings) == []
    # No public grant on the object: only the bucket's owner may read it.
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=key)["Grants"]
    assert [g["Grantee"].get("URI") for g in grants if g["Grantee"].get("URI")] == []
    # And the object cannot be fetched without a signature.
    assert stored.url == "/media/" + quote(stored.name)


def test_a_refused_upload_writes_nothing_to_the_bucket(member_client, bucket):
    response = member_client.post(
        reverse("portal:proposal_create"),
        {
            "title": "关于增设社区养老服务站的建议",
            "category": ProposalCategory.objects.get(name="社区建设").pk,
            "reasons": "老龄化加快",
            "suggestions": "利用闲置用房",
            "attachment": SimpleUploadedFile("调研.pdf", b"MZ not a pdf", "application/pdf"),
        },
    )
    assert "内容与扩展名不符" in response.content.decode()
    assert bucket.stored() == []


def test_a_member_downloads_their_own_file_by_a_short_lived_signed_url(
    member_client, attachment, bucket
):
    link = attachment.file.url
    assert link.startswith("/media/")  # pages link to the permission check, not the bucket
    response = member_client.get(link)
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    signed = response["Location"]
    assert signed.startswith(f"{bucket.endpoint}/{bucket.name}/media/")
    assert "X-Amz-Expires=60" in signed
    status, headers, body = fetch(signed)
    assert status == 200
    assert body == PDF
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("attachment;")


def test_a_photo_is_shown_inline_from_the_store(client, member, bucket):
    member.photo.save("photo.png", ContentFile(PNG))
    client.force_login(member.user)
    status, headers, body = fetch(client.get(member.photo.url)["Location"])
    assert (status, body) == (200, PNG)
    assert headers["Content-Type"] == "image/png"
    assert headers["Content-Disposition"].startswith("inline;")


def test_another_member_and_another_office_get_not_found(
    client, other_member, other_staff, attachment
):
    client.force_login(other_member.user)
    assert client.get(attachment.file.url).status_code == 404
    client.force_login(other_staff)
    assert client.get(attachment.file.url).status_code == 404


def test_a_file_missing_from_the_bucket_is_not_found(staff_client, attachment, bucket):
    bucket.client.delete_object(Bucket=bucket.name, Key=f"media/{attachment.file.name}")
    assert staff_client.get(attachment.file.url).status_code == 404


def test_streamed_delivery_passes_the_file_through_the_site(member_client, attachment, settings):
    settings.MEDIA_DELIVERY = "stream"
    response = member_client.get(attachment.file.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == "attachment"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_signed_url_expires_and_opens_only_its_own_file(member_client, member, attachment):
    other = ProposalAttachment.objects.create(
        proposal=attachment.proposal,
        file=ContentFile(b"%PDF-1.4 other", name="其他.pdf"),
        name="其他.pdf",
    )
    signed = member_client.get(attachment.file.url)["Location"]
    assert fetch(signed)[0] == 200

    # The same signature on another file's name is refused.
    forged = signed.replace(quote(attachment.file.name), quote(other.file.name))
    assert forged != signed
    status, _headers, body = fetch(forged)
    assert status == 403 and b"SignatureDoesNotMatch" in body

    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=True):
        status, _headers, body = fetch(signed)
        assert status == 403 and b"Request has expired" in body
        # Going through the site again passes the check again and gives a fresh link.
        fresh = member_client.get(attachment.file.url)["Location"]
        assert fresh != signed
        assert fetch(fresh)[:3:2] == (200, PDF)


def test_a_document_rendered_by_the_worker_is_stored_in_the_bucket_and_downloaded(
    staff_client, staff, office, bucket, settings, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(report_services, "_enqueue", lambda pk, gen: sent.append((pk, gen)))
    with django_capture_on_commit_callbacks(execute=True):
        document = report_services.document_request(
            office=office, kind="roster", params={}, actor=staff
        )
    with django_capture_on_commit_callbacks(execute=True):
        for pk, generation in sent:
            report_tasks.render_document(pk, generation)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE
    assert f"media/{document.file.name}" in bucket.stored()
    assert f"media/{document.word_file.name}" in bucket.stored()
    assert files_on_disk(settings) == []

    stored = bucket.client.get_object(Bucket=bucket.name, Key=f"media/{document.file.name}")
    content = stored["Body"].read()
    assert content.startswith(b"%PDF")
    download = staff_client.get(reverse("admin:reports_document_download", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    word = staff_client.get(reverse("admin:reports_document_download_word", args=[document.pk]))
    assert b"".join(word.streaming_content)[:2] == b"PK"
