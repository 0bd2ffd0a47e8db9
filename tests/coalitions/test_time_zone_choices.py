"""The time-zone lists (profile, preferences, coalition, meeting and series forms) offer current IANA
zones only, from the tz database's zone.tab in the tzdata package, with the partnership's usual zones
first in their own group."""

import re
import zoneinfo

import pytest
from django.urls import reverse

from coalitions.forms import ProfileForm
from coalitions.timezones import LIKELY_GROUP, OTHER_GROUP, current_time_zone, current_zones, time_zone_choices
from meetings.forms import ScheduleMeetingForm, SeriesForm
from notifications.forms import PreferenceForm
from tests.factories import UserFactory

DEPRECATED = [
    "Africa/Asmera",
    "US/Arizona",
    "US/Eastern",
    "Asia/Calcutta",
    "Europe/Kiev",
    "Etc/GMT+7",
    "GMT",
    "EST5EDT",
]
CURRENT = ["Africa/Asmara", "Asia/Kolkata", "Europe/Kyiv", "Europe/Oslo", "America/Argentina/Buenos_Aires", "UTC"]


def offered(choices) -> list[str]:
    return [value for _, group in choices for value, _ in group]


def test_deprecated_aliases_are_not_offered_and_current_zones_are():
    names = offered(time_zone_choices())
    assert not set(DEPRECATED) & set(names)
    assert set(CURRENT) <= set(names)
    # Python itself still knows the aliases: they are left out on purpose, not missing.
    assert set(DEPRECATED) <= zoneinfo.available_timezones()


def test_every_offered_zone_loads_and_appears_once():
    names = offered(time_zone_choices())
    assert len(names) == len(set(names)) > 300
    for name in names:
        zoneinfo.ZoneInfo(name)


def test_the_partnerships_zones_come_first_in_their_own_group():
    (likely_label, likely), (other_label, others) = time_zone_choices()
    assert (likely_label, other_label) == (LIKELY_GROUP, OTHER_GROUP)
    assert [value for value, _ in likely][:5] == [
        "America/Phoenix",
        "America/Denver",
        "America/Chicago",
        "America/New_York",
        "America/Los_Angeles",
    ]
    assert not {value for value, _ in likely} & {value for value, _ in others}
    assert [value for value, _ in others] == sorted(value for value, _ in others)


def test_an_old_alias_stands_for_the_current_zone_it_links_to():
    assert current_time_zone("US/Arizona") == "America/Phoenix"
    assert current_time_zone("Asia/Calcutta") == "Asia/Kolkata"
    assert current_time_zone("America/Phoenix") == "America/Phoenix"
    assert current_time_zone("") == ""
    assert current_time_zone("Mars/Olympus_Mons") == ""
    assert "America/Phoenix" in current_zones()


@pytest.mark.parametrize(
    "form",
    [
        lambda user: ProfileForm(instance=user.profile),
        lambda user: PreferenceForm(),
        lambda user: SeriesForm(user=user),
        lambda user: ScheduleMeetingForm(user=user),
    ],
    ids=["profile", "preferences", "series", "one-off meeting"],
)
@pytest.mark.django_db
def test_each_form_renders_the_groups_with_phoenix_first(form, partnership_admin):
    html = str(form(partnership_admin)["time_zone"])
    assert f'<optgroup label="{LIKELY_GROUP}">' in html
    options = re.findall(r'<option value="([^"]+)"', html)
    assert options[:2] == ["America/Phoenix", "America/Denver"]
    assert "Africa/Asmera" not in options and "Africa/Asmara" in options


@pytest.mark.django_db
def test_a_profile_saved_with_an_old_alias_shows_and_keeps_the_current_zone(client):
    person = UserFactory(profile__time_zone="US/Arizona")
    client.force_login(person)
    page = client.get(reverse("coalitions:profile")).content.decode()
    assert '<option value="America/Phoenix" selected>' in page


@pytest.mark.django_db
def test_an_old_alias_posted_to_the_profile_is_refused_with_a_message(member_client, member):
    response = member_client.post(
        reverse("coalitions:profile"), {"full_name": "Alice Archer", "job_title": "", "time_zone": "Africa/Asmera"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    member.profile.refresh_from_db()
    assert member.profile.time_zone != "Africa/Asmera"


@pytest.mark.django_db
def test_an_old_alias_posted_to_the_meeting_form_is_refused_with_a_message(partnership_admin_client):
    response = partnership_admin_client.post(
        reverse("meetings:schedule"),
        {
            "title": "Pop-up",
            "date": "2030-03-01",
            "start_time": "10:00",
            "end_time": "11:00",
            "time_zone": "US/Arizona",
        },
    )
    assert response.status_code == 200
    assert "“US/Arizona” is not a time zone we know" in response.content.decode()
