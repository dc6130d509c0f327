"""Uploaded files are served only to those allowed to see the record they belong to."""

from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models

from liaison.media import protected_files
from proposals.models import ProposalAttachment

from ..factories import proposal_draft

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def attachment(member):
    proposal = proposal_draft(member=member)
    return ProposalAttachment.objects.create(
        proposal=proposal, file=ContentFile(PDF, name="调研材料.pdf"), name="调研材料.pdf"
    )


def _url(field_file):
    return field_file.url


def test_member_downloads_the_attachment_of_their_own_proposal(member_client, attachment):
    response = member_client.get(_url(attachment.file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == "attachment"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_member_gets_not_found_for_someone_elses_attachment(
    client, other_member, attachment
):
    client.force_login(other_member.user)
    assert client.get(_url(attachment.file)).status_code == 404


def test_staff_of_the_office_download_the_attachment(staff_client, attachment):
    assert staff_client.get(_url(attachment.file)).status_code == 200


def test_staff_of_another_office_get_not_found(client, other_staff, attachment):
    client.force_login(other_staff)
    assert client.get(_url(attachment.file)).status_code == 404


def test_committee_leader_gets_not_found_for_a_proposal_attachment(client, leader, attachment):
    client.force_login(leader)
    assert client.get(_url(attachment.file)).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, attachment):
    response = client.get(_url(attachment.file))
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/")


def test_a_file_no_record_claims_is_not_served_even_to_staff(staff_client, settings):
    stray = settings.MEDIA_ROOT / "stray.txt"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"secret")
    assert staff_client.get("/media/stray.txt").status_code == 404


def test_path_traversal_is_not_found(staff_client, attachment):
    assert staff_client.get("/media/../liaison/settings/base.py").status_code == 404
    assert staff_client.get("/media/%2e%2e/%2e%2e/etc/passwd").status_code == 404


def test_behind_nginx_the_file_is_handed_over_with_x_accel_redirect(
    member_client, attachment, settings
):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    response = member_client.get(_url(attachment.file))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{quote(attachment.file.name)}"
    assert response.content == b""


def test_member_sees_their_own_photo_and_not_another_members(client, member, other_member):
    member.photo.save("photo.png", ContentFile(b"\x89PNG\r\n\x1a\nfake"))
    client.force_login(member.user)
    response = client.get(member.photo.url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == "inline"
    client.force_login(other_member.user)
    assert client.get(member.photo.url).status_code == 404


def test_every_file_field_in_the_project_has_a_serving_rule():
    """A new upload field cannot be added without saying who may download it."""
    covered = {(entry.model, entry.field) for entry in protected_files()}
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
        and not model._meta.label.startswith("simple_history")
        and not model.__name__.startswith("Historical")
        and (model._meta.label, field.name) not in covered
    ]
    assert missing == []
