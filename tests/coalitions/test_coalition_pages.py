"""Coalition list, detail, creation and profile editing (with an optional logo)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from coalitions.models import Coalition, Membership
from tests.coalitions.conftest import image_upload
from tests.factories import CoalitionFactory, JoinRequestFactory, MembershipFactory

pytestmark = pytest.mark.django_db

LIST = reverse("coalitions:list")
CREATE = reverse("coalitions:create")

NEW_COALITION = {
    "name": "Georgia Smart Communities",
    "short_name": "GSC",
    "slug": "georgia",
    "region": "Georgia",
    "website": "https://gasmart.example.org",
    "time_zone": "America/New_York",
    "description": "Georgia's cities working together.",
}


def edit_url(coalition):
    return reverse("coalitions:edit", args=[coalition.slug])


def edit_data(coalition, **changes):
    data = {f: getattr(coalition, f) for f in ("name", "short_name", "slug", "region", "website", "time_zone")}
    return {**data, "description": coalition.description, **changes}


# --- list and detail ------------------------------------------------------------------------------


def test_list_shows_member_counts_with_one_query_for_all_counts(client, coalition, django_assert_max_num_queries):
    for _ in range(3):
        MembershipFactory(coalition=coalition)
    for _ in range(5):
        CoalitionFactory()

    with django_assert_max_num_queries(2):  # session lookup is absent for anonymous; one for the list
        response = client.get(LIST)

    page = response.content.decode()
    assert "Colorado Smart Cities Alliance" in page
    assert "3 members" in page


def test_list_marks_my_coalitions_and_pending_requests(member_client, member, other_coalition):
    JoinRequestFactory(user=member, coalition=other_coalition)

    page = member_client.get(LIST).content.decode()

    assert "You are a member" in page
    assert "Request pending" in page


def test_unknown_coalition_is_a_portal_404(client):
    response = client.get(reverse("coalitions:detail", args=["atlantis"]))

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_anonymous_visitor_sees_about_but_not_the_people(client, coalition, member, coalition_admin):
    coalition.description = "Cities of the Front Range."
    coalition.save()

    page = client.get(coalition.get_absolute_url()).content.decode()

    assert "Cities of the Front Range." in page
    assert "Alice Archer" not in page
    assert "Bob Baker" not in page
    assert "visible to members" in page


def test_signed_in_outsider_sees_the_admins_but_not_the_member_list(
    outsider_client, coalition, member, coalition_admin
):
    page = outsider_client.get(coalition.get_absolute_url()).content.decode()

    assert "Bob Baker" in page
    assert "Alice Archer" not in page
    assert "Ask to join" in page


def test_member_of_any_coalition_sees_the_member_list(other_member_client, coalition, member, coalition_admin):
    page = other_member_client.get(coalition.get_absolute_url()).content.decode()

    assert "Alice Archer" in page
    assert "Bob Baker" in page


@pytest.mark.parametrize(
    "persona,standing",
    [
        ("member_client", "You are a member"),
        ("coalition_admin_client", "You are an admin"),
        ("other_member_client", 'href="#standing">Ask to join CSCA</a>'),
        ("outsider_client", "Your request to join is waiting"),
    ],
)
def test_the_page_says_at_the_top_where_the_reader_stands(request, persona, standing, coalition, outsider):
    JoinRequestFactory(user=outsider, coalition=coalition)
    body = request.getfixturevalue(persona).get(coalition.get_absolute_url()).content.decode()

    header = body[body.index("<h1>") : body.index("coalition-figures") if "coalition-figures" in body else None]
    assert standing in header
    assert 'id="standing"' in body


def test_a_visitor_gets_no_standing_line(client, coalition):
    assert "coalition-standing" not in client.get(coalition.get_absolute_url()).content.decode()


def test_description_is_escaped(client, coalition):
    coalition.description = "<script>alert(1)</script>"
    coalition.save()

    page = client.get(coalition.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_detail_query_count_does_not_grow_with_members(member_client, coalition, django_assert_max_num_queries):
    for _ in range(30):
        MembershipFactory(coalition=coalition)

    # 15: the insights block for members also reads the last meeting's attendance (insights_tags).
    with django_assert_max_num_queries(15):
        member_client.get(coalition.get_absolute_url())


# --- editing --------------------------------------------------------------------------------------


def test_coalition_admin_edits_the_profile(coalition_admin_client, coalition):
    response = coalition_admin_client.post(edit_url(coalition), edit_data(coalition, region="Colorado and Wyoming"))

    assert response.status_code == 302
    coalition.refresh_from_db()
    assert coalition.region == "Colorado and Wyoming"


def test_coalition_admin_places_a_metro_coalition_on_the_map(coalition_admin_client, coalition):
    data = edit_data(coalition, state_codes="mo, KS mo", latitude="39.0997", longitude="-94.5786")
    assert coalition_admin_client.post(edit_url(coalition), data).status_code == 302
    coalition.refresh_from_db()
    assert (coalition.state_codes, str(coalition.latitude), str(coalition.longitude)) == (
        "MO,KS",
        "39.0997",
        "-94.5786",
    )
    assert coalition.is_metro


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"state_codes": "CO, XX"}, "Not a US state&#x27;s postal code: XX."),
        ({"latitude": "39.1"}, "Give both latitude and longitude for a metro point, or neither."),
        ({"latitude": "95", "longitude": "-94"}, "A latitude lies between -90 and 90."),
    ],
)
def test_a_place_that_does_not_parse_is_explained_and_nothing_changes(
    coalition_admin_client, coalition, changes, message
):
    response = coalition_admin_client.post(edit_url(coalition), edit_data(coalition, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    coalition.refresh_from_db()
    assert (coalition.state_codes, coalition.latitude) == ("", None)


def test_partnership_admin_edits_any_coalition(partnership_admin_client, other_coalition):
    partnership_admin_client.post(edit_url(other_coalition), edit_data(other_coalition, short_name="NTX"))

    other_coalition.refresh_from_db()
    assert other_coalition.short_name == "NTX"


@pytest.mark.parametrize("persona", ["member_client", "other_member_client", "outsider_client"])
def test_non_admins_cannot_edit(request, persona, coalition):
    client = request.getfixturevalue(persona)

    assert client.get(edit_url(coalition)).status_code == 403
    response = client.post(edit_url(coalition), edit_data(coalition, name="Hijacked"))

    assert response.status_code == 403
    coalition.refresh_from_db()
    assert coalition.name == "Colorado Smart Cities Alliance"


def test_admin_of_another_coalition_cannot_edit(client, coalition, other_coalition):
    client.force_login(MembershipFactory(coalition=other_coalition, role=Membership.Role.ADMIN).user)

    response = client.post(edit_url(coalition), edit_data(coalition, name="Hijacked"))

    assert response.status_code == 403
    coalition.refresh_from_db()
    assert coalition.name == "Colorado Smart Cities Alliance"


def test_over_long_name_is_a_form_error(coalition_admin_client, coalition):
    response = coalition_admin_client.post(edit_url(coalition), edit_data(coalition, name="N" * 201))

    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()


def test_slug_that_shadows_a_page_is_refused(coalition_admin_client, coalition):
    response = coalition_admin_client.post(edit_url(coalition), edit_data(coalition, slug="members"))

    assert "reserved" in response.content.decode()
    coalition.refresh_from_db()
    assert coalition.slug == "colorado"


# --- creating -------------------------------------------------------------------------------------


def test_partnership_admin_creates_a_coalition(partnership_admin_client):
    response = partnership_admin_client.post(CREATE, NEW_COALITION)

    coalition = Coalition.objects.get(slug="georgia")
    assert response.url == reverse("coalitions:manage", args=["georgia"])
    assert coalition.time_zone == "America/New_York"


@pytest.mark.parametrize("persona", ["member_client", "coalition_admin_client", "outsider_client"])
def test_only_partnership_admins_create_coalitions(request, persona):
    client = request.getfixturevalue(persona)

    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, NEW_COALITION).status_code == 403
    assert not Coalition.objects.filter(slug="georgia").exists()


def test_duplicate_name_is_a_form_error(partnership_admin_client, coalition):
    response = partnership_admin_client.post(CREATE, {**NEW_COALITION, "name": coalition.name})

    assert "already exists" in response.content.decode()


# --- logos ----------------------------------------------------------------------------------------


def test_admin_uploads_a_logo_and_it_is_served_through_a_view(coalition_admin_client, client, coalition):
    coalition_admin_client.post(edit_url(coalition), {**edit_data(coalition), "logo": image_upload()})

    coalition.refresh_from_db()
    assert coalition.logo.name.startswith("coalition-logos/colorado-")
    assert coalition.logo.name.endswith(".png")
    response = client.get(coalition.logo_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_replacing_a_logo_removes_the_old_file(coalition_admin_client, coalition, django_capture_on_commit_callbacks):
    coalition_admin_client.post(edit_url(coalition), {**edit_data(coalition), "logo": image_upload()})
    coalition.refresh_from_db()
    old = coalition.logo.name
    storage = coalition.logo.storage

    with django_capture_on_commit_callbacks(execute=True):
        coalition_admin_client.post(
            edit_url(coalition), {**edit_data(coalition), "logo": image_upload("new.jpg", "JPEG")}
        )

    coalition.refresh_from_db()
    assert coalition.logo.name.endswith(".jpg")
    assert not storage.exists(old)


def test_a_file_that_is_not_an_image_is_refused(coalition_admin_client, coalition):
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.4 not an image", content_type="image/png")

    response = coalition_admin_client.post(edit_url(coalition), {**edit_data(coalition), "logo": fake})

    assert "Upload a valid image" in response.content.decode()
    coalition.refresh_from_db()
    assert not coalition.logo


def test_svg_logo_is_refused(coalition_admin_client, coalition):
    svg = SimpleUploadedFile("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>')

    response = coalition_admin_client.post(edit_url(coalition), {**edit_data(coalition), "logo": svg})

    assert "Upload a valid image" in response.content.decode()
    coalition.refresh_from_db()
    assert not coalition.logo


def test_image_formats_browsers_may_not_show_are_refused(coalition_admin_client, coalition):
    bmp = image_upload("logo.bmp", "BMP")

    response = coalition_admin_client.post(edit_url(coalition), {**edit_data(coalition), "logo": bmp})

    assert "Upload the logo as PNG, JPEG, GIF or WebP." in response.content.decode()
    coalition.refresh_from_db()
    assert not coalition.logo


def test_oversized_logo_is_refused(coalition_admin_client, coalition, settings):
    settings.COALITION_LOGO_MAX_BYTES = 1000

    response = coalition_admin_client.post(
        edit_url(coalition), {**edit_data(coalition), "logo": image_upload("big.png", size=(400, 400))}
    )

    assert "logos may be at most" in response.content.decode()
    coalition.refresh_from_db()
    assert not coalition.logo


def test_coalition_without_logo_has_no_logo_url(client, coalition):
    assert client.get(reverse("coalitions:logo", args=[coalition.slug])).status_code == 404


# --- forged requests ------------------------------------------------------------------------------


def test_forged_post_without_csrf_token_is_refused(member, coalition, pending_request, coalition_admin):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coalition_admin)

    response = browser.post(reverse("coalitions:approve_request", args=[coalition.slug, pending_request.pk]))

    assert response.status_code == 403
    assert "could not be accepted" in response.content.decode()
    pending_request.refresh_from_db()
    assert pending_request.is_pending
