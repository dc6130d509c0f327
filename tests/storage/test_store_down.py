"""An object store that does not answer: pages that need no file keep working, and an
upload says that it failed and saves nothing."""

import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from proposals.models import Proposal, ProposalCategory

from .conftest import storage_options

pytestmark = [pytest.mark.django_db, pytest.mark.s3]


@pytest.fixture
def store_down(settings):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MEDIA_STORAGE = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "liaison.storage.PrivateS3Storage",
            "OPTIONS": storage_options(f"http://127.0.0.1:{port}", "liaison-files"),
        },
    }


def test_pages_without_files_work_and_an_upload_says_it_was_not_saved(member, store_down):
    client = Client(raise_request_exception=False)
    client.force_login(member.user)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert client.get(reverse("portal:proposal_create")).status_code == 200

    response = client.post(
        reverse("portal:proposal_create"),
        {
            "title": "关于增设社区养老服务站的建议",
            "category": ProposalCategory.objects.get(name="社区建设").pk,
            "reasons": "老龄化加快",
            "suggestions": "利用闲置用房",
            "attachment": SimpleUploadedFile("调研.pdf", b"%PDF-1.4 data", "application/pdf"),
        },
    )
    assert response.status_code == 503
    page = response.content.decode()
    assert "文件存储暂时不可用" in page and "没有保存" in page
    assert not Proposal.objects.exists()
