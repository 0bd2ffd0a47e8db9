"""Posting a practice: focus areas from the curated list, tolerant tags, attachments checked,
and nothing saved half-way when any part is wrong."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from practices.models import Attachment, Practice
from tests.factories import PracticeFactory

from .conftest import exe_upload, pdf_upload, png_upload

pytestmark = pytest.mark.django_db

URL = reverse("practices:create")


def stored_files():
    """Every file under the attachments folder (empty folders do not count)."""
    root = Path(default_storage.location) / "practices"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_member_publishes_practice_with_focus_area_and_normalized_tags(member_client, member, form_data):
    response = member_client.post(URL, form_data)
    practice = Practice.objects.get()
    assert response.status_code == 302 and response["Location"] == practice.get_absolute_url()
    assert practice.status == Practice.Status.PUBLISHED and practice.published_at is not None
    assert practice.author == member and practice.contact == member
    assert practice.slug == "incident-response-retainer-rfp"
    assert list(practice.focus_areas.slugs()) == ["cybersecurity"]
    assert sorted(practice.tags.names()) == ["incident response", "ransomware", "rfp"]


def test_save_as_draft_keeps_it_unpublished(member_client, form_data):
    member_client.post(URL, {**form_data, "action": "draft"})
    practice = Practice.objects.get()
    assert practice.status == Practice.Status.DRAFT and practice.published_at is None


def test_attachments_are_stored_with_their_checked_content_type(member_client, form_data):
    member_client.post(URL, {**form_data, "attachments": [pdf_upload(), png_upload()]})
    attachments = Attachment.objects.order_by("name")
    assert [(a.name, a.content_type) for a in attachments] == [
        ("map.png", "image/png"),
        ("plan.pdf", "application/pdf"),
    ]
    assert all(default_storage.exists(a.file.name) for a in attachments)


def test_unknown_focus_area_is_a_form_error(member_client, form_data):
    response = member_client.post(URL, {**form_data, "focus_areas": ["astrology"]})
    assert response.status_code == 200
    assert "“astrology” is not one of the focus areas." in response.content.decode()
    assert not Practice.objects.exists()


def test_a_focus_area_is_required(member_client, form_data):
    response = member_client.post(URL, {**form_data, "focus_areas": []})
    assert "Choose at least one focus area." in response.content.decode()
    assert not Practice.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "This field is required."),
        ("title", "x" * 201, "Ensure this value has at most 200 characters"),
        ("title", "!!! ???", "Give the practice a title with words in it."),
        ("summary", "   ", "This field is required."),
        ("summary", "s" * 1001, "Ensure this value has at most 1000 characters"),
        ("body", "b" * 50_001, "Ensure this value has at most 50000 characters"),
        ("tags", "ok, !!!", "is not a tag: use letters or numbers."),
        ("tags", "t" * 60, "is too long"),
        ("tags", ", ".join(f"tag{i}" for i in range(21)), "Use at most 20 tags."),
    ],
)
def test_bad_fields_get_clear_messages_and_nothing_is_saved(member_client, form_data, field, value, message):
    response = member_client.post(URL, {**form_data, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Practice.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: exe_upload("budget.pdf"), "does not match its .pdf extension"),
        (lambda: exe_upload("setup.exe"), "is not an allowed kind of file"),
        (lambda: pdf_upload("notes.html"), "is not an allowed kind of file"),
    ],
)
def test_bad_attachment_aborts_the_whole_create(member_client, form_data, upload, message):
    response = member_client.post(URL, {**form_data, "attachments": [pdf_upload("good.pdf"), upload()]})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Practice.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == []


def test_file_over_the_limit_is_refused(member_client, form_data, settings):
    settings.UPLOAD_MAX_BYTES = 50
    response = member_client.post(URL, {**form_data, "attachments": [pdf_upload()]})
    assert "files may be at most 50" in response.content.decode()
    assert not Practice.objects.exists()


def test_failure_after_files_were_stored_removes_them(member, coalition, cybersecurity, kind, monkeypatch):
    from practices import services

    def fail(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "update_search_vectors", fail)
    data = {"title": "T", "summary": "S", "kind": kind, "visibility": "members", "focus_areas": [cybersecurity]}
    with pytest.raises(RuntimeError):
        services.create_practice(author=member, coalition=coalition, data=data, files=[pdf_upload()])
    assert not Practice.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize("persona", ["member_client", "coalition_admin_client"])
def test_member_cannot_post_for_another_coalition(request, persona, form_data, other_coalition, unchanged_database):
    client = request.getfixturevalue(persona)
    with unchanged_database():
        response = client.post(URL, {**form_data, "coalition": other_coalition.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Practice.objects.exists()


def test_outsider_is_shown_what_to_do_first_and_cannot_post(outsider_client):
    response = outsider_client.get(URL)
    assert response.status_code == 200
    assert "not yet a member of a coalition" in response.content.decode()
    assert 'name="title"' not in response.content.decode()  # no form to fill in vain
    assert outsider_client.post(URL, {"title": "Sneaky"}).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client, db):
    assert client.get(URL).status_code == 302


def test_contact_must_belong_to_the_practices_coalition(member_client, form_data, other_member):
    response = member_client.post(URL, {**form_data, "contact": other_member.pk})
    assert "Select a valid choice" in response.content.decode()
    assert not Practice.objects.exists()


def test_same_title_gets_a_unique_slug(member_client, form_data):
    PracticeFactory(slug="incident-response-retainer-rfp")
    member_client.post(URL, form_data)
    assert Practice.objects.filter(slug="incident-response-retainer-rfp-2").exists()


def test_reserved_words_never_become_slugs(member_client, form_data):
    member_client.post(URL, {**form_data, "title": "New"})
    practice = Practice.objects.get()
    assert practice.slug == "new-2"
    assert practice.get_absolute_url() == "/practices/new-2/"


def test_script_in_title_body_and_tags_is_shown_as_text(member_client, client, form_data):
    script = "<script>alert(1)</script>"
    member_client.post(URL, {**form_data, "title": f"Pilot {script}", "body": f"Hello {script}", "tags": f"x{script}"})
    practice = Practice.objects.get()
    html = member_client.get(practice.get_absolute_url()).content.decode()
    assert script not in html
    assert "Pilot &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_preview_button_renders_markdown_without_saving(member_client, form_data):
    response = member_client.post(URL, {**form_data, "body": "**bold** <script>x()</script>", "action": "preview"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>bold</strong>" in html and "<script>x()" not in html
    assert 'value="Incident-response retainer RFP"' in html
    assert not Practice.objects.exists()


def test_check_for_similar_lists_existing_practices_without_saving(member_client, form_data, cybersecurity):
    existing = PracticeFactory(
        title="Incident-response retainer RFP template",
        summary="Our retainer's one-hour response commitment, as written in the RFP.",
        focus_areas=[cybersecurity],
    )
    response = member_client.post(URL, {**form_data, "action": "similar"})
    assert existing.title in response.content.decode()
    assert Practice.objects.count() == 1


def test_focus_areas_are_asked_right_after_the_title(member_client, cybersecurity):
    html = member_client.get(URL).content.decode()
    assert html.index('name="title"') < html.index('name="focus_areas"') < html.index('name="summary"')


def test_round_trip_buttons_bring_their_result_into_view(member_client):
    html = member_client.get(URL).content.decode()
    assert 'value="preview" class="secondary" formnovalidate formaction="#preview"' in html
    assert 'value="similar" class="secondary" formnovalidate formaction="#similar-panel"' in html


def test_control_characters_pasted_from_a_word_processor_become_spaces(member_client, form_data):
    pasted = {"title": "Retainer\x01RFP", "summary": "First\x0bsecond", "body": "Line\x0bbreak\n\tindent"}
    member_client.post(URL, {**form_data, **pasted, "jurisdiction": "City\x0cof Evanston"})
    practice = Practice.objects.get()
    assert practice.title == "Retainer RFP"
    assert practice.summary == "First second"
    assert practice.body == "Line break\n\tindent"  # tabs and new lines are Markdown; they stay
    assert practice.jurisdiction == "City of Evanston"
