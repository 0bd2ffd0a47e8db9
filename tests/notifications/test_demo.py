from io import StringIO

import pytest

from coalitions import demo as coalitions_demo
from notifications import demo
from notifications.models import Preference
from tests.factories import FocusAreaFactory

pytestmark = pytest.mark.django_db


def test_demo_gives_everyone_preferences_with_a_monthly_and_a_focused_reader_and_is_idempotent():
    FocusAreaFactory(name="Cybersecurity", slug="cybersecurity")
    people = coalitions_demo.seed(stdout=StringIO())

    demo.seed(people=people, stdout=StringIO())
    demo.seed(people=people, stdout=StringIO())

    assert Preference.objects.count() == len(people.everyone)
    assert Preference.objects.filter(digest_frequency="monthly").count() == 1
    assert Preference.objects.filter(focus_areas__isnull=False).distinct().count() == 1
    assert not Preference.objects.filter(digest_frequency="weekly", next_digest_at__isnull=True).exists()
