"""Attachments are downloaded only through the permission-checked view, as attachments."""

import pytest
from django.urls import reverse

from practices import services
from practices.models import Attachment, Practice
from tests.factories import AttachmentFactory, PracticeFactory

from .conftest import exe_upload, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def members_only_file(coalition, member):
    practice = PracticeFactory(coalition=coalition, author=member, visibility=Practice.Visibility.MEMBERS)
    return AttachmentFactory(practice=practice)


@pytest.fixture
def public_file(coalition, member):
    practice = PracticeFactory(coalition=coalition, author=member, visibility=Practice.Visibility.PUBLIC)
    return AttachmentFactory(practice=practice)


def download_url(attachment):
    return reverse("practices:attachment", args=[attachment.practice.slug, attachment.pk])


def test_download_is_an_attachment_with_checked_type_and_nosniff(client, public_file):
    response = client.get(download_url(public_file))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_signed_out_visitor_cannot_download_members_only_file(client, members_only_file):
    response = client.get(download_url(members_only_file))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_outsider_cannot_download_members_only_file(outsider_client, members_only_file):
    assert outsider_client.get(download_url(members_only_file)).status_code == 403


def test_member_of_another_coalition_downloads_published_members_only_file(other_member_client, members_only_file):
    response = other_member_client.get(download_url(members_only_file))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_draft_files_are_not_found_for_other_members(other_member_client, members_only_file):
    Practice.objects.filter(pk=members_only_file.practice_id).update(status=Practice.Status.DRAFT)
    assert other_member_client.get(download_url(members_only_file)).status_code == 404


def test_file_under_another_practices_address_is_not_found(client, public_file):
    other = PracticeFactory(visibility=Practice.Visibility.PUBLIC)
    url = reverse("practices:attachment", args=[other.slug, public_file.pk])
    assert client.get(url).status_code == 404


def test_files_are_never_served_from_a_public_media_url(client, public_file, settings):
    assert client.get(f"{settings.MEDIA_URL}{public_file.file.name}").status_code == 404


def test_author_adds_attachment_while_editing(member, members_only_file):
    services.add_attachment(practice=members_only_file.practice, upload=pdf_upload("second.pdf"), by=member)
    assert members_only_file.practice.attachments.count() == 2


def test_renamed_executable_is_refused_by_the_service(member, members_only_file):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.add_attachment(practice=members_only_file.practice, upload=exe_upload(), by=member)
    assert members_only_file.practice.attachments.count() == 1


def test_member_of_other_coalition_cannot_remove_a_file(other_member_client, members_only_file):
    url = reverse("practices:attachment_delete", args=[members_only_file.practice.slug, members_only_file.pk])
    assert other_member_client.post(url).status_code == 403
    assert Attachment.objects.filter(pk=members_only_file.pk).exists()


def test_author_removes_a_file_and_its_stored_copy(
    member_client, members_only_file, django_capture_on_commit_callbacks
):
    storage, name = members_only_file.file.storage, members_only_file.file.name
    url = reverse("practices:attachment_delete", args=[members_only_file.practice.slug, members_only_file.pk])
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(url, {"confirmed": "yes"})
    assert not Attachment.objects.filter(pk=members_only_file.pk).exists()
    assert not storage.exists(name)
