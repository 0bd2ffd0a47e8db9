"""The meetings demo without the practices demo: it still seeds its held calls, with no agenda linking a
practice. (Apart from tests/meetings/test_demo.py, whose seeded demo stays in place for its whole module.)"""

import io

import pytest

from coalitions import demo as coalitions_demo
from meetings import demo
from meetings.models import Meeting
from tests.factories import PracticeFactory
from tests.meetings.test_demo import held_meetings

pytestmark = pytest.mark.django_db


def test_seed_works_with_other_practices_or_none(frozen_now):
    out = io.StringIO()
    people = coalitions_demo.seed(stdout=out)
    PracticeFactory(title="Unrelated practice")
    demo.seed(people=people, practices={}, stdout=out)
    assert len(held_meetings()) == 3
    assert not Meeting.objects.filter(agenda_items__practice__isnull=False).exists()
