"""The focus-area index and the moderation queue run a fixed number of queries, with few rows or more.
(Apart from tests/practices/test_query_budgets.py, whose fifty practices stay for its whole module.)"""

import pytest
from django.urls import reverse
from django.utils import timezone

from practices.models import Practice, Report
from tests.factories import CommentFactory, PracticeFactory, ReportFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [2, 12])
def test_focus_area_index_runs_one_query_for_its_counts(
    client, member_client, coalition, cybersecurity, transportation, size, django_assert_max_num_queries
):
    for n in range(size):
        PracticeFactory(
            coalition=coalition,
            focus_areas=[cybersecurity, transportation][: n % 2 + 1],
            visibility=Practice.Visibility.PUBLIC if n % 2 else Practice.Visibility.MEMBERS,
        )
    url = reverse("practices:focus_areas")
    with django_assert_max_num_queries(1):  # no session: the areas with their counts, one query
        anonymous = client.get(url)
    with django_assert_max_num_queries(5):  # the signed-in member's own four, plus that one
        signed_in = member_client.get(url)
    public = {a.slug: a.practice_count for a in anonymous.context["areas"]}
    members = {a.slug: a.practice_count for a in signed_in.context["areas"]}
    assert (public["cybersecurity"], public["transportation"]) == (size // 2, size // 2)
    assert (members["cybersecurity"], members["transportation"]) == (size, size // 2)


@pytest.mark.parametrize("size", [2, 12])
def test_moderation_queue_runs_a_fixed_number_of_queries(
    partnership_admin_client, partnership_admin, coalition, member, size, django_assert_max_num_queries
):
    for _ in range(size):
        practice = PracticeFactory(coalition=coalition)
        comment = CommentFactory(practice=practice, author=member)
        ReportFactory(practice=practice)
        ReportFactory(practice=practice, comment=comment)
        ReportFactory(
            practice=practice,
            status=Report.Status.DISMISSED,
            resolved_by=partnership_admin,
            resolved_at=timezone.now(),
        )
        PracticeFactory(coalition=coalition, is_hidden=True)
        CommentFactory(practice=practice, author=member, is_hidden=True)
    with django_assert_max_num_queries(8):
        response = partnership_admin_client.get(reverse("practices:moderation"))
    assert len(response.context["reports"]) == 2 * size
    assert len(response.context["hidden_practices"]) == size and len(response.context["hidden_comments"]) == size
    assert len(response.context["recent"]) == size
