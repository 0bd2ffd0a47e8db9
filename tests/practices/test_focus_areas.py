"""Focus areas are a curated list: partnership admins add them; the defaults come with the database."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from practices.models import FocusArea, PracticeKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("practices:focus_area_create")


def test_partnership_admin_adds_a_focus_area(partnership_admin_client):
    response = partnership_admin_client.post(
        CREATE, {"name": "Public Safety", "slug": "", "description": "Police, fire and emergency services."}
    )
    assert response.status_code == 302
    area = FocusArea.objects.get(slug="public-safety")
    assert area.name == "Public Safety"
    assert partnership_admin_client.get(area.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("persona", ["member_client", "coalition_admin_client"])
def test_members_and_coalition_admins_cannot_add_focus_areas(request, persona):
    client = request.getfixturevalue(persona)
    assert client.post(CREATE, {"name": "Water", "description": "Water."}).status_code == 403
    assert not FocusArea.objects.filter(name="Water").exists()


def test_duplicate_focus_area_is_a_form_error(partnership_admin_client, cybersecurity):
    response = partnership_admin_client.post(CREATE, {"name": "cybersecurity", "description": "Again."})
    assert "already exists" in response.content.decode()
    assert FocusArea.objects.filter(slug__startswith="cybersecurity").count() == 1


def test_name_without_letters_is_a_form_error(partnership_admin_client):
    response = partnership_admin_client.post(CREATE, {"name": "!!!", "description": "x"})
    assert "Use letters or digits" in response.content.decode()


def test_partnership_admin_edits_a_description(partnership_admin_client, cybersecurity):
    url = reverse("practices:focus_area_edit", args=[cybersecurity.slug])
    partnership_admin_client.post(url, {"name": "Cybersecurity", "slug": "cybersecurity", "description": "New."})
    cybersecurity.refresh_from_db()
    assert cybersecurity.description == "New."


def test_the_migration_creates_the_default_focus_areas_and_kinds_once():
    migration = importlib.import_module("practices.migrations.0004_default_focus_areas_and_kinds")
    FocusArea.objects.all().delete()
    PracticeKind.objects.all().delete()
    migration.create_defaults(apps, None)
    migration.create_defaults(apps, None)
    assert set(FocusArea.objects.values_list("slug", flat=True)) == {
        "cybersecurity",
        "sustainability",
        "transportation",
        "connectivity",
    }
    assert PracticeKind.objects.count() == 7 and all(FocusArea.objects.values_list("description", flat=True))


def test_focus_areas_can_also_be_added_in_django_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/practices/focusarea/add/", {"name": "Water", "slug": "water", "description": "Water systems."}
    )
    assert response.status_code == 302 and FocusArea.objects.filter(slug="water").exists()
