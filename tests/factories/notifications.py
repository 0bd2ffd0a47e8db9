import factory
from django.utils import timezone

from notifications.models import BouncedAddress, Delivery, Preference

from .coalitions import UserFactory

__all__ = ["BouncedAddressFactory", "DeliveryFactory", "PreferenceFactory"]


class PreferenceFactory(factory.django.DjangoModelFactory):
    """Preferences with the defaults. ``PreferenceFactory(focus_areas=[area])`` follows areas."""

    class Meta:
        model = Preference
        django_get_or_create = ("user",)
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def focus_areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.focus_areas.set(list(extracted))


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    key = factory.Sequence(lambda n: f"test:{n}")
    kind = Delivery.Kind.DIGEST
    user = factory.SubFactory(UserFactory)
    to_address = factory.LazyAttribute(lambda o: o.user.email if o.user else "someone@example.org")
    next_attempt_at = factory.LazyFunction(timezone.now)


class BouncedAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BouncedAddress

    address = factory.Sequence(lambda n: f"bounced{n}@example.org")
    source = BouncedAddress.Source.SMTP
