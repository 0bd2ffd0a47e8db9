"""Fixtures for the coalitions tests: signal catchers, images, a pending request."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from coalitions.signals import invitation_created, join_request_decided
from tests.factories import JoinRequestFactory, UserFactory


def _catch(signal, name):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    signal.connect(receiver, weak=False, dispatch_uid=name)
    try:
        yield received
    finally:
        signal.disconnect(dispatch_uid=name)


@pytest.fixture
def decisions():
    """Every ``join_request_decided`` sent during the test, as its kwargs."""
    yield from _catch(join_request_decided, "test-join-request-decided")


@pytest.fixture
def invitations_sent():
    """Every ``invitation_created`` sent during the test, as its kwargs."""
    yield from _catch(invitation_created, "test-invitation-created")


@pytest.fixture
def superuser_client(client, partnership_admin):
    """The partnership admin in the Django admin (which needs model permissions: a superuser)."""
    partnership_admin.is_superuser = True
    partnership_admin.save()
    client.force_login(partnership_admin)
    return client


@pytest.fixture
def unverified_user(db):
    return UserFactory(email="frank@example.org", verified=False, profile__full_name="Frank Unverified")


@pytest.fixture
def pending_request(coalition, outsider):
    return JoinRequestFactory(user=outsider, coalition=coalition, message="Erin from Greeley.")


def image_upload(name="logo.png", fmt="PNG", size=(64, 64)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 92, 173)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")
