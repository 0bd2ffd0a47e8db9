"""Every account has a profile, however it was made: signup, createsuperuser, the Django admin, a script."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from coalitions.models import Profile
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_a_user_made_in_code_has_a_profile():
    user = User.objects.create_user(username="script", email="script@example.org", password="x")

    assert Profile.objects.filter(user=user).exists()
    assert user.profile.full_name == ""


def test_createsuperuser_makes_a_profile(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Root-pass-2026")

    call_command("createsuperuser", "--noinput", username="root", email="root@example.org", verbosity=0)

    assert Profile.objects.filter(user__username="root").exists()


def test_a_user_added_in_the_django_admin_has_a_profile_and_appears_in_the_directory(
    superuser_client, member_client, coalition
):
    response = superuser_client.post(
        reverse("admin:auth_user_add"),
        {
            "email": "gina@example.org",
            "usable_password": "true",
            "password1": "Gina-pass-2026",
            "password2": "Gina-pass-2026",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    gina = User.objects.get(email="gina@example.org")
    MembershipFactory(user=gina, coalition=coalition)

    assert Profile.objects.filter(user=gina).exists()
    assert "gina" in member_client.get(reverse("coalitions:directory")).content.decode()


def test_saving_a_user_again_keeps_their_profile(member):
    member.first_name = "Alice"
    member.save()

    assert Profile.objects.filter(user=member).count() == 1
    assert Profile.objects.get(user=member).full_name == "Alice Archer"


def test_loaddata_rows_are_left_to_the_fixture(tmp_path):
    # A fixture that brings its own profile must not collide with one made by the receiver.
    fixture = tmp_path / "people.json"
    fixture.write_text(
        '[{"model": "auth.user", "pk": 900, "fields": {"username": "fix", "email": "fix@example.org",'
        ' "password": "!"}},'
        ' {"model": "coalitions.profile", "fields": {"user": 900, "full_name": "Fixture Person"}}]'
    )

    call_command("loaddata", str(fixture), verbosity=0)

    assert Profile.objects.get(user_id=900).full_name == "Fixture Person"


def test_migration_gives_older_accounts_a_profile(member):
    from importlib import import_module

    from django.apps import apps

    Profile.objects.filter(user=member).delete()
    migration = import_module("coalitions.migrations.0002_profiles_for_every_user")

    migration.create_missing_profiles(apps, None)

    assert Profile.objects.filter(user=member).exists()
