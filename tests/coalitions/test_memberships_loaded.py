"""``load_memberships``: the one statement every signed-in request runs (written by hand, not built as a
queryset each time) reads each membership and its coalition exactly as the ORM does."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from coalitions.models import Membership
from coalitions.permissions import admin_coalition_ids, coalition_ids, load_memberships
from tests.factories import CoalitionFactory, JoinRequestFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.fixture
def two_memberships():
    """A member of Alpha and an admin of Beta (listed out of order), with pending requests to both."""
    user = UserFactory()
    beta = CoalitionFactory(name="Beta Cities", latitude=Decimal("39.7392"), longitude=Decimal("-104.9903"))
    alpha = CoalitionFactory(name="Alpha Region", website="https://alpha.example.org")
    MembershipFactory(
        user=user, coalition=beta, role=Membership.Role.ADMIN, joined=timezone.now() - dt.timedelta(days=3)
    )
    MembershipFactory(user=user, coalition=alpha)
    for coalition in (beta, beta, alpha):
        JoinRequestFactory(coalition=coalition)
    JoinRequestFactory(coalition=beta, status="declined")
    return get_user_model().objects.get(pk=user.pk)


def test_each_membership_and_its_coalition_read_as_the_orm_reads_them(two_memberships):
    user = two_memberships
    expected = list(Membership.objects.filter(user=user).select_related("coalition"))

    load_memberships(user)

    loaded = list(user.memberships.all())
    assert [m.coalition.name for m in loaded] == ["Alpha Region", "Beta Cities"]
    assert [values(m) for m in loaded] == [values(m) for m in expected]
    assert [values(m.coalition) for m in loaded] == [values(m.coalition) for m in expected]
    # Converted as the ORM converts them, on SQLite too: an aware datetime, a Decimal.
    assert all(timezone.is_aware(m.joined) and timezone.is_aware(m.coalition.created) for m in loaded)
    assert loaded[1].coalition.latitude == Decimal("39.7392")
    assert [m._state.db for m in loaded] == ["default", "default"] and not loaded[0]._state.adding


def test_only_an_admin_row_counts_its_coalitions_pending_requests(two_memberships):
    load_memberships(two_memberships)

    assert [m.pending_join_requests for m in two_memberships.memberships.all()] == [0, 2]


def test_one_query_then_none_for_roles_memberships_and_coalitions(two_memberships, django_assert_num_queries):
    user = SimpleLazyObject(lambda: two_memberships)  # as request.user is

    with django_assert_num_queries(1):
        load_memberships(user)
    with django_assert_num_queries(0):
        assert [m.coalition.name for m in user.memberships.all()] == ["Alpha Region", "Beta Cities"]
        assert len(coalition_ids(user)) == 2 and len(admin_coalition_ids(user)) == 1


def test_a_user_in_no_coalition_has_no_memberships():
    user = UserFactory()

    load_memberships(user)

    assert list(user.memberships.all()) == [] and coalition_ids(user) == set()
