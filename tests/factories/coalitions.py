import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from coalitions.models import Coalition, Invitation, JoinRequest, Membership, Profile

__all__ = [
    "PASSWORD",
    "CoalitionFactory",
    "InvitationFactory",
    "JoinRequestFactory",
    "MembershipFactory",
    "UserFactory",
]

PASSWORD = "test-pass-2026"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a verified primary email and a profile.

    ``UserFactory(verified=False)`` leaves the address unverified;
    ``UserFactory(profile__time_zone="America/Phoenix", profile__full_name="Ana Ruiz")`` sets the profile.
    """

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.django.Password(PASSWORD)
    is_active = True

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(
                user=obj, email=obj.email, primary=True, verified=True if extracted is None else extracted
            )

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        # Saving the user already made an empty profile (coalitions.accounts); fill it in.
        if create:
            profile = Profile.objects.get(user=obj)
            profile.full_name = kwargs.get("full_name", f"Member {obj.username.title()}")
            profile.job_title = kwargs.get("job_title", "Innovation lead")
            profile.time_zone = kwargs.get("time_zone", "")
            profile.save()
            obj.profile = profile


class CoalitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coalition

    name = factory.Sequence(lambda n: f"Smart Coalition {n}")
    slug = factory.Sequence(lambda n: f"smart-coalition-{n}")
    short_name = factory.Sequence(lambda n: f"SC{n}")
    region = "Colorado"
    time_zone = "America/Denver"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    coalition = factory.SubFactory(CoalitionFactory)
    role = Membership.Role.MEMBER


class JoinRequestFactory(factory.django.DjangoModelFactory):
    """A pending request from a verified user who belongs to no coalition yet."""

    class Meta:
        model = JoinRequest

    user = factory.SubFactory(UserFactory)
    coalition = factory.SubFactory(CoalitionFactory)
    message = "I run the smart-city programme for our city."


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation (expires after INVITATION_VALID_DAYS) to join as a member."""

    class Meta:
        model = Invitation

    coalition = factory.SubFactory(CoalitionFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Membership.Role.MEMBER
