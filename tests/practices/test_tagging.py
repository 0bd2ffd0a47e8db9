"""Free tags tolerate case, spaces and duplicates."""

import pytest
from django.core.exceptions import ValidationError

from practices.tagging import normalize_tags


def test_tags_are_stripped_lowercased_and_deduplicated_in_order():
    assert normalize_tags("Open Data, open data ,  RFP,\nLoRaWAN,, ") == ["open data", "rfp", "lorawan"]


def test_inner_spaces_collapse():
    assert normalize_tags("smart    city") == ["smart city"]


def test_empty_input_means_no_tags():
    assert normalize_tags("") == [] and normalize_tags(" , ,") == []


@pytest.mark.parametrize("raw", ["!!!", "x" * 51, ",".join(f"t{i}" for i in range(21))])
def test_bad_tags_raise_a_validation_error(raw):
    with pytest.raises(ValidationError):
        normalize_tags(raw)


def test_tag_typed_in_another_case_joins_the_existing_tag(member_client, form_data):
    from django.urls import reverse
    from taggit.models import Tag

    from practices.models import Practice

    existing = Tag.objects.create(name="LoRaWAN")  # e.g. added in Django admin
    member_client.post(reverse("practices:create"), {**form_data, "tags": "lorawan, LORAWAN"})
    practice = Practice.objects.get()
    assert list(practice.tags.all()) == [existing]
    assert Tag.objects.count() == 1
